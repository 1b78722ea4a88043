// The upload engine against the real Glance, through a loopback TCP fault proxy that cuts, stalls,
// holds, corrupts or answers for the upload. Every case ends with the image active and verified
// (its sha512 computed here, independently, from the file), or with a clear error and no record of
// the engine's own left behind.
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMAGEDROP_PROPERTY } from '../../../shared/glance.ts';
import { resumeText } from '../../../shared/format.ts';
import type { UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { buildContext, type GlanceContext } from '../core/context.ts';
import { inspectFile } from '../inspect/index.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  GLANCE,
  deleteImages,
  glanceFor,
  glanceKill,
  glanceStart,
  openSession,
  randomFile,
  removeDir,
  sparseFile,
  tempDir,
} from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { CloudFacts } from '../targets/glance/cloud-facts.ts';
import type { GlanceTargetOptions } from '../targets/glance/target.ts';
import { UploadEngine, type EngineOptions } from './engine.ts';
import { ImagedropError } from '../errors.ts';
import type { GlanceTransport } from '../targets/glance/transport.ts';
import { JobLog } from './job-log.ts';

const run = promisify(execFile);
const PUT_FILE = /^PUT \/v2\/images\/[^/]+\/file/;
const MiB = 1 << 20;

let dir: string;
let direct: GlanceClient; // straight to Glance, for checking what the engine did
const cleanup = new Set<string>();
let live: { engine: UploadEngine; proxy: FaultProxy }[] = [];

beforeAll(async () => {
  dir = await tempDir('imagedrop-engine-');
  direct = await glanceFor(ADMIN);
});

afterEach(async () => {
  for (const { engine, proxy } of live) {
    await engine.dispose();
    await proxy.close();
  }
  live = [];
});

afterAll(async () => {
  await deleteImages(direct, cleanup);
  await removeDir(dir);
});

interface Harness {
  engine: UploadEngine;
  proxy: FaultProxy;
  context: GlanceContext;
  log: JobLog;
  facts: CloudFacts;
}

type HarnessOptions = Partial<EngineOptions> &
  Partial<Pick<GlanceTargetOptions, 'transport' | 'createTimeoutMs' | 'verify'>> & { logFile?: string };

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const { transport, createTimeoutMs, verify, logFile, ...engineOptions } = options;
  const proxy = await startFaultProxy(GLANCE);
  const session = await openSession(ADMIN, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
  const facts = new CloudFacts(null);
  const context = await buildContext(session, AbortSignal.timeout(30_000), {
    facts,
    glance: {
      ...(transport ? { transport } : {}),
      ...(createTimeoutMs !== undefined ? { createTimeoutMs } : {}),
      ...(verify ? { verify } : {}),
    },
  });
  const log = new JobLog(logFile ?? path.join(dir, `jobs-${Date.now()}-${Math.random()}.json`));
  const engine = new UploadEngine({
    context: () => context,
    inspect: inspectFile,
    jobLog: log,
    retry: { baseDelayMs: 150, maxDelayMs: 1_000, maxRetries: 4 },
    ...engineOptions,
  });
  engine.onPhaseChange((s) => {
    if (s.imageId) cleanup.add(s.imageId);
  });
  live.push({ engine, proxy });
  return { engine, proxy, context, log, facts };
}

function request(file: string, extra: Partial<UploadRequest> = {}): UploadRequest {
  return {
    path: file,
    name: `imagedrop-engine-${path.basename(file)}`,
    diskFormat: 'auto',
    containerFormat: 'bare',
    visibility: 'private',
    ...extra,
  };
}

async function waitFor(
  engine: UploadEngine,
  id: string,
  ok: (s: UploadSnapshot) => boolean,
  timeoutMs = 90_000,
): Promise<UploadSnapshot> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = engine.get(id)!;
    if (ok(s)) return s;
    if (Date.now() > until) throw new Error(`timed out waiting; the job is ${s.phase}: ${s.error?.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const settled = (s: UploadSnapshot) => s.phase === 'done' || s.phase === 'failed' || s.phase === 'cancelled';

async function sha512(file: string): Promise<string> {
  return createHash('sha512')
    .update(await readFile(file))
    .digest('hex');
}

/** Active on the server, and the server's sha512 is the file's (computed here, not by the engine). */
async function expectVerified(s: UploadSnapshot, file: string): Promise<void> {
  expect({ phase: s.phase, verified: s.verified, error: s.error }).toEqual({
    phase: 'done',
    verified: true,
    error: null,
  });
  const image = await direct.getImage(s.imageId!, AbortSignal.timeout(10_000));
  const expected = await sha512(file);
  expect(image.status).toBe('active');
  expect(image.os_hash_value).toBe(expected);
  expect(s.checksums).toMatchObject({ algorithm: 'sha512', local: expected, server: expected });
  expect(image[IMAGEDROP_PROPERTY]).toBe(s.id);
}

/** No image anywhere carries this job's id: nothing of the engine's own was left behind. */
async function expectNoRecord(s: UploadSnapshot): Promise<void> {
  const { images } = await direct.listImages(AbortSignal.timeout(10_000), {
    properties: { [IMAGEDROP_PROPERTY]: s.id },
  });
  expect(
    images.map((i) => `${i.id} ${i.status} ${i.size} (job: ${s.phase}, ${s.error?.code}; ${s.error?.detail ?? ''})`),
  ).toEqual([]);
}

/**
 * A new job's snapshot as the first version's job log kept it (version 1, the UI snapshot itself),
 * for hand-made logs: every log of that version must still load and run.
 */
function snapshotFor(file: string, id: string, now: number): Record<string, unknown> {
  const r = request(file);
  return {
    id,
    file,
    fileName: path.basename(file),
    imageName: r.name,
    diskFormat: r.diskFormat,
    containerFormat: r.containerFormat,
    visibility: r.visibility,
    store: null,
    cloudKey: null,
    cloudName: null,
    format: null,
    virtualSize: null,
    phase: 'queued',
    imageId: null,
    createdImage: false,
    glanceStatus: null,
    bytesSent: 0,
    bytesTotal: 0,
    bytesPerSecond: null,
    etaSeconds: null,
    attempt: 0,
    retryAt: null,
    resume: { kind: 'none' },
    error: null,
    timeline: {},
    checksums: { algorithm: null, local: null, server: null, md5Local: null, md5Server: null },
    verified: false,
    createdAt: now,
    updatedAt: now,
  };
}

/** A job log record as it lies in the file (the JobState of job-state.ts). */
type LoggedJob = { digests: unknown; sentIdentity?: unknown } & Record<string, unknown>;

/**
 * Uploads a file to active and verified with one engine, lets `edit` change its job-log record (and
 * the file) as a crash or the user would have, then restores that log in a second engine and looks
 * at the image, as the app does at start.
 */
async function restoredAfterUpload(
  name: string,
  size: number,
  edit: (job: LoggedJob, file: string) => Promise<LoggedJob>,
): Promise<{ second: Harness; id: string; done: UploadSnapshot; file: string }> {
  const logA = path.join(dir, `${name}-a.json`);
  const first = await harness({ logFile: logA });
  const file = await randomFile(dir, `${name}.raw`, size);
  const [id] = first.engine.add([request(file)]);
  const done = await waitFor(first.engine, id!, settled);
  await expectVerified(done, file);
  await first.log.idle();
  const saved = JSON.parse(await readFile(logA, 'utf8')) as { jobs: LoggedJob[] };
  saved.jobs[0] = await edit(saved.jobs[0]!, file);
  const logB = path.join(dir, `${name}-b.json`);
  await writeFile(logB, JSON.stringify(saved));
  const second = await harness({ logFile: logB });
  await second.engine.restore();
  await second.engine.refreshInterrupted(AbortSignal.timeout(10_000));
  return { second, id: id!, done, file };
}

describe('upload engine, happy path', () => {
  it('checks, creates, uploads, waits for active and verifies, with the lifecycle timed', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, 'happy.raw', 24 * MiB);
    const phases: string[] = [];
    engine.onPhaseChange((s) => phases.push(s.phase));
    const [id] = engine.add([
      request(file, { minDisk: 1, tags: ['imagedrop-test'], properties: { os_distro: 'test' } }),
    ]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(phases).toEqual(['checking', 'creating', 'uploading', 'verifying', 'done']);
    expect(s.attempt).toBe(1);
    expect(s.bytesSent).toBe(24 * MiB);
    expect(s.format).toBe('raw');
    expect(s.diskFormat).toBe('raw');
    // Every step ended, in order, each after the one before it ended.
    expect(s.steps.map((x) => [x.step, x.state])).toEqual(
      ['checked', 'created', 'uploading', 'saving', 'active', 'verified'].map((x) => [x, 'done']),
    );
    const t = Object.fromEntries(s.steps.map((x) => [x.step, x.endedAt!]));
    expect(
      t.checked! <= t.created! && t.created! <= t.uploading! && t.uploading! <= t.saving! && t.saving! <= t.active!,
    ).toBe(true);
    expect(t.active! <= t.verified!).toBe(true);
    const image = await direct.getImage(s.imageId!, AbortSignal.timeout(10_000));
    expect(image).toMatchObject({ min_disk: 1, os_distro: 'test', visibility: 'private', disk_format: 'raw' });
  });

  it('sends the body with a Content-Length and x-openstack-image-size, never chunked', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'headers.raw', 3 * MiB + 5);
    const [id] = engine.add([request(file, { store: 'slow' })]);
    await expectVerified(await waitFor(engine, id!, settled), file);
    const head = proxy.heads.find((h) => PUT_FILE.test(h))!;
    const headers = head.split('\r\n').slice(1); // the head ends before the blank line
    expect(headers).toContain(`content-length: ${3 * MiB + 5}`);
    expect(headers).toContain(`x-openstack-image-size: ${3 * MiB + 5}`);
    expect(headers).toContain('content-type: application/octet-stream');
    expect(headers).toContain('x-image-meta-store: slow');
    expect(head).not.toMatch(/transfer-encoding/);
  });

  it('opens the file read-only: an immutable file (chattr +i, which even root cannot open for writing) uploads', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, 'immutable.raw', 2 * MiB);
    await run('chattr', ['+i', file]);
    try {
      await expect(writeFile(file, 'x', { flag: 'r+' })).rejects.toMatchObject({ code: 'EPERM' });
      const [id] = engine.add([request(file)]);
      await expectVerified(await waitFor(engine, id!, settled), file);
    } finally {
      await run('chattr', ['-i', file]);
    }
  });

  it('sends progress at most 4 times a second, phase changes at once, and the final state', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'progress.raw', 64 * MiB);
    // Slow the upload down to a few seconds so the rate is measurable.
    proxy.inject({ match: PUT_FILE, fault: { kind: 'stall', afterBytes: 16 * MiB, ms: 2500 } });
    const batches: { at: number; batch: readonly UploadSnapshot[] }[] = [];
    engine.onDidChange((batch) => batches.push({ at: Date.now(), batch }));
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    const progressOnly = batches.filter(({ batch }) => batch.every((x) => x.phase === 'uploading'));
    const seconds = (progressOnly.at(-1)!.at - progressOnly[0]!.at) / 1000;
    expect(progressOnly.length / Math.max(1, seconds)).toBeLessThanOrEqual(4.5);
    expect(batches.at(-1)!.batch.at(-1)!.phase).toBe('done');
  });

  it('runs at most `concurrency` uploads at once', async () => {
    const { engine } = await harness({ concurrency: 2 });
    const files = await Promise.all([0, 1, 2, 3].map((i) => randomFile(dir, `conc-${i}.raw`, 6 * MiB)));
    let running = 0;
    let peak = 0;
    engine.onPhaseChange((s, previous) => {
      const holds = (p: string) => ['checking', 'creating', 'uploading', 'paused'].includes(p);
      running += (holds(s.phase) ? 1 : 0) - (holds(previous) ? 1 : 0);
      peak = Math.max(peak, running);
    });
    const ids = engine.add(files.map((f) => request(f)));
    for (const [i, id] of ids.entries()) await expectVerified(await waitFor(engine, id, settled), files[i]!);
    expect(peak).toBe(2);
  });

  it('computes the hash the server reports by reading the file again when another was computed', async () => {
    const { engine, facts, context } = await harness();
    await facts.remember(context.imageEndpoint, 'sha256'); // a wrong belief about this cloud
    const file = await randomFile(dir, 'rehash.raw', 8 * MiB);
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(facts.get(context.imageEndpoint)?.hashAlgo).toBe('sha512'); // learned
  });
});

describe('upload engine, faults', () => {
  it.each([
    ['right after the headers', 0],
    ['after 1 byte', 1],
    ['mid-body', 5 * MiB + 123],
    ['before the last byte', 12 * MiB - 1],
    ['after the whole body, before the answer', 12 * MiB],
  ])('a connection cut %s becomes interrupted, then the file goes again and is verified', async (_what, offset) => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, `cut-${offset}.raw`, 12 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'cut', afterBytes: offset } });
    const seen: UploadSnapshot[] = [];
    engine.onPhaseChange((s) => seen.push(s));
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    const interrupted = seen.find((x) => x.phase === 'interrupted');
    expect(interrupted?.error?.code).toBe('network/reset');
    // The same image record took the second upload: Glance had put it back to queued.
    expect(seen.filter((x) => x.phase === 'creating')).toHaveLength(1);
    expect(s.attempt).toBeGreaterThanOrEqual(offset >= 12 * MiB ? 1 : 2);
  });

  it('a 60 s pause in the middle of the body: nothing moves, Glance keeps the silent connection, resume completes it', async () => {
    const { engine, proxy } = await harness();
    // Bigger than what loopback socket buffers can hold, so a held reader shows on the wire.
    const file = await randomFile(dir, 'stall.raw', 96 * MiB);
    // A short stall on the wire lets the pause land mid-body, whatever the machine's speed.
    proxy.inject({ match: PUT_FILE, fault: { kind: 'stall', afterBytes: 8 * MiB, ms: 1_000 } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    engine.pause([id!]);
    const paused = await waitFor(engine, id!, (s) => s.phase === 'paused' && s.imageStatus === 'saving', 20_000);
    expect(paused.resume).toMatchObject({ kind: 'continue' });
    await new Promise((r) => setTimeout(r, 3_000)); // the stall is over and what was in flight has landed
    const read = engine.get(id!)!.bytesSent;
    const wire = proxy.forwarded[0]!;
    await new Promise((r) => setTimeout(r, 57_000));
    expect(engine.get(id!)!).toMatchObject({ phase: 'paused', bytesSent: read, imageStatus: 'saving' });
    expect(proxy.forwarded[0]).toBe(wire); // a minute with nothing read and nothing sent
    expect(wire).toBeLessThan(96 * MiB);
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled, 120_000);
    await expectVerified(s, file);
    expect(s.attempt).toBe(1); // the same connection went on: no second PUT
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(1);
  }, 150_000);

  it('pause holds the body with the connection open, and resume continues at the same byte', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'pause.raw', 32 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'stall', afterBytes: 10 * MiB, ms: 1500 } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    engine.pause([id!]);
    const paused = engine.get(id!)!;
    expect(paused.phase).toBe('paused');
    expect(resumeText(paused.resume)).toMatch(/^continues at \d+%$/);
    await new Promise((r) => setTimeout(r, 5_000));
    const stillPaused = engine.get(id!)!;
    expect(stillPaused.phase).toBe('paused');
    const sentWhilePaused = proxy.forwarded[0]!;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(proxy.forwarded[0]).toBe(sentWhilePaused); // nothing read, nothing sent
    expect(proxy.forwarded[0]).toBeLessThan(32 * MiB);
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(s.attempt).toBe(1); // the same request went on: no second PUT
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(1);
  });

  it('pause is refused once every byte is in the body, and the upload completes', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'late-pause.raw', 2 * MiB);
    // Hold after the last byte went to the proxy: the body has nothing left to read.
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 2 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    await waitFor(engine, id!, (s) => s.bytesSent === 2 * MiB);
    expect(() => engine.pause([id!])).toThrow(/nothing left to pause/);
    engine.pause('all'); // 'all' skips it quietly
    expect(engine.get(id!)!.phase).toBe('uploading');
    proxy.release();
    await expectVerified(await waitFor(engine, id!, settled), file);
  });

  it('a file swapped (same size) between its check and its upload is refused', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'swapped.raw', 3 * MiB);
    // Hold the record's creation: the check is done, the upload has not opened the file yet.
    proxy.inject({ match: /^POST \/v2\/images$/, fault: { kind: 'hold', afterBytes: 0 } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, Buffer.alloc(3 * MiB, 9)); // same size, other bytes, new mtime
    proxy.release();
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('file/changed');
    expect(s.error?.message).toMatch(/modified after it was checked/);
    await expectNoRecord(s);
  });

  it('a file rewritten in place mid-upload with its old mtime put back is never called verified (change time)', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'rewritten.raw', 96 * MiB);
    const before = await stat(file, { bigint: true });
    proxy.inject({ match: PUT_FILE, fault: { kind: 'stall', afterBytes: 8 * MiB, ms: 1_000 } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    engine.pause([id!]);
    await waitFor(engine, id!, (s) => s.phase === 'paused');
    // New bytes over the whole file, same size, then the old mtime back: only ctime tells.
    const handle = await open(file, 'r+');
    try {
      const chunk = Buffer.alloc(MiB, 7);
      for (let at = 0; at < 96 * MiB; at += MiB) await handle.write(chunk, 0, MiB, at);
    } finally {
      await handle.close();
    }
    const ns = before.mtimeNs % 1_000_000_000n;
    await run('touch', ['-m', '-d', `@${before.mtimeNs / 1_000_000_000n}.${String(ns).padStart(9, '0')}`, file]);
    expect((await stat(file, { bigint: true })).mtimeNs).toBe(before.mtimeNs);
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled);
    expect({ phase: s.phase, verified: s.verified, code: s.error?.code }).toEqual({
      phase: 'failed',
      verified: false,
      code: 'file/changed',
    });
    await expectNoRecord(s);
  });

  it('a connection lost while paused makes the job interrupted; it waits for the user (no automatic re-send), and resume starts again from 0', async () => {
    // Retries on (the harness allows 4, 150 ms apart): a paused job must still not be re-sent behind the user's back.
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'pause-cut.raw', 16 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 4 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    engine.pause([id!]);
    expect(engine.get(id!)!.phase).toBe('paused');
    proxy.cutAll();
    const s = await waitFor(engine, id!, (x) => x.phase === 'interrupted' && x.imageStatus === 'queued', 20_000);
    expect(resumeText(s.resume)).toBe('starts again from 0: the image service cannot continue a broken upload');
    expect(s.error?.code).toBe('upload/interrupted');
    expect(s.error?.message).toMatch(/closed while this upload was paused.*resume sends the file again from 0/);
    await new Promise((r) => setTimeout(r, 2_000)); // many retry delays long
    expect(engine.get(id!)!).toMatchObject({ phase: 'interrupted', retryAt: null, attempt: 1 });
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(1);
    engine.resume([id!]);
    await expectVerified(await waitFor(engine, id!, settled), file);
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(2);
  });

  it('a resume during the background look at an interrupted job is not overwritten by what that look finds', async () => {
    const { engine, proxy } = await harness({ retry: { maxRetries: 0 } });
    const file = await randomFile(dir, 'refresh-race.raw', 8 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'cut', afterBytes: MiB } });
    const [id] = engine.add([request(file)]);
    const broken = await waitFor(engine, id!, (s) => s.phase === 'interrupted' && s.imageStatus === 'queued');
    // The background look is slow to answer; meanwhile the user resumes and the upload runs.
    proxy.inject({ match: new RegExp(`^GET /v2/images/${broken.imageId}$`), fault: { kind: 'late', ms: 1_500 } });
    const looking = engine.refreshInterrupted(AbortSignal.timeout(10_000));
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 2 * MiB } });
    engine.resume([id!]);
    await looking; // it read `saving`: the upload's own, not a stuck image
    const running = engine.get(id!)!;
    expect(running.phase).toBe('uploading');
    expect(running.resume).toEqual({ kind: 'none' });
    proxy.release();
    await expectVerified(await waitFor(engine, id!, settled), file);
  });

  it('the image deleted during the upload (Glance answers 410) fails clearly, nothing left', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'gone.raw', 16 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 4 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    const imageId = engine.get(id!)!.imageId!;
    await direct.deleteImage(imageId, AbortSignal.timeout(10_000));
    proxy.release();
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.error).toMatchObject({ code: 'glance/gone', httpStatus: 410 });
    expect(s.error!.message).toMatch(/deleted while its data was being uploaded/);
    expect(s.attempt).toBe(1); // 410 is not retried
    await expectNoRecord(s);
  });

  it('glance-api killed mid-upload leaves the image stuck in saving; resume replaces it only with consent', async () => {
    const { engine, proxy } = await harness({
      retry: { baseDelayMs: 500, maxDelayMs: 2_000, maxRetries: 8, maxTotalMs: 120_000 },
    });
    const file = await randomFile(dir, 'killed.raw', 48 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 20 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    const stuckId = engine.get(id!)!.imageId!;
    await glanceKill();
    proxy.release();
    try {
      await waitFor(engine, id!, (s) => s.phase === 'interrupted', 30_000);
    } finally {
      await glanceStart();
    }
    // The automatic retry finds the image stuck in saving, and waits for the user.
    const held = await waitFor(engine, id!, (s) => s.phase === 'interrupted' && s.resume.kind === 'recreate', 90_000);
    expect(held.error?.code).toBe('upload/stuck-saving');
    expect(resumeText(held.resume)).toMatch(/new image record: the old one is stuck in saving/);
    expect((await direct.getImage(stuckId, AbortSignal.timeout(10_000))).status).toBe('saving');
    expect(() => engine.resume([id!])).toThrow(/needs your consent/);
    engine.resume([id!], { recreate: true });
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(s.imageId).not.toBe(stuckId);
    // The stuck record the engine had created is gone.
    await expect(direct.getImage(stuckId, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
  }, 180_000);

  it('glance-api killed mid-upload, with consent given up front (the CLI flag): recreated and verified', async () => {
    const { engine, proxy } = await harness({
      autoRecreate: true,
      retry: { baseDelayMs: 500, maxDelayMs: 2_000, maxRetries: 10, maxTotalMs: 120_000 },
    });
    const file = await randomFile(dir, 'killed-auto.raw', 32 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 12 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    const stuckId = engine.get(id!)!.imageId!;
    await glanceKill();
    proxy.release();
    await waitFor(engine, id!, (s) => s.phase === 'interrupted', 30_000);
    await glanceStart();
    const s = await waitFor(engine, id!, settled, 120_000);
    await expectVerified(s, file);
    await expect(direct.getImage(stuckId, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
  }, 180_000);

  it.each([
    ['grows', async (f: string) => appendFile(f, Buffer.alloc(4096, 1))],
    ['shrinks', async (f: string) => truncate(f, 6 * MiB)],
    ['is rewritten in place', async (f: string) => writeFile(f, Buffer.alloc(16, 7), { flag: 'r+' })],
  ])('a file that %s during the upload fails with file/changed, and nothing is left', async (_what, change) => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, `changing-${_what.replace(/ /g, '-')}.raw`, 16 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 2 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    await new Promise((r) => setTimeout(r, 10)); // mtime granularity
    await change(file);
    proxy.release();
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('file/changed');
    expect(s.error?.message).toMatch(/changed while it was being uploaded/);
    await expectNoRecord(s);
  });

  it('503 answers are retried with backoff (status checked before each), then it succeeds', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'busy.raw', 4 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'answer', status: 503 }, times: 2 });
    const seen: UploadSnapshot[] = [];
    engine.onPhaseChange((s) => seen.push(s));
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(s.attempt).toBe(3);
    expect(seen.filter((x) => x.phase === 'interrupted').map((x) => x.error?.code)).toEqual([
      'glance/unavailable',
      'glance/unavailable',
    ]);
    // Each retry went through 'checking' (a look at the image) before its PUT.
    const order = seen.map((x) => x.phase).join(' ');
    expect(order).toMatch(/interrupted queued checking uploading.*interrupted queued checking uploading/);
    const gets = proxy.requests.filter((r) => r.startsWith('GET /v2/images/')).length;
    expect(gets).toBeGreaterThanOrEqual(2);
  });

  it('retries are bounded: after the last one the job fails and its record is deleted', async () => {
    const { engine, proxy } = await harness({ retry: { baseDelayMs: 50, maxDelayMs: 100, maxRetries: 2 } });
    const file = await randomFile(dir, 'always-busy.raw', 2 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'answer', status: 503 }, times: 10 });
    const [id] = engine.add([request(file)]);
    const s = await waitFor(
      engine,
      id!,
      (x) => x.phase === 'interrupted' && x.retryAt === null && engine.get(id!)!.attempt === 3,
    );
    expect(s.error?.code).toBe('glance/unavailable');
    // In the app the job waits for the user; cancelling it deletes its record.
    await engine.cancel([id!]);
    await expectNoRecord(engine.get(id!)!);
  });

  it('a byte changed on the way is an integrity error, loud, never success; the bad image is deleted', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'corrupt.raw', 8 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'corrupt', atByte: 3 * MiB + 17 } });
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.verified).toBe(false);
    expect(s.error?.code).toBe('upload/integrity');
    expect(s.error?.message).toMatch(/^INTEGRITY ERROR: .*sha512.*The mismatching image was deleted\.$/);
    expect(s.checksums.local).toBe(await sha512(file));
    expect(s.checksums.server).not.toBe(s.checksums.local);
    await expectNoRecord(s);
  });
});

describe('upload engine, room for a second transport', () => {
  // A stand-in for an object-storage transport (OBS / S3 multipart, then a register call): parts go
  // to a local "bucket" folder and are kept there across attempts; the register step streams the
  // parts into Glance. What is proven is the engine's side of the seam: ranged bodies, transport
  // state saved in the job log, a resume that continues after the finished parts (and says so),
  // and verification by reading the file again when the bytes did not go in one hashed pass.
  function partTransport(bucket: string, partBytes: number, failAfterParts: { count: number }): GlanceTransport {
    return {
      name: 'test-parts',
      async transfer(glance, context) {
        const state = (context.state as { parts: number } | null) ?? { parts: 0 };
        const total = Math.ceil(context.size / partBytes);
        for (let part = state.parts; part < total; part++) {
          const start = part * partBytes;
          const end = Math.min(context.size, start + partBytes);
          const body = await context.openBody({ start, end });
          await pipeline(body, createWriteStream(path.join(bucket, `part-${part}`)));
          opened.push(part);
          await context.saveState({ parts: part + 1 });
          if (--failAfterParts.count === 0) {
            throw new ImagedropError('network/reset', 'The connection to object storage broke.', { retryable: true });
          }
        }
        const parts = Array.from({ length: total }, (_, i) => path.join(bucket, `part-${i}`));
        await glance.uploadImageData(context.imageId, Readable.from(concatFiles(parts)), {
          size: context.size,
          signal: context.signal,
        });
      },
      resumeOffset(state) {
        return ((state as { parts: number } | null)?.parts ?? 0) * partBytes;
      },
    };
  }
  const opened: number[] = [];
  async function* concatFiles(files: string[]): AsyncGenerator<Buffer> {
    for (const f of files) yield* createReadStream(f) as AsyncIterable<Buffer>;
  }

  it('ranged bodies, state in the job log, resume after the finished parts ("continues at 50%"), verified by re-reading', async () => {
    const bucket = await tempDir('imagedrop-bucket-');
    opened.length = 0;
    const logFile = path.join(dir, 'parts-log.json');
    const { engine, log } = await harness({
      logFile,
      transport: partTransport(bucket, 2 * MiB, { count: 1 }),
      retry: { maxRetries: 0 },
    });
    const file = await randomFile(dir, 'parts.raw', 4 * MiB);
    const [id] = engine.add([request(file)]);
    // Interrupted, and the look at the image that follows has found it back to queued.
    const broken = await waitFor(
      engine,
      id!,
      (s) => (s.phase === 'interrupted' && s.imageStatus !== null) || settled(s),
    );
    expect(broken.phase).toBe('interrupted');
    expect(broken.imageStatus).toBe('queued');
    expect(resumeText(broken.resume)).toBe('continues at 50%');
    await log.idle();
    const saved = JSON.parse(await readFile(logFile, 'utf8')) as { jobs: { targetState: { transport: unknown } }[] };
    expect(saved.jobs[0]!.targetState.transport).toEqual({ name: 'test-parts', state: { parts: 1 } });
    const sentAtResume: number[] = [];
    engine.onPhaseChange((s) => {
      if (s.phase === 'uploading') sentAtResume.push(s.bytesSent);
    });
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(opened).toEqual([0, 1]); // part 0 was not sent again
    expect(sentAtResume[0]).toBe(2 * MiB);
    await removeDir(bucket);
  });

  it('parts of an older version of the file are not joined with the new one: resume starts again from 0', async () => {
    const bucket = await tempDir('imagedrop-bucket-');
    opened.length = 0;
    const { engine } = await harness({
      transport: partTransport(bucket, 2 * MiB, { count: 1 }),
      retry: { maxRetries: 0 },
    });
    const file = await randomFile(dir, 'parts-changed.raw', 4 * MiB);
    const [id] = engine.add([request(file)]);
    await waitFor(engine, id!, (s) => (s.phase === 'interrupted' && s.imageStatus !== null) || settled(s));
    expect(resumeText(engine.get(id!)!.resume)).toBe('continues at 50%');
    await new Promise((r) => setTimeout(r, 10));
    await writeFile(file, randomBytes(MiB), { flag: 'r+' }); // same size, other first MiB
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    expect(opened).toEqual([0, 0, 1]); // part 0 went again, from the new file
    await removeDir(bucket);
  });
});

describe('upload engine, refusals and cancel', () => {
  it('refuses an unsafe image before creating any record', async () => {
    const { engine } = await harness();
    const base = path.join(dir, 'base.raw');
    const unsafe = path.join(dir, 'with-backing.qcow2');
    await writeFile(base, Buffer.alloc(MiB));
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', unsafe]);
    const [id] = engine.add([request(unsafe)]);
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('inspect/unsafe');
    expect(s.error?.detail).toMatch(/backing-file/);
    expect(s.imageId).toBeNull();
    await expectNoRecord(s);
  });

  it('uses the detected format with --disk-format auto, and refuses a declared format the content contradicts', async () => {
    const { engine } = await harness();
    const qcow = path.join(dir, 'real.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', qcow, '64M']);
    const [auto, wrong] = engine.add([request(qcow), request(qcow, { diskFormat: 'raw' })]);
    const a = await waitFor(engine, auto!, settled);
    await expectVerified(a, qcow);
    expect((await direct.getImage(a.imageId!, AbortSignal.timeout(10_000))).disk_format).toBe('qcow2');
    const w = await waitFor(engine, wrong!, settled);
    expect(w.phase).toBe('failed');
    expect(w.error?.detail).toMatch(/declared-format-mismatch/);
    await expectNoRecord(w);
  });

  it('fails at once on 413 (quota), without retrying, and deletes its record', async () => {
    const { engine } = await harness();
    const big = await sparseFile(dir, 'over-quota.raw', 5 * 1024 ** 3);
    const [id] = engine.add([request(big)]);
    const s = await waitFor(engine, id!, settled);
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('glance/quota-exceeded');
    expect(s.attempt).toBe(1);
    await expectNoRecord(s);
  });

  it('cancel deletes its record even when the first DELETEs answer 503', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'cancel-503.raw', 16 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 5 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    proxy.inject({ match: /^DELETE \/v2\/images\//, fault: { kind: 'answer', status: 503 }, times: 2 });
    await engine.cancel([id!]);
    proxy.release();
    const s = engine.get(id!)!;
    expect(s).toMatchObject({ phase: 'cancelled', error: null });
    expect(proxy.requests.filter((r) => r.startsWith('DELETE'))).toHaveLength(3);
    await expectNoRecord(s);
  });

  it('cancel aborts and deletes the record the engine created', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'cancel.raw', 16 * MiB);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 5 * MiB } });
    const [id] = engine.add([request(file)]);
    await proxy.reached();
    await engine.cancel([id!]);
    const s = engine.get(id!)!;
    expect(s.phase).toBe('cancelled');
    expect(s.error).toBeNull();
    proxy.release();
    await expectNoRecord(s);
  });

  it('cancel after every byte is sent, while the PUT has no answer, frees the slot: the next job starts and finishes', async () => {
    const { engine, proxy } = await harness({ concurrency: 1 });
    const size = 8 * MiB;
    const [firstFile, nextFile] = await Promise.all([
      randomFile(dir, 'cancel-sent.raw', size),
      randomFile(dir, 'cancel-sent-next.raw', 2 * MiB),
    ]);
    // The proxy takes the whole body and keeps its last byte from Glance: the client has sent
    // everything, and the PUT's answer never comes until release().
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: size - 1 } });
    const [first, next] = engine.add([request(firstFile), request(nextFile)]);
    await proxy.reached();
    await waitFor(engine, first!, (s) => s.bytesSent === size, 10_000);
    expect(engine.get(next!)!.phase).toBe('queued');
    const cancelledAt = Date.now();
    await engine.cancel([first!]);
    const s = engine.get(first!)!;
    expect(s).toMatchObject({ phase: 'cancelled', error: null, leftover: null });
    await expectNoRecord(s); // the record it created is deleted, though every byte was sent
    // The slot is free: the waiting job starts at once, while the proxy still holds the first PUT.
    await waitFor(engine, next!, (x) => x.phase !== 'queued', 5_000);
    const n = await waitFor(engine, next!, settled, 30_000);
    await expectVerified(n, nextFile);
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(2);
    proxy.release();
  });

  it('cancel while the record is being created: the create answers first, then the record is deleted', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'cancel-create.raw', MiB);
    // Glance gets the POST only 1.5 s later, after the client could have given up on it: a DELETE
    // sent at once would find nothing, and the record would appear afterwards.
    proxy.inject({ match: /^POST \/v2\/images$/, fault: { kind: 'late', ms: 1_500 } });
    const [id] = engine.add([request(file)]);
    await waitFor(engine, id!, (s) => s.phase === 'creating');
    const imageId = engine.get(id!)!.imageId!;
    cleanup.add(imageId);
    await engine.cancel([id!]);
    const s = engine.get(id!)!;
    expect(s).toMatchObject({ phase: 'cancelled', error: null });
    await new Promise((r) => setTimeout(r, 2_500)); // whatever was late has landed by now
    await expectNoRecord(s);
    await expect(direct.getImage(imageId, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
  });

  it('cancel all while one job uploads and another, with a record, waits for the slot: the waiting one never starts, even when a new job frees the queue meanwhile', async () => {
    const logFile = path.join(dir, 'cancel-all-log.json');
    const { context } = await harness();
    const waitingFile = await randomFile(dir, 'cancel-all-waiting.raw', 4 * MiB);
    const runningFile = await randomFile(dir, 'cancel-all-running.raw', 16 * MiB);
    // The waiting job already has a queued record of its own (as after a broken upload).
    const record = await direct.createImage(
      { name: 'imagedrop-engine-cancel-all-waiting', diskFormat: 'raw', containerFormat: 'bare' },
      AbortSignal.timeout(10_000),
    );
    cleanup.add(record.id);
    const now = Date.now();
    await writeFile(
      logFile,
      JSON.stringify({
        version: 1,
        savedAt: now,
        jobs: [
          {
            snapshot: { ...snapshotFor(waitingFile, 'job-waiting', now), imageId: record.id, createdImage: true },
            request: request(waitingFile),
            cloudKey: context.key,
            cloudName: ADMIN,
            digests: null,
          },
        ],
      }),
    );
    const { engine, proxy } = await harness({ logFile, concurrency: 1 });
    await engine.restore({ hold: () => true });
    const [running] = engine.add([request(runningFile)]);
    proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 2 * MiB } });
    await proxy.reached();
    engine.resume(['job-waiting']);
    expect(engine.get('job-waiting')!.phase).toBe('queued'); // waits for the slot, record in hand
    // Its DELETE is slow, so the running job's abort ends first and frees the slot meanwhile.
    proxy.inject({ match: new RegExp(`^DELETE /v2/images/${record.id}`), fault: { kind: 'late', ms: 1_500 } });
    const started: string[] = [];
    engine.onPhaseChange((s) => {
      if (s.id === 'job-waiting' && s.phase === 'checking') started.push(s.phase);
    });
    const cancelling = engine.cancel('all');
    // While the waiting job's DELETE is on its way, the slot is free and the user adds a file.
    await waitFor(engine, running!, (s) => s.phase === 'cancelled');
    expect(engine.get('job-waiting')!.phase).toBe('queued');
    const laterFile = await randomFile(dir, 'cancel-all-later.raw', MiB);
    const [later] = engine.add([request(laterFile)]);
    await expectVerified(await waitFor(engine, later!, settled), laterFile);
    await cancelling;
    await engine.whenSettled();
    proxy.release();
    expect(started).toEqual([]);
    for (const id of ['job-waiting', running!]) {
      const s = engine.get(id)!;
      expect({ id, phase: s.phase, error: s.error }).toEqual({ id, phase: 'cancelled', error: null });
      await expectNoRecord(s);
    }
    await expect(direct.getImage(record.id, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
    expect(proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(2); // the running job's, the later one's
  });

  it('a job restored after its data went in only verifies: no second PUT, and it needs the digests, not the file', async () => {
    const { second, id, done, file } = await restoredAfterUpload('verify-only', 6 * MiB, async (job, file) => {
      expect(job).toMatchObject({ digests: { sha512: await sha512(file) }, sentIdentity: { size: 6 * MiB } });
      // As if the app had stopped while it waited for `active`: the log says verifying.
      await rename(file, `${file}.moved`); // the file is not needed any more
      return { ...job, phase: 'verifying', verified: false, steps: {} };
    });
    const restored = second.engine.get(id)!;
    expect(restored.phase).toBe('interrupted');
    expect(resumeText(restored.resume)).toBe('checks the image: the image service already has every byte');
    second.engine.resume([id]);
    const s = await waitFor(second.engine, id, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, error: null, imageId: done.imageId });
    expect(second.proxy.requests.filter((r) => PUT_FILE.test(r))).toHaveLength(0);
    await rename(`${file}.moved`, file);
  });

  it('verifying by re-reading the file refuses a file changed since it was sent: file/changed, the image kept, never "integrity"', async () => {
    const { second, id, done } = await restoredAfterUpload('rehash-changed', 4 * MiB, async (job, file) => {
      // No digests kept (as when the transfer went in parts), and the file edited since.
      await new Promise((r) => setTimeout(r, 10));
      await writeFile(file, Buffer.alloc(16, 3), { flag: 'r+' });
      return { ...job, digests: null, phase: 'verifying', verified: false };
    });
    second.engine.resume([id]);
    const s = await waitFor(second.engine, id, settled);
    expect(s.phase).toBe('failed');
    expect(s.verified).toBe(false);
    expect(s.error?.code).toBe('file/changed');
    expect(s.error?.message).toMatch(/after it was sent, so the upload cannot be checked against it/);
    expect(s.error?.detail).toMatch(/was kept/);
    expect((await direct.getImage(done.imageId!, AbortSignal.timeout(10_000))).status).toBe('active');
  });

  it('verifying from kept digests refuses a file rewritten since it was sent (old mtime put back): file/changed, the image kept', async () => {
    const { second, id, done } = await restoredAfterUpload('digests-ctime', 4 * MiB, async (job, file) => {
      expect(job).toMatchObject({ digests: { sha512: await sha512(file) } });
      const before = await stat(file, { bigint: true });
      await new Promise((r) => setTimeout(r, 10));
      await writeFile(file, Buffer.alloc(16, 3), { flag: 'r+' });
      const ns = before.mtimeNs % 1_000_000_000n;
      await run('touch', ['-m', '-d', `@${before.mtimeNs / 1_000_000_000n}.${String(ns).padStart(9, '0')}`, file]);
      return { ...job, phase: 'verifying', verified: false };
    });
    second.engine.resume([id]);
    const s = await waitFor(second.engine, id, settled);
    expect({ phase: s.phase, verified: s.verified, code: s.error?.code }).toEqual({
      phase: 'failed',
      verified: false,
      code: 'file/changed',
    });
    expect(s.error?.detail).toMatch(/was kept/);
    expect((await direct.getImage(done.imageId!, AbortSignal.timeout(10_000))).status).toBe('active');
  });

  it('a restored job whose image is active and whose file is gone: never deleted for it, kept with a sentence', async () => {
    const { second, id, done, file } = await restoredAfterUpload('file-gone', 4 * MiB, async (job, file) => {
      // The app stopped right after the PUT, before the digests were kept; the user moved the file.
      await rename(file, `${file}.elsewhere`);
      return { ...job, digests: null, phase: 'uploading', verified: false };
    });
    expect(second.engine.get(id)!.resume).toEqual({ kind: 'verify' });
    second.engine.resume([id]);
    const s = await waitFor(second.engine, id, settled);
    expect(s.phase).toBe('failed');
    expect(s.error?.code).toBe('file/not-found');
    expect(s.error?.detail).toMatch(/was kept/);
    expect((await direct.getImage(done.imageId!, AbortSignal.timeout(10_000))).status).toBe('active');
    expect(second.proxy.requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
    await rename(`${file}.elsewhere`, file);
  });

  it('a create that gets no answer in time and lands later: cancel waits for it and deletes it', async () => {
    const { engine, proxy } = await harness({ createTimeoutMs: 1_000, retry: { maxRetries: 0 } });
    const file = await randomFile(dir, 'late-create-cancel.raw', MiB);
    proxy.inject({ match: /^POST \/v2\/images$/, fault: { kind: 'late', ms: 3_000 } });
    const [id] = engine.add([request(file)]);
    const broken = await waitFor(engine, id!, (s) => s.phase === 'interrupted' || settled(s));
    expect(broken.error?.code).toBe('network/timeout');
    const imageId = broken.imageId!;
    cleanup.add(imageId);
    await engine.cancel([id!]);
    expect(engine.get(id!)).toMatchObject({ phase: 'cancelled', error: null });
    await proxy.reached(); // the late POST has gone to Glance…
    await new Promise((r) => setTimeout(r, 1_500)); // …and Glance has had time to commit it
    await expectNoRecord(engine.get(id!)!);
    await expect(direct.getImage(imageId, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
  });

  it('a create that gets no answer in time and lands later: the retry finds that record and uses it', async () => {
    const { engine, proxy } = await harness({ createTimeoutMs: 1_000 });
    const file = await randomFile(dir, 'late-create-retry.raw', 2 * MiB);
    proxy.inject({ match: /^POST \/v2\/images$/, fault: { kind: 'late', ms: 3_000 } });
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled);
    await expectVerified(s, file);
    // One record for the job, no second one beside it.
    const { images } = await direct.listImages(AbortSignal.timeout(10_000), {
      properties: { [IMAGEDROP_PROPERTY]: s.id },
    });
    expect(images.map((i) => i.id)).toEqual([s.imageId]);
    expect(proxy.requests.filter((r) => r.startsWith('POST /v2/images'))).toHaveLength(1);
  });

  it('a create that lands after the search for it gave up: the retry uses the same id, so it never becomes a second record', async () => {
    const { engine, proxy } = await harness({
      createTimeoutMs: 1_000,
      retry: { baseDelayMs: 100, maxDelayMs: 200, maxRetries: 4 },
    });
    const file = await randomFile(dir, 'late-create-gave-up.raw', MiB);
    // The first POST reaches Glance 14 s later: past its 1 s wait and the 10 s search that follows
    // (the audit saw 75 s against the 60 s wait).
    proxy.inject({ match: /^POST \/v2\/images$/, fault: { kind: 'late', ms: 14_000 } });
    const started = Date.now();
    const [id] = engine.add([request(file)]);
    const s = await waitFor(engine, id!, settled, 60_000);
    await expectVerified(s, file);
    const posts = proxy.requests.filter((r) => r.startsWith('POST /v2/images'));
    expect(posts).toHaveLength(2);
    // Let the late request land (Glance refuses it: the id is taken), then look for a second record.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 16_000 - Date.now())));
    const { images } = await direct.listImages(AbortSignal.timeout(10_000), {
      properties: { [IMAGEDROP_PROPERTY]: s.id },
    });
    expect(images.map((i) => i.id)).toEqual([s.imageId]);
  }, 90_000);

  it('more than image_size_cap: 413 after Glance has read up to the cap, not retried, nothing left', async () => {
    const { engine } = await harness();
    // The test cloud's cap is 1100 MiB; its quota (4 GB) is not the limit here.
    const big = await sparseFile(dir, 'over-cap.raw', 1100 * MiB + 64 * MiB);
    const [id] = engine.add([request(big)]);
    const s = await waitFor(engine, id!, settled, 120_000);
    expect(s.phase).toBe('failed');
    expect(s.error).toMatchObject({ code: 'glance/too-large', httpStatus: 413 });
    expect(s.attempt).toBe(1);
    await expectNoRecord(s);
  }, 150_000);

  it('never deletes an image it did not create', async () => {
    const foreign = await direct.createImage(
      { name: 'not-imagedrops', diskFormat: 'raw', containerFormat: 'bare' },
      AbortSignal.timeout(10_000),
    );
    cleanup.add(foreign.id);
    const logFile = path.join(dir, 'foreign-log.json');
    const { context } = await harness();
    const file = await randomFile(dir, 'foreign.raw', MiB);
    // A job log that points at an image this engine did not create (createdImage false).
    const now = Date.now();
    await writeFile(
      logFile,
      JSON.stringify({
        version: 1,
        savedAt: now,
        jobs: [
          {
            snapshot: {
              ...snapshotFor(file, 'job-foreign', now),
              phase: 'uploading',
              imageId: foreign.id,
              createdImage: false,
              glanceStatus: 'queued',
              bytesTotal: MiB,
              attempt: 1,
            },
            request: { path: file, name: 'x', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
            cloudKey: context.key,
            cloudName: 'imagedrop-admin',
            digests: null,
          },
        ],
      }),
    );
    const { engine } = await harness({ logFile });
    await engine.restore();
    expect(engine.get('job-foreign')!.phase).toBe('interrupted');
    await engine.cancel(['job-foreign']);
    expect(engine.get('job-foreign')!.phase).toBe('cancelled');
    expect((await direct.getImage(foreign.id, AbortSignal.timeout(10_000))).status).toBe('queued');
  });
});

describe('upload engine, a job log written by the first version', () => {
  // fixtures/jobs-v1.json was written by the engine as it stood at 292e839 (job log version 1,
  // the UI snapshot itself), against this test cloud: one verified upload, one that failed
  // (missing file), one killed mid-upload (its log says `uploading`), one still queued. Only the
  // project id and the folder are placeholders; the rest is that version's file, byte for byte.
  it('loads, shows each job as it was, and resumes the interrupted and queued ones to active and verified', async () => {
    const work = await tempDir('imagedrop-v1log-');
    const probe = await harness();
    const text = (await readFile(path.join(import.meta.dirname, 'fixtures/jobs-v1.json'), 'utf8'))
      .replaceAll('{{ADMIN_PROJECT_ID}}', probe.context.session.projectId)
      .replaceAll('{{DIR}}', work);
    const logFile = path.join(work, 'jobs.json');
    await writeFile(logFile, text);
    const ids = (JSON.parse(text) as { jobs: { snapshot: { id: string; phase: string } }[] }).jobs.map(
      (j) => j.snapshot.id,
    );
    const [doneId, failedId, runningId, queuedId] = ids as [string, string, string, string];
    const doneFile = await randomFile(work, 'done.raw', 3 * MiB);
    const runningFile = await randomFile(work, 'running.raw', 5 * MiB);
    const { engine, log } = await harness({ logFile });
    await engine.restore();
    const done = engine.get(doneId)!;
    expect(done).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'sha512', target: 'glance' });
    expect(done.steps.every((s) => s.state === 'done')).toBe(true);
    expect(engine.get(failedId)).toMatchObject({ phase: 'failed', error: { code: 'file/not-found' } });
    const running = engine.get(runningId)!;
    expect(running).toMatchObject({ phase: 'interrupted', resume: { kind: 'restart' } });
    expect(running.error?.code).toBe('upload/interrupted');
    expect(engine.get(queuedId)!.phase).toBe('queued');
    await engine.refreshInterrupted(AbortSignal.timeout(10_000)); // starts the queued one too
    engine.resume([runningId]);
    await expectVerified(await waitFor(engine, runningId, settled), runningFile);
    await expectVerified(await waitFor(engine, queuedId, settled), doneFile);
    // The log is written back in the new version.
    await log.idle();
    expect((JSON.parse(await readFile(logFile, 'utf8')) as { version: number }).version).toBe(2);
    await removeDir(work);
  });
});
