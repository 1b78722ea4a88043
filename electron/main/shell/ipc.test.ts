import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EVENT_CHANNELS,
  GRANT_DROPPED_PATH_CHANNEL,
  INVOKE_CHANNELS,
  type InvokeMethod,
  type Unsubscribe,
} from '../../../shared/ipc.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import type * as Dispatch from '../core/dispatch.ts';
import { dispatchChannel, type InvokeHandlers } from '../core/dispatch.ts';
import { ImagedropError } from '../errors.ts';
import { FakeBrowserWindow, fake, fakeFrame, resetFake } from '../testing/fake-electron.ts';
import { serveIpc, UNTRUSTED_SENDER, type ServedCore } from './ipc.ts';
import { appFiles } from './trust.ts';

vi.mock('electron', async () => (await import('../testing/fake-electron.ts')).electronModule());
vi.mock('../core/dispatch.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof Dispatch>();
  return { ...actual, dispatchChannel: vi.fn(actual.dispatchChannel) };
});

const { rendererUrl } = appFiles('/app/dist/electron');

/** Valid arguments for every invoke method, as the renderer would send them. */
const SAMPLE_ARGS: { [M in InvokeMethod]: unknown[] } = {
  listClouds: [],
  connect: [{ kind: 'cloud', cloud: 'devstack' }],
  disconnect: [],
  getSession: [],
  canRememberSecrets: [],
  forgetConnection: ['Lab cloud'],
  pickCaFile: [],
  pickFiles: [],
  inspectFiles: [['/images/a.qcow2']],
  startUploads: [
    [
      {
        path: '/images/a.qcow2',
        name: 'a',
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        visibility: 'private',
      },
    ],
  ],
  pauseUploads: ['all'],
  resumeUploads: [['job-1'], { recreate: true }],
  cancelUploads: [['job-1']],
  retryUploads: ['all'],
  clearUploads: ['all'],
  listUploads: [],
  listImages: [],
  getUsage: [],
  deleteImages: [['image-1'], { stuckAfterMinutes: 10 }],
  exportDashboard: [{ what: 'images', format: 'csv', imageIds: ['image-1'] }],
  copyImageToStores: ['image-1', ['slow']],
  listImageCopies: [],
  listMultipartUploads: [],
  abortMultipartUploads: [['upload-1']],
  copyText: ['image-1'],
  listHostRoots: [],
  listHostDirectory: ['/images'],
  chooseHostFiles: [['/images/a.qcow2']],
  chooseHostCaFile: ['/images/ca.pem'],
};

class FakeCore extends EventEmitter implements ServedCore {
  readonly calls: { method: string; args: unknown[] }[] = [];
  readonly granted: string[] = [];
  grantPaths(paths: readonly string[]): void {
    this.granted.push(...paths);
  }
  readonly handlers: InvokeHandlers;
  constructor() {
    super();
    const handlers: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of Object.keys(INVOKE_CHANNELS)) {
      handlers[method] = async (...args: unknown[]) => {
        this.calls.push({ method, args });
        if (args[0] === 'boom') throw new ImagedropError('file/not-found', 'No such file.');
        return `${method} answered`;
      };
    }
    this.handlers = handlers as unknown as InvokeHandlers;
  }
  #subscribe<T>(name: string, listener: (payload: T) => void): Unsubscribe {
    const l = listener as (...args: unknown[]) => void;
    this.on(name, l);
    return () => this.off(name, l);
  }
  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    return this.#subscribe('changed', listener);
  }
  onUploadsRemoved(listener: (ids: readonly string[]) => void): Unsubscribe {
    return this.#subscribe('removed', listener);
  }
  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe {
    return this.#subscribe('files', listener);
  }
}

function setup() {
  const core = new FakeCore();
  const win = new FakeBrowserWindow({});
  win.webContents.mainFrame = fakeFrame(rendererUrl, 77);
  let current: FakeBrowserWindow | null = win;
  const stop = serveIpc(core, () => current as never, { rendererUrl });
  const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  async function invoke(channel: string, event: unknown, ...args: unknown[]) {
    const handler = fake.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
  return {
    core,
    win,
    stop,
    trusted,
    invoke,
    setWindow: (w: FakeBrowserWindow | null) => {
      current = w;
    },
  };
}

beforeEach(() => {
  resetFake();
  vi.mocked(dispatchChannel).mockClear();
});

describe('serveIpc', () => {
  it('registers a handler for every channel of the contract, and nothing else', () => {
    setup();
    expect([...fake.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
  });

  it.each(Object.entries(INVOKE_CHANNELS) as [InvokeMethod, string][])(
    '%s: a trusted call goes through dispatchChannel to the core and answers a Result',
    async (method, channel) => {
      const { core, trusted, invoke } = setup();
      const result = await invoke(channel, trusted, ...SAMPLE_ARGS[method]);
      expect(result).toEqual({ ok: true, value: `${method} answered` });
      expect(dispatchChannel).toHaveBeenCalledWith(core.handlers, channel, SAMPLE_ARGS[method]);
      expect(core.calls).toHaveLength(1);
      expect(core.calls[0]?.method).toBe(method);
    },
  );

  it('refuses a call from another page, a subframe or a closed window, before any handler runs', async () => {
    const { core, win, trusted, invoke, setWindow } = setup();
    const channel = INVOKE_CHANNELS.listUploads;
    const otherPage = { sender: win.webContents, senderFrame: fakeFrame('https://evil.example/', 77) };
    const subframe = { sender: win.webContents, senderFrame: fakeFrame(rendererUrl, 78, trusted.senderFrame) };
    const noFrame = { sender: win.webContents, senderFrame: null };
    for (const event of [otherPage, subframe, noFrame]) {
      expect(await invoke(channel, event)).toEqual(UNTRUSTED_SENDER);
    }
    win.destroyed = true;
    expect(await invoke(channel, trusted)).toEqual(UNTRUSTED_SENDER);
    setWindow(null);
    expect(await invoke(channel, trusted)).toEqual(UNTRUSTED_SENDER);
    expect(UNTRUSTED_SENDER).toMatchObject({ ok: false, error: { code: 'ipc/untrusted-sender' } });
    expect(core.calls).toHaveLength(0);
    expect(dispatchChannel).not.toHaveBeenCalled();
  });

  it("grants a dropped file's path only when our own page's preload reports it", () => {
    const { core, win, trusted } = setup();
    const grant = fake.listeners.get(GRANT_DROPPED_PATH_CHANNEL)!;
    const fromUs = { ...trusted, returnValue: undefined as unknown };
    grant(fromUs, '/home/alice/disk.qcow2');
    expect(core.granted).toEqual(['/home/alice/disk.qcow2']);
    expect(fromUs.returnValue).toBe(true);
    const fromElsewhere = {
      sender: win.webContents,
      senderFrame: fakeFrame('https://evil.example/', 77),
      returnValue: undefined as unknown,
    };
    grant(fromElsewhere, '/home/alice/.ssh/id_ed25519');
    expect(core.granted).toEqual(['/home/alice/disk.qcow2']);
    expect(fromElsewhere.returnValue).toBe(false);
  });

  it('answers an invalid payload with ipc/invalid-request, without calling the core', async () => {
    const { core, trusted, invoke } = setup();
    const result = await invoke(INVOKE_CHANNELS.inspectFiles, trusted, 'not-an-array');
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
    expect(core.calls).toHaveLength(0);
  });

  it('turns a handler error into a Result instead of throwing across the bridge', async () => {
    const { trusted, invoke } = setup();
    const result = await invoke(INVOKE_CHANNELS.copyText, trusted, 'boom');
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'file/not-found', message: 'No such file.' }),
    });
  });

  it('forwards core events to the window on the contract channels', () => {
    const { core, win } = setup();
    const batch = [{ id: 'job-1' }];
    core.emit('changed', batch);
    core.emit('removed', ['job-2']);
    core.emit('files', ['/images/a.qcow2']);
    expect(win.webContents.sent).toEqual([
      { channel: EVENT_CHANNELS.onUploadsChanged, payload: batch },
      { channel: EVENT_CHANNELS.onUploadsRemoved, payload: ['job-2'] },
      { channel: EVENT_CHANNELS.onFilesOpened, payload: ['/images/a.qcow2'] },
    ]);
  });

  it('sends nothing to a destroyed window or when there is none', () => {
    const { core, win, setWindow } = setup();
    win.webContents.destroyed = true;
    core.emit('changed', [{ id: 'a' }]);
    win.webContents.destroyed = false;
    win.destroyed = true;
    core.emit('changed', [{ id: 'b' }]);
    setWindow(null);
    expect(() => core.emit('changed', [{ id: 'c' }])).not.toThrow();
    expect(win.webContents.sent).toEqual([]);
  });

  it('returns a disposer that removes every handler and listener', () => {
    const { core, win, stop } = setup();
    stop();
    expect(fake.handlers.size).toBe(0);
    expect(core.listenerCount('changed') + core.listenerCount('removed') + core.listenerCount('files')).toBe(0);
    core.emit('changed', [{ id: 'a' }]);
    expect(win.webContents.sent).toEqual([]);
  });
});
