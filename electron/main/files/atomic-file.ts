// Durable small files: write a temp file, fsync it, rename it over the old one, fsync the folder.
// A crash at any point leaves either the old content or the new, never a torn file. Every folder
// this creates is private (0700): the data folder holds job logs and remembered connections.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Folders Imagedrop creates for its own files: only their owner may look inside. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `dir` and any missing parent as 0700; an existing folder is left as it is (never
 * loosened, never changed). Unlike `mkdir({ recursive: true })`, which spins for ever on a path
 * such as /proc/1/x (the kernel answers ENOENT, and Node retries), each level is tried once.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: PRIVATE_DIR_MODE });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
  }
  await ensurePrivateDir(path.dirname(dir));
  try {
    await mkdir(dir, { mode: PRIVATE_DIR_MODE });
  } catch (e) {
    // Created meanwhile by another writer: fine, if it is a folder.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw e;
  }
}

/** What an errno from writing one of Imagedrop's own files means, in a few words. */
export function whyUnwritable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `${code}: part of that path is a file, not a folder`;
    case 'EISDIR':
      return `${code}: a folder is in the way of the file`;
    case 'EACCES':
    case 'EPERM':
      return `${code}: no permission to write there`;
    case 'EROFS':
      return `${code}: the file system is read-only`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `${code}: the disk is full`;
    case 'ENOENT':
      return `${code}: the folder cannot be created there`;
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await ensurePrivateDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable. Folders cannot be opened for fsync on Windows; skip there.
  if (process.platform !== 'win32') {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}

/** How a SerialWriter puts content on disk (writeFileAtomic; tests may pass one that hangs). */
export type FileWriter = (file: string, data: string) => Promise<void>;

interface Batch {
  content: () => string;
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function newBatch(content: () => string): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that does not await its write (the failure also goes to onError) must not make an
  // unhandled rejection of it.
  done.catch(() => undefined);
  return { content, done, resolve, reject };
}

/**
 * Serialises writes of one file: at most one write runs, and a write requested meanwhile is
 * coalesced into a single follow-up with the latest content. Each write() settles when the
 * content it asked for (or a later one that replaced it) is on disk, and rejects with the error
 * when that write failed; `onError` hears every failure too, for callers that do not wait.
 */
export class SerialWriter {
  readonly file: string;
  #running: Promise<void> | null = null;
  #next: Batch | null = null;
  #lastError: unknown = null;
  readonly #onError: (e: unknown) => void;
  readonly #write: FileWriter;

  constructor(file: string, onError: (e: unknown) => void, write: FileWriter = writeFileAtomic) {
    this.file = file;
    this.#onError = onError;
    this.#write = write;
  }

  /** Schedules a write of what `content()` returns when the write starts. */
  write(content: () => string): Promise<void> {
    if (this.#next) this.#next.content = content;
    else this.#next = newBatch(content);
    const done = this.#next.done;
    this.#running ??= this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next) {
        const batch = this.#next;
        this.#next = null;
        try {
          await this.#write(this.file, batch.content());
          this.#lastError = null;
          batch.resolve();
        } catch (e) {
          this.#lastError = e;
          this.#onError(e);
          batch.reject(e);
        }
      }
    } finally {
      this.#running = null;
    }
  }

  /** True while a write is running or waiting. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /** The error of the last write that finished, or null when it succeeded (or none ran yet). */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Resolves when every requested write has finished (whether it succeeded or not). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
