// Add images on a Huawei IMS cloud (issue 11), in Chromium against the real core and the IMS
// emulator over the test cloud's real Keystone, Swift and Glance (e2e/ims.ts): the IMS fields
// appear (route with what each route can do, OS version from the cloud's list, minimum disk from
// the virtual size, bucket, object key), the usage says what IMS counts, and the upload lands in
// IMS with what the form said.
import path from 'node:path';
import { MiB } from './harness.ts';
import { IMS_CLOUDS, expect, test } from './ims.ts';
import { connectCloud, draft, scanView } from './steps.ts';

test.use({ shell: 'binding' });

test('IMS: the route, OS version, min disk and object key go from Add images to the image', async ({
  page,
  app,
  ims,
}, testInfo) => {
  const raw = await app.randomRaw('ims-add', 3 * MiB);
  const name = path.basename(raw);
  const key = `e2e/${app.tag}/${name}`;
  await app.open();
  await connectCloud(page, IMS_CLOUDS.password);
  app.openFiles([raw]);
  const card = draft(page, name);

  await test.step('the IMS fields, pre-filled, with each route’s availability', async () => {
    // No OS version yet: safe, but the form is not complete.
    await expect(card.getByText('Safe, form incomplete', { exact: true })).toBeVisible();
    await expect(card.getByRole('combobox', { name: 'Route' })).toHaveValue('auto');
    await expect(card.getByText('Auto takes this file by “Register from OBS”.')).toBeVisible();
    const routes = card.getByRole('list', { name: `What each route can do with ${name}` });
    await expect(routes).toContainText('Register from OBS: available');
    await expect(routes).toContainText('Native upload: available');
    await expect(card.getByRole('textbox', { name: 'Minimum disk (GiB)' })).toHaveValue('1');
    await expect(card.getByRole('textbox', { name: 'OBS bucket' })).toHaveAttribute('placeholder', 'images');
    // The store picker and the import API are Glance's: not here.
    await expect(card.getByRole('combobox', { name: 'Store' })).toHaveCount(0);
    await expect(card.getByRole('checkbox', { name: /import API/ })).toHaveCount(0);
    const usage = page.getByRole('region', { name: 'Image storage of the project' });
    await expect(usage).toContainText('IMS has no storage quota');
    await expect(usage).toContainText(/\d+ of \d+ private images/);
  });

  await test.step('an OS version the cloud does not list, an object key with a space: said, not sent', async () => {
    await card.getByRole('combobox', { name: 'OS version' }).fill('Ubuntu 99');
    await expect(card).toContainText('does not list the OS version “Ubuntu 99”');
    await card.getByRole('textbox', { name: 'Object key' }).fill('my disk.raw');
    await expect(card).toContainText('IMG.0175');
    await expect(page.getByRole('button', { name: 'Upload', exact: true })).toBeDisabled();
    await card.getByRole('combobox', { name: 'OS version' }).fill('Ubuntu 18.04 server 64bit');
    await card.getByRole('textbox', { name: 'Object key' }).fill(key);
    await expect(card.getByText('Safe', { exact: true })).toBeVisible();
    await scanView(page, testInfo, 'add-ims');
  });

  await test.step('upload: registered from OBS, verified by the ETag, with the OS version and min disk', async () => {
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => app.core.engine.list()[0]?.phase, { timeout: 120_000 }).toBe('done');
    const job = app.core.engine.list()[0]!;
    ims.trackImage(job.imageId!);
    expect(job).toMatchObject({ target: 'ims-register', verified: true, verifiedBy: 'etag' });
    expect(job.object).toMatchObject({ bucket: 'images', key });
    const image = await app.glance.getImage(job.imageId!, AbortSignal.timeout(30_000));
    expect(image).toMatchObject({ status: 'active', min_disk: 1, __os_version: 'Ubuntu 18.04 server 64bit' });
  });
});
