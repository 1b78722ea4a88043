// The path through, against the real Keystone and Glance, in Chromium talking to imagedrop serve
// over real HTTP (as a user of serve does): connect, choose three files in the host browser (one
// unsafe and blocked), upload two, pause and resume one, cancel the other and see its record gone,
// see the first become active and verified, find it on the dashboard, and see the queue come back
// after a reload and after the server restarts. (Dropping files with their paths, the app's way
// in, is in desktop.spec.ts.)
//
// Pausing reliably: the image API goes through a fault proxy that holds every PUT of image data
// after 8 MiB until the test releases it. Each upload then sits in "Uploading" mid-way for as
// long as the test needs, so "Pause" always lands during the transfer, whatever the machine's
// speed. After the pause the proxy lets the bytes flow again, and the test checks that the paused
// upload still does not move (the engine itself holds the body) until "Resume".
import path from 'node:path';
import { MiB, expect, imageOrNull, sha512File, test } from './harness.ts';
import { columnCell } from './dashboard-steps.ts';
import {
  chooseFiles,
  connectCloud,
  draft,
  dropFiles,
  holdImageData,
  hostBrowser,
  imageIdOf,
  lifecycle,
  progressOf,
  queueState,
  row,
  tab,
} from './steps.ts';

test.use({ imageProxy: true });

// The proxy holds each PUT after HOLD_AT bytes; the loopback socket buffers (up to 32 MiB here)
// take some more before the engine has to wait, so the files are much larger than that.
const HOLD_AT = 8 * MiB;
const RAW_SIZE = 96 * MiB;
const QCOW2_DATA = 64 * MiB;

test('connect, choose three files on the host, upload two, pause/resume, cancel, verify, dashboard, reload, restart', async ({
  page,
  app,
}) => {
  const [raw, qcow2, unsafe] = await Promise.all([
    app.randomRaw('debian-12', RAW_SIZE),
    app.qcow2('cirros-0.6', QCOW2_DATA),
    app.unsafeQcow2('overlay'),
  ]);
  const [rawName, qcowName, unsafeName] = [raw, qcow2, unsafe].map((f) => path.basename(f)) as [string, string, string];
  const rawImage = rawName.replace(/\.raw$/, '');
  const qcowImage = qcowName.replace(/\.qcow2$/, '');
  const wire = holdImageData(app.proxy, HOLD_AT);

  await app.open();
  await test.step('connect to imagedrop-admin', async () => {
    await connectCloud(page);
    await expect(page.getByText('admin · admin · RegionOne')).toBeVisible();
  });

  await test.step('a file dropped from this browser’s machine: one sentence, the files must be on the host', async () => {
    await dropFiles(page, [raw]);
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(
      'Dropped files stay on this computer: Imagedrop uploads files from the host it runs on',
    );
    await expect(page.getByRole('list', { name: 'Files to upload' })).toHaveCount(0);
  });

  await test.step('the host browser shows each file’s size and verdict', async () => {
    await page.getByRole('button', { name: 'Choose files…', exact: true }).click();
    const dialog = hostBrowser(page);
    await expect(dialog.getByText(app.filesDir, { exact: true })).toBeVisible();
    const rowOf = (name: string) => dialog.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
    await expect(rowOf(rawName)).toContainText('96.0 MiB');
    await expect(rowOf(rawName)).toContainText('Safe: raw');
    await expect(rowOf(qcowName)).toContainText('Safe: qcow2');
    await expect(rowOf(unsafeName)).toContainText(/Blocked: qcow2.*backing file/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });

  await test.step('choose three files on the host: two safe, one blocked with its reason', async () => {
    await chooseFiles(page, [raw, qcow2, unsafe]);
    await expect(page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li')).toHaveCount(3);

    const rawCard = draft(page, rawName);
    await expect(rawCard.getByText('Safe', { exact: true })).toBeVisible();
    await expect(rawCard.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue(rawImage);
    await expect(rawCard.getByRole('combobox', { name: 'Disk format' })).toHaveValue('raw');
    await expect(rawCard.getByRole('combobox', { name: 'Container format' })).toHaveValue('bare');
    await expect(rawCard.getByRole('combobox', { name: 'Visibility' })).toHaveValue('private');
    await expect(rawCard.getByRole('textbox', { name: 'Minimum disk (GiB)' })).toHaveValue('1');
    // The test cloud has two stores, so the picker is there; this one goes to 'slow'.
    await rawCard.getByRole('combobox', { name: 'Store', exact: true }).selectOption('slow');
    await rawCard.getByRole('textbox', { name: 'Tags', exact: true }).fill('e2e, flow');

    const qcowCard = draft(page, qcowName);
    await expect(qcowCard.getByText('Safe', { exact: true })).toBeVisible();
    await expect(qcowCard.getByRole('combobox', { name: 'Disk format' })).toHaveValue('qcow2');

    const unsafeCard = draft(page, unsafeName);
    await expect(unsafeCard.getByText('Blocked', { exact: true })).toBeVisible();
    await expect(unsafeCard.getByRole('group', { name: `Why ${unsafeName} is blocked` })).toContainText(
      /needs the backing file "overlay-base\.raw"/,
    );
    await expect(unsafeCard.getByRole('textbox', { name: 'Name', exact: true })).toHaveCount(0);
    await expect(page.getByText('2 files ready, 1 blocked.')).toBeVisible();
  });

  await test.step('upload the two safe files', async () => {
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('list', { name: 'Uploads' }).locator(':scope > li')).toHaveCount(2);
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('2 uploads started.');
    // Both transfers reach the proxy's hold and stay in "Uploading", mid-way.
    for (const [name, size] of [
      [rawName, RAW_SIZE],
      [qcowName, QCOW2_DATA],
    ] as const) {
      await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
      await expect.poll(() => progressOf(page, name)).toBeGreaterThanOrEqual(Math.floor((HOLD_AT / size) * 100));
    }
    // Both are held: the proxy passed HOLD_AT bytes of each, and the engine waits on the rest.
    await expect.poll(() => app.proxy.forwarded.filter((n) => n === HOLD_AT).length).toBeGreaterThanOrEqual(2);
    expect(await progressOf(page, rawName)).toBeLessThan(100);
    expect(await progressOf(page, qcowName)).toBeLessThan(100);
    // The blocked file was not sent: it is still waiting in Add images.
    await tab(page, 'Add images').click();
    await expect(page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li')).toHaveCount(1);
    await expect(draft(page, unsafeName)).toBeVisible();
    await tab(page, 'Queue').click();
  });

  const rawId = await imageIdOf(page, rawName);
  const qcowId = await imageIdOf(page, qcowName);
  app.trackImage(rawId);
  app.trackImage(qcowId);
  let pausedAt = 0;

  await test.step('pause one: "Paused", and resume "continues at N%"', async () => {
    await row(page, rawName)
      .getByRole('button', { name: `Pause ${rawName}` })
      .click();
    const rawRow = row(page, rawName);
    await expect(rawRow.getByText('Paused', { exact: true })).toBeVisible();
    await expect(rawRow.getByText(/^Resume continues at \d+%\.$/)).toBeVisible();
    pausedAt = Number(/continues at (\d+)%/.exec((await rawRow.locator('.row-resume').textContent()) ?? '')?.[1]);
    expect(pausedAt).toBeGreaterThanOrEqual(Math.floor((HOLD_AT / RAW_SIZE) * 100));
    expect(pausedAt).toBeLessThan(100);
    expect(await progressOf(page, rawName)).toBe(pausedAt);
    await expect(rawRow.getByRole('button', { name: `Resume ${rawName}` })).toBeEnabled();
    await expect(rawRow.getByRole('button', { name: `Pause ${rawName}` })).toBeDisabled();
    // Glance is receiving this image's data: the record is in 'saving'.
    expect((await imageOrNull(app.glance, rawId))?.status).toBe('saving');
  });

  await test.step('cancel the other, and its image record is gone from Glance', async () => {
    await row(page, qcowName)
      .getByRole('button', { name: `Cancel ${qcowName}` })
      .click();
    await expect(row(page, qcowName).getByText('Cancelled', { exact: true })).toBeVisible();
    await expect.poll(async () => (await imageOrNull(app.glance, qcowId))?.status ?? 'gone').toBe('gone');
  });

  await test.step('while paused, nothing moves even with the network open', async () => {
    wire.release();
    await page.waitForTimeout(1500);
    await expect(row(page, rawName).getByText('Paused', { exact: true })).toBeVisible();
    expect(await progressOf(page, rawName)).toBe(pausedAt);
    expect((await imageOrNull(app.glance, rawId))?.status).toBe('saving');
  });

  await test.step('resume: it finishes, active and verified', async () => {
    await row(page, rawName)
      .getByRole('button', { name: `Resume ${rawName}` })
      .click();
    const rawRow = row(page, rawName);
    await expect(rawRow.getByText('Done', { exact: true })).toBeVisible();
    await expect(rawRow.getByText('Image active', { exact: true })).toBeVisible();
    await expect(rawRow.getByText('Verified', { exact: true })).toBeVisible();
    expect(await progressOf(page, rawName)).toBe(100);
  });

  await test.step('lifecycle: every step, the image id, and equal sha512 checksums', async () => {
    await imageIdOf(page, rawName);
    const panel = lifecycle(page, rawName);
    const steps = panel.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    await expect(steps).toHaveText([
      /^Checked \(done\)/,
      /^Record created \(done\)/,
      /^Uploading \(done\)/,
      /^Saving \(done\)/,
      /^Active \(done\)/,
      /^Verified \(done\)/,
    ]);
    await expect(panel.getByText('Verified: size and checksum match')).toBeVisible();
    await expect(panel.locator('code.image-id')).toHaveText(rawId);

    const local = await sha512File(raw);
    const checksums = panel.locator('dl.checksums');
    await expect(checksums.locator('dt').nth(0)).toHaveText('os_hash (sha512), local');
    await expect(checksums.locator('dd').nth(0)).toHaveText(local);
    await expect(checksums.locator('dt').nth(1)).toHaveText('os_hash (sha512), server');
    await expect(checksums.locator('dd').nth(1)).toHaveText(`${local} match`);

    const image = await imageOrNull(app.glance, rawId);
    expect(image).toMatchObject({
      status: 'active',
      name: rawImage,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
      size: RAW_SIZE,
      os_hash_algo: 'sha512',
      os_hash_value: local,
      stores: 'slow',
    });
    expect([...(image?.tags ?? [])].sort()).toEqual(['e2e', 'flow']);

    await panel.getByRole('button', { name: 'Copy image ID' }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Image ID copied.');
    expect(await app.clipboardText()).toBe(rawId);
  });

  await test.step('the dashboard lists it; the cancelled one is not there', async () => {
    await tab(page, 'Dashboard').click();
    const table = page.getByRole('table', { name: 'Images' });
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill(rawImage);
    const imageRow = table.getByRole('row').filter({ hasText: rawId });
    await expect(imageRow).toHaveCount(1);
    await expect(imageRow.getByRole('rowheader')).toContainText(rawImage);
    await expect(imageRow.getByRole('cell').nth(1)).toHaveText('active');
    await expect(await columnCell(table, imageRow, 'Created by Imagedrop')).toHaveText('Yes');
    await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('queued');
    await expect(imageRow).toHaveCount(0);
    await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('active');
    await expect(imageRow).toHaveCount(1);
    await search.fill(qcowImage);
    await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('all');
    await expect(page.getByText('No image matches these filters.')).toBeVisible();
  });

  const before = await test.step('reload the page: the queue comes back', async () => {
    await tab(page, 'Queue').click();
    const state = await queueState(page);
    expect(state).toEqual([
      `${rawName} :: Done | Image active | Verified :: 100% :: `,
      `${qcowName} :: Cancelled | Image deleted :: ${await progressOf(page, qcowName)}% :: `,
    ]);
    await page.reload();
    // Still connected (the core kept its session), so the app opens on the queue.
    await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
    await expect.poll(() => queueState(page)).toEqual(state);
    return state;
  });

  await test.step('restart the server (a new core on the same data dir, a new URL): the queue comes back as it was', async () => {
    await app.restart();
    await expect(page.getByText('Not connected', { exact: true })).toBeVisible();
    await tab(page, 'Queue').click();
    await expect.poll(() => queueState(page)).toEqual(before);
    expect(await imageIdOf(page, rawName)).toBe(rawId);
    await expect(lifecycle(page, rawName).locator('dl.checksums dd').nth(1)).toHaveText(/ match$/);
  });
});
