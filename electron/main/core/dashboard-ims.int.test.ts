// The dashboard on a Huawei IMS cloud, against the IMS emulator over the test cloud's real servers
// (Keystone, Glance, Swift's S3): the cloud's own images with IMS's fields (__os_version, min_disk),
// and the unfinished multipart uploads this app left in the OBS bucket, listed and aborted, never
// one a job can still resume (a CLI job log beside the app's holds one here).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVOKE_CHANNELS,
  type AbortUploadOutcome,
  type ImageList,
  type InvokeMethod,
  type MultipartUploadList,
} from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import { removeDir, tempDir } from '../testing/cloud.ts';
import { startTestEmulator, writeHuaweiClouds } from '../testing/ims-cloud.ts';
import type { ImsEmulator } from '../testing/ims-emulator/index.ts';
import { storeClient } from '../testing/objstore.ts';
import { JobLog } from '../upload/job-log.ts';
import { newJobState } from '../upload/job-state.ts';
import { dispatchChannel } from './dispatch.ts';
import type { ImsContext } from './ims-context.ts';
import { MemorySecretStore } from './remembered-connections.ts';
import { ImagedropCore } from './service.ts';

const OS = 'Ubuntu 18.04 server 64bit';
let emulator: ImsEmulator;
let dir: string;
let core: ImagedropCore;
const signal = () => AbortSignal.timeout(30_000);

async function value<T>(channel: InvokeMethod, ...args: unknown[]): Promise<T> {
  const result = (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = await tempDir('imagedrop-dashboard-ims-');
  const clouds = await writeHuaweiClouds(dir, emulator);
  await mkdir(path.join(dir, 'data', 'cli-jobs'), { recursive: true });
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: clouds },
    cwd: dir,
    secrets: new MemorySecretStore(),
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
  });
  await core.init();
  await value('connect', { kind: 'cloud', cloud: 'hw' });
});

afterAll(async () => {
  await core?.dispose();
  await emulator?.close();
  await removeDir(dir);
});

describe('the dashboard, on an IMS cloud', () => {
  it("lists the cloud's IMS images with their OS version and minimum disk", async () => {
    const ims = (core.context as ImsContext).ims;
    const name = `dash-ims-${Date.now()}`;
    const image = await ims.createImageMetadata({ name, osVersion: OS, diskFormat: 'qcow2', minDisk: 12 }, signal());
    try {
      const list = await value<ImageList>('listImages');
      const row = list.images.find((i) => i.id === image.id);
      expect(row).toMatchObject({ name, status: 'queued', osVersion: OS, minDisk: 12, ownedByProject: true });
      // A Glance-only field stays empty on IMS.
      expect(row!.importingToStores).toEqual([]);
      const copy = (await dispatchChannel(core.handlers, INVOKE_CHANNELS.copyImageToStores, [
        image.id,
        ['x'],
      ])) as Result<unknown>;
      expect(copy).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Huawei IMS/) } });
    } finally {
      await ims.deleteImage(image.id, signal()).catch(() => {});
    }
  });

  it('lists the unfinished uploads under imagedrop/ and aborts one, never one a job can still resume', async () => {
    const client = storeClient();
    const orphanKey = `imagedrop/dash-orphan-${Date.now()}/disk.raw`;
    const heldKey = `imagedrop/dash-held-${Date.now()}/disk.raw`;
    const orphan = await client.initiateMultipartUpload('images', orphanKey, {}, signal());
    const held = await client.initiateMultipartUpload('images', heldKey, {}, signal());
    // An interrupted CLI job that can still resume the second one.
    const job = {
      ...newJobState(
        'job-held',
        { path: '/images/disk.raw', name: 'x', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
        'ims-register',
        { key: null, name: 'hw', userName: null },
        1,
      ),
      phase: 'interrupted' as const,
      targetState: {
        route: 'register',
        multipart: {
          version: 1,
          bucket: 'images',
          key: heldKey,
          uploadId: held,
          partSize: 1,
          file: { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1 },
          partMd5s: [],
        },
      },
    };
    const log = new JobLog(path.join(dir, 'data', 'cli-jobs', 'held.json'));
    await log.save(() => [job]);
    await log.flush();
    try {
      const list = await value<MultipartUploadList>('listMultipartUploads');
      expect(list).toMatchObject({ bucket: 'images', prefix: 'imagedrop/', reason: null });
      expect(list.uploads).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ uploadId: orphan, key: orphanKey, bucket: 'images', jobId: null }),
          expect.objectContaining({ uploadId: held, key: heldKey, jobId: 'job-held' }),
        ]),
      );
      expect(list.uploads.find((u) => u.uploadId === orphan)!.initiated).toMatch(/^\d{4}-\d\d-\d\dT/);

      const outcomes = await value<AbortUploadOutcome[]>('abortMultipartUploads', [orphan, held, 'no-such-upload']);
      expect(outcomes.map((o) => [o.uploadId, o.ok])).toEqual([
        [orphan, true],
        [held, false],
        ['no-such-upload', false],
      ]);
      const refused = outcomes[1]!;
      expect(!refused.ok && refused.error).toMatchObject({
        code: 'dashboard/upload-in-use',
        message: expect.stringMatching(/Job job-held can still resume/),
      });
      const after = (await client.listMultipartUploads('images', 'imagedrop/', signal())).map((u) => u.uploadId);
      expect(after).not.toContain(orphan);
      expect(after).toContain(held);
      const listedAfter = await value<MultipartUploadList>('listMultipartUploads');
      expect(listedAfter.uploads.map((u) => u.uploadId)).not.toContain(orphan);
    } finally {
      await client.abortMultipartUpload('images', heldKey, held, signal()).catch(() => {});
      await client.abortMultipartUpload('images', orphanKey, orphan, signal()).catch(() => {});
      await log.remove();
    }
  });
});
