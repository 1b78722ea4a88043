import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ELECTRON_LOCK, lockDataDir, SERVE_LOCK } from './data-lock.ts';

let dir: string;
const children: ReturnType<typeof spawn>[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-lock-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill();
  await rm(dir, { recursive: true, force: true });
});

/** A live process that is not this one. */
function otherProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

describe('lockDataDir', () => {
  it('takes the folder, and releases it', async () => {
    const release = await lockDataDir(dir);
    expect((await readFile(path.join(dir, SERVE_LOCK), 'utf8')).trim()).toBe(String(process.pid));
    await release();
    await expect(readFile(path.join(dir, SERVE_LOCK))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses while another serve holds it; takes over a lock whose process is gone', async () => {
    const pid = otherProcess();
    await writeFile(path.join(dir, SERVE_LOCK), `${pid}\n`);
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'serve/data-dir-busy',
      message: expect.stringMatching(
        new RegExp(`^Another imagedrop serve \\(pid ${pid}\\) is running with the data folder`),
      ),
    });
    children[0]!.kill();
    await new Promise((r) => children[0]!.once('exit', r));
    const release = await lockDataDir(dir);
    await release();
  });

  it('refuses while the app runs on the folder (Electron SingletonLock of a live process on this host)', async () => {
    const pid = otherProcess();
    await symlink(`${os.hostname()}-${pid}`, path.join(dir, ELECTRON_LOCK));
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'serve/data-dir-busy',
      message: expect.stringContaining(`The Imagedrop app (pid ${pid})`),
    });
  });

  it("ignores the app's stale lock, another host's, and its own (serve inside the packaged app)", async () => {
    for (const target of [
      `${os.hostname()}-999999`,
      `elsewhere-${otherProcess()}`,
      `${os.hostname()}-${process.pid}`,
    ]) {
      await rm(path.join(dir, ELECTRON_LOCK), { force: true });
      await symlink(target, path.join(dir, ELECTRON_LOCK));
      const release = await lockDataDir(dir);
      await release();
    }
  });
});
