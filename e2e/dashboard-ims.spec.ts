// The dashboard on a Huawei IMS cloud, in Chromium against the real core, the IMS emulator and the
// real Swift S3 behind it: the cloud's IMS image with its OS version and minimum disk, this app's
// running IMS job (held RUNNING by the emulator) until it ends, and an
// unfinished multipart upload this app left in the bucket, listed, aborted after a confirmation
// that says what is lost, and gone from the store; axe clean in light and dark.
import type { ImsContext } from '../electron/main/core/ims-context.ts';
import { ObjectStoreClient } from '../electron/main/objstore/client.ts';
import { columnCell } from './dashboard-steps.ts';
import { IMS_CLOUDS, expect, test } from './ims.ts';
import { connectCloud, scanView, tab } from './steps.ts';

test('an IMS cloud: its images with OS version, a running IMS job until it ends, and an unfinished multipart upload aborted after a confirmation', async ({
  page,
  app,
  ims,
}, testInfo) => {
  const signal = () => AbortSignal.timeout(30_000);
  const store = new ObjectStoreClient({
    endpoint: ims.emulator.s3Endpoint,
    region: ims.emulator.region,
    credentials: { accessKeyId: ims.accessKey.accessKey, secretAccessKey: ims.accessKey.secretKey },
  });
  const key = `imagedrop/e2e-${app.tag}/disk.raw`;
  const uploadId = await store.initiateMultipartUpload('images', key, {}, signal());
  try {
    await app.open();
    await connectCloud(page, IMS_CLOUDS.password);
    const osVersion = 'Ubuntu 18.04 server 64bit';
    const image = await (app.core.context as ImsContext).ims.createImageMetadata(
      { name: `ims-${app.tag}`, osVersion, diskFormat: 'qcow2', minDisk: 12 },
      signal(),
    );
    ims.trackImage(image.id);

    await tab(page, 'Dashboard').click();
    await page.getByRole('searchbox', { name: 'Search' }).fill(app.tag);
    const table = page.getByRole('table', { name: 'Images' });
    const row = table.getByRole('row').filter({ hasText: image.id });
    await test.step('the IMS image, with its OS version and minimum disk', async () => {
      await expect(row).toHaveCount(1);
      await expect(await columnCell(table, row, 'OS version')).toHaveText(osVersion);
      await expect(await columnCell(table, row, 'Min disk')).toHaveText('12 GB');
      await expect(row.locator('.status-badge')).toHaveText('queued');
      await expect(row.getByRole('button', { name: /Copy to stores/ })).toHaveCount(0); // a Glance import only
      await expect(page.getByText('No IMS job of this app is running on this cloud.')).toBeVisible();
    });

    await test.step("this app's running IMS job: its file, job id, status and percent, until it ends", async () => {
      ims.emulator.setFaults({ jobHoldMs: 6_000 });
      try {
        const file = await app.randomRaw('registered', 1 << 20);
        app.core.grantPaths([file]);
        const [id] = await app.core.handlers.startUploads([
          {
            path: file,
            name: `registered-${app.tag}`,
            diskFormat: 'raw',
            containerFormat: 'bare',
            visibility: 'private',
            route: 'register',
            osVersion,
            minDisk: 1,
          },
        ]);
        await expect.poll(() => app.core.engine.get(id!)?.remoteJob?.id ?? null, { timeout: 60_000 }).not.toBeNull();
        const job = app.core.engine.get(id!)!;
        const jobs = page.getByRole('table', { name: 'Running IMS jobs' });
        const jobRow = jobs.getByRole('row').filter({ hasText: job.fileName });
        await expect(jobRow).toHaveCount(1);
        await expect(jobRow).toContainText(job.remoteJob!.id);
        await expect(jobRow).toContainText(/INIT|RUNNING/);
        await expect(jobRow).toContainText(`registered-${app.tag}`);
        await expect.poll(() => app.core.engine.get(id!)?.phase, { timeout: 90_000 }).toBe('done');
        await expect(jobRow).toHaveCount(0);
        await expect(page.getByText('No IMS job of this app is running on this cloud.')).toBeVisible();
        if (job.imageId) ims.trackImage(job.imageId);
        const done = app.core.engine.get(id!)!;
        if (done.imageId) ims.trackImage(done.imageId);
      } finally {
        ims.emulator.setFaults({ jobHoldMs: 0 });
      }
    });

    const uploads = page.getByRole('table', { name: 'Unfinished multipart uploads' });
    const uploadRow = uploads.getByRole('row').filter({ hasText: uploadId });
    await test.step('the unfinished upload is listed, in its bucket, with when it started', async () => {
      await expect(page.getByText('In images under imagedrop/')).toBeVisible();
      await expect(uploadRow).toHaveCount(1);
      await expect(uploadRow.getByRole('rowheader')).toHaveText(key);
      await expect(uploadRow.locator('time')).toHaveText(/ago$|^now$/);
      await scanView(page, testInfo, 'dashboard-ims');
    });

    await test.step('Abort asks first, says what is lost, then aborts it in the store', async () => {
      await uploadRow.getByRole('button', { name: `Abort the upload of ${key}` }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Abort 1 unfinished upload?' });
      await expect(dialog).toContainText('OBS deletes every part already stored');
      await expect(dialog).toContainText(`images:${key}`);
      await expect(dialog.getByRole('button', { name: 'Keep them' })).toBeFocused();
      await scanView(page, testInfo, 'dashboard-ims-abort');
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      expect((await store.listMultipartUploads('images', 'imagedrop/', signal())).map((u) => u.uploadId)).toContain(
        uploadId,
      );
      await uploadRow.getByRole('button', { name: `Abort the upload of ${key}` }).click();
      await dialog.getByRole('button', { name: 'Abort and delete the parts' }).click();
      await expect(page.getByRole('region', { name: 'Abort results' })).toContainText(`${uploadId}: aborted`);
      await expect(uploadRow).toHaveCount(0);
      expect((await store.listMultipartUploads('images', 'imagedrop/', signal())).map((u) => u.uploadId)).not.toContain(
        uploadId,
      );
    });
  } finally {
    await store.abortMultipartUpload('images', key, uploadId, signal()).catch(() => {});
  }
});
