// Test doubles for the parts of Electron the shell touches. Each test file does
//   vi.mock('electron', async () => (await import('../testing/fake-electron.ts')).electronModule());
// and inspects `fake` (reset with resetFake() in beforeEach). No Electron binary is needed.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeEvent {
  defaultPrevented = false;
  readonly url: string;
  constructor(url = '') {
    this.url = url;
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  frameTreeNodeId: number;
  detached: boolean;
  isDestroyed(): boolean;
}

export function fakeFrame(url: string, frameTreeNodeId = 1, parent: FakeFrame | null = null): FakeFrame {
  return { url, parent, frameTreeNodeId, detached: false, isDestroyed: () => false };
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  destroyed = false;
  mainFrame: FakeFrame = fakeFrame('about:blank', 1000 + this.id);
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;
  readonly sent: { channel: string; payload: unknown }[] = [];
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  destroyed = false;
  loaded: string | null = null;
  readonly progress: { progress: number; options: unknown }[] = [];
  readonly calls: string[] = [];
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindow.created.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = file;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = url;
  }
  setProgressBar(progress: number, options?: unknown): void {
    this.progress.push({ progress, options });
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {
    this.calls.push('restore');
  }
  show(): void {
    this.calls.push('show');
  }
  focus(): void {
    this.calls.push('focus');
  }
  /** Like Electron: emits 'close' (cancellable); closes unless prevented. */
  close(): void {
    this.calls.push('close');
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
  }
}

export class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  readonly options: { title: string; body: string };
  constructor(options: { title: string; body: string }) {
    super();
    this.options = options;
  }
  show(): void {
    FakeNotification.shown.push(this);
  }
}

type Handler = (...args: never[]) => unknown;

function fakeSession() {
  return {
    permissionRequestHandler: null as Handler | null,
    permissionCheckHandler: null as Handler | null,
    devicePermissionHandler: null as Handler | null,
    headersReceived: null as Handler | null,
    setPermissionRequestHandler(h: Handler) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: Handler) {
      this.permissionCheckHandler = h;
    },
    setDevicePermissionHandler(h: Handler) {
      this.devicePermissionHandler = h;
    },
    webRequest: {
      onHeadersReceived(h: Handler) {
        fake.session.headersReceived = h;
      },
    },
  };
}

export class FakeApp extends EventEmitter {
  gotLock = true;
  ready = false;
  name = 'imagedrop';
  readonly paths = new Map<string, string>([['userData', '/nonexistent/userData']]);
  readonly calls: string[] = [];
  /** Chromium switches appended with app.commandLine.appendSwitch. */
  readonly switches: string[] = [];
  readonly commandLine = {
    appendSwitch: (name: string, value?: string) => {
      this.switches.push(value === undefined ? name : `${name}=${value}`);
    },
  };
  isPackaged = false;
  #resolveReady: () => void = () => {};
  readonly #whenReady = new Promise<void>((resolve) => {
    this.#resolveReady = resolve;
  });
  /** Test control: what Electron does when the app is ready. */
  makeReady(): void {
    this.ready = true;
    this.emit('ready');
    this.#resolveReady();
  }
  whenReady(): Promise<void> {
    return this.#whenReady;
  }
  isReady(): boolean {
    return this.ready;
  }
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  setName(name: string): void {
    this.name = name;
  }
  getName(): string {
    return this.name;
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    const p = this.paths.get(name);
    if (!p) throw new Error(`Failed to get '${name}' path`);
    return p;
  }
  getAppPath(): string {
    return '/nonexistent/app';
  }
  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  /** Like Electron: before-quit, then will-quit (cancellable), then quit. */
  quit(): void {
    this.calls.push('quit');
    const event = new FakeEvent();
    this.emit('will-quit', event);
    if (!event.defaultPrevented) this.calls.push('quitted');
  }
  exit(code: number): void {
    this.calls.push(`exit ${code}`);
  }
}

function freshFake() {
  return {
    app: new FakeApp(),
    clipboard: [] as string[],
    errorBoxes: [] as string[],
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    /** ipcMain.on listeners (send / sendSync channels) */
    listeners: new Map<string, (...args: unknown[]) => unknown>(),
    session: fakeSession(),
    nativeTheme: { themeSource: 'light' as string, shouldUseDarkColors: false },
    messageBoxResponse: 0,
    messageBoxes: [] as unknown[],
    /** What the next showOpenDialog answers, and the options each call was given. */
    openDialogAnswer: { canceled: true, filePaths: [] as string[] },
    openDialogs: [] as unknown[],
    /** base64 of the plaintext, prefixed, standing in for the OS keychain's ciphertext */
    encryption: { available: true, backend: 'gnome_libsecret', shouldReEncrypt: false },
    /** protocol.registerSchemesAsPrivileged calls (with whether the app was ready), and handlers. */
    privilegedSchemes: [] as { schemes: unknown[]; whenReady: boolean }[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    /** The template of the application menu, once set. */
    applicationMenu: null as unknown[] | null,
  };
}

export let fake = freshFake();

export function resetFake(): void {
  fake = freshFake();
  FakeBrowserWindow.created = [];
  FakeNotification.shown = [];
  FakeNotification.supported = true;
}

/** A reversible stand-in for the keychain: never the plaintext bytes. */
export function fakeEncrypt(plain: string): Buffer {
  return Buffer.from(`enc:${Buffer.from(plain, 'utf8').toString('hex').split('').reverse().join('')}`, 'utf8');
}

export function fakeDecrypt(cipher: Buffer): string {
  const text = cipher.toString('utf8');
  if (!text.startsWith('enc:'))
    throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  return Buffer.from(text.slice(4).split('').reverse().join(''), 'hex').toString('utf8');
}

export function electronModule() {
  return {
    get app() {
      return fake.app;
    },
    clipboard: {
      writeText: (text: string) => {
        fake.clipboard.push(text);
      },
    },
    BrowserWindow: FakeBrowserWindow,
    Menu: {
      buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
      setApplicationMenu: vi.fn((menu: { template: unknown[] } | null) => {
        fake.applicationMenu = menu?.template ?? null;
      }),
    },
    Notification: FakeNotification,
    ipcMain: {
      handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => {
        if (fake.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        fake.handlers.set(channel, handler);
      }),
      removeHandler: vi.fn((channel: string) => {
        fake.handlers.delete(channel);
      }),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => unknown) => {
        fake.listeners.set(channel, listener);
      }),
      removeAllListeners: vi.fn((channel: string) => {
        fake.listeners.delete(channel);
      }),
    },
    dialog: {
      showMessageBox: vi.fn(async (_win: unknown, options: unknown) => {
        fake.messageBoxes.push(options);
        return { response: fake.messageBoxResponse, checkboxChecked: false };
      }),
      showOpenDialog: vi.fn(async (...args: unknown[]) => {
        fake.openDialogs.push(args.at(-1));
        return fake.openDialogAnswer;
      }),
      showErrorBox: vi.fn((title: string, content: string) => {
        fake.errorBoxes.push(`${title}: ${content}`);
      }),
    },
    get nativeTheme() {
      return fake.nativeTheme;
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn((schemes: unknown[]) => {
        // Like Electron, only before ready.
        fake.privilegedSchemes.push({ schemes, whenReady: fake.app.ready });
      }),
      handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response>) => {
        if (!fake.app.ready) throw new Error('protocol.handle before the app is ready');
        if (fake.protocolHandlers.has(scheme)) throw new Error(`The scheme ${scheme} is already handled`);
        fake.protocolHandlers.set(scheme, handler);
      }),
    },
    session: {
      get defaultSession() {
        return fake.session;
      },
    },
    safeStorage: {
      isAsyncEncryptionAvailable: vi.fn(async () => fake.encryption.available),
      getSelectedStorageBackend: vi.fn(() => fake.encryption.backend),
      encryptStringAsync: vi.fn(async (plain: string) => fakeEncrypt(plain)),
      decryptStringAsync: vi.fn(async (cipher: Buffer) => ({
        result: fakeDecrypt(cipher),
        shouldReEncrypt: fake.encryption.shouldReEncrypt,
      })),
    },
  };
}
