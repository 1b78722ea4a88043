// getUsage and the quota refusal of startUploads, against the real test Glance (Zed, legacy
// user_storage_quota: /v2/info/usage answers an empty usage, so the project's images are added up)
// and the IMS emulator (private images against their count quota). The refusal is proved at the
// wire: a fault proxy in front of Glance sees no create and no byte of image data.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { INVOKE_CHANNELS } from '../../../shared/ipc.ts';
import type { UsageReport } from '../../../shared/quota.ts';
import type { Result } from '../../../shared/result.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import type { UploadId } from '../../../shared/upload.ts';
import { parseQuota } from '../openstack/cloud-config.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  GLANCE,
  TESTCLOUD_DIR,
  deleteImages,
  glanceFor,
  randomFile,
  removeDir,
  sparseFile,
  tempDir,
  writeProxiedClouds,
} from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { startTestEmulator, writeHuaweiClouds } from '../testing/ims-cloud.ts';
import type { ImsEmulator } from '../testing/ims-emulator/index.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './remembered-connections.ts';
import { ImagedropCore } from './service.ts';

const MiB = 1024 ** 2;
let dir: string;
let admin: GlanceClient;
let proxy: FaultProxy;
let quotaText: string;
let quota: number;
const cores: ImagedropCore[] = [];

async function coreWith(cloudsFile: string): Promise<ImagedropCore> {
  const core = new ImagedropCore({
    dataDir: path.join(dir, `data-${cores.length}`),
    env: { OS_CLIENT_CONFIG_FILE: cloudsFile },
    cwd: dir,
    secrets: new MemorySecretStore(),
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
  });
  await core.init();
  cores.push(core);
  return core;
}

function caller(core: ImagedropCore) {
  return async <T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) =>
    (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

/** The project's images added up as Glance counts them (size x copies, not killed), read by a plain client. */
async function glanceCount(): Promise<number> {
  const { images } = await admin.listImages(AbortSignal.timeout(30_000), { owner: admin.session.projectId });
  let used = 0;
  for (const i of images) {
    if (i.status === 'killed' || i.status === 'deleted' || !i.size) continue;
    used += i.size * Math.max(1, i.stores ? i.stores.split(',').filter((s) => s.trim()).length : 1);
  }
  return used;
}

/** clouds.yaml with the admin cloud's image API through `imageEndpoint` and `extra` keys on it. */
async function cloudsWith(name: string, imageEndpoint: string | null, extra: Record<string, string>): Promise<string> {
  const sub = path.join(dir, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(sub, { recursive: true }));
  const base = await writeProxiedClouds(sub, imageEndpoint ?? `http://${GLANCE.host}:${GLANCE.port}`);
  const doc = parse(await readFile(base, 'utf8')) as { clouds: Record<string, Record<string, unknown>> };
  for (const cloud of Object.values(doc.clouds)) {
    if (imageEndpoint === null) delete cloud.image_endpoint_override;
    Object.assign(cloud, extra);
  }
  await writeFile(base, stringify(doc));
  return base;
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-usage-');
  admin = await glanceFor(ADMIN);
  proxy = await startFaultProxy(GLANCE);
  // The quota this Glance enforces, as its config file says it.
  const conf = await readFile(path.join(TESTCLOUD_DIR, 'glance-api.conf'), 'utf8');
  quotaText = /^user_storage_quota\s*=\s*(\S+)/m.exec(conf)![1]!;
  quota = parseQuota(quotaText)!;
});

afterAll(async () => {
  for (const core of cores) await core.dispose();
  await proxy.close();
  await removeDir(dir);
});

describe('getUsage against the real Glance', () => {
  it('adds up the project’s images as Glance counts them, against the configured image_storage_quota', async () => {
    const call = caller(await coreWith(await cloudsWith('configured', null, { image_storage_quota: quotaText })));
    expect((await call<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN })).ok).toBe(true);
    // Other suites share the project: read until the count holds still around the call.
    let report: UsageReport | null = null;
    for (let attempt = 0; attempt < 5 && report === null; attempt++) {
      const before = await glanceCount();
      const r = await call<UsageReport>('getUsage');
      if (!r.ok) throw new Error(r.error.message);
      if ((await glanceCount()) === before && r.value.usedBytes === before) report = r.value;
    }
    expect(report).not.toBeNull();
    expect(report).toMatchObject({
      service: 'glance',
      source: 'image-sum', // this Glance answers /v2/info/usage with {"usage": {}}
      limitBytes: quota,
      limitFrom: 'configured',
      pendingBytes: 0,
      images: null,
    });
  });

  it('says no quota is known when the cloud configures none', async () => {
    const call = caller(await coreWith(await cloudsWith('plain', null, {})));
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const r = await call<UsageReport>('getUsage');
    expect(r.ok && r.value).toMatchObject({ service: 'glance', limitBytes: null, limitFrom: null });
    expect(r.ok && r.value.usedBytes).toBeGreaterThanOrEqual(0);
  });

  it('answers "connect first" without a session', async () => {
    const call = caller(await coreWith(await cloudsWith('none', null, {})));
    const r = await call<UsageReport>('getUsage');
    expect(!r.ok && r.error.code).toBe('auth/not-connected');
  });
});

describe('startUploads refuses what cannot fit, before a byte is sent', () => {
  it('refuses a file larger than what is left, with the numbers and what to do; Glance sees nothing', async () => {
    const core = await coreWith(await cloudsWith('proxied', proxy.url, { image_storage_quota: quotaText }));
    const call = caller(core);
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    // Larger than the whole quota: it cannot fit whatever the other suites hold meanwhile.
    const big = await sparseFile(dir, 'too-big.raw', quota + MiB);
    core.grantPaths([big]);
    const seen = proxy.requests.length;
    const r = await call<UploadId[]>('startUploads', [
      { path: big, name: 'usage-too-big', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('glance/quota-exceeded');
    expect(r.error.retryable).toBe(false);
    expect(r.error.message).toMatch(
      /^This upload needs 4\.00 GiB, but the project has [\d.]+ \w+ left of its 4\.00 GiB image quota \([\d.]+ \w+ used, counted by adding up the project's images\): delete images it no longer needs, or ask the cloud's administrator for a larger quota\.$/,
    );
    // Nothing queued, no record created, no byte of data sent.
    expect(core.engine.list()).toEqual([]);
    const after = proxy.requests.slice(seen);
    expect(after.filter((l) => /^POST \/v2\/images/.test(l) || /^PUT /.test(l))).toEqual([]);
    const { images } = await admin.listImages(AbortSignal.timeout(30_000), { owner: admin.session.projectId });
    expect(images.filter((i) => i.name === 'usage-too-big')).toEqual([]);
  });

  it('counts the copies of an import to every store: twice the file where each copy alone would fit', async () => {
    const core = await coreWith(await cloudsWith('copies', proxy.url, { image_storage_quota: quotaText }));
    const call = caller(core);
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    // Just over half the quota: one copy could fit an empty project, two copies never can.
    const half = await sparseFile(dir, 'half.raw', Math.floor(quota / 2) + MiB);
    core.grantPaths([half]);
    const request = {
      path: half,
      name: 'usage-two-copies',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      import: { stores: 'all', allowFailure: false },
    };
    const r = await call<UploadId[]>('startUploads', [request]);
    expect(!r.ok && r.error.code).toBe('glance/quota-exceeded');
    expect(!r.ok && r.error.message).toMatch(/^This upload needs 4\.00 GiB/);
    expect(core.engine.list()).toEqual([]);
  });

  it('accepts what fits, and counts it as pending until Glance does', async () => {
    const core = await coreWith(await cloudsWith('fits', proxy.url, { image_storage_quota: quotaText }));
    const call = caller(core);
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const small = await randomFile(dir, 'small.raw', MiB);
    core.grantPaths([small]);
    // The data is held at the proxy, so the job stays under way while the usage is read.
    proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 0 } });
    const r = await call<UploadId[]>('startUploads', [
      { path: small, name: 'usage-small', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    await proxy.reached();
    expect(core.engine.list()[0]?.phase).toBe('uploading');
    const during = await call<UsageReport>('getUsage');
    expect(during.ok && during.value.pendingBytes).toBe(MiB);
    proxy.release();
    await expect.poll(() => core.engine.list()[0]?.phase, { timeout: 60_000, interval: 200 }).toBe('done');
    const after = await call<UsageReport>('getUsage');
    expect(after.ok && after.value.pendingBytes).toBe(0);
    await deleteImages(admin, [core.engine.list()[0]!.imageId!]);
  });
});

describe('the check before an upload, on a cloud with no quota anywhere', () => {
  it('does not list the project’s images (there is nothing to weigh them against)', async () => {
    const core = await coreWith(await cloudsWith('noquota', proxy.url, {}));
    const call = caller(core);
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const file = await randomFile(dir, 'noquota.raw', MiB);
    core.grantPaths([file]);
    const seen = proxy.requests.length;
    const r = await call<UploadId[]>('startUploads', [
      { path: file, name: 'usage-noquota', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    ]);
    expect(r.ok).toBe(true);
    await expect.poll(() => core.engine.list()[0]?.phase, { timeout: 60_000, interval: 200 }).toBe('done');
    const during = proxy.requests.slice(seen);
    expect(during.some((l) => l.startsWith('GET /v2/info/usage'))).toBe(true);
    expect(during.filter((l) => /^GET \/v2\/images\?/.test(l))).toEqual([]);
    await deleteImages(admin, [core.engine.list()[0]!.imageId!]);
  });
});

describe('two uploads asked for at once (a double submit, two serve windows)', () => {
  it('are checked one after the other: only one of two that each fit, but not together, is queued', async () => {
    const core = await coreWith(await cloudsWith('twice', proxy.url, { image_storage_quota: quotaText }));
    const call = caller(core);
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const usage = await call<UsageReport>('getUsage');
    if (!usage.ok) throw new Error(usage.error.message);
    const left = usage.value.limitBytes! - usage.value.usedBytes - usage.value.pendingBytes;
    // Each fits what is left alone (with a margin for what other suites add meanwhile), both do not.
    const size = Math.floor(left / 2) + 64 * MiB;
    expect(size).toBeLessThan(left - 64 * MiB);
    const [a, b] = await Promise.all([sparseFile(dir, 'twice-a.raw', size), sparseFile(dir, 'twice-b.raw', size)]);
    core.grantPaths([a, b]);
    proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 0 } });
    const request = (file: string, name: string) => ({
      path: file,
      name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    });
    const results = await Promise.all([
      call<UploadId[]>('startUploads', [request(a, 'usage-twice-a')]),
      call<UploadId[]>('startUploads', [request(b, 'usage-twice-b')]),
    ]);
    try {
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const refused = results.find((r) => !r.ok);
      expect(refused && !refused.ok && refused.error.code).toBe('glance/quota-exceeded');
      expect(core.engine.list()).toHaveLength(1);
    } finally {
      await call('cancelUploads', 'all');
      proxy.release();
      await expect
        .poll(() => core.engine.list().every((j) => j.phase === 'cancelled'), { timeout: 60_000, interval: 200 })
        .toBe(true);
    }
  });
});

describe('IMS: usage and the private image quota (emulator over the real Glance)', () => {
  let emulator: ImsEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('reports the private images’ sizes and count, says no storage quota, and refuses past the count', async () => {
    const sub = path.join(dir, 'ims');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub, { recursive: true }));
    const core = await coreWith(await writeHuaweiClouds(sub, emulator));
    const call = caller(core);
    const session = await call<SessionInfo>('connect', { kind: 'cloud', cloud: 'hw' });
    expect(session.ok && session.value.imageService.kind).toBe('ims');
    const r = await call<UsageReport>('getUsage');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ service: 'ims', source: 'image-sum', limitBytes: null, limitFrom: null });
    expect(r.value.images).toMatchObject({ limit: emulator.limits.imageQuota, pending: 0 });
    expect(r.value.images!.used).toBeGreaterThanOrEqual(0);

    // No room for one more private image: refused before the object upload starts.
    emulator.limits.imageQuota = r.value.images!.used;
    const file = await randomFile(sub, 'disk.raw', MiB);
    core.grantPaths([file]);
    const refused = await call<UploadId[]>('startUploads', [
      {
        path: file,
        name: 'usage-ims',
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
        osVersion: 'Ubuntu 18.04 server 64bit',
      },
    ]);
    expect(!refused.ok && refused.error.code).toBe('ims/quota-exceeded');
    expect(!refused.ok && refused.error.message).toMatch(
      /^This upload makes 1 private image, but the project has room for 0 more \(\d+ of \d+ used; IMS refuses more with IMG\.0015\): delete private images it no longer needs, or ask for a larger image quota\.$/,
    );
    expect(core.engine.list()).toEqual([]);
  });
});
