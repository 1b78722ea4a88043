import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CloseQuestion } from './close-guard.ts';
import { closeQuestion } from './close-guard.ts';
import { FakeBrowserWindow, FakeEvent, fake, resetFake } from '../testing/fake-electron.ts';
import { appFiles } from './trust.ts';
import { createMainWindow, RENDERER_CSP, withCsp } from './window.ts';

vi.mock('electron', async () => (await import('../testing/fake-electron.ts')).electronModule());

const files = appFiles('/opt/Imagedrop/resources/app.asar/dist/electron');

function open(question: () => CloseQuestion | null = () => null): FakeBrowserWindow {
  createMainWindow({ files, devTools: false, closeQuestion: question });
  const win = FakeBrowserWindow.created.at(-1);
  if (!win) throw new Error('no window');
  return win;
}

function prefs(win: FakeBrowserWindow): Record<string, unknown> {
  return win.options.webPreferences as Record<string, unknown>;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

beforeEach(() => resetFake());

describe('the main window', () => {
  it('isolates and sandboxes the renderer, without Node, with web security on', () => {
    const p = prefs(open());
    expect(p).toMatchObject({
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
      devTools: false,
    });
    expect(p.enableBlinkFeatures).toBeUndefined();
  });

  it('uses the bundled preload and loads the renderer from app://, not file://', () => {
    const win = open();
    expect(prefs(win).preload).toBe(path.join('/opt/Imagedrop/resources/app.asar/dist/electron', 'preload.cjs'));
    expect(win.loaded).toBe('app://imagedrop/index.html');
    expect(win.options.title).toBe('Imagedrop');
  });

  it('follows the OS for light and dark', () => {
    open();
    expect(fake.nativeTheme.themeSource).toBe('system');
  });

  it('refuses navigation to any other URL, including look-alike file URLs', () => {
    const wc = open().webContents;
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:5000/',
      'file:///etc/passwd',
      `${files.rendererUrl}.evil.html`,
      files.rendererUrl.replace('index.html', 'other.html'),
      'javascript:alert(1)',
      'not a url',
    ]) {
      const event = new FakeEvent(url);
      wc.emit('will-navigate', event);
      expect(event.defaultPrevented, url).toBe(true);
      const redirect = new FakeEvent(url);
      wc.emit('will-redirect', redirect);
      expect(redirect.defaultPrevented, url).toBe(true);
    }
    const own = new FakeEvent(`${files.rendererUrl}#queue`);
    wc.emit('will-navigate', own);
    expect(own.defaultPrevented).toBe(false);
  });

  it('denies every window.open and every <webview>', () => {
    const wc = open().webContents;
    expect(wc.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: files.rendererUrl })).toEqual({ action: 'deny' });
    const attach = new FakeEvent();
    wc.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });

  it('denies every permission request and check', () => {
    open();
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fileSystem',
    ]) {
      const callback = vi.fn();
      (fake.session.permissionRequestHandler as (...a: unknown[]) => void)({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect((fake.session.permissionCheckHandler as (...a: unknown[]) => boolean)({}, permission, 'file://', {})).toBe(
        false,
      );
    }
    expect((fake.session.devicePermissionHandler as (...a: unknown[]) => boolean)({ deviceType: 'usb' })).toBe(false);
  });

  it('sends the CSP as a response header too, replacing any other', () => {
    open();
    const callback = vi.fn();
    (fake.session.headersReceived as (...a: unknown[]) => void)(
      { url: files.rendererUrl, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } },
      callback,
    );
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Security-Policy': [RENDERER_CSP], 'X-Other': ['1'] },
    });
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [RENDERER_CSP] });
  });

  it("has the same CSP as renderer/index.html's meta tag, and it is strict", async () => {
    const html = await readFile(path.join(import.meta.dirname, '../../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toMatch(/default-src 'none'/);
    expect(RENDERER_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(RENDERER_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });
});

describe('closing the window', () => {
  const uploading = [{ id: 'a', fileName: 'a.qcow2', phase: 'uploading' }] as unknown as Parameters<
    typeof closeQuestion
  >[0];

  it('closes at once when nothing is uploading', async () => {
    const win = open(() => closeQuestion([]));
    win.close();
    await settle();
    expect(fake.messageBoxes).toHaveLength(0);
    expect(win.destroyed).toBe(true);
  });

  it('asks first during uploads, and stays open when the user keeps uploading', async () => {
    const win = open(() => closeQuestion(uploading));
    fake.messageBoxResponse = 0;
    win.close();
    await settle();
    expect(fake.messageBoxes).toHaveLength(1);
    expect(fake.messageBoxes[0]).toMatchObject({
      type: 'question',
      message: 'Stop 1 upload and quit Imagedrop?',
      defaultId: 0,
      cancelId: 0,
      buttons: ['Keep uploading', 'Stop upload and quit'],
    });
    expect(win.destroyed).toBe(false);
  });

  it('closes when the user confirms, and asks only once at a time', async () => {
    const win = open(() => closeQuestion(uploading));
    fake.messageBoxResponse = 1;
    win.close();
    win.close(); // a second click while the question is open
    expect(fake.messageBoxes).toHaveLength(1);
    await settle();
    expect(win.destroyed).toBe(true);
  });
});
