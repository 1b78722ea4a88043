// inspectFile(path): the report for one local file. It opens the file read-only and non-blocking
// (opening a FIFO for reading would otherwise wait for a writer forever), checks with fstat that it
// is a regular file before reading a byte, then reads only headers and footers (region-reader.ts).
// With a signal, an inspection stuck on a hung read (a dead network mount) is abandoned on abort:
// the call rejects at once and the handle is closed whenever the read returns.
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { InspectAdvice, Inspection, InspectReason } from '../../../shared/inspect.ts';
import { fitsSizeLimit, sizeLimitProblem } from '../../../shared/session.ts';
import { ImagedropError, fileError } from '../errors.ts';
import { detect, type Detection } from './detect.ts';
import { RegionReader } from './region-reader.ts';
import { acceptanceReason, declaredReason, diskFormatFor, extensionReason } from './verdict.ts';

export type { InspectAdvice };

/** The report: an Inspection whose advice is always there (empty when there is none). */
export interface InspectionReport extends Inspection {
  readonly advice: readonly InspectAdvice[];
}

export interface InspectOptions {
  /** The disk_format the user chose; 'auto' (or nothing) means none. */
  readonly declaredFormat?: string;
  /** The disk_formats the cloud accepts (from GET /v2/schemas/image); unchecked when absent. */
  readonly acceptedDiskFormats?: readonly string[];
  /** The cloud's upload limit (files must be smaller); unchecked when absent. */
  readonly sizeLimit?: number;
  /** Aborting it rejects the call with the signal's reason (an AbortError), even mid-read. */
  readonly signal?: AbortSignal;
}

/** Settles as `work` does, or rejects as soon as `signal` aborts; the work is then abandoned, not stopped. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function notAFile(path: string, s: Stats | undefined, errno?: string): ImagedropError {
  const kind = s ? kindOf(s) : 'a special file';
  return new ImagedropError(
    'file/not-a-file',
    `${path} is ${kind}, not a disk image file: choose the image file itself.`,
    errno === undefined ? { detail: kind } : { detail: errno },
  );
}

async function openForInspection(path: string): Promise<FileHandle> {
  try {
    return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as { code?: string } | null)?.code;
    if (code === 'ENXIO' || code === 'ENODEV' || code === 'EOPNOTSUPP' || code === 'EISDIR') {
      // Sockets (and some device nodes) cannot be opened at all: say what the path is.
      const s = await stat(path).catch(() => undefined);
      throw notAFile(path, s, code);
    }
    throw fileError(e, path);
  }
}

export async function inspectFile(path: string, options: InspectOptions = {}): Promise<InspectionReport> {
  const { signal } = options;
  signal?.throwIfAborted();
  const opening = openForInspection(path);
  let handle: FileHandle;
  try {
    handle = await unlessAborted(opening, signal);
  } catch (e) {
    if (signal?.aborted) opening.then((h) => h.close()).catch(() => undefined); // opened too late
    throw e;
  }
  const inspecting = inspectOpened(handle, path, options);
  try {
    return await unlessAborted(inspecting, signal);
  } finally {
    // close() waits for a pending read: after an abort, close in the background instead.
    const closing = inspecting.catch(() => undefined).then(() => handle.close());
    if (signal?.aborted) closing.catch(() => undefined);
    else await closing;
  }
}

async function inspectOpened(handle: FileHandle, path: string, options: InspectOptions): Promise<InspectionReport> {
  let s: Stats;
  try {
    s = await handle.stat();
  } catch (e) {
    throw fileError(e, path);
  }
  if (!s.isFile()) throw notAFile(path, s);
  const file = { path, size: s.size };
  const reader = new RegionReader(handle, s.size, options.signal);
  let detection: Detection;
  try {
    detection = await detect(reader, file);
  } catch (e) {
    if (e instanceof ImagedropError || options.signal?.aborted) throw e;
    throw fileError(e, path);
  }
  const reasons: InspectReason[] = detection.findings.map(({ code, message }) => ({ code, message }));
  if (s.size > 0) {
    for (const extra of [
      extensionReason(path, detection.format),
      declaredReason(options.declaredFormat, detection.format),
      acceptanceReason(path, detection.format, options.acceptedDiskFormats),
    ]) {
      if (extra) reasons.push(extra);
    }
  }
  if (options.sizeLimit !== undefined && !fitsSizeLimit(s.size, options.sizeLimit)) {
    reasons.push({ code: 'over-size-limit', message: `The file ${sizeLimitProblem(s.size, options.sizeLimit)}` });
  }
  return {
    file: path,
    format: detection.format,
    subformat: detection.subformat,
    virtualSize: detection.virtualSize,
    size: s.size,
    safe: reasons.length === 0,
    reasons,
    diskFormat: diskFormatFor(detection.format),
    bytesRead: reader.bytesRead,
    advice: detection.glanceRefuses === null ? [] : [{ code: 'glance-refuses', message: detection.glanceRefuses }],
  };
}
