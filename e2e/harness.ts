// The e2e harness: the built renderer in Chromium, with the real main-process core behind it.
//
// Per test it makes a data dir and a real ImagedropCore (the test cloud's clouds.yaml, an
// in-memory secret store standing in for the keychain), and reaches it through one of two shells
// (the `shell` option):
//
// 'serve' (the default): `imagedrop serve`'s own web server (electron/main/serve) on a free port,
//   with the test's files folder as its one shared folder. The page is opened at the printed URL,
//   as a user opens it: the secret is exchanged for the cookie, the calls go over real HTTP
//   through dispatchChannel, the events come as server-sent events, files are chosen in the host
//   browser, and the clipboard is Chromium's own.
//
// 'binding': the app's transport, for what only the desktop shell has (drag and drop with paths,
//   the native pickers, the platform clipboard, files opened from the OS). The page gets the same
//   window.imagedrop the preload gives it: the page-side script embeds the source of
//   shared/api-client.ts's createImagedropApi and the channel tables from shared/ipc.ts, and calls
//   it with a transport made of
//     invoke  → a Playwright binding that runs dispatchChannel(core.handlers, …) (the same
//               validation and Result wrapping as the app's ipcMain handlers),
//     on      → listeners that the harness calls with page.evaluate when the core emits an event,
//     pathForFile → see below.
//   So the only thing that differs from the app is the transport.
//
// Images the test created on the server are deleted afterwards, and a direct Glance client checks
// that they are gone.
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { createImagedropApi } from '../shared/api-client.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../shared/ipc.ts';
import { dispatchChannel } from '../electron/main/core/dispatch.ts';
import { MemorySecretStore } from '../electron/main/core/remembered-connections.ts';
import { ImagedropCore } from '../electron/main/core/service.ts';
import { startServeServer, type ServeServer } from '../electron/main/serve/server.ts';
import { loadRenderer } from '../electron/main/serve/static.ts';
import { ImagedropError } from '../electron/main/errors.ts';
import { chooseCloud } from '../electron/main/openstack/cloud-config.ts';
import { GlanceClient } from '../electron/main/openstack/glance.ts';
import { Session } from '../electron/main/openstack/session.ts';
import { startFaultProxy, type FaultProxy } from '../electron/main/testing/fault-proxy.ts';

export { ageImage } from '../electron/main/testing/cloud.ts';

export { expect };

export const CLOUDS_YAML = '/var/tmp/imagedrop-testcloud/clouds.yaml';
export const ADMIN = 'imagedrop-admin';
export const KEYSTONE_URL = 'http://127.0.0.1:5000/v3';
export const GLANCE = { host: '127.0.0.1', port: 9292 };
export const MiB = 1024 * 1024;
const GLANCE_PID_FILE = '/var/tmp/imagedrop-testcloud/run/glance-api.pid';

/** The running Glance's pid: other suites' fault injection (scripts/testcloud/glance.sh) restarts it. */
async function glancePid(): Promise<string> {
  return (await readFile(GLANCE_PID_FILE, 'utf8').catch(() => '')).trim();
}

const run = promisify(execFile);

/** What the page-side script adds to window (besides window.imagedrop). */
interface PageHooks {
  __imagedropEmit?: (channel: string, payload: unknown) => void;
}

/**
 * The script that builds window.imagedrop in the page, before the renderer's own scripts run.
 *
 * pathForFile: Electron's preload answers with webUtils.getPathForFile, which has no browser
 * equivalent (a File dropped by Playwright carries only a name and the bytes). The harness drops
 * only files it made in `filesDir`, so the page maps a dropped File's name to that directory.
 */
function pageScript(filesDir: string): string {
  return `(() => {
  const createImagedropApi = ${createImagedropApi.toString()};
  const channels = ${JSON.stringify({ invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS })};
  const filesDir = ${JSON.stringify(filesDir)};
  const listeners = new Map();
  Object.defineProperty(window, '__imagedropEmit', {
    value: (channel, payload) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
    },
  });
  const transport = {
    invoke: (channel, args) => window.__imagedropInvoke(channel, args),
    on: (channel, listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return () => listeners.get(channel).delete(listener);
    },
    // webUtils.getPathForFile stands-in: the name of a file the harness made, in its directory.
    pathForFile: (file) => (file instanceof File && file.name ? filesDir + '/' + file.name : ''),
  };
  // As contextBridge.exposeInMainWorld does: a property the page cannot replace.
  Object.defineProperty(window, 'imagedrop', {
    value: createImagedropApi(transport, channels),
    enumerable: true,
  });
})();`;
}

/** A direct Glance client as a clouds.yaml user, for checking the server's state. */
export async function glanceFor(cloud = ADMIN): Promise<GlanceClient> {
  const config = await chooseCloud({ cloud, env: { OS_CLIENT_CONFIG_FILE: CLOUDS_YAML }, cwd: os.tmpdir() });
  return new GlanceClient(await Session.open(config, AbortSignal.timeout(30_000)));
}

/** The image, or null once Glance no longer has it (deleted images answer 404). */
export async function imageOrNull(glance: GlanceClient, id: string) {
  try {
    return await glance.getImage(id, AbortSignal.timeout(30_000));
  } catch (e) {
    if (e instanceof ImagedropError && e.code === 'glance/not-found') return null;
    throw e;
  }
}

export async function sha512File(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type Shell = 'serve' | 'binding';

export interface AppOptions {
  /** Route the image API through a fault proxy (app.proxy), e.g. to hold an upload mid-way. */
  imageProxy: boolean;
  /** How the page reaches the core: imagedrop serve over HTTP (default), or the app's binding. */
  shell: Shell;
  /**
   * More clouds for the core's clouds.yaml, beside the test cloud's (e2e/ims.ts sets the IMS
   * emulator's here). The image proxy applies to the test cloud's clouds only.
   */
  moreClouds: Readonly<Record<string, unknown>> | null;
  /** More keys for the test cloud's clouds (e.g. image_storage_quota). */
  cloudKeys: Readonly<Record<string, string>>;
}

/** The renderer build the e2e run serves (global-setup.ts keeps it fresh). */
export const RENDERER_DIR = path.resolve(import.meta.dirname, '../dist/renderer');

export interface App {
  readonly page: Page;
  readonly shell: Shell;
  /** serve only: the running server (a new one after restart()). */
  readonly server: ServeServer;
  /** Unique per test; in every file name the test makes, so its images are easy to find. */
  readonly tag: string;
  readonly dataDir: string;
  /** Where the test's files live; a dropped File's name is looked up here. */
  readonly filesDir: string;
  /** The OS_CLIENT_CONFIG_FILE the core uses. */
  readonly cloudsYaml: string;
  /** The fault proxy in front of Glance (only with `imageProxy`). */
  readonly proxy: FaultProxy;
  /** The core now serving the page (a new one after restart()). */
  readonly core: ImagedropCore;
  /** A direct admin Glance client, for checking the server. */
  readonly glance: GlanceClient;
  /** binding: every text the app put on the platform clipboard. */
  readonly copied: readonly string[];
  /** What the app last put on the clipboard (binding: the platform's; serve: Chromium's own). */
  clipboardText(): Promise<string | null>;
  /** Loads the renderer (serve: opens the printed URL, which signs the browser in). */
  open(): Promise<void>;
  /**
   * The app restarts: the core is disposed, a new one loads the same data dir, the page reloads
   * (serve: a new server, whose new URL the page opens, as a user would after restarting it).
   */
  restart(): Promise<void>;
  /** binding only: the paths the next native "open files" dialog returns. */
  queuePick(paths: readonly string[]): void;
  /** binding only: the path the next native CA-file dialog returns. */
  queueCaPick(path: string): void;
  /** Files handed to the app by the OS (file associations). */
  openFiles(paths: readonly string[]): void;
  /** An image the test made itself, to be deleted afterwards. */
  trackImage(id: string): void;
  /** Makes `name-<tag>.<ext>` in filesDir and returns its path. */
  fileName(stem: string, ext: string): string;
  randomRaw(stem: string, bytes: number): Promise<string>;
  /** A qcow2 holding `bytes` of random data (qemu-img convert of a random raw). */
  qcow2(stem: string, bytes: number): Promise<string>;
  /** A qcow2 that needs a backing file: the inspector blocks it. */
  unsafeQcow2(stem: string): Promise<string>;
}

export async function randomFileAt(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let left = size; left > 0; left -= 4 * MiB) await handle.write(randomBytes(Math.min(left, 4 * MiB)));
  } finally {
    await handle.close();
  }
}

/**
 * The test cloud's clouds.yaml, its clouds behind the image proxy if given and with `keys` added,
 * plus `more` clouds.
 */
async function testClouds(
  dir: string,
  imageEndpoint: string | null,
  more: Readonly<Record<string, unknown>> | null,
  keys: Readonly<Record<string, string>> = {},
): Promise<string> {
  const doc = parse(await readFile(CLOUDS_YAML, 'utf8')) as { clouds: Record<string, Record<string, unknown>> };
  if (imageEndpoint) for (const cloud of Object.values(doc.clouds)) cloud.image_endpoint_override = imageEndpoint;
  for (const cloud of Object.values(doc.clouds)) Object.assign(cloud, keys);
  Object.assign(doc.clouds, more);
  const file = path.join(dir, 'clouds.yaml');
  await writeFile(file, stringify(doc));
  return file;
}

class Harness implements App {
  readonly page: Page;
  readonly shell: Shell;
  readonly tag = randomBytes(3).toString('hex');
  readonly copied: string[] = [];
  #server: ServeServer | null = null;
  readonly glance: GlanceClient;
  readonly dataDir: string;
  readonly filesDir: string;
  cloudsYaml = CLOUDS_YAML;
  #proxy: FaultProxy | null = null;
  #core: ImagedropCore | null = null;
  #unsubscribe: (() => void)[] = [];
  #events: Promise<unknown> = Promise.resolve();
  #picks: string[][] = [];
  #caPicks: string[] = [];
  readonly #imageIds = new Set<string>();
  readonly warnings: string[] = [];
  #glancePid = '';

  constructor(page: Page, glance: GlanceClient, dataDir: string, filesDir: string, shell: Shell) {
    this.page = page;
    this.shell = shell;
    this.glance = glance;
    this.dataDir = dataDir;
    this.filesDir = filesDir;
  }

  get core(): ImagedropCore {
    if (!this.#core) throw new Error('the core is not running');
    return this.#core;
  }

  get server(): ServeServer {
    if (!this.#server) throw new Error('no server: this test runs with the binding shell');
    return this.#server;
  }

  get proxy(): FaultProxy {
    if (!this.#proxy) throw new Error('this test has no image proxy: test.use({ imageProxy: true })');
    return this.#proxy;
  }

  async start(
    imageProxy: boolean,
    moreClouds: Readonly<Record<string, unknown>> | null,
    cloudKeys: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    this.#glancePid = await glancePid();
    if (imageProxy) this.#proxy = await startFaultProxy(GLANCE);
    if (imageProxy || moreClouds || Object.keys(cloudKeys).length > 0)
      this.cloudsYaml = await testClouds(this.dataDir, this.#proxy?.url ?? null, moreClouds, cloudKeys);
    await this.#startCore();
    if (this.shell === 'serve') {
      await this.#startServer();
      return;
    }
    await this.page.exposeBinding('__imagedropInvoke', async (source, channel: unknown, args: unknown) => {
      // Like the app's ipcMain handlers, answer only the renderer's own top frame.
      if (source.frame !== this.page.mainFrame()) {
        return { ok: false, error: { code: 'ipc/invalid-request', message: 'Not the app window.', retryable: false } };
      }
      const list = Array.isArray(args) ? args : [args];
      // The app's preload grants each dropped file's path as it resolves it (sendSync); the page's
      // pathForFile here cannot call Node synchronously, so the grant happens on the way in: a
      // path in this test's drop folder, named in inspectFiles, is a file the test dropped.
      if (channel === INVOKE_CHANNELS.inspectFiles && Array.isArray(list[0])) {
        this.core.grantPaths(
          (list[0] as unknown[]).filter((p): p is string => typeof p === 'string' && path.dirname(p) === this.filesDir),
        );
      }
      return dispatchChannel(this.core.handlers, String(channel), list);
    });
    await this.page.addInitScript({ content: pageScript(this.filesDir) });
  }

  /** imagedrop serve's server in front of the core, sharing the test's files folder. */
  async #startServer(): Promise<void> {
    this.#server = await startServeServer({
      core: this.core,
      renderer: await loadRenderer(RENDERER_DIR),
      host: '127.0.0.1',
      port: 0,
    });
  }

  async #startCore(): Promise<void> {
    const core = new ImagedropCore({
      dataDir: this.dataDir,
      env: { OS_CLIENT_CONFIG_FILE: this.cloudsYaml },
      cwd: this.dataDir,
      secrets: new MemorySecretStore(),
      ...(this.shell === 'serve' ? { hostRoots: [this.filesDir] } : {}),
      platform: {
        pickFiles: async () => this.#picks.shift() ?? [],
        pickCaFile: async () => this.#caPicks.shift() ?? null,
        copyText: async (text) => {
          this.copied.push(text);
        },
      },
      onWarning: (m) => this.warnings.push(m),
    });
    await core.init();
    this.#core = core;
    if (this.shell === 'serve') return; // the server's own event stream carries the events
    this.#unsubscribe = [
      core.onUploadsChanged((batch) => this.#emit(EVENT_CHANNELS.onUploadsChanged, batch)),
      core.onUploadsRemoved((ids) => this.#emit(EVENT_CHANNELS.onUploadsRemoved, ids)),
      core.onFilesOpened((paths) => this.#emit(EVENT_CHANNELS.onFilesOpened, paths)),
    ];
  }

  /**
   * webContents.send's stand-in. Like IPC messages, events reach the page one after the other in
   * the order they were sent (a chain of page.evaluate calls, each copied when it is sent). Lost
   * while the page reloads, as in the app (the renderer reads the queue again when it starts).
   */
  #emit(channel: string, payload: unknown): void {
    const message: [string, unknown] = [channel, structuredClone(payload)];
    this.#events = this.#events
      .then(() =>
        this.page.evaluate(([c, p]) => (window as unknown as PageHooks).__imagedropEmit?.(c as string, p), message),
      )
      .catch(() => {});
  }

  async #stopCore(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    if (!this.#core) return;
    for (const s of this.#core.engine.list()) if (s.imageId) this.#imageIds.add(s.imageId);
    await this.#core.dispose();
    this.#core = null;
  }

  async open(): Promise<void> {
    if (this.shell === 'serve') await this.#openServed();
    else await this.page.goto('index.html');
    await expect(this.page.getByRole('tablist', { name: 'Views' })).toBeVisible();
  }

  /** Opens the printed URL: the exchange answers with the cookie and takes the secret out of the address bar. */
  async #openServed(): Promise<void> {
    const server = this.server;
    await this.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await this.page.goto(server.url);
    expect(this.page.url()).toBe(`${server.origin}/`);
  }

  async restart(): Promise<void> {
    if (this.shell === 'serve') {
      await this.#server?.close();
      this.#server = null;
      await this.#stopCore();
      await this.#startCore();
      await this.#startServer();
      await this.#openServed();
    } else {
      await this.#stopCore();
      await this.#startCore();
      await this.page.reload();
    }
    await expect(this.page.getByRole('tablist', { name: 'Views' })).toBeVisible();
  }

  async clipboardText(): Promise<string | null> {
    if (this.shell === 'binding') return this.copied.at(-1) ?? null;
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  queuePick(paths: readonly string[]): void {
    if (this.shell !== 'binding') throw new Error('queuePick: serve has no native dialog; use chooseFiles (steps.ts)');
    this.#picks.push([...paths]);
  }

  queueCaPick(path: string): void {
    if (this.shell !== 'binding') throw new Error('queueCaPick: serve has no native dialog; use the host browser');
    this.#caPicks.push(path);
  }

  openFiles(paths: readonly string[]): void {
    this.core.openFiles(paths);
  }

  trackImage(id: string): void {
    this.#imageIds.add(id);
  }

  fileName(stem: string, ext: string): string {
    return path.join(this.filesDir, `${stem}-${this.tag}.${ext}`);
  }

  async randomRaw(stem: string, bytes: number): Promise<string> {
    const file = this.fileName(stem, 'raw');
    await randomFileAt(file, bytes);
    return file;
  }

  async qcow2(stem: string, bytes: number): Promise<string> {
    const source = path.join(this.filesDir, `.${stem}-source.raw`);
    await randomFileAt(source, bytes);
    const file = this.fileName(stem, 'qcow2');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', source, file]);
    await rm(source);
    return file;
  }

  async unsafeQcow2(stem: string): Promise<string> {
    // As a user's overlay usually is: the backing file named relative to the overlay.
    const backing = `${stem}-base.raw`;
    const file = this.fileName(stem, 'qcow2');
    await run('qemu-img', ['create', '-f', 'raw', backing, '64M'], { cwd: this.filesDir });
    await run('qemu-img', ['create', '-f', 'qcow2', '-b', backing, '-F', 'raw', path.basename(file)], {
      cwd: this.filesDir,
    });
    return file;
  }

  /** Stops everything and deletes the test's images; fails if Glance still has one afterwards. */
  async close(testInfo: TestInfo): Promise<void> {
    if (testInfo.status !== testInfo.expectedStatus && this.#core) {
      const state = {
        uploads: this.#core.engine.list(),
        proxy: this.#proxy ? { requests: this.#proxy.requests, forwarded: this.#proxy.forwarded } : null,
      };
      await testInfo.attach('core-state.json', {
        body: JSON.stringify(state, null, 2),
        contentType: 'application/json',
      });
    }
    const pid = await glancePid();
    if (pid !== this.#glancePid) {
      // Not this test's doing: say so, as it explains a broken upload or a refused connection.
      const description = `Glance restarted during this test (pid ${this.#glancePid || '?'} → ${pid || 'none'}), e.g. by another suite's fault injection`;
      testInfo.annotations.push({ type: 'warning', description });
      console.warn(`[e2e] ${testInfo.title}: ${description}`);
    }
    if (this.warnings.length > 0) {
      await testInfo.attach('core-warnings.txt', { body: this.warnings.join('\n'), contentType: 'text/plain' });
    }
    try {
      this.#proxy?.release();
      await this.#server?.close();
      await this.#stopCore();
      await this.#proxy?.close();
      await this.#deleteImages();
    } finally {
      await rm(this.dataDir, { recursive: true, force: true });
      await rm(this.filesDir, { recursive: true, force: true });
    }
  }

  async #deleteImages(): Promise<void> {
    // The images this test made: known to its cores, tracked by the test, or named with its tag.
    const projectId = this.glance.session.projectId;
    const { images } = await this.glance.listImages(AbortSignal.timeout(30_000), { owner: projectId });
    for (const image of images) if (image.name?.includes(this.tag)) this.#imageIds.add(image.id);
    const left: string[] = [];
    for (const id of this.#imageIds) {
      const image = await imageOrNull(this.glance, id);
      if (!image) continue;
      if (image.protected) {
        await this.glance.updateImage(
          id,
          [{ op: 'replace', path: '/protected', value: false }],
          AbortSignal.timeout(30_000),
        );
      }
      await this.glance.deleteImage(id, AbortSignal.timeout(30_000)).catch(() => {});
      if (await imageOrNull(this.glance, id)) left.push(id);
    }
    if (left.length > 0) throw new Error(`clean-up: Glance still has images ${left.join(', ')}`);
  }
}

export const test = base.extend<AppOptions & { app: App }, { adminGlance: GlanceClient }>({
  imageProxy: [false, { option: true }],
  shell: ['serve', { option: true }],
  moreClouds: [null, { option: true }],
  cloudKeys: [{}, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  adminGlance: [async ({}, use) => use(await glanceFor(ADMIN)), { scope: 'worker' }],
  app: async ({ page, imageProxy, shell, moreClouds, cloudKeys, adminGlance }, use, testInfo) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-e2e-data-'));
    // Real path: serve shows (and grants) files by their real paths.
    const filesDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'imagedrop-e2e-files-')));
    const harness = new Harness(page, adminGlance, dataDir, filesDir, shell);
    await harness.start(imageProxy, moreClouds, cloudKeys);
    try {
      await use(harness);
    } finally {
      await harness.close(testInfo);
    }
  },
});
