// Imagedrop's own small files: private folders, atomic writes, and a SerialWriter whose failures
// reach whoever awaits the write. Real files in a temporary folder (and the real /proc).
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVATE_DIR_MODE, SerialWriter, ensurePrivateDir, writeFileAtomic } from './atomic-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

describe('ensurePrivateDir', () => {
  it('creates the folder and every missing parent as 0700', async () => {
    const deep = path.join(dir, 'a', 'b', 'data');
    await ensurePrivateDir(deep);
    expect(PRIVATE_DIR_MODE).toBe(0o700);
    for (const p of [path.join(dir, 'a'), path.join(dir, 'a', 'b'), deep]) expect(await modeOf(p)).toBe(0o700);
  });

  it('leaves an existing folder as it is: never loosened, never changed', async () => {
    const open = path.join(dir, 'shared');
    const tight = path.join(dir, 'tight');
    await mkdir(open);
    await chmod(open, 0o755);
    await mkdir(tight);
    await chmod(tight, 0o500);
    await ensurePrivateDir(open);
    await ensurePrivateDir(tight);
    expect(await modeOf(open)).toBe(0o755);
    expect(await modeOf(tight)).toBe(0o500);
  });

  it('says ENOTDIR when the path is a regular file', async () => {
    const file = path.join(dir, 'data');
    await writeFile(file, 'x');
    await expect(ensurePrivateDir(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(ensurePrivateDir(path.join(file, 'cli-jobs'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('fails at once under /proc/1, where a recursive mkdir spins for ever', async () => {
    const started = Date.now();
    await expect(ensurePrivateDir('/proc/1/cli-jobs')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('writeFileAtomic', () => {
  it('creates the folders it needs as 0700 and the file as 0600', async () => {
    const file = path.join(dir, 'data', 'cli-jobs', 'run.json');
    await writeFileAtomic(file, '{}');
    expect(await modeOf(path.join(dir, 'data'))).toBe(0o700);
    expect(await modeOf(path.join(dir, 'data', 'cli-jobs'))).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('{}');
  });
});

describe('SerialWriter', () => {
  it('rejects the awaited write with the error that stopped it, and tells onError too', async () => {
    const blocker = path.join(dir, 'blocker');
    await writeFile(blocker, 'a file where a folder should be');
    const errors: unknown[] = [];
    const writer = new SerialWriter(path.join(blocker, 'x.json'), (e) => errors.push(e));
    await expect(writer.write(() => '{}')).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(errors).toHaveLength(1);
    expect(writer.lastError).toMatchObject({ code: 'ENOTDIR' });
  });

  it('coalesced writes share the outcome of the write that carried the latest content', async () => {
    const file = path.join(dir, 'f.json');
    const writer = new SerialWriter(file, () => {});
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => writer.write(() => String(n))));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('4');
    expect(writer.lastError).toBeNull();
  });

  it('an unawaited failing write makes no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const blocker = path.join(dir, 'blocker');
      await writeFile(blocker, 'x');
      const writer = new SerialWriter(path.join(blocker, 'x.json'), () => {});
      void writer.write(() => '{}');
      await writer.idle();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
