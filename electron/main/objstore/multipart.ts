// The resumable, verified multipart upload of one file to an S3-compatible store (OBS first): a
// plain function the engine calls with a part source, the durable state it kept (or null), and an
// AbortSignal it aborts for both pause and cancel.
//
//   new upload  check names and sizes locally → InitiateMultipartUpload → saveState (the upload id
//               is durable before any part) → parts → CompleteMultipartUpload → ETag check.
//   resume      the store's ListParts (every page) is the truth: a stored part is kept only when its
//               size is right and its ETag is the MD5 of the local bytes (that range is read and
//               hashed again: the one second read), the rest is sent. A file that changed since,
//               or an upload the store no longer has, starts a new upload, and the result says so.
//   parts       a sliding window of parts in flight; each part is read once from disk into a pooled
//               buffer, its MD5 taken as it is read, sent with Content-MD5, and the ETag the store
//               answers compared with that MD5. Parts too large for the memory budget are streamed
//               instead (MD5 taken while they stream, ETag compared after). The final ETag must be
//               md5(part MD5s)-n.
//   retries     per part, with backoff, for 5xx, SlowDown, RequestTimeout, BadDigest, timeouts,
//               stalls and broken connections; a part that fails never costs the other parts.
//               Anything else rejects at once with its ImagedropError and leaves the upload
//               resumable (the caller decides whether to abort it).
//   abort       stops issuing parts and aborts the requests in flight; the promise settles only
//               once nothing is left on the wire.
import { createHash } from 'node:crypto';
import { ImagedropError } from '../errors.ts';
import { abortReason, sleep } from '../sleep.ts';
import { Md5Worker, sharedBuffer } from './md5-worker.ts';
import type { ObjectStoreClient, MultipartUploadInfo, StoredPart } from './client.ts';
import {
  MiB,
  bareEtag,
  checkBucketName,
  checkObjectKey,
  choosePartSize,
  compositeEtag,
  partCount,
  partRange,
} from './limits.ts';

export interface PartSource {
  readonly size: number;
  /** Reads exactly [start, end) into `into` (length end - start) with positioned reads. Rejects with an
   *  ImagedropError code 'file/changed' when the file is no longer the one that was checked. */
  read(start: number, end: number, into: Buffer, signal: AbortSignal): Promise<void>;
}

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** What the job log keeps for a multipart upload (plain JSON). */
export interface MultipartState {
  readonly version: 1;
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partSize: number;
  /** The file the parts were read from. */
  readonly file: FileIdentity;
  /** The MD5 (hex) of each part the store confirmed, index = part number − 1; null: not confirmed yet. */
  readonly partMd5s: readonly (string | null)[];
  /** Set once CompleteMultipartUpload answered: the object exists, with this ETag (`hex-n`). */
  readonly completedEtag?: string;
}

export type MultipartNoteKind =
  /** The file changed since its parts were sent: the old upload was aborted, a new one started. */
  | 'file-changed'
  /** The state named another bucket or key: its upload was aborted, a new one started. */
  | 'target-changed'
  /** The store no longer had the upload (aborted or expired): a new one started. */
  | 'upload-gone'
  /** Stored parts whose size or ETag did not match the local bytes were sent again. */
  | 'parts-replaced'
  /** The object had already been assembled from these parts (a lost answer to Complete). */
  | 'already-complete'
  /** A part size was asked for, but the upload being resumed keeps the one it started with. */
  | 'part-size-kept';

export interface MultipartNote {
  readonly kind: MultipartNoteKind;
  /** One sentence for the job's history. */
  readonly message: string;
}

export interface RetryPolicy {
  /** Tries per part, the first one included (default 6). */
  readonly attempts: number;
  /** The first wait; it doubles each time, with jitter (default 1 s). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface MultipartOptions {
  /** Bytes per part; default from the file size (limits.ts choosePartSize). Ignored on resume. */
  readonly partSize?: number;
  /** Parts in flight at once (default DEFAULT_WINDOW). */
  readonly window?: number;
  /** Bytes of part buffers at most (default DEFAULT_MEMORY_BUDGET): window × part size stays under it. */
  readonly memoryBudget?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** A part attempt with no progress for this long (no body bytes taken, no answer) is cut and tried again. */
  readonly stallTimeoutMs?: number;
  /** The least time between two saveState calls for newly confirmed parts (default 1 s). */
  readonly saveIntervalMs?: number;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface MultipartRequest {
  readonly client: ObjectStoreClient;
  readonly bucket: string;
  readonly key: string;
  readonly source: PartSource;
  /** The identity of the file `source` reads (checked by the caller before it started). */
  readonly identity: FileIdentity;
  /** The durable state from the job log, or null for a new upload. */
  readonly state: MultipartState | null;
  /** Writes the state durably; the first call (with the new upload id) resolves before any part is sent. */
  readonly saveState: (state: MultipartState) => Promise<void>;
  /** Aborted by the engine for pause and cancel alike. */
  readonly signal: AbortSignal;
  /** Bytes handed to the network (and stored parts found good on resume); negative when a part is retried. */
  readonly onProgress?: (deltaBytes: number) => void;
  readonly options?: MultipartOptions;
}

export interface MultipartResult {
  /** The object's ETag, `hex-n`, equal to md5(part MD5s)-n. */
  readonly etag: string;
  readonly uploadId: string;
  readonly partSize: number;
  readonly parts: number;
  /** Stored parts kept after their bytes were checked. */
  readonly reusedParts: number;
  /** Parts sent by this call. */
  readonly sentParts: number;
  /** Bytes of the parts sent by this call (retries not counted). */
  readonly bytesSent: number;
  /** Bytes sent in attempts that failed and were tried again. */
  readonly bytesRetried: number;
  readonly notes: readonly MultipartNote[];
  /** The final state (completedEtag set), as last saved. */
  readonly state: MultipartState;
}

/** Parts in flight by default. Measured (bench/objstore.bench.ts): 4 filled 2 cores; 8 gained nothing. */
export const DEFAULT_WINDOW = 4;
/** Part buffers at most (4 × 16 MiB parts, with room for larger ones at a smaller window). */
export const DEFAULT_MEMORY_BUDGET = 128 * MiB;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
/**
 * Disk reads go in pieces of READ_PIECE (fewer calls: measured 0.2-0.5 CPU-s less per 512 MiB than
 * 1 MiB reads), network writes in pieces of SEND_PIECE: progress and the stall check advance per
 * piece, and a slow link (1 Mbit/s) takes one in about 8 s, well inside the stall timeout.
 */
const READ_PIECE = 4 * MiB;
const SEND_PIECE = MiB;
/** Requests that clean up (abort an upload) get their own deadline: the caller's signal may be aborted. */
const CLEANUP_TIMEOUT_MS = 30_000;

/** How long to wait before try number `attempt + 1` (attempt ≥ 1), with full jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

function isCode(e: unknown, code: string): boolean {
  return (e as { code?: unknown } | null)?.code === code;
}

/** Serialized, coalesced saveState: at most one call at a time, at most one per interval. */
class StateSaver {
  #chain: Promise<void> = Promise.resolve();
  #pending: MultipartState | null = null;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #failure: unknown = undefined;
  readonly #save: (state: MultipartState) => Promise<void>;
  readonly #interval: number;

  constructor(save: (state: MultipartState) => Promise<void>, interval: number) {
    this.#save = save;
    this.#interval = interval;
  }

  /** The first error saveState threw, if any. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Saves now and waits (the first save, the final one). */
  async now(state: MultipartState): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = null;
    this.#chain = this.#chain.then(() => this.#run(state));
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Saves soon: the latest state wins. */
  later(state: MultipartState): void {
    this.#pending = state;
    if (this.#timer) return;
    const wait = Math.max(0, this.#last + this.#interval - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const s = this.#pending;
      this.#pending = null;
      if (s) this.#chain = this.#chain.then(() => this.#run(s));
    }, wait);
  }

  /** Writes what is pending and waits for every write. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const s = this.#pending;
    this.#pending = null;
    if (s) this.#chain = this.#chain.then(() => this.#run(s));
    await this.#chain;
  }

  async #run(state: MultipartState): Promise<void> {
    if (this.#failure !== undefined) return;
    try {
      await this.#save(state);
      this.#last = Date.now();
    } catch (e) {
      this.#failure = e;
    }
  }
}

/** Part buffers, reused: one per part in flight at most. Shared memory, for the MD5 worker. */
class BufferPool {
  readonly #free: Buffer[] = [];
  #made = 0;
  readonly #size: number;
  readonly #shared: boolean;
  constructor(size: number, shared: boolean) {
    this.#size = size;
    this.#shared = shared;
  }
  take(): Buffer {
    const b = this.#free.pop();
    if (b) return b;
    this.#made += 1;
    return this.#shared ? sharedBuffer(this.#size) : Buffer.allocUnsafeSlow(this.#size);
  }
  give(b: Buffer): void {
    this.#free.push(b);
  }
  get made(): number {
    return this.#made;
  }
}

/**
 * Uploads `source` as `key` in `bucket`, resuming from `state` when it is given. Resolves after
 * CompleteMultipartUpload with the verified ETag; rejects with the abort reason when `signal` is
 * aborted (pause or cancel), or with one ImagedropError; either way the upload stays resumable.
 */
export async function uploadMultipart(request: MultipartRequest): Promise<MultipartResult> {
  const { client, bucket, key, source, identity, signal } = request;
  const options = request.options ?? {};
  const onProgress = request.onProgress ?? (() => {});
  const size = source.size;
  const notes: MultipartNote[] = [];
  const note = (kind: MultipartNoteKind, message: string) => notes.push({ kind, message });

  // Everything that can be known locally, before the first request.
  checkBucketName(bucket);
  checkObjectKey(key, client.limits);
  if (size !== identity.size) {
    throw new ImagedropError(
      'file/changed',
      `The file is ${size} bytes now, not the ${identity.size} it had when it was checked: check it again, then upload it.`,
    );
  }
  if (size === 0) throw new ImagedropError('file/empty', 'The file is empty: there is nothing to upload.');
  const wantedPartSize = choosePartSize(size, client.limits, options.partSize);
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  if (signal.aborted) throw abortReason(signal);

  const cleanup = () => AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  const abortQuietly = async (s: MultipartState) => {
    try {
      await client.abortMultipartUpload(s.bucket, s.key, s.uploadId, cleanup());
    } catch {
      // Best effort: an upload that cannot be aborted now is still listed by listOrphans().
    }
  };

  // --- the upload to continue, or a new one ------------------------------------------------------
  let state = request.state;
  if (state && state.version !== 1) {
    throw new ImagedropError(
      'upload/not-resumable',
      `This upload was saved by another version of Imagedrop (state version ${String(state.version)}): cancel it and upload the file again.`,
    );
  }
  let stored = new Map<number, StoredPart>();
  if (state && (state.bucket !== bucket || state.key !== key)) {
    note(
      'target-changed',
      `The upload was for "${state.key}" in "${state.bucket}"; that unfinished upload was aborted and a new one started.`,
    );
    await abortQuietly(state);
    state = null;
  }
  if (state && !sameIdentity(state.file, identity)) {
    note(
      'file-changed',
      'The file changed since its first parts were sent: the unfinished upload was aborted and the file is sent again from the start.',
    );
    await abortQuietly(state);
    state = null;
  }
  if (state) {
    const done = await alreadyComplete(client, state, signal);
    if (done) {
      note('already-complete', 'The object had already been assembled from these parts; its ETag was checked.');
      onProgress(size);
      const parts = partCount(size, state.partSize);
      return {
        etag: done,
        uploadId: state.uploadId,
        partSize: state.partSize,
        parts,
        reusedParts: parts,
        sentParts: 0,
        bytesSent: 0,
        bytesRetried: 0,
        notes,
        state,
      };
    }
    if (options.partSize !== undefined && options.partSize !== state.partSize) {
      note('part-size-kept', `The upload keeps its part size of ${state.partSize} bytes.`);
    }
    try {
      for (const p of await client.listParts(bucket, key, state.uploadId, signal)) stored.set(p.partNumber, p);
    } catch (e) {
      if (!isCode(e, 'objstore/no-such-upload')) throw e;
      note(
        'upload-gone',
        'The object store no longer had the unfinished upload (it was aborted or expired): the file is sent again from the start.',
      );
      state = null;
      stored = new Map();
    }
  }
  if (!state) {
    const uploadId = await client.initiateMultipartUpload(
      bucket,
      key,
      {
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
      },
      signal,
    );
    const fresh: MultipartState = {
      version: 1,
      bucket,
      key,
      uploadId,
      partSize: wantedPartSize,
      file: { ...identity },
      partMd5s: new Array<string | null>(partCount(size, wantedPartSize)).fill(null),
    };
    try {
      await request.saveState(fresh);
    } catch (e) {
      // Nothing may be left behind that the job log does not know of.
      await abortQuietly(fresh);
      throw e;
    }
    if (signal.aborted) throw abortReason(signal);
    state = fresh;
  }

  // --- the parts ----------------------------------------------------------------------------------
  const current: MultipartState = state;
  const uploadId = current.uploadId;
  const partSize = current.partSize;
  const total = partCount(size, partSize);
  const md5s: (Buffer | null)[] = new Array<Buffer | null>(total).fill(null);
  const confirmed: (string | null)[] = [...current.partMd5s];
  confirmed.length = total;
  for (let i = 0; i < total; i++) confirmed[i] ??= null;
  const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  const streamed = partSize > budget;
  const wantedWindow = options.window ?? DEFAULT_WINDOW;
  const window = Math.max(1, Math.min(wantedWindow, total, streamed ? wantedWindow : Math.floor(budget / partSize)));
  const pool = new BufferPool(streamed ? READ_PIECE : partSize, !streamed);
  const md5Worker = streamed ? null : new Md5Worker();
  const saver = new StateSaver(request.saveState, options.saveIntervalMs ?? 1000);
  const snapshot = (): MultipartState => ({ ...current, partMd5s: [...confirmed] });

  let reusedParts = 0;
  let sentParts = 0;
  let bytesSent = 0;
  let bytesRetried = 0;
  let replaced = 0;

  // One failure stops the others: no new parts, and the ones in flight are cut.
  const stop = new AbortController();
  const running = AbortSignal.any([signal, stop.signal]);
  let failure: unknown = undefined;
  const fail = (e: unknown) => {
    if (failure === undefined && !signal.aborted) failure = e;
    stop.abort(e);
  };

  /** Reads [start, end) into `into`; the worker hashes each piece while the next one is read. */
  async function readHashed(start: number, end: number, into: Buffer): Promise<Buffer> {
    const hash = md5Worker!.begin();
    const read = (at: number) => {
      const pieceEnd = Math.min(end, at + READ_PIECE);
      return source.read(at, pieceEnd, into.subarray(at - start, pieceEnd - start), running);
    };
    let pending = read(start);
    for (let at = start; at < end;) {
      await pending;
      const pieceEnd = Math.min(end, at + READ_PIECE);
      if (pieceEnd < end) pending = read(pieceEnd);
      hash.update(into.subarray(at - start, pieceEnd - start));
      at = pieceEnd;
    }
    return await hash.digest();
  }

  /** Hashes [start, end) without keeping it (streamed parts, on resume). */
  async function hashRange(start: number, end: number): Promise<Buffer> {
    const hash = createHash('md5');
    const chunk = pool.take();
    try {
      for (let at = start; at < end; at += READ_PIECE) {
        const n = Math.min(READ_PIECE, end - at);
        await source.read(at, at + n, chunk.subarray(0, n), running);
        hash.update(chunk.subarray(0, n));
      }
    } finally {
      pool.give(chunk);
    }
    return hash.digest();
  }

  /** One try at sending a part; resolves with the store's ETag and the MD5 of what was sent. */
  async function attempt(
    n: number,
    start: number,
    end: number,
    buffered: { data: Buffer; md5: Buffer } | null,
    counted: { bytes: number },
  ): Promise<{ etag: string; md5: Buffer }> {
    // No progress (a piece taken, or the answer) for stallMs: the attempt is cut and tried again.
    const stall = new AbortController();
    let lastProgress = Date.now();
    const arm = () => {
      lastProgress = Date.now();
    };
    const timer = setInterval(
      () => {
        if (Date.now() - lastProgress < stallMs) return;
        stall.abort(
          new ImagedropError(
            'network/timeout',
            `Part ${n} made no progress for ${Math.round(stallMs / 1000)} s: it is sent again.`,
            { retryable: true },
          ),
        );
      },
      Math.max(50, Math.min(1000, stallMs / 4)),
    );
    const attemptSignal = AbortSignal.any([running, stall.signal]);
    let ended = false;
    const streamHash = buffered ? null : createHash('md5');
    async function* body(): AsyncGenerator<Buffer> {
      for (let at = start; at < end; at += SEND_PIECE) {
        const pieceEnd = Math.min(end, at + SEND_PIECE);
        let piece: Buffer;
        if (buffered) {
          piece = buffered.data.subarray(at - start, pieceEnd - start);
        } else {
          // A fresh buffer each time: the socket may still hold the previous one.
          piece = Buffer.allocUnsafe(pieceEnd - at);
          await source.read(at, pieceEnd, piece, attemptSignal);
          streamHash!.update(piece);
        }
        // The HTTP client may pull once more after the attempt ended: that piece goes nowhere.
        if (ended || attemptSignal.aborted) return;
        arm();
        counted.bytes += piece.length;
        onProgress(piece.length);
        yield piece;
      }
      arm();
    }
    arm();
    try {
      const etag = await client.uploadPart(
        {
          bucket,
          key,
          uploadId,
          partNumber: n,
          length: end - start,
          ...(buffered ? { md5: buffered.md5 } : {}),
          body: body(),
        },
        attemptSignal,
        stallMs,
      );
      return { etag, md5: buffered ? buffered.md5 : streamHash!.digest() };
    } catch (e) {
      // The stall timer's reason is the error; the caller's abort stays an abort.
      if (stall.signal.aborted && !running.aborted) throw stall.signal.reason;
      throw e;
    } finally {
      ended = true;
      clearInterval(timer);
    }
  }

  /** Sends part n until the store confirms it, or a failure that retrying cannot fix. */
  async function sendPart(n: number, start: number, end: number, buffered: { data: Buffer; md5: Buffer } | null) {
    for (let tryNumber = 1; ; tryNumber++) {
      const counted = { bytes: 0 };
      try {
        const { etag, md5 } = await attempt(n, start, end, buffered, counted);
        if (etag !== md5.toString('hex')) {
          if (buffered) {
            // The store checked Content-MD5 and stored the part, yet names it otherwise: its ETags
            // are not MD5s (server-side encryption with KMS does that), so nothing can be verified.
            throw new ImagedropError(
              'objstore/integrity',
              `The object store answered part ${n} with the ETag ${etag}, not its MD5 ${md5.toString('hex')}: its ETags are not MD5 digests (server-side encryption?), so Imagedrop cannot verify the upload; upload without KMS encryption.`,
            );
          }
          throw new ImagedropError(
            'objstore/bad-digest',
            `Part ${n} was stored with the ETag ${etag}, not the MD5 of the bytes sent (${md5.toString('hex')}): it is sent again.`,
            { retryable: true },
          );
        }
        bytesSent += end - start;
        return md5;
      } catch (e) {
        onProgress(-counted.bytes);
        if (running.aborted) throw abortReason(running);
        const retryable = (e as { retryable?: unknown } | null)?.retryable === true;
        if (!retryable || tryNumber >= retry.attempts) throw e;
        bytesRetried += counted.bytes;
        await sleep(backoffDelay(tryNumber, retry) * (isCode(e, 'objstore/slow-down') ? 2 : 1), running);
      }
    }
  }

  /** Part n: check the stored copy when there is one, send it when there is none or it differs. */
  async function runPart(n: number): Promise<void> {
    const { start, end } = partRange(n, size, partSize);
    const length = end - start;
    const copy = stored.get(n);
    const storedOk = copy !== undefined && copy.size === length;
    let md5: Buffer;
    if (streamed) {
      if (storedOk) {
        md5 = await hashRange(start, end);
        if (md5.toString('hex') === copy.etag) return keep(n, md5, length);
      }
      if (copy) replaced += 1;
      md5 = await sendPart(n, start, end, null);
    } else {
      const data = pool.take();
      try {
        md5 = await readHashed(start, end, data);
        if (storedOk && md5.toString('hex') === copy.etag) return keep(n, md5, length);
        if (copy) replaced += 1;
        md5 = await sendPart(n, start, end, { data: data.subarray(0, length), md5 });
      } finally {
        pool.give(data);
      }
    }
    md5s[n - 1] = md5;
    confirmed[n - 1] = md5.toString('hex');
    sentParts += 1;
    saver.later(snapshot());
  }

  function keep(n: number, md5: Buffer, length: number): void {
    md5s[n - 1] = md5;
    confirmed[n - 1] = md5.toString('hex');
    reusedParts += 1;
    onProgress(length);
  }

  let next = 1;
  const worker = async () => {
    while (!running.aborted && next <= total) {
      const n = next++;
      try {
        await runPart(n);
      } catch (e) {
        fail(e);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: window }, worker));
  } finally {
    await md5Worker?.close();
  }
  await saver.flush();
  if (signal.aborted) throw abortReason(signal);
  if (failure !== undefined) throw failure;
  if (saver.failure !== undefined) throw saver.failure;
  if (replaced > 0) {
    note(
      'parts-replaced',
      `${replaced} stored part${replaced === 1 ? '' : 's'} did not match the file and ${replaced === 1 ? 'was' : 'were'} sent again.`,
    );
  }

  // --- assemble and verify ------------------------------------------------------------------------
  const expected = compositeEtag(md5s as Buffer[]);
  let etag: string;
  try {
    etag = await completeWithRetry(
      client,
      { bucket, key, uploadId, parts: confirmed.map((m, i) => ({ partNumber: i + 1, etag: m! })) },
      expected,
      retry,
      signal,
    );
  } catch (e) {
    if (signal.aborted) throw abortReason(signal);
    throw e;
  }
  if (etag !== expected) {
    // The store assembled something else than the parts checked: that object is not this file.
    try {
      await client.deleteObject(bucket, key, cleanup());
    } catch {
      // It is listed with the wrong ETag; the error below says so.
    }
    throw new ImagedropError(
      'objstore/integrity',
      `The object store assembled "${key}" with the ETag ${etag}, not ${expected} as its parts add up to: the object was deleted; upload the file again.`,
    );
  }
  const finalState: MultipartState = { ...snapshot(), completedEtag: etag };
  await saver.now(finalState);
  return {
    etag,
    uploadId,
    partSize,
    parts: total,
    reusedParts,
    sentParts,
    bytesSent,
    bytesRetried,
    notes,
    state: finalState,
  };
}

/** CompleteMultipartUpload, tried again on what can pass; a lost answer is recognised by the ETag. */
async function completeWithRetry(
  client: ObjectStoreClient,
  upload: { bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[] },
  expected: string,
  retry: RetryPolicy,
  signal: AbortSignal,
): Promise<string> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await client.completeMultipartUpload(upload.bucket, upload.key, upload.uploadId, upload.parts, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      if (isCode(e, 'objstore/no-such-upload') && tryNumber > 1) {
        // An earlier try may have assembled the object and lost only its answer.
        const head = await client.headObject(upload.bucket, upload.key, signal);
        if (head?.etag === expected) return head.etag;
      }
      const retryable = (e as { retryable?: unknown } | null)?.retryable === true;
      if (!retryable || tryNumber >= retry.attempts) throw e;
      await sleep(backoffDelay(tryNumber, retry), signal);
    }
  }
}

/**
 * The object's ETag when the upload in `state` has already been assembled (Complete answered, and
 * the answer or the state saved after it was lost), judged from the part MD5s the state holds and
 * the object's ETag; else null. The upload itself is left alone: on some stores (Swift) aborting a
 * completed upload would delete the object's parts.
 */
async function alreadyComplete(
  client: ObjectStoreClient,
  state: MultipartState,
  signal: AbortSignal,
): Promise<string | null> {
  const all = state.partMd5s.every((m) => typeof m === 'string');
  if (!state.completedEtag && !all) return null;
  const expected = state.completedEtag ?? compositeEtag(state.partMd5s.map((m) => Buffer.from(m!, 'hex')));
  const head = await client.headObject(state.bucket, state.key, signal);
  return head && bareEtag(head.etag) === bareEtag(expected) ? bareEtag(expected) : null;
}

/**
 * Aborts the upload in `state` (cancel, or a file that will not be resumed). Gone already counts as
 * done. An upload that was completed is left alone: its object goes with deleteObject, which checks
 * the ETag first (Swift, unlike S3, still answers 204 to an abort after Complete).
 */
export async function abortUpload(
  client: ObjectStoreClient,
  state: Pick<MultipartState, 'bucket' | 'key' | 'uploadId' | 'completedEtag'>,
  signal: AbortSignal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
): Promise<void> {
  if (state.completedEtag) return;
  await client.abortMultipartUpload(state.bucket, state.key, state.uploadId, signal);
}

/** Unfinished multipart uploads under `prefix` (OBS keeps and bills them until they are aborted). */
export async function listOrphans(
  client: ObjectStoreClient,
  bucket: string,
  prefix: string,
  signal: AbortSignal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
): Promise<MultipartUploadInfo[]> {
  return client.listMultipartUploads(bucket, prefix, signal);
}

/**
 * Deletes the object an upload of this app completed: only when the object there still has the
 * ETag this app assembled (never an object someone else wrote since). Resolves with whether it did.
 */
export async function deleteObject(
  client: ObjectStoreClient,
  state: Pick<MultipartState, 'bucket' | 'key' | 'completedEtag'>,
  signal: AbortSignal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
): Promise<boolean> {
  if (!state.completedEtag) return false;
  const head = await client.headObject(state.bucket, state.key, signal);
  if (!head || head.etag !== bareEtag(state.completedEtag)) return false;
  await client.deleteObject(state.bucket, state.key, signal);
  return true;
}
