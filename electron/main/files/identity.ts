// Which file is "the same file", and opening one for upload: read-only, never blocking on a FIFO,
// regular files only. Shared by the upload engine (what is sent must be what was checked) and the
// local checks. Imports nothing of the core but errors.ts.
import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ImagedropError, fileError } from '../errors.ts';

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
