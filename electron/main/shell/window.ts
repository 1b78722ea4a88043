// The one main window, locked down (Electron's security checklist): isolated and sandboxed
// renderer without Node, loaded from app:// (not file://), a strict CSP also sent as a header, no
// navigation, no new windows, no <webview>, every permission denied. Closing it during uploads
// asks first (close-guard.ts).
import {
  BrowserWindow,
  dialog,
  nativeTheme,
  session as electronSession,
  type Session,
  type WebContents,
  type WebPreferences,
} from 'electron';
import { RENDERER_CSP } from '../../../shared/csp.ts';
import type { CloseQuestion } from './close-guard.ts';
import { isRendererUrl, type AppFiles } from './trust.ts';

/** The renderer's Content-Security-Policy: the same text as renderer/index.html's meta tag. */
export { RENDERER_CSP };

/** Colours of the page background (renderer/src/app.css --bg), so the window never flashes. */
const BACKGROUND = { light: '#f6f7f9', dark: '#0f1216' } as const;

export interface MainWindowOptions {
  readonly files: AppFiles;
  /** Developer tools (off in packaged builds). */
  readonly devTools: boolean;
  /** Asked when the user closes the window: null closes at once. */
  readonly closeQuestion: () => CloseQuestion | null;
}

/** The renderer's webPreferences. Each line is a checklist item; window.test.ts asserts them. */
export function mainWindowWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
  };
}

/** Response headers with our CSP in place of any other (the header twin of the meta tag). */
export function withCsp(
  headers: Record<string, string[]> | undefined,
  csp: string = RENDERER_CSP,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

/** Permissions (camera, notifications, clipboard-read, geolocation, …): none, ever. */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
}

/**
 * No navigation away from our renderer (a dropped file or a link would otherwise replace the
 * app), no new windows, no <webview>. Also applied to any other webContents (main.ts).
 */
export function hardenWebContents(contents: WebContents, rendererUrl: string | null): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (rendererUrl === null || !isRendererUrl(url, rendererUrl)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  nativeTheme.themeSource = 'system'; // light and dark follow the OS
  hardenSession(electronSession.defaultSession);

  const win = new BrowserWindow({
    title: 'Imagedrop',
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light,
    webPreferences: mainWindowWebPreferences(options.files.preload, options.devTools),
  });
  hardenWebContents(win.webContents, options.files.rendererUrl);
  win.once('ready-to-show', () => win.show());

  let closeConfirmed = false;
  let asking = false;
  win.on('close', (event) => {
    if (closeConfirmed) return;
    const question = options.closeQuestion();
    if (!question) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    void dialog
      .showMessageBox(win, {
        type: question.type,
        title: question.title,
        message: question.message,
        detail: question.detail,
        buttons: [...question.buttons],
        defaultId: question.keepButton,
        cancelId: question.keepButton,
        noLink: true,
      })
      .then(({ response }) => {
        if (response === question.closeButton && !win.isDestroyed()) {
          closeConfirmed = true;
          win.close();
        }
      })
      .finally(() => {
        asking = false;
      });
  });

  // app://imagedrop/index.html, served by app-protocol.ts from the renderer's build folder.
  void win.loadURL(options.files.rendererUrl);
  return win;
}
