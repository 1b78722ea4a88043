// Small files the user names (a CA bundle, clouds.yaml, secure.yaml), read safely: opened
// non-blocking so that a FIFO cannot hold a thread, checked with fstat (the file opened, not the
// name) before any read, and never read past a cap (a device such as /dev/zero has no end, and a
// 50 MB clouds.yaml took the YAML parser half a minute and 650 MB).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Why a capped read gave no text. */
export type CappedReadProblem =
  | { readonly kind: 'unreadable'; readonly error: NodeJS.ErrnoException }
  | { readonly kind: 'not-a-file'; readonly what: 'a folder' | 'a device, pipe or socket' }
  | { readonly kind: 'too-large'; readonly maxBytes: number };

export type CappedRead =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: CappedReadProblem };

/** Reads `file` as UTF-8 if it is a regular file of at most `maxBytes`. */
export async function readCappedFile(file: string, maxBytes: number): Promise<CappedRead> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK does not exist on Windows, where a path cannot name a FIFO or a device like this.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { ok: false, problem: { kind: 'unreadable', error: e as NodeJS.ErrnoException } };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      return {
        ok: false,
        problem: { kind: 'not-a-file', what: info.isDirectory() ? 'a folder' : 'a device, pipe or socket' },
      };
    }
    if (info.size > maxBytes) return { ok: false, problem: { kind: 'too-large', maxBytes } };
    // One byte more than the cap, in case the file grew since fstat.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return { ok: false, problem: { kind: 'too-large', maxBytes } };
    }
    return { ok: true, text: buffer.toString('utf8', 0, length) };
  } catch (e) {
    return { ok: false, problem: { kind: 'unreadable', error: e as NodeJS.ErrnoException } };
  } finally {
    await handle.close();
  }
}
