// The dashboard's core methods against the real test Glance, called as every transport calls them
// (dispatchChannel, raw arguments): every status in the list with its stores and min disk, the
// delete rule (killed at any age; uploading and importing stuck like queued and saving), the export
// of the images and of the upload history, and copy-image to the second store, followed store by
// store, with the policy's refusal in the server's words.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVOKE_CHANNELS,
  type DeleteOutcome,
  type ExportFile,
  type ImageCopy,
  type ImageList,
  type InvokeMethod,
} from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { ADMIN, DEMO, cloudsYaml, deleteImages, glanceFor, randomFile, removeDir, tempDir } from '../testing/cloud.ts';
import { setImageStatus } from '../testing/image-status.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './remembered-connections.ts';
import { ImagedropCore } from './service.ts';

let dir: string;
let core: ImagedropCore;
let admin: GlanceClient;
let demo: GlanceClient;
const created: { glance: GlanceClient; id: string }[] = [];
const signal = () => AbortSignal.timeout(30_000);

function newCore(dataDir: string): ImagedropCore {
  return new ImagedropCore({
    dataDir,
    env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
    cwd: dir,
    secrets: new MemorySecretStore(),
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
  });
}

async function call<T>(channel: InvokeMethod, ...args: unknown[]): Promise<Result<T>> {
  return (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

async function value<T>(channel: InvokeMethod, ...args: unknown[]): Promise<T> {
  const result = await call<T>(channel, ...args);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A 1 MiB raw image uploaded through the core itself: active, verified, in the job log. */
async function uploadThroughCore(name: string): Promise<UploadSnapshot> {
  const file = await randomFile(dir, `${name}.raw`, 1 << 20);
  core.grantPaths([file]);
  const [id] = await value<string[]>('startUploads', [
    { path: file, name, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private', minDisk: 2 },
  ]);
  const job = await until(
    async () => (await value<UploadSnapshot[]>('listUploads')).find((s) => s.id === id)!,
    (s) => s.phase === 'done' || s.phase === 'failed',
  );
  expect(job).toMatchObject({ phase: 'done', verified: true });
  created.push({ glance: admin, id: job.imageId! });
  return job;
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-dashboard-');
  await mkdir(path.join(dir, 'data'));
  core = newCore(path.join(dir, 'data'));
  await core.init();
  admin = await glanceFor(ADMIN);
  demo = await glanceFor(DEMO);
  await value('connect', { kind: 'cloud', cloud: ADMIN });
});

afterAll(async () => {
  await core?.dispose();
  for (const { glance, id } of created) await deleteImages(glance, [id]);
  await removeDir(dir);
});

describe('the dashboard, on a Glance cloud', () => {
  it('lists every status as Glance answers it, with min disk and stores; deletes killed at once, uploading and importing once stuck', async () => {
    const tag = `dash-${Date.now()}`;
    const make = async (status: 'killed' | 'uploading' | 'importing' | 'deactivated', minutesAgo: number) => {
      const image = await admin.createImage(
        { name: `${tag}-${status}-${minutesAgo}`, diskFormat: 'raw', containerFormat: 'bare', minDisk: 3 },
        signal(),
      );
      created.push({ glance: admin, id: image.id });
      await setImageStatus(image.id, status, { minutesAgo });
      return image.id;
    };
    // Glance never lists a killed image (not even with status=killed): the dashboard finds the
    // ones this app's jobs created by their ids.
    const ours = await uploadThroughCore(`${tag}-ours`);
    const killedNow = ours.imageId!;
    await setImageStatus(killedNow, 'killed');
    const killedElsewhere = await make('killed', 0);
    const uploadingOld = await make('uploading', 30);
    const importingOld = await make('importing', 30);
    const uploadingNew = await make('uploading', 0);
    const deactivated = await make('deactivated', 30);
    const list = await value<ImageList>('listImages');
    const byId = new Map(list.images.map((i) => [i.id, i]));
    expect(byId.get(killedNow)).toMatchObject({ status: 'killed', minDisk: 2, createdByImagedrop: true });
    expect(byId.has(killedElsewhere)).toBe(false);
    expect(byId.get(uploadingOld)).toMatchObject({ status: 'uploading', minDisk: 3, stores: [] });
    expect(byId.get(importingOld)?.status).toBe('importing');
    expect(byId.get(deactivated)?.status).toBe('deactivated');

    const outcomes = await value<DeleteOutcome[]>(
      'deleteImages',
      [killedNow, uploadingOld, importingOld, uploadingNew, deactivated],
      { stuckAfterMinutes: 10 },
    );
    const ok = Object.fromEntries(outcomes.map((o) => [o.id, o.ok]));
    expect(ok).toEqual({
      [killedNow]: true, // dead at any age
      [uploadingOld]: true,
      [importingOld]: true,
      [uploadingNew]: false, // updated just now: not stuck
      [deactivated]: false, // not a stuck status
    });
    const notStuck = outcomes.find((o) => o.id === uploadingNew);
    expect(notStuck?.ok === false && notStuck.error.message).toMatch(/less than 10 min ago/);
    const gone = await Promise.all(
      [killedNow, uploadingOld, importingOld, uploadingNew, deactivated].map((id) =>
        admin.getImage(id, signal()).then(
          () => false,
          () => true,
        ),
      ),
    );
    expect(gone).toEqual([true, true, true, false, false]);
  });

  it('exports the listed images and the upload history (who, where, verified how) as CSV and JSON', async () => {
    const job = await uploadThroughCore(`dash-export-${Date.now()}`);
    const images = await value<ExportFile>('exportDashboard', {
      what: 'images',
      format: 'json',
      imageIds: [job.imageId],
    });
    expect(images.records).toBe(1);
    expect(images.fileName).toMatch(/^imagedrop-images-imagedrop-admin-\d{8}-\d{6}\.json$/);
    const [row] = JSON.parse(images.text) as Record<string, unknown>[];
    const server = await admin.getImage(job.imageId!, signal());
    expect(row).toMatchObject({
      id: job.imageId,
      name: job.imageName,
      status: 'active',
      size: 1 << 20,
      min_disk: 2,
      stores: (server.stores ?? '').split(','),
      os_hash_value: server.os_hash_value,
      created_by_imagedrop: true,
    });

    const history = await value<ExportFile>('exportDashboard', { what: 'history', format: 'csv' });
    expect(history.mediaType).toMatch(/^text\/csv/);
    const [header, ...lines] = history.text.trimEnd().split('\r\n');
    const columns = header!.split(',');
    const line = lines.find((l) => l.startsWith(`${job.id},`));
    expect(line, history.text).toBeDefined();
    const cells = Object.fromEntries(columns.map((c, i) => [c, line!.split(',')[i]]));
    expect(cells).toMatchObject({
      image_id: job.imageId,
      cloud: ADMIN,
      user: 'admin',
      route: 'glance',
      phase: 'done',
      verified: 'true',
      hash_algo: 'sha512',
      server_hash: server.os_hash_value,
      local_hash: server.os_hash_value,
    });
    expect(cells.verified_by).toMatch(/^sha512 of the image/);

    const refused = await call('exportDashboard', { what: 'everything', format: 'csv' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
  });

  it('copies an active image to the second store, store by store, until it is in both', async () => {
    const job = await uploadThroughCore(`dash-copy-${Date.now()}`);
    const before = await admin.getImage(job.imageId!, signal());
    const [from] = (before.stores ?? '').split(',');
    const to = from === 'fast' ? 'slow' : 'fast';
    // Two clicks at once: one copy starts, the other is refused (not a second import).
    const [first, second] = await Promise.all([
      call<ImageCopy>('copyImageToStores', job.imageId, [to]),
      call<ImageCopy>('copyImageToStores', job.imageId, [to]),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const refused = first.ok ? second : first;
    expect(!refused.ok && refused.error.message).toMatch(/already being copied/);
    const started = (first.ok ? first.value : second.ok ? second.value : null)!;
    expect(started).toMatchObject({ imageId: job.imageId, imageName: job.imageName });
    expect(['copying', 'done']).toContain(started.state);
    const seen = new Set<string>();
    const ended = await until(
      async () => (await value<ImageCopy[]>('listImageCopies')).find((c) => c.imageId === job.imageId)!,
      (c) => {
        for (const s of c.stores) seen.add(s.state);
        return c.state !== 'copying';
      },
    );
    expect(ended).toMatchObject({ state: 'done', error: null, stores: [{ store: to, state: 'done' }] });
    expect(ended.finishedAt).toBeGreaterThanOrEqual(ended.startedAt);
    const after = await admin.getImage(job.imageId!, signal());
    expect((after.stores ?? '').split(',').sort()).toEqual(['fast', 'slow']);
    expect(after.os_hash_value).toBe(before.os_hash_value);
    // The list shows where it is now.
    const listed = (await value<ImageList>('listImages')).images.find((i) => i.id === job.imageId);
    expect([...listed!.stores].sort()).toEqual(['fast', 'slow']);
    expect(listed!.importingToStores).toEqual([]);
    // Again: nothing to copy, said before any call to Glance's import.
    const again = await call('copyImageToStores', job.imageId, [to]);
    expect(again).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already in/) } });
  });

  it("refuses a copy Glance's policy forbids, in the server's words", async () => {
    const other = newCore(path.join(dir, 'data-demo'));
    await other.init();
    try {
      const ask = <T>(m: InvokeMethod, ...args: unknown[]) =>
        dispatchChannel(other.handlers, INVOKE_CHANNELS[m], args) as Promise<Result<T>>;
      expect((await ask('connect', { kind: 'cloud', cloud: DEMO })).ok).toBe(true);
      const file = await randomFile(dir, 'demo.raw', 4096);
      other.grantPaths([file]);
      const ids = await ask<string[]>('startUploads', [
        {
          path: file,
          name: `dash-demo-${Date.now()}`,
          diskFormat: 'raw',
          containerFormat: 'bare',
          visibility: 'private',
        },
      ]);
      if (!ids.ok) throw new Error(ids.error.message);
      const job = await until(
        async () => other.engine.get(ids.value[0]!)!,
        (s) => s.phase === 'done' || s.phase === 'failed',
      );
      expect(job.phase).toBe('done');
      created.push({ glance: demo, id: job.imageId! });
      const stores = (await demo.getImage(job.imageId!, signal())).stores ?? '';
      const to = stores.includes('fast') ? 'slow' : 'fast';
      const refused = await ask<ImageCopy>('copyImageToStores', job.imageId, [to]);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error).toMatchObject({ code: 'auth/forbidden', httpStatus: 403 });
      // The server's own reason travels with it, for the operator to quote.
      expect(`${refused.error.message} ${refused.error.detail ?? ''} ${refused.error.serverMessage ?? ''}`).toMatch(
        /copy_image|not authorized|policy|forbidden/i,
      );
      expect((await ask<ImageCopy[]>('listImageCopies')).ok).toBe(true);
      expect((await demo.getImage(job.imageId!, signal())).stores).toBe(stores);
    } finally {
      await other.dispose();
    }
  });

  it('a Glance cloud has no multipart uploads to list, and says why', async () => {
    const list = await value<{ bucket: string | null; reason: string | null; uploads: unknown[] }>(
      'listMultipartUploads',
    );
    expect(list).toMatchObject({ bucket: null, uploads: [] });
    expect(list.reason).toMatch(/Glance cloud/);
  });
});
