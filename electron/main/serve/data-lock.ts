// One writer per data folder. The app and `imagedrop serve` keep the same job log, remembered
// connections and cloud facts (so a job started in one shows in the other), but both rewrite
// jobs.json whole: two of them running on one folder would undo each other's writes. serve
// therefore refuses to start while the app (Electron's SingletonLock) or another serve
// (serve.lock) runs on the folder; a lock left by a process that is gone is taken over.
import { hostname } from 'node:os';
import { mkdir, open, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { ImagedropError } from '../errors.ts';

export const SERVE_LOCK = 'serve.lock';
/** Electron's single-instance lock in userData (Linux and macOS): a link to "<host>-<pid>". */
export const ELECTRON_LOCK = 'SingletonLock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

function busy(dataDir: string, who: string): ImagedropError {
  return new ImagedropError(
    'serve/data-dir-busy',
    `${who} is running with the data folder ${dataDir}: stop it first (both would write the same job log), or give this one its own folder with IMAGEDROP_DATA_DIR.`,
  );
}

/** The app's pid when it runs on this folder (on this machine), else null. */
async function electronHolder(dataDir: string): Promise<number | null> {
  let target: string;
  try {
    target = await readlink(path.join(dataDir, ELECTRON_LOCK));
  } catch {
    return null;
  }
  const m = /^(.*)-(\d+)$/.exec(target);
  if (!m || m[1] !== hostname()) return null;
  const pid = Number(m[2]);
  return pid !== process.pid && isAlive(pid) ? pid : null;
}

/** Takes the folder for this process; resolves with the release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const app = await electronHolder(dataDir);
  if (app !== null) throw busy(dataDir, `The Imagedrop app (pid ${app})`);
  const file = path.join(dataDir, SERVE_LOCK);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        const owner = await readFile(file, 'utf8').catch(() => '');
        if (owner.trim() === String(process.pid)) await rm(file, { force: true });
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw busy(dataDir, `Another imagedrop serve (pid ${pid})`);
      }
      await rm(file, { force: true }); // left by a process that is gone
    }
  }
  throw busy(dataDir, 'Another imagedrop serve');
}
