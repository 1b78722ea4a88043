// The host's files as `imagedrop serve` shows them to a browser: only inside the folders it was
// given (--root), each entry with its size and, for files, the inspector's verdict. The page's
// file chooser lists folders through here and chooses files through here; what it chooses is
// granted exactly as the native picker's answers are (service.ts).
//
// A path from the page is taken as written, never decoded or resolved against anything: it must
// be absolute, without `.` or `..` segments or percent-encoded separators, and its real path (every
// link followed) must lie inside a shared folder. Only regular files can be chosen (no device,
// FIFO or socket: reading one could block or never end).
import type { Dirent, Stats } from 'node:fs';
import { constants } from 'node:fs';
import { access, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppError } from '../../../shared/errors.ts';
import {
  MAX_DIRECTORY_ENTRIES,
  MAX_INSPECTED_ENTRIES,
  type HostDirectory,
  type HostEntry,
  type HostRoot,
} from '../../../shared/ipc.ts';
import { ImagedropError, fileError, toAppError } from '../errors.ts';
import { inspectFile } from '../inspect/index.ts';

/** Names read from one folder before the rest are only counted (a folder of a million files). */
const MAX_NAMES_READ = 100_000;
const STAT_CONCURRENCY = 16;
const INSPECT_CONCURRENCY = 4;
/** Per file: a listing must not hang on one file of a dead network mount. */
const INSPECT_TIMEOUT_MS = 10_000;

/** Encodings of `.`, `/`, `\` and NUL: a path carrying one was meant to be decoded somewhere. */
const ENCODED_SEPARATOR = /%(2e|2f|5c|00)/i;

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** True when `child` is `root` or lies under it (both real, absolute paths). */
export function isInside(child: string, root: string): boolean {
  if (child === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return child.startsWith(prefix);
}

/** Why a path from the page is refused before the disk is asked anything, or null. */
export function pathShapeProblem(p: string): string | null {
  if (p.includes('\0')) return 'contains a NUL character';
  if (!path.isAbsolute(p)) return 'is not an absolute path';
  for (const segment of p.split(/[\\/]/)) {
    if (segment === '.' || segment === '..') return 'goes through "." or ".."';
    if (ENCODED_SEPARATOR.test(segment)) return 'is percent-encoded (Imagedrop takes paths as they are written)';
  }
  return null;
}

/**
 * Checks the --root folders and returns their real paths: each must exist and be a folder.
 * Throws one sentence naming the first that is not.
 */
export async function resolveHostRoots(roots: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const given of roots) {
    const absolute = path.resolve(cwd, given);
    let real: string;
    try {
      real = await realpath(absolute);
    } catch (e) {
      throw new ImagedropError('serve/bad-option', `--root ${given}: ${absolute} does not exist or cannot be read.`, {
        detail: (e as { code?: string }).code ?? String(e),
      });
    }
    const s = await stat(real);
    if (!s.isDirectory())
      throw new ImagedropError('serve/bad-option', `--root ${given} is not a folder: give a folder.`);
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export class HostFiles {
  /** Real, absolute, validated (resolveHostRoots). */
  readonly #roots: readonly string[];

  constructor(roots: readonly string[]) {
    this.#roots = [...roots];
  }

  roots(): HostRoot[] {
    const names = this.#roots.map((r) => path.basename(r) || r);
    return this.#roots.map((r, i) => ({
      path: r,
      name: names.filter((n) => n === names[i]).length > 1 ? r : names[i]!,
    }));
  }

  #rootOf(real: string): string | undefined {
    // The innermost shared folder holding it (roots may nest).
    return this.#roots.filter((r) => isInside(real, r)).sort((a, b) => b.length - a.length)[0];
  }

  #outside(p: string, why?: string): ImagedropError {
    if (this.#roots.length === 0) {
      return new ImagedropError(
        'file/outside-roots',
        'This Imagedrop shares no folders for browsing: choose files with "Choose files…".',
      );
    }
    return new ImagedropError(
      'file/outside-roots',
      why
        ? `${p} ${why}: choose a file inside the shared folders.`
        : `${p} is outside the folders this server shares (${this.#roots.join(', ')}): choose a file inside them, or start serve with --root for its folder.`,
      { detail: p },
    );
  }

  /** The real path of `p` if it is well-formed and lies inside a shared folder; throws otherwise. */
  async #resolve(p: string): Promise<{ real: string; root: string }> {
    if (this.#roots.length === 0) throw this.#outside(p);
    const problem = pathShapeProblem(p);
    if (problem) throw this.#outside(p, problem);
    // Lexically outside every root: refused before the disk is asked (nothing outside is probed).
    if (!this.#roots.some((r) => isInside(path.resolve(p), r))) throw this.#outside(p);
    let real: string;
    try {
      real = await realpath(p);
    } catch (e) {
      throw fileError(e, p);
    }
    const root = this.#rootOf(real);
    if (root === undefined) throw this.#outside(p, 'leads out of the shared folders (through a link)');
    return { real, root };
  }

  /** Regular, readable files inside the shared folders: their real paths, in order. */
  async resolveFiles(paths: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const p of paths) {
      const { real } = await this.#resolve(p);
      let s: Stats;
      try {
        s = await stat(real);
      } catch (e) {
        throw fileError(e, p);
      }
      if (s.isDirectory()) {
        throw new ImagedropError(
          'file/not-a-file',
          `${p} is a folder, not a disk image file: open it and choose a file.`,
        );
      }
      if (!s.isFile()) {
        throw new ImagedropError(
          'file/not-a-file',
          `${p} is ${kindOf(s)}, not a disk image file: only regular files can be chosen.`,
          { detail: kindOf(s) },
        );
      }
      try {
        await access(real, constants.R_OK);
      } catch (e) {
        throw fileError(e, p);
      }
      out.push(real);
    }
    return out;
  }

  /** One shared folder's listing, with the inspector's verdict on its first files. */
  async list(dir: string, options: { acceptedDiskFormats?: readonly string[] } = {}): Promise<HostDirectory> {
    const { real, root } = await this.#resolve(dir);
    const s = await stat(real).catch((e: unknown) => {
      throw fileError(e, dir);
    });
    if (!s.isDirectory()) {
      throw new ImagedropError('file/not-a-file', `${dir} is not a folder.`);
    }
    const names: Dirent[] = [];
    let total = 0;
    try {
      const handle = await opendir(real);
      for await (const dirent of handle) {
        total += 1;
        if (names.length < MAX_NAMES_READ) names.push(dirent);
      }
    } catch (e) {
      throw fileError(e, dir);
    }
    names.sort((a, b) => byName.compare(a.name, b.name));
    const shown = names.slice(0, MAX_DIRECTORY_ENTRIES);
    const entries = await mapLimit(shown, STAT_CONCURRENCY, (d) => this.#describe(real, d));
    entries.sort((a, b) => Number(b.kind === 'directory') - Number(a.kind === 'directory'));
    const files = entries.filter((e) => e.kind === 'file').slice(0, MAX_INSPECTED_ENTRIES);
    const checks = new Map(
      await mapLimit(files, INSPECT_CONCURRENCY, async (e) => [e.path, await this.#check(e.path, options)] as const),
    );
    return {
      path: real,
      root,
      parent: real === root ? null : path.dirname(real),
      entries: entries.map((e) => {
        const check = checks.get(e.path);
        return check ? { ...e, check } : e;
      }),
      omitted: total - shown.length,
    };
  }

  async #check(file: string, options: { acceptedDiskFormats?: readonly string[] }): Promise<HostEntry['check']> {
    try {
      const inspection = await inspectFile(file, {
        ...(options.acceptedDiskFormats?.length ? { acceptedDiskFormats: options.acceptedDiskFormats } : {}),
        signal: AbortSignal.timeout(INSPECT_TIMEOUT_MS),
      });
      return { ok: true, inspection };
    } catch (e) {
      const error: AppError =
        (e as { name?: string } | null)?.name === 'TimeoutError'
          ? {
              code: 'file/unreadable',
              message: `No bytes within ${INSPECT_TIMEOUT_MS / 1000} s (a hung network mount?).`,
              retryable: true,
            }
          : toAppError(e);
      return { ok: false, error };
    }
  }

  async #describe(dir: string, dirent: Dirent): Promise<HostEntry> {
    const name = dirent.name;
    const full = path.join(dir, name);
    const other = (refused: string, s?: Stats): HostEntry => ({
      name,
      path: full,
      kind: 'other',
      size: null,
      modifiedAt: s ? s.mtimeMs : null,
      refused,
    });
    try {
      let target = full;
      let s: Stats;
      if (dirent.isSymbolicLink()) {
        try {
          target = await realpath(full);
        } catch {
          return other('a broken link');
        }
        if (this.#rootOf(target) === undefined) return other('a link to outside the shared folders');
        s = await stat(target);
      } else {
        s = await stat(full);
      }
      if (s.isDirectory()) return { name, path: target, kind: 'directory', size: null, modifiedAt: s.mtimeMs };
      if (s.isFile()) return { name, path: target, kind: 'file', size: s.size, modifiedAt: s.mtimeMs };
      return other(kindOf(s), s);
    } catch (e) {
      const code = (e as { code?: string } | null)?.code;
      return other(code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : 'cannot be read');
    }
  }
}
