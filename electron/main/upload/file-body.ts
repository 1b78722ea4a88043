// The request body of an upload: the local file, opened read-only, read with positioned reads
// into a Readable with backpressure, so memory stays constant at any file size. It can hold
// (pause: nothing is read, the connection stays open) and it checks, as it goes and at the end,
// that the file is still the one that was checked: same size, mtime and change time, nothing past
// the end.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImagedropError, fileError } from '../errors.ts';
import { fileChangedError, type FileIdentity } from '../files/identity.ts';
import type { StreamHasher } from './hasher.ts';
import { RECLAIM_EVERY_BYTES, reclaimChunks } from './reclaim.ts';

export const CHUNK_BYTES = 1024 * 1024;
/** How often, in bytes, the file is checked for changes while it is read. */
export const CHANGE_CHECK_BYTES = 64 * 1024 * 1024;

export interface FileBodyOptions {
  readonly path: string;
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  readonly hasher: StreamHasher | null;
  /** Called with each chunk's size as it enters the body. */
  readonly onBytes: (n: number) => void;
  /** Resolves when reading may go on (the job is not paused). */
  readonly gate: () => Promise<void>;
  /** Called when the last byte enters the body (nothing is left that a pause could hold). */
  readonly onEnd?: () => void;
  /** A part of the file, [start, end), for a transport that sends parts; the whole file by default. */
  readonly range?: { readonly start: number; readonly end: number };
}

/**
 * A Readable of exactly the range's bytes (the whole file, identity.size bytes, by default). It
 * errors (and so aborts the request, which Glance sees as a disconnect) when the file changes
 * size or mtime, or when there is more to read past the size that was checked.
 */
export function createFileBody(options: FileBodyOptions): Readable {
  const { handle, identity, path } = options;
  const start = options.range?.start ?? 0;
  const end = options.range?.end ?? identity.size;
  if (!(
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    0 <= start &&
    start < end &&
    end <= identity.size
  )) {
    throw new ImagedropError(
      'internal',
      `An upload part [${start}, ${end}) is outside the file's ${identity.size} bytes.`,
    );
  }
  let position = start;
  let sinceCheck = 0;
  let sinceReclaim = 0;

  async function checkUnchanged(): Promise<void> {
    const now = await handle.stat();
    if (now.size !== identity.size) {
      throw fileChangedError(path, `its size went from ${identity.size} to ${now.size} bytes`);
    }
    if (now.mtimeMs !== identity.mtimeMs || (identity.ctimeMs !== undefined && now.ctimeMs !== identity.ctimeMs)) {
      throw fileChangedError(path, 'it was modified');
    }
  }

  return new Readable({
    highWaterMark: 2 * CHUNK_BYTES,
    async read() {
      try {
        if (position >= end) {
          // The end of what was checked: make sure the file did not grow or change meanwhile.
          // (No pause gate here: every byte is already in the body, and holding the end would
          // only keep the request from finishing.)
          if (end === identity.size) {
            const probe = Buffer.allocUnsafe(1);
            const { bytesRead } = await handle.read(probe, 0, 1, identity.size);
            if (bytesRead > 0) throw fileChangedError(path, 'it grew while it was read');
          }
          await checkUnchanged();
          this.push(null);
          return;
        }
        await options.gate();
        const want = Math.min(CHUNK_BYTES, end - position);
        if (options.hasher) await options.hasher.whenReady(want);
        const chunk = Buffer.allocUnsafe(want);
        let filled = 0;
        while (filled < want) {
          const { bytesRead } = await handle.read(chunk, filled, want - filled, position + filled);
          if (bytesRead === 0) throw fileChangedError(path, `it ended after ${position + filled} bytes`);
          filled += bytesRead;
        }
        position += want;
        sinceCheck += want;
        if (sinceCheck >= CHANGE_CHECK_BYTES) {
          sinceCheck = 0;
          await checkUnchanged();
        }
        sinceReclaim += want;
        if (sinceReclaim >= RECLAIM_EVERY_BYTES) {
          sinceReclaim = 0;
          reclaimChunks();
        }
        options.hasher?.update(chunk);
        options.onBytes(want);
        if (position >= end) options.onEnd?.();
        this.push(chunk);
      } catch (e) {
        this.destroy(e instanceof ImagedropError ? e : fileError(e, path));
      }
    },
  });
}
