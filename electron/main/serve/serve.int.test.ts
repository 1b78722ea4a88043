// imagedrop serve against the real test cloud, spoken to over HTTP as the page speaks to it:
//   - the real CLI process (`node electron/main/cli/index.ts serve`): the URL is the first line on
//     stdout, a second serve on the same data folder is refused, Ctrl-C pauses and persists the
//     running upload (core.dispose), and the app's core then finds that job in the same job log;
//   - the event stream forwards exactly the core's own throttled batches, no more, during a real
//     upload to Glance, so pages get at most 4 progress batches a second, as the app's window does.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_INTERVAL_MS } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { resolveHostRoots } from '../core/host-files.ts';
import { MemorySecretStore } from '../core/remembered-connections.ts';
import { ImagedropCore } from '../core/service.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  GLANCE,
  ROOT,
  deleteImages,
  glanceFor,
  randomFile,
  removeDir,
  tempDir,
  writeProxiedClouds,
} from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { startServeServer } from './server.ts';
import { loadRenderer } from './static.ts';

const MiB = 1024 * 1024;
const IMAGE_DATA_PUT = /^PUT \/v2\/images\/[^/]+\/file/;

let dir: string;
let files: string;
let glance: GlanceClient;
const imageIds = new Set<string>();
/** In the name of every image this file creates: afterAll deletes them all, whatever failed. */
const TAG = `serve-int-${Date.now().toString(36)}`;
/** Every serve process started, so that none outlives a failed test. */
const children = new Set<ChildProcess>();

/** A page's view of a serve: the cookie from the exchange, calls, and the event stream. */
class Page {
  readonly url: string;
  readonly origin: string;
  cookie = '';
  constructor(url: string) {
    this.url = url;
    this.origin = new URL(url).origin;
  }

  #request(pathAndQuery: string, method: string, headers: Record<string, string>, body?: string) {
    const u = new URL(pathAndQuery, this.origin);
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(u, { method, headers: { Cookie: this.cookie, ...headers } }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  async signIn(): Promise<void> {
    const res = await this.#request(new URL(this.url).pathname + new URL(this.url).search, 'GET', {});
    res.resume();
    expect(res.statusCode).toBe(303);
    this.cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  }

  async call<T>(name: string, ...args: unknown[]): Promise<Result<T>> {
    const res = await this.#request(
      `/api/${name}`,
      'POST',
      { Origin: this.origin, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' },
      JSON.stringify(args),
    );
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Result<T>;
  }

  async value<T>(name: string, ...args: unknown[]): Promise<T> {
    const r = await this.call<T>(name, ...args);
    if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
    return r.value;
  }

  /** Opens the event stream; each upload batch is recorded with its arrival time. */
  async events(): Promise<{ batches: { at: number; batch: UploadSnapshot[] }[]; close(): void }> {
    const res = await this.#request('/api/events', 'GET', { Accept: 'text/event-stream' });
    expect(res.statusCode).toBe(200);
    const batches: { at: number; batch: UploadSnapshot[] }[] = [];
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.includes('event: imagedrop:uploads-changed')) continue;
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) batches.push({ at: Date.now(), batch: JSON.parse(data.slice(6)) as UploadSnapshot[] });
      }
    });
    return { batches, close: () => res.destroy() };
  }
}

async function until(check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Serve {
  readonly child: ChildProcess;
  readonly firstLine: Promise<string>;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

function startServe(dataDir: string, cloudsYaml: string, args: string[] = []): Serve {
  const child = spawn(process.execPath, [path.join(ROOT, 'electron/main/cli/index.ts'), 'serve', ...args], {
    cwd: files,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      IMAGEDROP_DATA_DIR: dataDir,
      OS_CLIENT_CONFIG_FILE: cloudsYaml,
      IMAGEDROP_RENDERER_DIR: path.join(dir, 'renderer'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, stderr: () => stderr, exit };
}

beforeAll(async () => {
  dir = await realpath(await tempDir('imagedrop-serve-int-'));
  files = path.join(dir, 'files');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(files);
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  glance = await glanceFor(ADMIN);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const { images } = await glance.listImages(AbortSignal.timeout(30_000), { owner: glance.session.projectId });
  for (const image of images) if (image.name?.startsWith(TAG)) imageIds.add(image.id);
  await deleteImages(glance, imageIds);
  await removeDir(dir);
});

describe('imagedrop serve (CLI process) against the real cloud', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(GLANCE);
  });
  afterAll(async () => {
    proxy.release();
    await proxy.close();
  });

  it('prints the URL first; one serve per data folder; Ctrl-C persists the upload, and the app core finds it', async () => {
    const dataDir = path.join(dir, 'data-cli');
    const cloudsYaml = await writeProxiedClouds(dir, proxy.url);
    const file = await randomFile(files, 'held.raw', 48 * MiB);
    proxy.inject({ match: IMAGE_DATA_PUT, fault: { kind: 'hold', afterBytes: 4 * MiB }, times: 10 });

    const serve = startServe(dataDir, cloudsYaml);
    const url = await serve.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?secret=[A-Za-z0-9_-]{43}$/);
    await until(() => serve.stderr().includes(`sharing: ${files}`), 10_000);

    const second = startServe(dataDir, cloudsYaml);
    expect(await second.exit).toBe(2);
    expect(second.stderr()).toMatch(
      new RegExp(
        `^Another imagedrop serve \\(pid ${serve.child.pid}\\) is running with the data folder ${dataDir}: stop it first`,
      ),
    );

    const page = new Page(url);
    await page.signIn();
    const stream = await page.events();
    const session = await page.value<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN });
    expect(session.cloud).toBe(ADMIN);
    // Plain Node has no keychain: remembering is refused, as in the app without one.
    expect(await page.value<boolean>('can-remember-secrets')).toBe(false);
    const [granted] = await page.value<string[]>('choose-host-files', [file]);
    expect(granted).toBe(file);
    const [jobId] = await page.value<string[]>('start-uploads', [
      { path: file, name: `${TAG}-held`, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    ]);
    await until(() =>
      stream.batches.some((b) => b.batch.some((s) => s.id === jobId && s.phase === 'uploading' && s.bytesSent > 0)),
    );
    await proxy.reached();
    const running = stream.batches.flatMap((b) => b.batch).findLast((s) => s.id === jobId)!;
    if (running.imageId) imageIds.add(running.imageId);

    serve.child.kill('SIGINT');
    expect(await serve.exit).toBe(0);
    stream.close();
    expect(serve.stderr()).toContain('stopping; uploads are paused and saved');
    await expect(stat(path.join(dataDir, 'serve.lock'))).rejects.toMatchObject({ code: 'ENOENT' });

    // The app's core on the same data folder: the job is there, stopped mid-way, resumable.
    const app = new ImagedropCore({
      dataDir,
      env: { OS_CLIENT_CONFIG_FILE: cloudsYaml },
      cwd: dir,
      secrets: new MemorySecretStore(),
      platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
    });
    await app.init();
    try {
      const job = app.engine.get(jobId!);
      expect(job).toMatchObject({ file, imageName: `${TAG}-held`, phase: 'interrupted', imageId: running.imageId });
      expect(JSON.parse(await readFile(path.join(dataDir, 'jobs.json'), 'utf8'))).toBeTruthy();
    } finally {
      await app.dispose();
    }
  }, 180_000);

  it('SIGTERM stops it as Ctrl-C does: exit 0, the data folder released', async () => {
    const dataDir = path.join(dir, 'data-term');
    const serve = startServe(dataDir, path.join(dir, 'none.yaml'));
    expect(await serve.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    serve.child.kill('SIGTERM');
    expect(await serve.exit).toBe(0);
    expect(serve.stderr()).toContain('stopping; uploads are paused and saved');
    await expect(stat(path.join(dataDir, 'serve.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('refuses a non-loopback bind without TLS, and a file name, with one sentence and exit 2', async () => {
    const cloudsYaml = path.join(dir, 'none.yaml');
    const open = startServe(path.join(dir, 'data-bind'), cloudsYaml, ['--host', '0.0.0.0']);
    expect(await open.exit).toBe(2);
    expect(open.stderr()).toMatch(
      /^Imagedrop serves your files and cloud sign-ins, so it listens on 0\.0\.0\.0 only with TLS/,
    );
    const named = startServe(path.join(dir, 'data-bind'), cloudsYaml, ['disk.qcow2']);
    expect(await named.exit).toBe(2);
    expect(named.stderr()).toMatch(/^serve takes no file names/);
  }, 60_000);
});

describe('the event stream during a real upload', () => {
  it('carries exactly the core batches, so at most 4 progress batches a second', async () => {
    const proxy = await startFaultProxy(GLANCE);
    const cloudsYaml = await writeProxiedClouds(path.join(dir), proxy.url);
    // A pause on the wire mid-way makes the upload last a few seconds whatever the disk's speed.
    proxy.inject({ match: IMAGE_DATA_PUT, fault: { kind: 'stall', afterBytes: 16 * MiB, ms: 2500 } });
    const file = await randomFile(files, 'rate.raw', 96 * MiB);
    const core = new ImagedropCore({
      dataDir: path.join(dir, 'data-rate'),
      env: { OS_CLIENT_CONFIG_FILE: cloudsYaml },
      cwd: dir,
      secrets: new MemorySecretStore(),
      platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
      hostRoots: await resolveHostRoots([files], dir),
    });
    await core.init();
    const fromCore: UploadSnapshot[][] = [];
    core.onUploadsChanged((b) => fromCore.push(structuredClone([...b])));
    const server = await startServeServer({
      core,
      renderer: await loadRenderer(path.join(dir, 'renderer')),
      host: '127.0.0.1',
      port: 0,
    });
    const page = new Page(server.url);
    try {
      await page.signIn();
      const stream = await page.events();
      await page.value('connect', { kind: 'cloud', cloud: ADMIN });
      await page.value('choose-host-files', [file]);
      const started = Date.now();
      const [jobId] = await page.value<string[]>('start-uploads', [
        { path: file, name: `${TAG}-rate`, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
      ]);
      const finished = ['done', 'failed', 'cancelled', 'interrupted'];
      await until(
        () => stream.batches.some((b) => b.batch.some((s) => s.id === jobId && finished.includes(s.phase))),
        120_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}: ${JSON.stringify(stream.batches.at(-1)?.batch)} ${proxy.requests.join(', ')}`);
      });
      const seconds = (Date.now() - started) / 1000;
      const done = stream.batches.flatMap((b) => b.batch).findLast((s) => s.id === jobId)!;
      if (done.imageId) imageIds.add(done.imageId);
      expect(done).toMatchObject({ phase: 'done', verified: true, imageStatus: 'active' });
      await until(() => stream.batches.length === fromCore.length, 5_000);
      stream.close();

      // 1:1: the page got the very batches the core sent, in order, and nothing else.
      expect(stream.batches.map((b) => b.batch)).toEqual(fromCore);
      // The core's bound, as seen by the page: progress batches (no phase change in them) at most
      // one per PROGRESS_INTERVAL_MS over the upload, plus the first.
      const phases = new Map<string, string>();
      let progressOnly = 0;
      for (const { batch } of stream.batches) {
        const changed = batch.some((s) => phases.get(s.id) !== s.phase);
        for (const s of batch) phases.set(s.id, s.phase);
        if (!changed) progressOnly += 1;
      }
      expect(seconds).toBeGreaterThan(2.5);
      expect(progressOnly).toBeGreaterThan(3);
      expect(progressOnly).toBeLessThanOrEqual(Math.floor((seconds * 1000) / PROGRESS_INTERVAL_MS) + 1);
    } finally {
      await server.close();
      await core.dispose();
      proxy.release();
      await proxy.close();
    }
  }, 180_000);
});
