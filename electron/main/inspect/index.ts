// The disk image inspector: the real format of a local file and whether it is safe to upload, from
// its content only, reading at most 1 MiB of headers and footers. Plain Node: never imports electron.
export { inspectFile, type InspectAdvice, type InspectionReport, type InspectOptions } from './inspect-file.ts';
export { ALL_FORMATS, RAW_FORMAT } from './formats/index.ts';
export { READ_BUDGET_BYTES } from './region-reader.ts';
export { EXTENSION_FORMATS, diskFormatFor } from './verdict.ts';
export type { FormatSpec, FormatEntry, SafetyCheck } from './spec.ts';
