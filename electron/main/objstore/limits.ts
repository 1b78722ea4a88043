// What an object store accepts, checked here before any request: object names, bucket names,
// part sizes and counts (Huawei OBS: 10,000 parts of 100 KB to 5 GB, the last one smaller), and the
// part plan for a file. Pure functions: the unit tests go through them table by table.
import { createHash } from 'node:crypto';
import { ImagedropError } from '../errors.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export interface StoreLimits {
  /** The smallest part but the last (OBS: 100 KB; AWS S3: 5 MiB). */
  readonly minPartSize: number;
  /** The largest part (OBS and S3: 5 GB). */
  readonly maxPartSize: number;
  /** Part numbers run from 1 to this (OBS and S3: 10,000). */
  readonly maxParts: number;
  /** The longest object name, in UTF-8 bytes (OBS and S3: 1,024). */
  readonly maxKeyBytes: number;
}

/** Huawei OBS's limits (ims.md §3.1); AWS S3's are the same but for a 5 MiB minimum part. */
export const OBS_LIMITS: StoreLimits = {
  minPartSize: 100 * KiB,
  maxPartSize: 5 * GiB,
  maxParts: 10_000,
  maxKeyBytes: 1024,
};

/**
 * The part size when the file allows it. Measured against the loopback Swift (bench/objstore.bench.ts,
 * README): 16 MiB parts with 4 in flight; larger parts gained nothing and cost memory.
 */
export const DEFAULT_PART_SIZE = 16 * MiB;

/** Part sizes are rounded up to a whole MiB when they have to grow past the default. */
const PART_ROUNDING = MiB;

function sizeText(bytes: number): string {
  if (bytes >= GiB) return `${+(bytes / GiB).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(2)} MiB`;
  if (bytes >= KiB) return `${+(bytes / KiB).toFixed(2)} KiB`;
  return `${bytes} bytes`;
}

/** The largest file a multipart upload can hold under these limits. */
export function maxObjectSize(limits: StoreLimits = OBS_LIMITS): number {
  return limits.maxParts * limits.maxPartSize;
}

/**
 * The part size for a file: the override when it is valid for this file, else the default grown
 * (in whole MiB) until the file fits in `maxParts` parts. Throws the sentence that says what fits.
 */
export function choosePartSize(size: number, limits: StoreLimits = OBS_LIMITS, override?: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad file size ${size}`);
  if (size > maxObjectSize(limits)) {
    throw new ImagedropError(
      'objstore/too-large',
      `The file is ${sizeText(size)}, more than the object store takes in one object (${limits.maxParts.toLocaleString('en')} parts of at most ${sizeText(limits.maxPartSize)}, ${sizeText(maxObjectSize(limits))}): split it, or use a smaller image format.`,
    );
  }
  const smallest = Math.max(limits.minPartSize, Math.ceil(size / limits.maxParts));
  if (override !== undefined) {
    const fits = override >= smallest || (override >= size && override > 0);
    if (!Number.isSafeInteger(override) || override > limits.maxPartSize || !fits) {
      throw new ImagedropError(
        'objstore/bad-part-size',
        `A part size of ${Number.isSafeInteger(override) ? sizeText(override) : String(override)} does not fit this ${sizeText(size)} file: choose between ${sizeText(smallest)} and ${sizeText(limits.maxPartSize)} (at least ${sizeText(limits.minPartSize)} per part and at most ${limits.maxParts.toLocaleString('en')} parts).`,
      );
    }
    return override;
  }
  if (smallest <= DEFAULT_PART_SIZE) return Math.max(DEFAULT_PART_SIZE, limits.minPartSize);
  return Math.min(limits.maxPartSize, Math.ceil(smallest / PART_ROUNDING) * PART_ROUNDING);
}

export function partCount(size: number, partSize: number): number {
  return size === 0 ? 1 : Math.ceil(size / partSize);
}

/** The byte range [start, end) of part `n` (1-based). */
export function partRange(n: number, size: number, partSize: number): { start: number; end: number } {
  const start = (n - 1) * partSize;
  return { start, end: Math.min(size, start + partSize) };
}

/** The multipart ETag S3 and OBS compute: md5 of the concatenated part MD5s, then `-n`. */
export function compositeEtag(partMd5s: readonly Buffer[]): string {
  const h = createHash('md5');
  for (const md5 of partMd5s) h.update(md5);
  return `${h.digest('hex')}-${partMd5s.length}`;
}

/** An ETag as a bare lower-case string: without quotes (S3 sends `"…"`, XML sends `&quot;…&quot;`). */
export function bareEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

/** A name in double quotes for a sentence: control characters escaped, a long one shortened. */
export function showName(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 60)}…${name.slice(-15)}` : name);
}

/** Half of a UTF-16 surrogate pair: text that has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Characters AWS and Huawei tell users to avoid in object names; proxies and tools mangle them. */
const AVOID = /[\\{}^%`[\]"<>#|~]/;

/**
 * Refuses, before any request, an object name the store or Huawei IMS would refuse or mangle:
 * empty, too long, a space or other white space (IMS: IMG.0175), control characters, text that is
 * not valid Unicode, characters object stores advise against, and empty, `.` or `..` path segments.
 */
export function checkObjectKey(key: string, limits: StoreLimits = OBS_LIMITS): void {
  const bad = (why: string) =>
    new ImagedropError('objstore/invalid-key', `The object name ${showName(key)} ${why}`, { detail: key });
  if (key.length === 0) throw bad('is empty: give the object a name, such as images/disk.qcow2.');
  if (/\s/.test(key))
    throw bad('contains a space or other white space, which Huawei IMS refuses (IMG.0175): use - or _ instead.');
  if ([...key].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f'))
    throw bad('contains a control character: use letters, digits and - _ . / only.');
  if (LONE_SURROGATE.test(key)) throw bad('is not valid Unicode text: use letters, digits and - _ . / only.');
  if (Buffer.byteLength(key, 'utf8') > limits.maxKeyBytes)
    throw bad(`is longer than ${limits.maxKeyBytes} bytes: use a shorter name.`);
  const avoid = AVOID.exec(key);
  if (avoid)
    throw bad(`contains "${avoid[0]}", which object stores advise against: use letters, digits and - _ . / only.`);
  if (
    key
      .split('/')
      .some((segment, i, all) => segment === '.' || segment === '..' || (segment === '' && i < all.length - 1))
  )
    throw bad('has an empty, "." or ".." folder in it: remove the extra slashes and dots.');
}

/** Bucket names as S3 and OBS define them: 3–63 characters of a-z 0-9 . -, not like an IP address. */
export function checkBucketName(bucket: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !/\.\.|\.-|-\./.test(bucket) &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(bucket);
  if (!ok)
    throw new ImagedropError(
      'objstore/invalid-bucket',
      `"${bucket}" is not a valid bucket name: bucket names have 3 to 63 lower-case letters, digits, hyphens and dots, and start and end with a letter or digit.`,
      { detail: bucket },
    );
}
