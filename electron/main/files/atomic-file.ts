// Durable small files: write a temp file, fsync it, rename it over the old one, fsync the folder.
// A crash at any point leaves either the old content or the new, never a torn file.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
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

/**
 * Serialises writes of one file: at most one write runs, and a write requested meanwhile is
 * coalesced into a single follow-up with the latest content.
 */
export class SerialWriter {
  readonly file: string;
  #running: Promise<void> | null = null;
  #next: (() => string) | null = null;
  #onError: (e: unknown) => void;

  constructor(file: string, onError: (e: unknown) => void) {
    this.file = file;
    this.#onError = onError;
  }

  /** Schedules a write of what `content()` returns when the write starts. */
  write(content: () => string): Promise<void> {
    this.#next = content;
    this.#running ??= this.#drain();
    return this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next) {
        const content = this.#next;
        this.#next = null;
        try {
          await writeFileAtomic(this.file, content());
        } catch (e) {
          this.#onError(e);
        }
      }
    } finally {
      this.#running = null;
    }
  }

  /** Resolves when every requested write is on disk. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
