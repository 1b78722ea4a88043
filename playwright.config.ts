// End-to-end tests. Project `renderer`: the built renderer in Debian's Chromium, with the real
// main-process core behind the same contract the preload exposes (a Playwright binding stands in
// for ipcRenderer) and the real test cloud behind that. Project `electron`: the packaged app via
// _electron, which runs only where an Electron binary exists.
import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium.ts';

const rendererUrl = pathToFileURL(path.resolve(import.meta.dirname, 'dist/renderer')).href + '/';

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  globalSetup: './e2e/global-setup.ts',
  projects: [
    {
      name: 'renderer',
      testIgnore: /app\..*\.spec\.ts/,
      use: {
        browserName: 'chromium',
        headless: true,
        baseURL: rendererUrl,
        viewport: { width: 1280, height: 800 },
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
      },
    },
    { name: 'electron', testMatch: /app\..*\.spec\.ts/ },
  ],
});
