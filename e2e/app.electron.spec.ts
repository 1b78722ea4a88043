// The real app under Playwright's _electron: dist/electron/main.cjs in an Electron binary, checked
// from the outside (window, title, the preload's contract, no Node in the page, no navigation).
// It needs an Electron binary, which cannot be downloaded on these machines: where there is none
// the file is skipped with the reason. Nothing here requires 'electron' (that would start its
// lazy download); the binary is found the way node_modules/electron/index.js finds it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../shared/ipc.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MAIN = path.join(ROOT, 'dist/electron/main.cjs');
const PRELOAD = path.join(ROOT, 'dist/electron/preload.cjs');
// Served by main from dist/renderer on its own scheme (electron/main/shell/app-protocol.ts), not file://.
const RENDERER_URL = 'app://imagedrop/index.html';
const ELECTRON_PACKAGE = path.join(ROOT, 'node_modules/electron');

/** The Electron executable require('electron') would return, if it exists (never downloads). */
function findElectronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const pathFile = path.join(ELECTRON_PACKAGE, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(candidate)
      ? { path: candidate }
      : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${candidate} does not exist` };
  }
  if (relative && existsSync(path.join(ELECTRON_PACKAGE, 'dist', relative))) {
    return { path: path.join(ELECTRON_PACKAGE, 'dist', relative) };
  }
  return {
    missing:
      'node_modules/electron has no dist/ (electron@45 downloads it lazily, from GitHub) and ' +
      'ELECTRON_OVERRIDE_DIST_PATH is not set. To run these tests, set ELECTRON_OVERRIDE_DIST_PATH ' +
      'to an unpacked Electron 45.5.0, then npm run build',
  };
}

const binary = findElectronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

/** One app per worker (cawa-93's pattern), with its own data folder, and its first window. */
const test = base.extend<object, { app: ElectronApplication; appWindow: Page }>({
  app: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    async ({}, use) => {
      for (const built of [MAIN, PRELOAD, path.join(ROOT, 'dist/renderer/index.html')]) {
        if (!existsSync(built)) throw new Error(`${path.relative(ROOT, built)} is missing: run npm run build first`);
      }
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'imagedrop-electron-e2e-'));
      const app = await electron.launch({
        args: [MAIN],
        cwd: ROOT,
        env: { ...process.env, IMAGEDROP_DATA_DIR: dataDir },
      });
      try {
        await use(app);
      } finally {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker' },
  ],
  appWindow: [
    async ({ app }, use) => {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      await use(page);
    },
    { scope: 'worker' },
  ],
});

test.skip(
  'missing' in binary,
  `No Electron binary on this machine (it cannot be downloaded here): ${'missing' in binary ? binary.missing : ''}.`,
);
test.skip(!('missing' in binary) && noDisplay, 'Electron needs a display on Linux: run under xvfb-run.');

test('opens one window titled Imagedrop, showing the built renderer', async ({ app, appWindow }) => {
  await expect(appWindow).toHaveTitle('Imagedrop');
  expect(appWindow.url()).toBe(RENDERER_URL);
  expect(app.windows()).toHaveLength(1);
  const fromMain = await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().map((w) => ({ title: w.getTitle(), url: w.webContents.getURL() })),
  );
  expect(fromMain).toEqual([{ title: 'Imagedrop', url: RENDERER_URL }]);
});

test('exposes window.imagedrop with exactly the methods of the contract', async ({ appWindow }) => {
  const expected = [...Object.keys(INVOKE_CHANNELS), ...Object.keys(EVENT_CHANNELS), 'pathForFile'].sort();
  const api = await appWindow.evaluate(() => {
    const value = (window as unknown as { imagedrop?: Record<string, unknown> }).imagedrop;
    return value && Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v]));
  });
  expect(api && Object.keys(api).sort()).toEqual(expected);
  expect(new Set(Object.values(api ?? {}))).toEqual(new Set(['function']));
  const uploads = await appWindow.evaluate(() =>
    (window as unknown as { imagedrop: { listUploads(): Promise<unknown> } }).imagedrop.listUploads(),
  );
  expect(uploads).toEqual({ ok: true, value: [] });
});

test('gives the page no Node: require, process, module and ipcRenderer are undefined', async ({ appWindow }) => {
  const types = await appWindow.evaluate(() => {
    const g = globalThis as Record<string, unknown>;
    return ['require', 'process', 'module', 'Buffer', 'ipcRenderer', 'electron'].map((n) => `${n}: ${typeof g[n]}`);
  });
  expect(types).toEqual([
    'require: undefined',
    'process: undefined',
    'module: undefined',
    'Buffer: undefined',
    'ipcRenderer: undefined',
    'electron: undefined',
  ]);
});

test('refuses navigation to another URL and new windows', async ({ app, appWindow }) => {
  await appWindow.evaluate(() => {
    window.location.href = 'https://example.org/';
  });
  await appWindow.waitForTimeout(500);
  expect(appWindow.url()).toBe(RENDERER_URL);
  const opened = await appWindow.evaluate(() => window.open('https://example.org/') === null);
  expect(opened).toBe(true);
  expect(app.windows()).toHaveLength(1);
  await expect(appWindow).toHaveTitle('Imagedrop');
});
