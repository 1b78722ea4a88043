// Glance's interoperable import against the real test Glance, which has two file stores (fast,
// slow) and the import methods enabled: stage, then glance-direct into one store, into both, into
// all with one store failing (its folder made immutable), with and without allow-failure; a cut
// during staging; and copy-image of an active image to the second store. Each ends with Glance's own
// sha512 equal to the file's, computed here.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMAGEDROP_PROPERTY } from '../../../../shared/glance.ts';
import { resumeText } from '../../../../shared/format.ts';
import type { UploadRequest, UploadSnapshot } from '../../../../shared/upload.ts';
import { buildContext, type GlanceContext } from '../../core/context.ts';
import { copyImageToStores } from '../../core/image-copy.ts';
import { inspectFile } from '../../inspect/index.ts';
import type { GlanceClient } from '../../openstack/glance.ts';
import {
  ADMIN,
  GLANCE,
  TESTCLOUD_DIR,
  deleteImages,
  glanceFor,
  openSession,
  randomFile,
  removeDir,
  tempDir,
} from '../../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../../testing/fault-proxy.ts';
import { UploadEngine } from '../../upload/engine.ts';
import { JobLog } from '../../upload/job-log.ts';

const run = promisify(execFile);
const MiB = 1 << 20;
const STAGE = /^PUT \/v2\/images\/[^/]+\/stage/;

let dir: string;
let direct: GlanceClient;
const cleanup = new Set<string>();
const live: { engine: UploadEngine; proxy: FaultProxy }[] = [];

beforeAll(async () => {
  dir = await tempDir('imagedrop-import-');
  direct = await glanceFor(ADMIN);
});

afterEach(async () => {
  for (const { engine, proxy } of live.splice(0)) {
    await engine.dispose();
    await proxy.close();
  }
});

afterAll(async () => {
  await deleteImages(direct, cleanup);
  await removeDir(dir);
});

async function harness(): Promise<{ engine: UploadEngine; proxy: FaultProxy; context: GlanceContext }> {
  const proxy = await startFaultProxy(GLANCE);
  const session = await openSession(ADMIN, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
  const context = await buildContext(session, AbortSignal.timeout(30_000), {
    glance: { verify: { pollStartMs: 100 } },
  });
  const engine = new UploadEngine({
    context: () => context,
    inspect: inspectFile,
    jobLog: new JobLog(path.join(dir, `jobs-${Date.now()}-${Math.random()}.json`)),
    retry: { baseDelayMs: 150, maxDelayMs: 1_000, maxRetries: 3 },
  });
  engine.onPhaseChange((s) => {
    if (s.imageId) cleanup.add(s.imageId);
  });
  live.push({ engine, proxy });
  return { engine, proxy, context };
}

function request(file: string, imp: UploadRequest['import']): UploadRequest {
  return {
    path: file,
    name: `imagedrop-import-${path.basename(file)}`,
    diskFormat: 'auto',
    containerFormat: 'bare',
    visibility: 'private',
    ...(imp ? { import: imp } : {}),
  };
}

async function waitFor(engine: UploadEngine, id: string, ok: (s: UploadSnapshot) => boolean): Promise<UploadSnapshot> {
  const end = Date.now() + 120_000;
  for (;;) {
    const s = engine.get(id)!;
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out; the job is ${s.phase}: ${s.error?.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const settled = (s: UploadSnapshot) => ['done', 'failed', 'cancelled'].includes(s.phase);

async function sha512(file: string): Promise<string> {
  return createHash('sha512')
    .update(await readFile(file))
    .digest('hex');
}

/** Active, in exactly these stores, with Glance's sha512 equal to the file's. */
async function expectImported(s: UploadSnapshot, file: string, stores: string[]): Promise<void> {
  expect({ phase: s.phase, verified: s.verified, verifiedBy: s.verifiedBy }).toEqual({
    phase: 'done',
    verified: true,
    verifiedBy: 'sha512',
  });
  const image = await direct.getImage(s.imageId!, AbortSignal.timeout(10_000));
  expect(image.status).toBe('active');
  expect((image.stores ?? '').split(',').sort()).toEqual([...stores].sort());
  expect(image.os_hash_value).toBe(await sha512(file));
  expect(image[IMAGEDROP_PROPERTY]).toBe(s.id);
}

describe('Glance import: stage, then glance-direct', () => {
  it('into one store: staged, imported, active there, verified; the steps say so', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'one-store.raw', 6 * MiB);
    const [id] = engine.add([request(file, { stores: ['slow'], allowFailure: false })]);
    const s = await waitFor(engine, id!, settled);
    await expectImported(s, file, ['slow']);
    expect(s.target).toBe('glance-import');
    expect(s.steps.map((x) => [x.step, x.state])).toEqual(
      ['checked', 'created', 'uploading', 'staged', 'importing', 'active', 'verified'].map((x) => [x, 'done']),
    );
    expect(s.stores).toEqual([{ store: 'slow', state: 'done' }]);
    expect(proxy.requests.filter((r) => STAGE.test(r))).toHaveLength(1);
    expect(proxy.requests.filter((r) => /\/file /.test(r) && r.startsWith('PUT'))).toEqual([]);
  });

  it('into both stores', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, 'both-stores.raw', 4 * MiB);
    const [id] = engine.add([request(file, { stores: ['fast', 'slow'], allowFailure: false })]);
    const s = await waitFor(engine, id!, settled);
    await expectImported(s, file, ['fast', 'slow']);
    expect(s.stores).toEqual([
      { store: 'fast', state: 'done' },
      { store: 'slow', state: 'done' },
    ]);
  });

  it('into all stores (--all-stores): active in both, verified', async () => {
    const { engine } = await harness();
    const file = await randomFile(dir, 'all-stores.raw', 4 * MiB);
    const [id] = engine.add([request(file, { stores: 'all', allowFailure: false })]);
    await expectImported(await waitFor(engine, id!, settled), file, ['fast', 'slow']);
  });

  describe('with one store failing (its folder immutable: not even root can write there)', () => {
    const slow = path.join(TESTCLOUD_DIR, 'images', 'slow');
    beforeAll(() => run('chattr', ['+i', slow]));
    afterAll(() => run('chattr', ['-i', slow]));

    it('all stores must succeed: the job fails with the store named, and its record is deleted', async () => {
      const { engine } = await harness();
      const file = await randomFile(dir, 'all-fail.raw', 3 * MiB);
      const [id] = engine.add([request(file, { stores: 'all', allowFailure: false })]);
      const s = await waitFor(engine, id!, settled);
      expect({ phase: s.phase, code: s.error?.code }).toEqual({ phase: 'failed', code: 'glance/import-failed' });
      expect(s.error?.message).toMatch(/into store slow .*--allow-failure/);
      await expect(direct.getImage(s.imageId!, AbortSignal.timeout(10_000))).rejects.toMatchObject({
        code: 'glance/not-found',
      });
    });

    it('with --allow-failure: active where it landed, verified, the failed store named', async () => {
      const { engine } = await harness();
      const file = await randomFile(dir, 'all-allow.raw', 3 * MiB);
      const [id] = engine.add([request(file, { stores: 'all', allowFailure: true })]);
      const s = await waitFor(engine, id!, settled);
      await expectImported(s, file, ['fast']);
      expect(s.stores).toEqual([
        { store: 'fast', state: 'done' },
        { store: 'slow', state: 'failed' },
      ]);
    });
  });

  it('a cut during staging: interrupted, staged again from 0 (and says so), then imported and verified', async () => {
    const { engine, proxy } = await harness();
    const file = await randomFile(dir, 'stage-cut.raw', 8 * MiB);
    proxy.inject({ match: STAGE, fault: { kind: 'cut', afterBytes: 3 * MiB } });
    const seen: UploadSnapshot[] = [];
    engine.onPhaseChange((s) => seen.push(s));
    const [id] = engine.add([request(file, { stores: ['fast'], allowFailure: false })]);
    const s = await waitFor(engine, id!, settled);
    await expectImported(s, file, ['fast']);
    const interrupted = seen.find((x) => x.phase === 'interrupted');
    expect(interrupted?.error?.code).toBe('network/reset');
    expect(resumeText(interrupted!.resume)).toMatch(/starts again from 0|new image record/);
    expect(proxy.requests.filter((r) => STAGE.test(r)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('copy-image: an active image to more stores', () => {
  it('copies to the second store, store by store, and refuses what cannot be done in one sentence', async () => {
    const { engine, context } = await harness();
    const file = await randomFile(dir, 'copy.raw', 4 * MiB);
    const [id] = engine.add([request(file, undefined)]);
    const s = await waitFor(engine, id!, settled);
    expect(s).toMatchObject({ phase: 'done', verified: true });
    const progress: string[] = [];
    const outcome = await copyImageToStores(context.glance, context.capabilities, s.imageId!, ['slow'], {
      signal: AbortSignal.timeout(60_000),
      pollMs: 100,
      onProgress: (stores) => progress.push(stores[0]!.state),
    });
    expect(outcome.stores).toEqual([{ store: 'slow', state: 'done' }]);
    expect(progress.at(-1)).toBe('done');
    const image = await direct.getImage(s.imageId!, AbortSignal.timeout(10_000));
    expect((image.stores ?? '').split(',').sort()).toEqual(['fast', 'slow']);
    expect(image.os_hash_value).toBe(await sha512(file));
    await expect(
      copyImageToStores(context.glance, context.capabilities, s.imageId!, ['slow'], {
        signal: AbortSignal.timeout(10_000),
      }),
    ).rejects.toThrow(/already in slow: there is nothing to copy/);
    await expect(
      copyImageToStores(context.glance, context.capabilities, s.imageId!, ['nowhere'], {
        signal: AbortSignal.timeout(10_000),
      }),
    ).rejects.toMatchObject({ code: 'preflight/unknown-store' });
  });
});
