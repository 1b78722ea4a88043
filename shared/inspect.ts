// The format inspector's report for one local file (issue: disk image inspector).
// The CLI prints exactly these fields with `inspect --json`.

/** Formats the inspector can tell from content. */
export const IMAGE_FORMATS = [
  'raw',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vhd',
  'vhdx',
  'vdi',
  'iso',
  'zvhd',
  'zvhd2',
] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export type InspectReasonCode =
  | 'backing-file'
  | 'data-file'
  | 'external-extent'
  | 'vmdk-create-type'
  | 'unknown-features'
  | 'encrypted'
  | 'corrupt-header'
  | 'truncated'
  | 'empty-file'
  | 'ambiguous-format'
  | 'extension-mismatch'
  | 'declared-format-mismatch'
  | 'format-not-accepted'
  | 'over-size-limit';

/** Reasons about what the cloud takes, not about the file: such a file is still safe. */
export const CLOUD_REASON_CODES: readonly InspectReasonCode[] = ['format-not-accepted', 'over-size-limit'];

export interface InspectReason {
  readonly code: InspectReasonCode;
  readonly message: string;
}

/**
 * Advice about a file that is safe to upload: newer Glance (2025.1 on) would still refuse it, and
 * what to do. Unlike a reason, advice never makes a file unsafe (a cloud on older Glance takes it).
 */
export interface InspectAdvice {
  readonly code: 'glance-refuses';
  readonly message: string;
}

export interface Inspection {
  readonly file: string;
  readonly format: ImageFormat;
  /** For example 'compat-1.1', 'streamOptimized', 'fixed', 'dynamic', 'gpt', 'mbr', 'none'. */
  readonly subformat: string | null;
  /** Bytes the guest sees; null when the header could not say. */
  readonly virtualSize: number | null;
  /** Bytes on disk (what an upload sends). */
  readonly size: number;
  readonly safe: boolean;
  readonly reasons: readonly InspectReason[];
  /** The disk_format to send for this content. */
  readonly diskFormat: string;
  /** Safe, but some image services refuse it: what to do instead. Absent in older reports. */
  readonly advice?: readonly InspectAdvice[];
  /** How many bytes the inspector read from the file. */
  readonly bytesRead?: number;
}
