// Imagedrop's Electron entry: the app's lifecycle and nothing else. It owns the single-instance
// lock, files the OS hands over (argv, a second instance, macOS open-file), creating the core,
// the IPC service, the desktop feedback and the one window, and a clean quit. Every decision
// lives in a tested module beside it; the core (electron/main/core) never imports electron.
// `imagedrop serve …` runs the web server instead (electron/main/serve), with no window.
import {
  app,
  clipboard,
  dialog,
  Menu,
  protocol,
  type BrowserWindow,
  type OpenDialogOptions,
  type WebContents,
} from 'electron';
import { statSync } from 'node:fs';
import path from 'node:path';
import { EVENT_CHANNELS, type MenuCommand } from '../../../shared/ipc.ts';
import { ImagedropCore } from '../core/service.ts';
import { toAppError } from '../errors.ts';
import { serveArgvFrom } from '../serve/options.ts';
import { runServe } from '../serve/run.ts';
import { registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { closeQuestion } from './close-guard.ts';
import { startDesktopFeedback } from './desktop-feedback.ts';
import { sendToWindow, serveIpc } from './ipc.ts';
import { applicationMenuTemplate } from './menu.ts';
import { CA_FILE_FILTERS, createOpenFilesGate, filesFromArgv, IMAGE_FILE_FILTERS } from './open-files.ts';
import { SafeStorageSecretStore } from './secrets.ts';
import { appFiles } from './trust.ts';
import { createMainWindow, hardenWebContents } from './window.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const files = appFiles(__dirname); // __dirname is dist/electron once bundled (main.cjs)

let core: ImagedropCore | null = null;
let mainWindow: BrowserWindow | null = null;
let stopServices: (() => void) | null = null;
const opened = createOpenFilesGate((paths) => core?.openFiles(paths));

function getWindow(): BrowserWindow | null {
  return mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
}

function argvFiles(argv: readonly string[], cwd: string): string[] {
  return filesFromArgv(argv, {
    cwd,
    defaultApp: process.defaultApp === true,
    entryPaths: [app.getAppPath(), __filename, path.dirname(__dirname), path.join(__dirname, '..', '..')],
    isFile: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
  });
}

function showWindow(): void {
  const win = getWindow();
  if (!win) {
    if (core) openWindow();
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function openWindow(): void {
  const win = createMainWindow({
    files,
    devTools: !app.isPackaged,
    closeQuestion: () => closeQuestion(core?.engine.list() ?? []),
  });
  mainWindow = win;
  win.webContents.on('did-start-loading', () => opened.close());
  win.webContents.on('did-finish-load', () => opened.open()); // the renderer subscribes before load
  win.on('closed', () => {
    opened.close();
    if (mainWindow === win) mainWindow = null;
  });
}

async function pickFiles(): Promise<string[]> {
  const win = getWindow();
  const options: OpenDialogOptions = {
    title: 'Add disk images',
    buttonLabel: 'Add',
    properties: ['openFile', 'multiSelections'],
    filters: IMAGE_FILE_FILTERS,
  };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}

async function pickCaFile(): Promise<string | null> {
  const win = getWindow();
  const options: OpenDialogOptions = {
    title: 'Choose the CA certificate file',
    buttonLabel: 'Choose',
    properties: ['openFile'],
    filters: CA_FILE_FILTERS,
  };
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const secrets = new SafeStorageSecretStore(path.join(dataDir, 'secrets.json'));
  await secrets.init();
  const c = new ImagedropCore({
    dataDir,
    env: process.env,
    cwd: process.cwd(),
    secrets,
    platform: {
      pickFiles,
      pickCaFile,
      copyText: async (text) => clipboard.writeText(text),
    },
    onWarning: (message) => console.warn(`imagedrop: ${message}`),
  });
  await c.init();
  core = c;
  // The renderer comes from app://imagedrop/, answered from its build folder only.
  serveAppProtocol(protocol, files.rendererDir);
  const stopIpc = serveIpc(c, getWindow, { rendererUrl: files.rendererUrl });
  const stopFeedback = startDesktopFeedback(c, getWindow);
  stopServices = () => {
    stopFeedback();
    stopIpc();
  };
  opened.push(argvFiles(process.argv, process.cwd()));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate({ platform: process.platform, devTools: !app.isPackaged, send: sendMenuCommand }),
    ),
  );
  openWindow();
}

/** A menu choice goes to the window (brought up first: on macOS the menu outlives it). */
function sendMenuCommand(command: MenuCommand): void {
  showWindow();
  sendToWindow(getWindow(), EVENT_CHANNELS.onMenuCommand, command);
}

async function shutdown(): Promise<void> {
  stopServices?.();
  stopServices = null;
  const c = core;
  core = null;
  if (!c) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
  });
  await Promise.race([c.dispose().catch((e: unknown) => console.error('imagedrop: shutdown', e)), timeout]);
  clearTimeout(timer);
}

// ── Before ready ─────────────────────────────────────────────────────────────────────────────
// The name fixes userData (…/Imagedrop, where the CLI looks too); IMAGEDROP_DATA_DIR moves it,
// as it does for the CLI (tests use it to run apart from a real profile).
app.setName('Imagedrop');
if (process.env.IMAGEDROP_DATA_DIR) app.setPath('userData', path.resolve(process.env.IMAGEDROP_DATA_DIR));
app.enableSandbox(); // every renderer sandboxed, whatever a window asks
registerAppScheme(protocol); // app:// is standard and secure; it must be said before ready

/**
 * `imagedrop serve`: the same core behind the web server, no window. The keychain store is the
 * app's own (so connections can be remembered), and so are the data folder and its job log.
 */
function startServe(argv: readonly string[]): void {
  // A headless Linux host has no display: Chromium's headless Ozone backend needs none.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    app.commandLine.appendSwitch('ozone-platform', 'headless');
  }
  if (!app.requestSingleInstanceLock()) {
    process.stderr.write(
      'imagedrop serve: Imagedrop is already running with this data folder (the app or another serve): quit it first, or give this one its own with IMAGEDROP_DATA_DIR.\n',
    );
    app.exit(1);
    return;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  app
    .whenReady()
    .then(async () => {
      const dataDir = app.getPath('userData');
      const secrets = new SafeStorageSecretStore(path.join(dataDir, 'secrets.json'));
      await secrets.init();
      return runServe(argv, {
        io: process,
        env: process.env,
        cwd: process.cwd(),
        dataDir,
        secrets,
        rendererDir: process.env.IMAGEDROP_RENDERER_DIR ?? path.dirname(files.indexHtml),
        signal: stop.signal,
      });
    })
    .then(
      (code) => app.exit(code),
      (e: unknown) => {
        process.stderr.write(`${toAppError(e).message}\n`);
        app.exit(2);
      },
    );
}

const serveArgv = serveArgvFrom(process.argv, process.defaultApp === true);
if (serveArgv !== null) {
  startServe(serveArgv);
} else if (!app.requestSingleInstanceLock()) {
  app.quit(); // the first instance gets our argv through 'second-instance'
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    // `imagedrop serve` started beside the app: it reports the running app and exits on its own.
    if (serveArgvFrom(argv, process.defaultApp === true) !== null) return;
    opened.push(argvFiles(argv, workingDirectory));
    showWindow();
  });

  // macOS delivers files opened with Imagedrop (Finder, `open -a`) here, also before ready.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    opened.push([file]);
    if (app.isReady()) showWindow();
  });

  // Every webContents, ours included and any other there might ever be: no navigation away from
  // the renderer, no new windows, no <webview> (createMainWindow also applies this to its own).
  app.on('web-contents-created', (_event, contents: WebContents) => hardenWebContents(contents, files.rendererUrl));

  app.on('activate', () => {
    if (app.isReady()) showWindow();
  });

  // One window; closing it (after close-guard.ts asks, during uploads) quits on every platform,
  // since the uploads run in this process.
  app.on('window-all-closed', () => app.quit());

  let quit: 'running' | 'disposing' | 'done' = 'running';
  app.on('will-quit', (event) => {
    if (quit === 'done') return;
    event.preventDefault();
    if (quit === 'disposing') return;
    quit = 'disposing';
    void shutdown().finally(() => {
      quit = 'done';
      app.quit();
    });
  });

  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      dialog.showErrorBox('Imagedrop cannot start', message);
      app.exit(1);
    });
}
