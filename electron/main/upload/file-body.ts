// The request body of an upload: the local file, opened read-only, read with positioned reads
// into a Readable with backpressure, so memory stays constant at any file size. It can hold
// (pause: nothing is read, the connection stays open) and it checks, as it goes and at the end,
// that the file is still the one that was checked: same size, same mtime, nothing past the end.
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImagedropError, fileError } from '../errors.ts';
import type { StreamHasher } from './hasher.ts';
import { RECLAIM_EVERY_BYTES, reclaimChunks } from './reclaim.ts';

export const CHUNK_BYTES = 1024 * 1024;
/** How often, in bytes, the file is checked for changes while it is read. */
export const CHANGE_CHECK_BYTES = 64 * 1024 * 1024;

export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
}

/** Opens a file for upload: read-only, never blocking on a FIFO, regular files only. */
export async function openForUpload(path: string): Promise<{ handle: FileHandle; identity: FileIdentity }> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    throw fileError(e, path);
  }
  let info;
  try {
    info = await handle.stat();
  } catch (e) {
    await handle.close();
    throw fileError(e, path);
  }
  if (!info.isFile()) {
    await handle.close();
    throw new ImagedropError('file/not-a-file', `${path} is not a regular file: choose a disk image file.`);
  }
  return { handle, identity: { size: info.size, mtimeMs: info.mtimeMs } };
}

export function fileChangedError(path: string, what: string): ImagedropError {
  return new ImagedropError(
    'file/changed',
    `${path} changed while it was being uploaded (${what}): wait until nothing writes to it, then upload it again.`,
    { detail: what },
  );
}

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
}

/**
 * A Readable of exactly identity.size bytes. It errors (and so aborts the request, which Glance
 * sees as a disconnect) when the file changes size or mtime, or when there is more to read past
 * the size that was checked.
 */
export function createFileBody(options: FileBodyOptions): Readable {
  const { handle, identity, path } = options;
  let position = 0;
  let sinceCheck = 0;
  let sinceReclaim = 0;

  async function checkUnchanged(): Promise<void> {
    const now = await handle.stat();
    if (now.size !== identity.size) {
      throw fileChangedError(path, `its size went from ${identity.size} to ${now.size} bytes`);
    }
    if (now.mtimeMs !== identity.mtimeMs) throw fileChangedError(path, 'it was modified');
  }

  return new Readable({
    highWaterMark: 2 * CHUNK_BYTES,
    async read() {
      try {
        if (position >= identity.size) {
          // The end of what was checked: make sure the file did not grow or change meanwhile.
          // (No pause gate here: every byte is already in the body, and holding the end would
          // only keep the request from finishing.)
          const probe = Buffer.allocUnsafe(1);
          const { bytesRead } = await handle.read(probe, 0, 1, identity.size);
          if (bytesRead > 0) throw fileChangedError(path, 'it grew while it was read');
          await checkUnchanged();
          this.push(null);
          return;
        }
        await options.gate();
        const want = Math.min(CHUNK_BYTES, identity.size - position);
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
        if (position >= identity.size) options.onEnd?.();
        this.push(chunk);
      } catch (e) {
        this.destroy(e instanceof ImagedropError ? e : fileError(e, path));
      }
    },
  });
}
