// The IMS targets, run by the real engine, against the IMS emulator with the real Keystone, Glance
// and Swift behind it (the emulator's jobs read the object from Swift and write it into Glance, so
// `active` means the bytes arrived: Glance's own md5 of the image is compared with the file's).
// Each route end to end; each pre-flight refusal with nothing left behind; a FAIL job; pause with
// parts in flight; cancel; a job restarted from the log goes back to polling; an expired token.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UploadRequest, UploadSnapshot } from '../../../../shared/upload.ts';
import { openContext } from '../../core/context.ts';
import type { ImsContext } from '../../core/ims-context.ts';
import { resolveImsRoute } from '../../core/ims-context.ts';
import { inspectFile } from '../../inspect/index.ts';
import { uploadTag } from '../../huawei/ims.ts';
import type { ObjectStoreClient } from '../../objstore/client.ts';
import { chooseCloud } from '../../openstack/cloud-config.ts';
import type { GlanceClient } from '../../openstack/glance.ts';
import { ADMIN, glanceFor, randomFile, removeDir, tempDir } from '../../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../../testing/fault-proxy.ts';
import { SwiftTestStore, startTestEmulator, writeHuaweiClouds } from '../../testing/ims-cloud.ts';
import type { ImsEmulator } from '../../testing/ims-emulator/index.ts';
import { objstoreEnv, storeClient } from '../../testing/objstore.ts';
import { UploadEngine } from '../../upload/engine.ts';
import { JobLog } from '../../upload/job-log.ts';

const MiB = 1 << 20;
const RUN = `t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const OS = 'Ubuntu 18.04 server 64bit';

let emulator: ImsEmulator;
let dir: string;
let glance: GlanceClient;
const swift = new SwiftTestStore();
const live: { engine: UploadEngine; proxy?: FaultProxy }[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await tempDir('imagedrop-ims-target-');
  glance = await glanceFor(ADMIN);
});

afterEach(async () => {
  for (const { engine, proxy } of live.splice(0)) {
    await engine.dispose();
    await proxy?.close();
  }
});

afterAll(async () => {
  // Every image these tests made carries the run's name: none stays behind.
  const { images } = await glance.listImages(AbortSignal.timeout(30_000));
  for (const image of images.filter((i) => i.name?.includes(RUN))) {
    await glance.deleteImage(image.id, AbortSignal.timeout(30_000)).catch(() => {});
  }
  await emulator?.close();
  await removeDir(dir);
});

interface Harness {
  engine: UploadEngine;
  context: ImsContext;
  log: JobLog;
  obsProxy: FaultProxy;
}

/** An engine on the emulator's `cloud`; OBS calls go through a fault proxy in front of Swift. */
async function harness(cloud = 'hw', extra: Record<string, string> = {}, logFile?: string): Promise<Harness> {
  const env = objstoreEnv();
  const store = new URL(env.OBJSTORE_ENDPOINT);
  const obsProxy = await startFaultProxy({ host: store.hostname, port: Number(store.port) });
  const clouds = await writeHuaweiClouds(dir, emulator, { obsEndpoint: obsProxy.url, extra });
  const config = await chooseCloud({ cloud, env: { OS_CLIENT_CONFIG_FILE: clouds }, cwd: os.tmpdir() });
  const context = (await openContext(config, AbortSignal.timeout(60_000), {
    pollMs: 150,
    multipart: { partSize: 2 * MiB, retry: { baseDelayMs: 100, maxDelayMs: 400 } },
  })) as ImsContext;
  const log = new JobLog(logFile ?? path.join(dir, `jobs-${Date.now()}-${Math.random()}.json`));
  const engine = new UploadEngine({
    context: () => context,
    inspect: inspectFile,
    jobLog: log,
    retry: { baseDelayMs: 150, maxDelayMs: 1_000, maxRetries: 3 },
  });
  live.push({ engine, proxy: obsProxy });
  return { engine, context, log, obsProxy };
}

function request(file: string, extra: Partial<UploadRequest> = {}): UploadRequest {
  return {
    path: file,
    name: `imagedrop-${RUN}-${path.basename(file)}`,
    diskFormat: 'auto',
    containerFormat: 'bare',
    visibility: 'private',
    osVersion: OS,
    ...extra,
  };
}

async function waitFor(
  engine: UploadEngine,
  id: string,
  ok: (s: UploadSnapshot) => boolean,
  ms = 120_000,
): Promise<UploadSnapshot> {
  const end = Date.now() + ms;
  for (;;) {
    const s = engine.get(id)!;
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out; the job is ${s.phase}: ${s.error?.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const settled = (s: UploadSnapshot) => ['done', 'failed', 'cancelled'].includes(s.phase);

async function md5(file: string): Promise<string> {
  return createHash('md5')
    .update(await readFile(file))
    .digest('hex');
}

/** md5(part md5s)-n, as S3 and OBS compute a multipart object's ETag. */
async function compositeEtag(file: string, partSize: number): Promise<string> {
  const data = await readFile(file);
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += partSize) {
    parts.push(
      createHash('md5')
        .update(data.subarray(at, at + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
}

/** The image is active in the real Glance behind the emulator, and holds exactly the file. */
async function expectImageIsFile(imageId: string, file: string): Promise<void> {
  const image = await glance.getImage(imageId, AbortSignal.timeout(10_000));
  expect(image.status).toBe('active');
  expect(image.checksum).toBe(await md5(file));
}

function objstore(): ObjectStoreClient {
  return storeClient();
}

async function objectExists(bucket: string, key: string): Promise<boolean> {
  return (await objstore().headObject(bucket, key, AbortSignal.timeout(10_000))) !== null;
}

async function uploadsUnder(prefix: string): Promise<string[]> {
  const uploads = await objstore().listMultipartUploads('images', prefix, AbortSignal.timeout(10_000));
  return uploads.map((u) => u.uploadId);
}

const PART_PUT = /^PUT \/images\/[^ ]*\?partNumber=/;

describe('IMS register (seed 002): OBS multipart, metadata, PUT /v1/cloudimages/{id}/upload, the job', () => {
  it('uploads the parts, registers the object, follows the job to active, verifies by ETag, deletes the object', async () => {
    const { engine, obsProxy } = await harness();
    const file = await randomFile(dir, `${RUN}-register.raw`, 9 * MiB + 123);
    const phases: string[] = [];
    engine.onPhaseChange((s) => phases.push(s.phase));
    const [id] = engine.add([request(file, { route: 'register' })]);
    const s = await waitFor(engine, id!, settled);
    expect({ phase: s.phase, verified: s.verified, by: s.verifiedBy, error: s.error }).toEqual({
      phase: 'done',
      verified: true,
      by: 'etag',
      error: null,
    });
    expect(s.target).toBe('ims-register');
    expect(phases).toEqual(['checking', 'creating', 'uploading', 'verifying', 'done']);
    expect(s.steps.map((x) => [x.step, x.state])).toEqual(
      ['checked', 'uploading', 'created', 'registering', 'active', 'verified'].map((x) => [x, 'done']),
    );
    expect(s.steps.find((x) => x.step === 'registering')?.percent).toBe(100);
    // The object's ETag is the composite of the file's parts, as computed here.
    expect(s.object?.etag).toBe(await compositeEtag(file, 2 * MiB));
    expect(s.object?.parts).toEqual({ done: 5, total: 5 });
    expect(s.remoteJob).toMatchObject({ status: 'SUCCESS', percent: 100 });
    await expectImageIsFile(s.imageId!, file);
    // Registered into the record this app created, found again by its tag.
    expect(emulator.job(s.remoteJob!.id)?.kind).toBe('register');
    expect((await glance.getImage(s.imageId!, AbortSignal.timeout(10_000))).tags).toContain(uploadTag(id!));
    // Every part went once, with Content-MD5; the object is gone after success.
    const parts = obsProxy.heads.filter((h) => PART_PUT.test(h));
    expect(parts).toHaveLength(5);
    expect(parts.every((h) => /\ncontent-md5: /i.test(h))).toBe(true);
    expect(await objectExists(s.object!.bucket, s.object!.key)).toBe(false);
  });

  it('keeps the object when asked (--keep-object)', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, `${RUN}-keep.raw`, 3 * MiB);
    const [id] = engine.add([request(file, { route: 'register', keepObject: true })]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true });
    expect(await objectExists(s.object!.bucket, s.object!.key)).toBe(true);
    await swift.delete(s.object!.bucket, s.object!.key);
  });

  it('with an access key only (AK/SK-signed IMS calls), the same', async () => {
    const { engine } = await harness('hw-aksk');
    const file = await randomFile(dir, `${RUN}-aksk.raw`, 3 * MiB);
    const [id] = engine.add([request(file, { route: 'register' })]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'etag' });
    await expectImageIsFile(s.imageId!, file);
    expect(emulator.requests.some((r) => r.path.startsWith('/v1/cloudimages/') && r.auth === 'access-key')).toBe(true);
  });
});

describe('IMS create: POST /v2/cloudimages/action, a new image from the job', () => {
  it('makes a new image (named in the job), tagged with the upload, active and holding the file', async () => {
    const { engine } = await harness();
    const file = path.join(dir, `${RUN}-create.qcow2`);
    const { execFileSync } = await import('node:child_process');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M']);
    const [id] = engine.add([request(file, { route: 'create', minDisk: 40 })]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'etag', target: 'ims-create' });
    expect(s.steps.map((x) => x.step)).toEqual(['checked', 'uploading', 'registering', 'active', 'verified']);
    expect(emulator.job(s.remoteJob!.id)?.kind).toBe('create');
    await expectImageIsFile(s.imageId!, file);
    expect((await glance.getImage(s.imageId!, AbortSignal.timeout(10_000))).min_disk).toBe(40);
  });

  it("'auto' picks register when the cloud has a bucket, create for a format IMS's metadata does not take, native without OBS", async () => {
    const { context } = await harness();
    const raw = await randomFile(dir, `${RUN}-auto.raw`, MiB);
    const vmdk = path.join(dir, `${RUN}-auto.vmdk`);
    const { execFileSync } = await import('node:child_process');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '16M']);
    const detect = async (p: string) => (await inspectFile(p)).diskFormat;
    expect(await resolveImsRoute(context, request(raw), detect)).toBe('register');
    expect(await resolveImsRoute(context, request(vmdk), detect)).toBe('create');
    const noObs = { ...context, objstore: null };
    expect(await resolveImsRoute(noObs, request(raw), detect)).toBe('native');
  });
});

describe('IMS native (seeds 000/001): metadata, then one PUT of the file with a token', () => {
  it('ends active with the file in Glance, and says plainly that IMS cannot verify it', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, `${RUN}-native.raw`, 3 * MiB);
    const [id] = engine.add([request(file, { route: 'native' })]);
    const s = await waitFor(engine, id!, settled);
    expect({ phase: s.phase, verified: s.verified, code: s.error?.code }).toEqual({
      phase: 'done',
      verified: false,
      code: 'upload/unverified',
    });
    expect(s.error?.message).toMatch(/IMS reports no checksum .* cannot verify it/);
    expect(s.steps.at(-1)).toMatchObject({ step: 'verified', state: 'skipped' });
    await expectImageIsFile(s.imageId!, file);
  });

  it('refuses a file at the native limit before any record, and an access-key-only cloud (no token)', async () => {
    const { engine } = await harness('hw', { ims_native_upload_limit: '2MiB' });
    const file = await randomFile(dir, `${RUN}-native-big.raw`, 2 * MiB);
    const [big] = engine.add([request(file, { route: 'native' })]);
    const s = await waitFor(engine, big!, settled);
    expect(s).toMatchObject({ phase: 'failed', imageId: null, error: { code: 'ims/file-too-large' } });
    expect(s.error?.message).toMatch(/smaller than .*upload it through an OBS bucket/);
    const aksk = await harness('hw-aksk');
    const small = await randomFile(dir, `${RUN}-native-aksk.raw`, MiB);
    const [id] = aksk.engine.add([request(small, { route: 'native' })]);
    const t = await waitFor(aksk.engine, id!, settled);
    expect(t).toMatchObject({ phase: 'failed', imageId: null, error: { code: 'ims/needs-token' } });
  });
});

describe('IMS: before a byte is sent', () => {
  it.each([
    ['no OS version', { osVersion: undefined }, 'ims/invalid-os-version', /OS version/],
    [
      'an OS version IMS does not list',
      { osVersion: 'Plan 9' },
      'ims/invalid-os-version',
      /does not know the OS version 'Plan 9'/,
    ],
    ['a minimum disk smaller than the virtual size', { minDisk: 1 }, 'ims/invalid-min-disk', /at least 2 GB, not 1/],
    ['a bucket that does not exist', { bucket: `nope-${RUN}` }, 'objstore/no-such-bucket', /does not exist/],
    ['an object key with a space', { objectKey: `imagedrop/${RUN}/my disk.raw` }, 'ims/object-key-invalid', /space/],
  ] as const)('%s: one sentence, nothing created', async (_what, extra, code, message) => {
    const { engine, obsProxy } = await harness();
    // A raw file with a 1.5 GiB virtual size (sparse), so the minimum disk check has something to say.
    const file = path.join(dir, `${RUN}-pre-${code.replace(/\W/g, '-')}.raw`);
    await writeFile(file, Buffer.alloc(0));
    const { truncate } = await import('node:fs/promises');
    await truncate(file, 1.5 * 1024 * MiB);
    const r = { ...request(file, { route: 'register' }), ...extra } as UploadRequest;
    if (r.osVersion === undefined) delete (r as { osVersion?: string }).osVersion;
    const [id] = engine.add([r]);
    const s = await waitFor(engine, id!, settled);
    expect({ phase: s.phase, code: s.error?.code }).toEqual({ phase: 'failed', code });
    expect(s.error?.message).toMatch(message);
    expect(s.imageId).toBeNull();
    expect(obsProxy.requests.filter((q) => /uploads|partNumber/.test(q))).toEqual([]);
    expect(await uploadsUnder(`imagedrop/${id}`)).toEqual([]);
  });
});

describe('IMS: jobs that fail, pauses, cancels, restarts', () => {
  it('a FAIL job: one sentence from its error code, the record deleted, the object kept; Retry registers again without re-uploading', async () => {
    const { engine, obsProxy } = await harness();
    const file = await randomFile(dir, `${RUN}-fail.raw`, 3 * MiB);
    emulator.setFaults({ failJobs: [{ code: 'IMG.1075', reason: 'The image file is damaged.' }] });
    const [id] = engine.add([request(file, { route: 'register' })]);
    const failed = await waitFor(engine, id!, settled);
    expect({ phase: failed.phase, code: failed.error?.code }).toEqual({ phase: 'failed', code: 'ims/job-failed' });
    expect(failed.error?.message).toMatch(/IMG\.1075/);
    expect(failed.error?.message).toMatch(/damaged/);
    // The record this app created is gone; the object waits for Retry.
    await expect(glance.getImage(failed.imageId!, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: 'glance/not-found',
    });
    expect(await objectExists(failed.object!.bucket, failed.object!.key)).toBe(true);
    const partsBefore = obsProxy.requests.filter((q) => PART_PUT.test(q)).length;
    engine.retry([id!]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'etag', attempt: 1 });
    expect(obsProxy.requests.filter((q) => PART_PUT.test(q)).length).toBe(partsBefore); // no part sent again
    expect(s.imageId).not.toBe(failed.imageId);
    await expectImageIsFile(s.imageId!, file);
  });

  it('pause stops the parts in flight (nothing on the wire while paused); resume sends only what the store lacks', async () => {
    const { engine, obsProxy } = await harness();
    const file = await randomFile(dir, `${RUN}-pause.raw`, 24 * MiB);
    // Slow the parts down so the pause lands with some stored and some in flight.
    obsProxy.inject({ match: PART_PUT, fault: { kind: 'stall', afterBytes: MiB, ms: 400 }, times: 100 });
    const [id] = engine.add([request(file, { route: 'register' })]);
    await waitFor(engine, id!, (s) => s.bytesSent >= 6 * MiB);
    engine.pause([id!]);
    const paused = await waitFor(engine, id!, (s) => s.phase === 'paused');
    expect(paused.resume.kind).toBe('continue');
    await new Promise((r) => setTimeout(r, 800));
    const quiet = obsProxy.requests.length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(obsProxy.requests.length).toBe(quiet); // no traffic after a pause
    const partsBefore = obsProxy.requests.filter((q) => PART_PUT.test(q)).map((q) => /partNumber=(\d+)/.exec(q)![1]);
    engine.resume([id!]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'etag' });
    await expectImageIsFile(s.imageId!, file);
    const all = obsProxy.requests.filter((q) => PART_PUT.test(q)).map((q) => /partNumber=(\d+)/.exec(q)![1]);
    const resent = all.slice(partsBefore.length).filter((n) => partsBefore.includes(n));
    // Only parts that were in flight at the pause (at most the window of 4) go twice.
    expect(new Set(resent).size).toBeLessThanOrEqual(4);
    expect(new Set(all).size).toBe(12);
  });

  it('cancel during the object upload aborts the multipart upload: nothing left in the bucket or IMS', async () => {
    const { engine, obsProxy } = await harness();
    const file = await randomFile(dir, `${RUN}-cancel.raw`, 16 * MiB);
    obsProxy.inject({ match: PART_PUT, fault: { kind: 'stall', afterBytes: MiB, ms: 500 }, times: 100 });
    const [id] = engine.add([request(file, { route: 'register' })]);
    await waitFor(engine, id!, (s) => s.bytesSent >= 2 * MiB);
    await engine.cancel([id!]);
    const s = engine.get(id!)!;
    expect({ phase: s.phase, error: s.error, leftover: s.leftover }).toEqual({
      phase: 'cancelled',
      error: null,
      leftover: null,
    });
    expect(await uploadsUnder(`imagedrop/${id}`)).toEqual([]);
    const { images } = await glance.listImages(AbortSignal.timeout(10_000));
    expect(images.filter((i) => i.tags.includes(uploadTag(id!)))).toEqual([]);
  });

  it('a restart while the job runs goes back to polling that job: no part and no register call is sent again', async () => {
    const logFile = path.join(dir, `${RUN}-restart-log.json`);
    const first = await harness('hw', {}, logFile);
    const file = await randomFile(dir, `${RUN}-restart.raw`, 5 * MiB);
    emulator.setFaults({ jobHoldMs: 2_000 });
    const [id] = first.engine.add([request(file, { route: 'register' })]);
    await waitFor(first.engine, id!, (s) => s.remoteJob !== null && s.remoteJob.status !== 'SUCCESS');
    await first.engine.dispose(); // as if the app had stopped while IMS ran the job
    emulator.setFaults({ jobHoldMs: 0 });
    const registersBefore = emulator.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/upload')).length;
    const second = await harness('hw', {}, logFile);
    await second.engine.restore();
    expect(second.engine.get(id!)).toMatchObject({ phase: 'interrupted' });
    await second.engine.refreshInterrupted(AbortSignal.timeout(10_000));
    expect(second.engine.get(id!)!.resume).toEqual({ kind: 'verify' });
    second.engine.resume([id!]);
    const s = await waitFor(second.engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true, verifiedBy: 'etag' });
    expect(emulator.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/upload')).length).toBe(
      registersBefore,
    );
    expect(second.obsProxy.requests.filter((q) => PART_PUT.test(q))).toEqual([]);
    await expectImageIsFile(s.imageId!, file);
  });

  it('tokens IAM invalidates while a job runs: the session signs in again, the job ends active', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, `${RUN}-token.raw`, 3 * MiB);
    emulator.setFaults({ jobHoldMs: 1_500 });
    const [id] = engine.add([request(file, { route: 'register' })]);
    await waitFor(engine, id!, (s) => s.remoteJob !== null);
    emulator.expireTokensNow();
    emulator.setFaults({ jobHoldMs: 0 });
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true });
    expect(emulator.requests.some((r) => r.status === 401)).toBe(true);
  });
});
