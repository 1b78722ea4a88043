// Switching clouds without disconnecting (the header's switcher), against the real test cloud:
// an upload running on the old cloud goes on to `active` there, verified; a job queued for the old
// cloud waits for it and never runs on the new one; and when connects overlap, the one chosen last
// is the session, whichever cloud answers first.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  DEMO,
  GLANCE,
  deleteImages,
  glanceFor,
  randomFile,
  removeDir,
  tempDir,
  writeProxiedClouds,
} from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './profiles.ts';
import { ImagedropCore } from './service.ts';

let dir: string;
let proxy: FaultProxy;
let core: ImagedropCore;
let admin: GlanceClient;
let demo: GlanceClient;
const created = new Set<string>();

async function call<T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]): Promise<Result<T>> {
  return (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

function job(id: string): UploadSnapshot {
  const s = core.engine.list().find((j) => j.id === id);
  if (!s) throw new Error(`no job ${id}`);
  return s;
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-switch-');
  proxy = await startFaultProxy(GLANCE);
  const cloudsDir = path.join(dir, 'clouds');
  await mkdir(cloudsDir);
  const clouds = await writeProxiedClouds(cloudsDir, proxy.url);
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: clouds },
    cwd: dir,
    secrets: new MemorySecretStore(),
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
    engine: { concurrency: 1 },
  });
  await core.init();
  admin = await glanceFor(ADMIN);
  demo = await glanceFor(DEMO);
});

afterAll(async () => {
  proxy?.release();
  for (const s of core?.engine.list() ?? []) if (s.imageId) created.add(s.imageId);
  await core?.dispose();
  await proxy?.close();
  await deleteImages(admin, created);
  await removeDir(dir);
});

describe('switching clouds while uploads run', () => {
  it('the running upload finishes on its own cloud, verified; the queued one waits for its cloud', async () => {
    expect((await call('connect', { kind: 'cloud', cloud: ADMIN })).ok).toBe(true);
    const adminProject = core.context!.session.projectId;
    proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 1 << 20 } });
    const [running, waiting] = await Promise.all([
      randomFile(dir, 'switch-running.raw', 4 << 20),
      randomFile(dir, 'switch-waiting.raw', 1 << 20),
    ]);
    core.grantPaths([running, waiting]);
    const request = (p: string, name: string) => ({
      path: p,
      name,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    });
    const started = await call<string[]>('startUploads', [
      request(running, 'switch-running'),
      request(waiting, 'switch-waiting'),
    ]);
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const [runningId, waitingId] = started.value as [string, string];
    await proxy.reached();
    expect(job(runningId).phase).toBe('uploading');

    const switched = await call<SessionInfo>('connect', { kind: 'cloud', cloud: DEMO });
    expect(switched.ok).toBe(true);
    if (!switched.ok) return;
    expect(switched.value.cloud).toBe(DEMO);
    expect(core.context?.session.details.user?.name).toBe('demo');

    // The old cloud's upload keeps its connection and its cloud.
    proxy.release();
    await expect.poll(() => job(runningId).phase, { timeout: 60_000 }).toBe('done');
    const snapshot = job(runningId);
    expect(snapshot.verified).toBe(true);
    const image = await admin.getImage(snapshot.imageId!, AbortSignal.timeout(30_000));
    expect(image).toMatchObject({ status: 'active', owner: adminProject });

    // The job queued for the old cloud did not start on the new one.
    await core.engine.whenSettled();
    expect(job(waitingId).phase).toBe('queued');
    expect(job(waitingId).imageId).toBeNull();
    const demoImages = await demo.listImages(AbortSignal.timeout(30_000), { owner: core.context!.session.projectId });
    expect(demoImages.images.some((i) => i.name === 'switch-waiting')).toBe(false);

    // Back on its cloud, it runs there.
    expect((await call('connect', { kind: 'cloud', cloud: ADMIN })).ok).toBe(true);
    await expect.poll(() => job(waitingId).phase, { timeout: 60_000 }).toBe('done');
    const waited = await admin.getImage(job(waitingId).imageId!, AbortSignal.timeout(30_000));
    expect(waited.owner).toBe(adminProject);
  });

  it('overlapping connects: the one chosen last is the session, the earlier one says it was overtaken', async () => {
    const first = call<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN });
    const second = call<SessionInfo>('connect', { kind: 'cloud', cloud: DEMO });
    const [a, b] = await Promise.all([first, second]);
    expect(b.ok).toBe(true);
    expect(a).toMatchObject({ ok: false, error: { code: 'auth/superseded' } });
    expect(core.context?.name).toBe(DEMO);
    expect((await call<SessionInfo | null>('getSession')).ok && core.context?.session.details.user?.name).toBe('demo');
  });

  it('a disconnect overtakes a connect still on its way', async () => {
    const pending = call<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN });
    expect((await call('disconnect')).ok).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'auth/superseded' } });
    expect(core.context).toBeNull();
  });
});
