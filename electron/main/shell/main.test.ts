// The entry's lifecycle against a fake Electron and the real core (in a temp data folder):
// what Electron would do, played step by step, since no Electron binary runs here.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../../shared/ipc.ts';
import {
  electronModule,
  FakeBrowserWindow,
  FakeEvent,
  FakeWebContents,
  fake,
  fakeFrame,
  resetFake,
} from '../testing/fake-electron.ts';
import type { MenuItemConstructorOptions } from 'electron';
import { menuItems } from './menu.ts';

// vi.resetModules() gives main.ts a fresh start in each test; the fake must stay this file's one.
const shared = globalThis as { imagedropFakeElectron?: ReturnType<typeof electronModule> };
shared.imagedropFakeElectron = electronModule();
vi.mock(
  'electron',
  () => (globalThis as { imagedropFakeElectron?: Record<string, unknown> }).imagedropFakeElectron ?? {},
);

let dir: string;
let image: string;
const savedArgv = process.argv;
const savedDataDir = process.env.IMAGEDROP_DATA_DIR;

async function boot(argv: string[] = ['/opt/Imagedrop/imagedrop']): Promise<void> {
  process.argv = argv;
  vi.resetModules();
  await import('./main.ts');
}

async function ready(): Promise<FakeBrowserWindow> {
  fake.app.makeReady();
  await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1));
  const win = FakeBrowserWindow.created[0]!;
  win.webContents.mainFrame = fakeFrame(win.loaded ?? '', 5);
  return win;
}

function invoke(win: FakeBrowserWindow, channel: string, ...args: unknown[]): Promise<unknown> {
  const handler = fake.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, ...args) as Promise<unknown>;
}

function filesOpened(win: FakeBrowserWindow): unknown[] {
  return win.webContents.sent.filter((m) => m.channel === EVENT_CHANNELS.onFilesOpened).map((m) => m.payload);
}

beforeEach(async () => {
  resetFake();
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-main-'));
  image = path.join(dir, 'disk.qcow2');
  await writeFile(image, 'QFI\xfb');
  process.env.IMAGEDROP_DATA_DIR = path.join(dir, 'data');
});

afterEach(async () => {
  process.argv = savedArgv;
  if (savedDataDir === undefined) delete process.env.IMAGEDROP_DATA_DIR;
  else process.env.IMAGEDROP_DATA_DIR = savedDataDir;
  if (fake.app.ready && fake.app.gotLock && !fake.app.calls.some((c) => c.startsWith('exit'))) {
    // Quit, and let the core's shutdown finish before the temp folder goes.
    if (!fake.app.calls.includes('quit')) fake.app.emit('window-all-closed');
    await vi.waitFor(() => expect(fake.app.calls.at(-1)).toBe('quitted'));
  }
  await rm(dir, { recursive: true, force: true });
});

describe('main.ts', () => {
  it('sandboxes every renderer and keeps its data in the Imagedrop folder (or IMAGEDROP_DATA_DIR)', async () => {
    await boot();
    expect(fake.app.calls).toContain('enableSandbox');
    expect(fake.app.name).toBe('Imagedrop');
    expect(fake.app.getPath('userData')).toBe(path.join(dir, 'data'));
  });

  it('quits at once when another instance holds the lock', async () => {
    fake.app.gotLock = false;
    await boot();
    expect(fake.app.calls).toContain('quit');
    expect(fake.app.listenerCount('second-instance')).toBe(0);
    fake.app.makeReady();
    await new Promise((r) => setTimeout(r, 20));
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });

  it('serves the renderer from app://, registered before ready and handled after, from the build folder', async () => {
    await boot();
    expect(fake.privilegedSchemes).toEqual([
      {
        schemes: [{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }],
        whenReady: false,
      },
    ]);
    expect(fake.protocolHandlers.size).toBe(0);
    const win = await ready();
    expect(win.loaded).toBe('app://imagedrop/index.html');
    const handler = fake.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    // The build folder next to the bundled main script (absent here: a 404, not a file from elsewhere).
    expect((await handler!(new Request('app://imagedrop/index.html'))).status).toBe(404);
    expect((await handler!(new Request('app://imagedrop/..%2f..%2f..%2fetc%2fpasswd'))).status).toBe(400);
  });

  it('on ready: core, IPC for every channel, one locked-down window', async () => {
    await boot();
    const win = await ready();
    expect([...fake.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(await invoke(win, INVOKE_CHANNELS.listUploads)).toEqual({ ok: true, value: [] });
    expect(await invoke(win, INVOKE_CHANNELS.copyText, 'image-id')).toEqual({ ok: true, value: null });
    expect(fake.clipboard).toEqual(['image-id']);
  });

  it('sets the application menu; a choice in it reaches the window as a menu command', async () => {
    await boot();
    const win = await ready();
    const items = menuItems((fake.applicationMenu ?? []) as MenuItemConstructorOptions[]);
    const preferences = items.find((i) => i.id === 'preferences');
    expect(preferences?.accelerator).toBe('CmdOrCtrl+,');
    preferences!.click!(undefined as never, undefined, undefined as never);
    items.find((i) => i.id === 'open-files')!.click!(undefined as never, undefined, undefined as never);
    expect(
      win.webContents.sent.filter((m) => m.channel === EVENT_CHANNELS.onMenuCommand).map((m) => m.payload),
    ).toEqual(['preferences', 'open-files']);
  });

  it('the CA picker asks for one file and answers its path, or null when cancelled', async () => {
    await boot();
    const win = await ready();
    fake.openDialogAnswer = { canceled: false, filePaths: ['/etc/pki/my-cloud-ca.pem'] };
    expect(await invoke(win, INVOKE_CHANNELS.pickCaFile)).toEqual({ ok: true, value: '/etc/pki/my-cloud-ca.pem' });
    expect(fake.openDialogs.at(-1)).toMatchObject({ properties: ['openFile'] });
    fake.openDialogAnswer = { canceled: true, filePaths: [] };
    expect(await invoke(win, INVOKE_CHANNELS.pickCaFile)).toEqual({ ok: true, value: null });
  });

  it('tells the renderer whether a password can be remembered (no keychain: no)', async () => {
    fake.encryption.available = false;
    await boot();
    const win = await ready();
    expect(await invoke(win, INVOKE_CHANNELS.canRememberSecrets)).toEqual({ ok: true, value: false });
  });

  it('adds a file it was opened with, once the renderer has loaded', async () => {
    await boot(['/opt/Imagedrop/imagedrop', image, '--some-switch']);
    const win = await ready();
    expect(filesOpened(win)).toEqual([]);
    win.webContents.emit('did-finish-load');
    expect(filesOpened(win)).toEqual([[image]]);
  });

  it('a second instance hands its files over and brings the window forward', async () => {
    await boot();
    const win = await ready();
    win.webContents.emit('did-finish-load');
    fake.app.emit('second-instance', new FakeEvent(), ['/opt/Imagedrop/imagedrop', 'disk.qcow2'], dir);
    expect(filesOpened(win)).toEqual([[image]]);
    expect(win.calls).toEqual(expect.arrayContaining(['show', 'focus']));
  });

  it('macOS open-file, before or after ready, reaches the queue', async () => {
    await boot();
    const early = new FakeEvent();
    fake.app.emit('open-file', early, image);
    expect(early.defaultPrevented).toBe(true);
    const win = await ready();
    win.webContents.emit('did-finish-load');
    fake.app.emit('open-file', new FakeEvent(), '/elsewhere/b.vmdk');
    expect(filesOpened(win)).toEqual([[image], ['/elsewhere/b.vmdk']]);
  });

  it('locks down any other webContents too', async () => {
    await boot();
    const other = new FakeWebContents();
    fake.app.emit('web-contents-created', new FakeEvent(), other);
    const nav = new FakeEvent('https://example.org/');
    other.emit('will-navigate', nav);
    expect(nav.defaultPrevented).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });

  it('quits cleanly: the core is disposed and the IPC handlers removed before the app exits', async () => {
    await boot();
    await ready();
    fake.app.emit('window-all-closed');
    expect(fake.app.calls.at(-1)).toBe('quit'); // held while the core shuts down
    await vi.waitFor(() => expect(fake.app.calls.at(-1)).toBe('quitted'));
    expect(fake.handlers.size).toBe(0);
  });
});

describe('main.ts as `imagedrop serve`', () => {
  const saved = {
    renderer: process.env.IMAGEDROP_RENDERER_DIR,
    display: process.env.DISPLAY,
    wayland: process.env.WAYLAND_DISPLAY,
  };
  let out: string[];
  let err: string[];
  let signals: Map<string, () => void>;

  beforeEach(async () => {
    const rendererDir = path.join(dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    process.env.IMAGEDROP_RENDERER_DIR = rendererDir;
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    signals = new Map();
    vi.spyOn(process, 'once').mockImplementation(((event: string, listener: () => void) => {
      signals.set(event, listener);
      return process;
    }) as typeof process.once);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const [name, value] of Object.entries({
      IMAGEDROP_RENDERER_DIR: saved.renderer,
      DISPLAY: saved.display,
      WAYLAND_DISPLAY: saved.wayland,
    })) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('serves the core over HTTP with no window, the keychain store for secrets; Ctrl-C stops it cleanly', async () => {
    await boot(['/opt/Imagedrop/imagedrop', 'serve', '--port', '0', '--root', dir]);
    // A headless Linux host has no display: Chromium's headless backend.
    if (process.platform === 'linux') expect(fake.app.switches).toContain('ozone-platform=headless');
    fake.app.makeReady();
    await vi.waitFor(() => expect(out.length).toBeGreaterThan(0), { timeout: 10_000 });
    const url = out[0]!.trimEnd();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?secret=[A-Za-z0-9_-]{43}$/);
    expect(out[0]!.endsWith('\n')).toBe(true);
    expect(FakeBrowserWindow.created).toHaveLength(0);
    expect(fake.handlers.size).toBe(0);

    const exchange = await fetch(url, { redirect: 'manual' });
    expect(exchange.status).toBe(303);
    const cookie = (exchange.headers.get('set-cookie') ?? '').split(';')[0]!;
    const origin = new URL(url).origin;
    const remember = await fetch(`${origin}/api/can-remember-secrets`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/json' },
      body: '[]',
    });
    // The app's safeStorage store (the fake keychain here is available): serve from the app remembers.
    expect(await remember.json()).toEqual({ ok: true, value: true });

    signals.get('SIGINT')!();
    await vi.waitFor(() => expect(fake.app.calls).toContain('exit 0'), { timeout: 10_000 });
    await expect(fetch(url, { redirect: 'manual' })).rejects.toThrow();
    expect(err.join('')).toContain('stopping; uploads are paused and saved');
  });

  it('beside a running app (the single-instance lock): one sentence, exit 1, nothing served', async () => {
    fake.app.gotLock = false;
    await boot(['/opt/Imagedrop/imagedrop', 'serve']);
    expect(fake.app.calls).toContain('exit 1');
    expect(err.join('')).toMatch(/^imagedrop serve: Imagedrop is already running with this data folder/);
    expect(out).toEqual([]);
  });

  it('a bad flag: one sentence, exit 2, no window', async () => {
    await boot(['/opt/Imagedrop/imagedrop', 'serve', '--host', '0.0.0.0']);
    fake.app.makeReady();
    await vi.waitFor(() => expect(fake.app.calls).toContain('exit 2'));
    expect(err.join('')).toMatch(/listens on 0\.0\.0\.0 only with TLS/);
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });

  it('the running app ignores a serve started beside it (no window brought forward)', async () => {
    vi.restoreAllMocks();
    await boot();
    const win = await ready();
    fake.app.emit('second-instance', new FakeEvent(), ['/opt/Imagedrop/imagedrop', 'serve'], dir);
    expect(win.calls).not.toContain('show');
    fake.app.emit('second-instance', new FakeEvent(), ['/opt/Imagedrop/imagedrop'], dir);
    expect(win.calls).toContain('show');
  });
});
