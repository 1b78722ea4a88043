// The dashboard as an operator's cockpit, in Chromium against the real core and the real Glance:
// every Glance status on screen in its own colour and icon, the store, owner and min-disk columns
// with relative dates, a killed image deleted at once, old uploading and importing images stuck,
// the listed images and the upload history exported and read back from the download, an image
// copied to the second store with the keyboard alone and its progress shown until it is in both
// stores, and axe clean in light, dark and Chinese.
import type { Locator, Page } from '@playwright/test';
import { setImageStatus } from '../electron/main/testing/image-status.ts';
import type { UploadSnapshot } from '../shared/upload.ts';
import { expect, imageOrNull, test, type App } from './harness.ts';
import { columnCell, downloadedText } from './dashboard-steps.ts';
import { connectCloud, scanView, tab } from './steps.ts';

/** Uploads a small raw image through the core the page is connected to (as the queue would); resolves when done. */
async function uploadThroughCore(app: App, stem: string, minDisk: number): Promise<UploadSnapshot> {
  const file = await app.randomRaw(stem, 1 << 20);
  app.core.grantPaths([file]);
  const [id] = await app.core.handlers.startUploads([
    {
      path: file,
      name: `${stem}-${app.tag}`,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      minDisk,
    },
  ]);
  await expect.poll(() => app.core.engine.get(id!)?.phase, { timeout: 60_000 }).toBe('done');
  const job = app.core.engine.get(id!)!;
  app.trackImage(job.imageId!);
  return job;
}

/** Presses Tab (at most `max` times) until `target` has the focus: it is reachable by keyboard. */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('every status styled, killed deleted, exports read back, a copy to the second store by keyboard, axe in light, dark and Chinese', async ({
  page,
  app,
}, testInfo) => {
  const signal = () => AbortSignal.timeout(30_000);
  await app.open();
  await connectCloud(page);

  // Images in every status Glance lists (and one killed one of this app's, which Glance never lists).
  const keep = await uploadThroughCore(app, 'keep', 2);
  const doomed = await uploadThroughCore(app, 'doomed', 1);
  await setImageStatus(doomed.imageId!, 'killed');
  const made: Record<string, string> = {};
  for (const [status, minutesAgo] of [
    ['queued', 0],
    ['saving', 0],
    ['uploading', 30],
    ['importing', 30],
    ['deactivated', 30],
    ['pending_delete', 30],
  ] as const) {
    const image = await app.glance.createImage(
      { name: `${status}-${app.tag}`, diskFormat: 'raw', containerFormat: 'bare', minDisk: 5 },
      signal(),
    );
    app.trackImage(image.id);
    if (status !== 'queued') await setImageStatus(image.id, status, { minutesAgo });
    made[status] = image.id;
  }
  const keepImage = await app.glance.getImage(keep.imageId!, signal());
  const [fromStore] = (keepImage.stores ?? '').split(',');
  const toStore = fromStore === 'fast' ? 'slow' : 'fast';

  await tab(page, 'Dashboard').click();
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill(app.tag);
  const table = page.getByRole('table', { name: 'Images' });
  const rowOf = (id: string) => table.getByRole('row').filter({ hasText: id });
  await expect(table.getByRole('rowgroup').last().getByRole('row')).toHaveCount(8);

  await test.step('every status has its own colour and icon, beside its word', async () => {
    const look = async (id: string, status: string) => {
      const badge = rowOf(id).locator('.status-badge');
      await expect(badge).toHaveText(status);
      return badge.evaluate((el) => {
        const style = getComputedStyle(el);
        return `${style.backgroundColor}|${getComputedStyle(el, '::before').content}`;
      });
    };
    const active = await look(keep.imageId!, 'active');
    const killed = await look(doomed.imageId!, 'killed');
    const busy = await Promise.all(['queued', 'saving', 'uploading', 'importing'].map((s) => look(made[s]!, s)));
    const gone = await Promise.all(['deactivated', 'pending_delete'].map((s) => look(made[s]!, s)));
    expect(new Set(busy).size).toBe(1);
    expect(new Set(gone).size).toBe(1);
    expect(new Set([active, killed, busy[0], gone[0]]).size).toBe(4);
    expect(active).toContain('✓');
    expect(killed).toContain('✕');
  });

  await test.step('stores, owner, min disk, and relative dates with the exact time on hover', async () => {
    const row = rowOf(keep.imageId!);
    await expect(await columnCell(table, row, 'Stores')).toContainText(fromStore!);
    await expect(await columnCell(table, row, 'Owner')).toHaveText('admin');
    await expect(await columnCell(table, row, 'Min disk')).toHaveText('2 GB');
    const created = (await columnCell(table, row, 'Created')).locator('time');
    await expect(created).toHaveText(/^(\d+s ago|\d+ ?m(in\.?)? ago|now)$/);
    await expect(created).toHaveAttribute('title', /\d{1,2}:\d{2}:\d{2}/);
  });

  await test.step('killed is deletable at once; old uploading and importing are stuck; fresh ones are not', async () => {
    await expect(rowOf(doomed.imageId!).getByText('Dead: can be deleted')).toBeVisible();
    for (const s of ['uploading', 'importing'])
      await expect(
        rowOf(made[s]!).getByRole('checkbox', { name: `Select ${s}-${app.tag} for deletion` }),
      ).toBeVisible();
    for (const s of ['queued', 'saving', 'deactivated', 'pending_delete'])
      await expect(rowOf(made[s]!).getByRole('checkbox')).toHaveCount(0);
    await expect(rowOf(keep.imageId!).getByRole('checkbox')).toHaveCount(0);
  });

  await test.step('axe, light and dark, with every status on screen', async () => {
    await scanView(page, testInfo, 'dashboard-statuses');
  });

  await test.step('export: the listed images as CSV, the upload history as JSON', async () => {
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Listed images (CSV)' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^imagedrop-images-imagedrop-admin-\d{8}-\d{6}\.csv$/);
    const lines = (await downloadedText(csv)).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,name,status,size,disk_format,container_format,visibility,owner,protected,min_disk,stores,os_version,image_source_type,created_at,updated_at,checksum,os_hash_algo,os_hash_value,created_by_imagedrop',
    );
    expect(lines).toHaveLength(1 + 8);
    const keepLine = lines.find((l) => l.startsWith(`${keep.imageId},`))!;
    expect(keepLine).toContain(`,active,${1 << 20},raw,bare,private,`);
    expect(keepLine).toContain(`,sha512,${keepImage.os_hash_value},true`);
    expect(lines.find((l) => l.startsWith(`${doomed.imageId},`))).toContain(',killed,');

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Upload history (JSON)' }).click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^imagedrop-history-\d{8}-\d{6}\.json$/);
    const history = JSON.parse(await downloadedText(json)) as Record<string, unknown>[];
    expect(history.find((h) => h.image_id === keep.imageId)).toMatchObject({
      job_id: keep.id,
      cloud: 'imagedrop-admin',
      user: 'admin',
      route: 'glance',
      phase: 'done',
      verified: true,
      hash_algo: 'sha512',
      server_hash: keepImage.os_hash_value,
      verified_by: expect.stringMatching(/^sha512 of the image equalled/),
    });
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(
      /imagedrop-history-.*saved \(2 records\)/,
    );
  });

  await test.step('delete the killed one: confirmed, and gone from Glance', async () => {
    await rowOf(doomed.imageId!).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete selected (1)' }).click();
    await page
      .getByRole('alertdialog', { name: 'Delete 1 image?' })
      .getByRole('button', { name: 'Delete 1 image' })
      .click();
    await expect(page.getByRole('region', { name: 'Deletion results' })).toContainText(`doomed-${app.tag}: deleted`);
    expect(await imageOrNull(app.glance, doomed.imageId!)).toBeNull();
    await expect(rowOf(doomed.imageId!)).toHaveCount(0);
  });

  await test.step(`copy to ${toStore} with the keyboard alone, followed until the image is in both stores`, async () => {
    await search.focus();
    const copyButton = rowOf(keep.imageId!).getByRole('button', { name: `Copy to stores… keep-${app.tag}` });
    await tabTo(page, copyButton);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: `Copy keep-${app.tag} to more stores` });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expect(dialog.getByRole('checkbox', { name: new RegExp(`^${fromStore}`) })).toBeDisabled();
    await scanView(page, testInfo, 'dashboard-copy-dialog');
    const target = dialog.getByRole('checkbox', { name: new RegExp(`^${toStore}`) });
    await page.keyboard.press('Shift+Tab');
    await expect(target).toBeFocused();
    await page.keyboard.press('Space');
    await expect(target).toBeChecked();
    await tabTo(page, dialog.getByRole('button', { name: 'Copy', exact: true }), 5);
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    const progress = rowOf(keep.imageId!).getByRole('list', { name: `Copy of keep-${app.tag}` });
    await expect(progress).toBeVisible();
    await expect(progress).toHaveText(`${toStore}: done`, { timeout: 60_000 });
    await expect(await columnCell(table, rowOf(keep.imageId!), 'Stores')).toContainText(
      [fromStore, toStore].sort().join(', '),
    );
    const after = await app.glance.getImage(keep.imageId!, signal());
    expect((after.stores ?? '').split(',').sort()).toEqual(['fast', 'slow']);
    expect(after.os_hash_value).toBe(keepImage.os_hash_value);
    await expect(rowOf(keep.imageId!).getByRole('button', { name: /Copy/ })).toHaveCount(0); // in every store now
  });

  await test.step('in Chinese: the same table, axe clean in light and dark', async () => {
    await page.addInitScript(() => localStorage.setItem('imagedrop.locale', 'zh-CN'));
    await page.reload();
    await page.getByRole('tablist', { name: '视图' }).getByRole('tab', { name: '仪表板' }).click();
    await page.getByRole('searchbox', { name: '搜索' }).fill(app.tag);
    const zhTable = page.getByRole('table', { name: '镜像' });
    await expect(zhTable.getByRole('rowgroup').last().getByRole('row')).toHaveCount(7);
    await expect(zhTable.getByRole('button', { name: '按名称排序' })).toBeVisible();
    await expect(zhTable.getByRole('row').filter({ hasText: keep.imageId! }).locator('time').first()).toHaveText(/前$/);
    await scanView(page, testInfo, 'dashboard-zh-CN');
  });
});
