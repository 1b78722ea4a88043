// Debian's Chromium, as every browser run here launches it (the e2e tests and the renderer bench).
// No `npx playwright install`: it would download a browser, which these machines cannot.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless on a closed network: without the background-networking flags Chromium keeps trying to
 * reach Google's hosts. --allow-file-access-from-files lets Vite's module script load from file://,
 * as Electron's loadFile serves the renderer.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--allow-file-access-from-files',
];
