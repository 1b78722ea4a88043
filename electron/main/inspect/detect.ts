// Runs the format table over one file: every spec sees its own regions and says whether the content
// is its format. No priority between formats: more than one match is a polyglot and is reported as
// ambiguous (as oslo.utils and Glance do). So is an MBR boot signature (55 AA at byte 510) inside a
// header that fills the first sector: oslo.utils then sees {qcow2, gpt} and refuses "Multiple formats
// detected". The one allowed pair is ISO + MBR/GPT (a hybrid ISO: its first sectors are free), which
// Glance takes as ISO; a fixed VHD's first sector is its guest's disk, so its MBR is no second format.
import type { ImageFormat } from '../../../shared/inspect.ts';
import { FORMAT_LABELS } from './advice.ts';
import { ALL_FORMATS, RAW_FORMAT } from './formats/index.ts';
import { hasMbrSignature } from './formats/partition-table.ts';
import type { RegionReader } from './region-reader.ts';
import type { Evaluation, FileFacts, Finding, FormatEntry, RegionTable, RegionView } from './spec.ts';

export interface Detection {
  readonly format: ImageFormat;
  /** Every format whose signature matched (empty for raw). */
  readonly matched: readonly ImageFormat[];
  readonly subformat: string | null;
  readonly virtualSize: number | null;
  readonly findings: readonly Finding[];
  /** Why newer Glance would refuse this content although it is safe (see FormatSpec.glanceRefuses). */
  readonly glanceRefuses: string | null;
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

function listOf(items: readonly string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The 'single-format' finding when the content is more than one format (see the top of this file). */
function ambiguityFinding(
  chosen: ImageFormat,
  claims: readonly { format: ImageFormat; evaluation: Evaluation }[],
  sector0: Buffer,
): Finding | undefined {
  const mbr = hasMbrSignature(sector0);
  const owner = mbr ? claims.find((c) => c.evaluation.ownsFirstSector) : undefined;
  if (claims.length < 2 && owner === undefined) return undefined;
  const labels = claims.map((c) => FORMAT_LABELS[c.format]);
  if (owner)
    labels.push(
      `a partitioned disk (an MBR boot signature, 55 AA, at byte 510 inside the ${FORMAT_LABELS[owner.format]} header)`,
    );
  // What oslo.utils would see: the formats it knows, and its 'gpt' for any MBR signature.
  const glance = [...claims.filter((c) => c.evaluation.glanceSees).map((c) => c.format), ...(mbr ? ['gpt'] : [])];
  const hybridIso = glance.length === 2 && glance.includes('iso') && glance.includes('gpt');
  const glanceRefuses = glance.length > 1 && !hybridIso;
  return {
    format: chosen,
    check: 'single-format',
    code: 'ambiguous-format',
    message: `The content is at once ${listOf(labels)} (a polyglot, which is how one image hides inside another)${glanceRefuses ? ', and Glance refuses it ("Multiple formats detected")' : ''}: rebuild the image in a single format from its source.`,
  };
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
  const claims = matched.flatMap(({ entry }, i) => {
    const evaluation = evaluations[i];
    return entry.format !== 'raw' && evaluation ? [{ format: entry.format, evaluation }] : [];
  });
  const formats = claims.map((c) => c.format);
  const findings: Finding[] = [];
  const ambiguity = ambiguityFinding(chosen.entry.format, claims, await reader.read({ offset: 0, length: 512 }));
  if (ambiguity) findings.push(ambiguity);
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
    glanceRefuses: first.glanceRefuses,
  };
}
