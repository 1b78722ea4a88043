// Runs the format table over one file: every spec sees its own regions and says whether the content
// is its format. No priority between formats: more than one match is a polyglot and is reported as
// ambiguous (as oslo.utils and Glance do). A hybrid ISO's MBR/GPT is not a match of its own (raw is
// only the fallback), so "ISO + MBR/GPT" is simply an ISO, which is also what Glance decides.
import type { ImageFormat } from '../../../shared/inspect.ts';
import { FORMAT_LABELS } from './advice.ts';
import { ALL_FORMATS, RAW_FORMAT } from './formats/index.ts';
import type { RegionReader } from './region-reader.ts';
import type { Evaluation, FileFacts, Finding, FormatEntry, RegionTable, RegionView } from './spec.ts';

export interface Detection {
  readonly format: ImageFormat;
  /** Every format whose signature matched (empty for raw). */
  readonly matched: readonly ImageFormat[];
  readonly subformat: string | null;
  readonly virtualSize: number | null;
  readonly findings: readonly Finding[];
}

class CapturedView implements RegionView {
  readonly file: FileFacts;
  readonly #regions = new Map<string, Buffer>();
  constructor(file: FileFacts) {
    this.file = file;
  }
  region(name: string): Buffer {
    return this.#regions.get(name) ?? Buffer.alloc(0);
  }
  /** The regions of one stage are independent: read them concurrently. */
  async capture(reader: RegionReader, table: RegionTable): Promise<void> {
    const wanted = Object.entries(table).filter(([name]) => !this.#regions.has(name));
    const buffers = await Promise.all(wanted.map(([, request]) => reader.read(request)));
    wanted.forEach(([name], i) => this.#regions.set(name, buffers[i] ?? Buffer.alloc(0)));
  }
}

async function followUp(entry: FormatEntry, view: CapturedView, reader: RegionReader): Promise<void> {
  for (const stage of entry.followUps) {
    let table: RegionTable;
    try {
      table = stage(view);
    } catch {
      return; // a header too broken to point anywhere: the checks will say so
    }
    await view.capture(reader, table);
  }
}

export async function detect(
  reader: RegionReader,
  file: FileFacts,
  table: readonly FormatEntry[] = ALL_FORMATS,
): Promise<Detection> {
  await reader.prefetch();
  const matched: { entry: FormatEntry; view: CapturedView }[] = [];
  for (const entry of table) {
    const view = new CapturedView(file);
    await view.capture(reader, entry.regions);
    if (entry.matches(view)) matched.push({ entry, view });
  }
  if (matched.length === 0) {
    const view = new CapturedView(file);
    await view.capture(reader, RAW_FORMAT.regions);
    matched.push({ entry: RAW_FORMAT, view });
  }
  const evaluations: Evaluation[] = [];
  for (const { entry, view } of matched) {
    await followUp(entry, view, reader);
    evaluations.push(entry.evaluate(view));
  }
  const chosen = matched[0];
  const first = evaluations[0];
  if (!chosen || !first) throw new Error('unreachable: raw always matches');
  const formats = matched.map((m) => m.entry.format).filter((f) => f !== 'raw');
  const findings: Finding[] = [];
  if (formats.length > 1) {
    findings.push({
      format: chosen.entry.format,
      check: 'single-format',
      code: 'ambiguous-format',
      message: `The content is at once ${formats.map((f) => FORMAT_LABELS[f]).join(' and ')} (a polyglot, which is how one image hides inside another), so Glance refuses it: rebuild the image in a single format from its source.`,
    });
  }
  const seen = new Set<string>();
  for (const f of evaluations.flatMap((e) => e.findings)) {
    const key = `${f.code}\n${f.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(f);
    }
  }
  return {
    format: chosen.entry.format,
    matched: formats,
    subformat: first.subformat,
    virtualSize: first.virtualSize,
    findings,
  };
}
