// The one reader of an upload's file. A target gets bytes only from here: whole or ranged request
// bodies, each hashed as it streams (md5, sha512, …) in the hashing worker, or ranges read into a
// buffer for a part. Every open and every read checks that the file is still the one that was
// checked (size, mtime, inode, change time); bodies wait at the pause gate; every byte that
// enters a body is counted once, and a target that retries a part rolls its count back.
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ImagedropError, fileError } from '../errors.ts';
import { fileChangedError, howChanged, openForUpload, sameFile, type FileIdentity } from '../files/identity.ts';
import { createFileBody } from './file-body.ts';
import { createStreamHasher, type StreamHasher } from './hasher.ts';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface FileSourceOptions {
  readonly path: string;
  /** The file as it was checked: every open and read must find that same file. */
  readonly checked: FileIdentity;
  /** Resolves when reading may go on (a job paused by holding its body waits here). */
  readonly gate?: () => Promise<void>;
  /** Bytes that entered a body (positive), or were rolled back for a part sent again (negative). */
  readonly onProgress?: (delta: number) => void;
  /** The body that ends at the file's last byte has read it: nothing is left that a pause could hold. */
  readonly onLastByte?: () => void;
}

export interface SourceBody {
  readonly body: Readable;
  /** The hex digest per algorithm of exactly the bytes the body gave; after the body ended. */
  digests(): Promise<Readonly<Record<string, string>>>;
}

export class FileSource {
  readonly path: string;
  readonly size: number;
  readonly #options: FileSourceOptions;
  readonly #handles: FileHandle[] = [];
  readonly #hashers: StreamHasher[] = [];
  #readHandle: Promise<FileHandle> | null = null;
  #opened: FileIdentity | null = null;

  constructor(options: FileSourceOptions) {
    this.#options = options;
    this.path = options.path;
    this.size = options.checked.size;
  }

  /** The identity of the file that bodies and parts were read from (null before the first open). */
  get sentIdentity(): FileIdentity | null {
    return this.#opened;
  }

  async #open(): Promise<FileHandle> {
    const { handle, identity } = await openForUpload(this.path);
    this.#handles.push(handle);
    const checked = this.#options.checked;
    if (!sameFile(identity, checked)) {
      throw fileChangedError(this.path, `${howChanged(checked, identity)} after it was checked`);
    }
    this.#opened = identity;
    return handle;
  }

  /**
   * A request body of the whole file (range null) or of [start, end), hashed with `algorithms` as
   * it streams. It errors, aborting its request, when the file changes or `signal` aborts.
   */
  async openBody(range: ByteRange | null, algorithms: readonly string[], signal: AbortSignal): Promise<SourceBody> {
    signal.throwIfAborted();
    const handle = await this.#open();
    const hasher = algorithms.length ? createStreamHasher(algorithms) : null;
    if (hasher) this.#hashers.push(hasher);
    let ended = false;
    const body = createFileBody({
      path: this.path,
      handle,
      identity: this.#opened!,
      hasher,
      ...(range ? { range } : {}),
      onBytes: (n) => this.#options.onProgress?.(n),
      gate: this.#options.gate ?? (() => Promise.resolve()),
      onEnd: () => {
        ended = true;
        if (!range || range.end === this.size) this.#options.onLastByte?.();
      },
    });
    const stop = () => body.destroy(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
    body.once('close', () => signal.removeEventListener('abort', stop));
    return {
      body,
      digests: async () => {
        if (!ended) throw new ImagedropError('internal', 'A digest was asked for before its body ended.');
        return hasher ? hasher.digest() : {};
      },
    };
  }

  /**
   * Reads exactly [start, end) into `into` with positioned reads, for a part sent from a buffer.
   * Rejects with file/changed when the file is no longer the one that was checked.
   */
  async read(start: number, end: number, into: Buffer, signal: AbortSignal): Promise<void> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end && end <= this.size)) {
      throw new ImagedropError('internal', `A part [${start}, ${end}) is outside the file's ${this.size} bytes.`);
    }
    if (into.length < end - start) throw new ImagedropError('internal', 'A part buffer is smaller than its part.');
    signal.throwIfAborted();
    await this.#options.gate?.();
    this.#readHandle ??= this.#open();
    const handle = await this.#readHandle;
    let filled = 0;
    try {
      while (filled < end - start) {
        const { bytesRead } = await handle.read(into, filled, end - start - filled, start + filled);
        if (bytesRead === 0) throw fileChangedError(this.path, `it ended after ${start + filled} bytes`);
        filled += bytesRead;
        signal.throwIfAborted();
      }
      const now = await handle.stat();
      const checked = this.#options.checked;
      if (
        now.size !== checked.size ||
        now.mtimeMs !== checked.mtimeMs ||
        (checked.ctimeMs !== undefined && now.ctimeMs !== checked.ctimeMs)
      ) {
        throw fileChangedError(this.path, 'it was modified');
      }
    } catch (e) {
      if (e instanceof ImagedropError || signal.aborted) throw e;
      throw fileError(e, this.path);
    }
  }

  /** Counts bytes a part sent (positive) or takes them back when the part must go again (negative). */
  progress(delta: number): void {
    this.#options.onProgress?.(delta);
  }

  /** Closes every handle and ends every hashing worker. */
  async close(): Promise<void> {
    for (const h of this.#hashers) h.dispose();
    this.#hashers.length = 0;
    this.#readHandle = null;
    await Promise.allSettled(this.#handles.splice(0).map((h) => h.close()));
  }
}

/**
 * Hashes a whole file again (read-only, in the worker like an upload), for when the server reports
 * an algorithm that was not computed while sending, or the bytes went in parts. With `sent`, the
 * file must still be the one that was uploaded: a file changed since is a file/changed error, not
 * a checksum that would wrongly call the image corrupt.
 */
export async function hashFile(
  path: string,
  algorithm: string,
  options: { readonly sent?: FileIdentity | null; readonly signal?: AbortSignal } = {},
): Promise<string> {
  const signal = options.signal ?? new AbortController().signal;
  signal.throwIfAborted();
  const { handle, identity } = await openForUpload(path);
  await handle.close();
  if (options.sent && !sameFile(options.sent, identity)) {
    throw fileChangedError(
      path,
      `${howChanged(options.sent, identity)} after it was sent, so the upload cannot be checked against it`,
    );
  }
  const source = new FileSource({ path, checked: identity });
  try {
    const { body, digests } = await source.openBody(null, [algorithm], signal);
    for await (const chunk of body) void chunk;
    return (await digests())[algorithm]!;
  } finally {
    await source.close();
  }
}
