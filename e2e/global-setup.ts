// Runs once before the e2e tests: the test cloud must answer, and dist/renderer must hold a build
// of the current renderer sources.
//
// The renderer is (re)built here when it is missing or older than any source it is built from,
// rather than failing: the build takes about a second, and a stale build would make the tests
// judge code that is no longer there. A fresh build is left alone, so runs side by side do not
// empty each other's dist/renderer.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'dist/renderer/index.html');
const SOURCES = ['renderer', 'shared', 'vite.config.mts', 'package-lock.json'];

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function newestSource(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of await readdir(entry)) {
    if (child === 'node_modules') continue;
    newest = Math.max(newest, await newestSource(path.join(entry, child)));
  }
  return newest;
}

async function ensureCloud(): Promise<void> {
  const [keystone, glance] = await Promise.all([answers(5000), answers(9292)]);
  if (keystone && glance) return;
  console.log('[e2e] the test cloud does not answer: starting it (scripts/testcloud/up.sh)');
  try {
    await run('bash', [path.join(ROOT, 'scripts/testcloud/up.sh')], { maxBuffer: 16 << 20, timeout: 600_000 });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`scripts/testcloud/up.sh failed:\n${out.stdout ?? ''}${out.stderr ?? String(e)}`, { cause: e });
  }
}

async function ensureRenderer(): Promise<void> {
  const built = existsSync(BUILT) ? (await stat(BUILT)).mtimeMs : 0;
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestSource(path.join(ROOT, s))))));
  if (built > 0 && built >= sources) return;
  console.log(`[e2e] dist/renderer is ${built === 0 ? 'missing' : 'older than its sources'}: npm run build:renderer`);
  try {
    await run('npm', ['run', 'build:renderer'], { cwd: ROOT, maxBuffer: 16 << 20, timeout: 300_000 });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`npm run build:renderer failed:\n${out.stdout ?? ''}${out.stderr ?? String(e)}`, { cause: e });
  }
  if (!existsSync(BUILT)) throw new Error(`npm run build:renderer did not produce ${BUILT}`);
}

export default async function globalSetup(): Promise<void> {
  await Promise.all([ensureCloud(), ensureRenderer()]);
}
