// A PartSource over a local file, for the object store's tests and benchmark (the engine brings
// its own): positioned reads into the caller's buffer, and a check that the file is still the one
// that was opened (size, mtime, ctime, inode), else 'file/changed': every 64 MiB read, as the
// engine's file body does, and whenever a read reaches the end of the file.
import { open, type FileHandle } from 'node:fs/promises';
import { ImagedropError } from '../errors.ts';
import type { FileIdentity, PartSource } from '../objstore/multipart.ts';

export interface FilePartSource extends PartSource {
  readonly identity: FileIdentity;
  /** Bytes read so far (every read, second reads on resume included). */
  readonly bytesRead: number;
  close(): Promise<void>;
}

function identityOf(info: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): FileIdentity {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
}

const CHECK_EVERY_BYTES = 64 * 1024 * 1024;

export async function openFilePartSource(path: string): Promise<FilePartSource> {
  const handle: FileHandle = await open(path, 'r');
  const identity = identityOf(await handle.stat());
  let bytesRead = 0;
  const changed = (what: string) =>
    new ImagedropError('file/changed', `${path} changed while it was being uploaded (${what}).`, { detail: what });
  return {
    size: identity.size,
    identity,
    get bytesRead() {
      return bytesRead;
    },
    async read(start, end, into, signal) {
      if (into.length !== end - start) throw new RangeError(`buffer of ${into.length} bytes for [${start}, ${end})`);
      let at = 0;
      while (at < into.length) {
        signal.throwIfAborted();
        const { bytesRead: n } = await handle.read(into, at, into.length - at, start + at);
        if (n === 0) throw changed('it became shorter');
        at += n;
        bytesRead += n;
      }
      const crossed =
        Math.floor(bytesRead / CHECK_EVERY_BYTES) !== Math.floor((bytesRead - into.length) / CHECK_EVERY_BYTES);
      if (!crossed && end < identity.size) return;
      const now = identityOf(await handle.stat());
      if (
        now.size !== identity.size ||
        now.mtimeMs !== identity.mtimeMs ||
        now.ctimeMs !== identity.ctimeMs ||
        now.ino !== identity.ino
      )
        throw changed('it was modified');
    },
    close: () => handle.close(),
  };
}
