// The request body of an upload: the local file, opened read-only, read with positioned reads
// into a Readable with backpressure, so memory stays constant at any file size. It can hold
// (pause: nothing is read, the connection stays open) and it checks, as it goes and at the end,
// that the file is still the one that was checked: same size, same mtime, nothing past the end.
import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImagedropError, fileError } from '../errors.ts';
import type { StreamHasher } from './hasher.ts';
import { RECLAIM_EVERY_BYTES, reclaimChunks } from './reclaim.ts';

export const CHUNK_BYTES = 1024 * 1024;
/** How often, in bytes, the file is checked for changes while it is read. */
export const CHANGE_CHECK_BYTES = 64 * 1024 * 1024;

/**
 * What makes "the same file": a swap with `cp -p` keeps size and mtime but not the inode, and a
 * rewrite in place with the old mtime put back keeps all three but not the change time (ctime
 * cannot be set back). Identities kept by an older version have no ctime: they compare without it.
 */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly ctimeMs?: number;
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ino === b.ino &&
    (a.ctimeMs === undefined || b.ctimeMs === undefined || a.ctimeMs === b.ctimeMs)
  );
}

/** The identity of what fs.stat answered. */
export function identityOf(info: { size: number; mtimeMs: number; ino: number; ctimeMs: number }): FileIdentity {
  return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, ctimeMs: info.ctimeMs };
}

/** How `now` differs from `checked`, in words for fileChangedError. */
export function howChanged(checked: FileIdentity, now: FileIdentity): string {
  if (now.size !== checked.size) return `its size went from ${checked.size} to ${now.size} bytes`;
  if (now.ino !== checked.ino) return 'another file was put in its place';
  return 'it was modified';
}

/** The identity of the file at `path` now. */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  try {
    return identityOf(await stat(path));
  } catch (e) {
    throw fileError(e, path);
  }
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
  return { handle, identity: identityOf(info) };
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
