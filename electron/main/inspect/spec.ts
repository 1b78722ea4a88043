// The table-driven core, after oslo.utils' format_inspector: each format is a FormatSpec that declares,
// as data, the byte regions it reads and its named safety checks. Matching looks only at content.
// A spec must declare at least one check: `checks` is a non-empty tuple, so a spec without one does
// not type-check (oslo raises "All inspectors must define at least one safety check" at run time).
import type { ImageFormat, InspectReasonCode } from '../../../shared/inspect.ts';

/** A byte range to capture: from the start of the file, or counted back from its end. */
export type RegionRequest =
  { readonly offset: number; readonly length: number } | { readonly fromEnd: number; readonly length: number };

export type RegionTable = Readonly<Record<string, RegionRequest>>;

/** `length` bytes at `offset` from the start of the file. */
export function at(offset: number, length: number): RegionRequest {
  return { offset, length };
}

/** `length` bytes starting `distance` bytes before the end of the file (the VHD footer is fromEnd(512)). */
export function fromEnd(distance: number, length = distance): RegionRequest {
  return { fromEnd: distance, length };
}

export interface FileFacts {
  /** The path given to inspectFile. Messages use only its base name. */
  readonly path: string;
  /** Bytes on disk. */
  readonly size: number;
}

export interface RegionView {
  readonly file: FileFacts;
  /** The captured bytes: shorter than asked when the file ends first, empty when never captured. */
  region(name: string): Buffer;
}

/** Further regions that the captured ones point to (VHDX region table → metadata table → items). */
export type FollowUp = (view: RegionView) => RegionTable;

export interface SafetyCheck<H> {
  /** Short stable name, shown in details (oslo's check names: backing-file, data-file, descriptor, …). */
  readonly name: string;
  /** The reason code a failure reports. */
  readonly code: InspectReasonCode;
  /** When this check fails, the later ones are skipped: they would read fields that are not there. */
  readonly fatal?: boolean;
  /** Passes with undefined; fails with one sentence that says what is wrong and what to do. */
  readonly run: (header: H, file: FileFacts) => string | undefined;
}

export type NonEmpty<T> = readonly [T, ...T[]];

/**
 * The 'header-length' check every structured format starts with: fatal (the later checks would
 * read fields that are not there) when the file ends inside the header. `needed` gives the
 * header's size, or null when the check does not apply; `have` the bytes present (the file size
 * unless the format measures what it captured).
 */
export function headerLengthCheck<H>(
  label: string,
  needed: (header: H) => number | null,
  have: (header: H, file: FileFacts) => number = (_h, file) => file.size,
): SafetyCheck<H> {
  return {
    name: 'header-length',
    code: 'truncated',
    fatal: true,
    run: (header, file) => {
      const bytes = needed(header);
      return bytes !== null && have(header, file) < bytes
        ? `The file ends after ${file.size} bytes, inside its ${label} header (${bytes} bytes): the copy is incomplete; copy or download the image again.`
        : undefined;
    },
  };
}

export interface FormatSpec<H> {
  readonly format: ImageFormat;
  /** Regions read before matching. */
  readonly regions: RegionTable;
  /** Regions read after a match, stage by stage, each stage seeing what the earlier ones captured. */
  readonly followUps?: readonly FollowUp[];
  /** Content only: magic numbers and the fields that confirm them. Never the file name. */
  readonly matches: (view: RegionView) => boolean;
  /** Decode the header fields the checks need (total: short regions decode as zeros). */
  readonly parse: (view: RegionView) => H;
  readonly subformat: (header: H) => string | null;
  readonly virtualSize: (header: H, file: FileFacts) => number | null;
  /**
   * Does this format's own structure fill the file's first sector? Then an MBR boot signature there
   * (55 AA at byte 510) is a second format hidden in the header, a polyglot. Default true. False for
   * ISO (its first 16 sectors are a free system area, where hybrid ISOs put their MBR or GPT) and a
   * fixed VHD (its first sector is the guest disk's own, partition table included).
   */
  readonly ownsFirstSector?: (header: H) => boolean;
  /**
   * Does Glance's inspector (oslo.utils) recognise this content too? Default true. False where it
   * cannot see the format at all: ZVHD, a fixed VHD (footer only at the end), an old COWD extent.
   * Used only to say truthfully whether Glance would refuse a polyglot as well.
   */
  readonly glanceSees?: (header: H) => boolean;
  /**
   * Why newer Glance (2025.1 on: oslo.utils' inspector) would refuse content that this spec's checks
   * pass, and what to do; undefined when it would not. Reported as advice, never as a reason.
   */
  readonly glanceRefuses?: (header: H, file: FileFacts) => string | undefined;
  readonly checks: NonEmpty<SafetyCheck<H>>;
}

export interface Finding {
  readonly format: ImageFormat;
  readonly check: string;
  readonly code: InspectReasonCode;
  readonly message: string;
}

export interface Evaluation {
  readonly subformat: string | null;
  readonly virtualSize: number | null;
  readonly findings: readonly Finding[];
  /** See FormatSpec.ownsFirstSector (true when the header cannot be decoded). */
  readonly ownsFirstSector: boolean;
  /** See FormatSpec.glanceSees. */
  readonly glanceSees: boolean;
  /** See FormatSpec.glanceRefuses. */
  readonly glanceRefuses: string | null;
}

/** A spec with its header type erased, so that one table can hold every format. */
export interface FormatEntry {
  readonly format: ImageFormat;
  readonly regions: RegionTable;
  readonly followUps: readonly FollowUp[];
  readonly checkNames: NonEmpty<string>;
  matches(view: RegionView): boolean;
  evaluate(view: RegionView): Evaluation;
}

function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function defineFormat<H>(spec: FormatSpec<H>): FormatEntry {
  // The type already requires a check; this guards specs built from untyped data, as oslo does.
  if (!Array.isArray(spec.checks) || spec.checks.length === 0) {
    throw new TypeError(`The ${String(spec.format)} format spec must declare at least one safety check.`);
  }
  const [first, ...rest] = spec.checks;
  return {
    format: spec.format,
    regions: spec.regions,
    followUps: spec.followUps ?? [],
    checkNames: [first.name, ...rest.map((c) => c.name)],
    matches: (view) => attempt(() => spec.matches(view), false),
    evaluate(view) {
      const file = view.file;
      let header: H;
      try {
        header = spec.parse(view);
      } catch {
        // Like oslo: a check that cannot run counts as failed.
        return {
          subformat: null,
          virtualSize: null,
          ownsFirstSector: true,
          glanceSees: true,
          glanceRefuses: null,
          findings: [
            {
              format: spec.format,
              check: 'parse',
              code: 'corrupt-header',
              message: `The ${spec.format} header cannot be decoded: the file is damaged; make a new copy of the image.`,
            },
          ],
        };
      }
      const findings: Finding[] = [];
      for (const check of spec.checks) {
        let message: string | undefined;
        try {
          message = check.run(header, file);
        } catch {
          message = `The ${spec.format} header cannot be checked (${check.name}): the file is damaged; make a new copy of the image.`;
        }
        if (message === undefined) continue;
        findings.push({ format: spec.format, check: check.name, code: check.code, message });
        if (check.fatal) break;
      }
      return {
        subformat: attempt(() => spec.subformat(header), null),
        virtualSize: attempt(() => spec.virtualSize(header, file), null),
        ownsFirstSector: attempt(() => spec.ownsFirstSector?.(header) ?? true, true),
        glanceSees: attempt(() => spec.glanceSees?.(header) ?? true, true),
        glanceRefuses: attempt(() => spec.glanceRefuses?.(header, file) ?? null, null),
        findings,
      };
    },
  };
}

/** A follow-up stage with nothing more to read. */
export const NOTHING: RegionTable = {};
