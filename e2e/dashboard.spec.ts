// The operator dashboard against the real Glance: an image stuck in `queued` stands out, can be
// ticked and deleted after a confirmation, and is then gone from the server; a fresh one is not
// stuck and cannot be ticked.
import { expect, ageImage, imageOrNull, test } from './harness.ts';
import { columnCell } from './dashboard-steps.ts';
import { connectCloud, scanView, tab } from './steps.ts';

test('a stuck image is highlighted, deleted after confirmation, and gone from Glance', async ({
  page,
  app,
}, testInfo) => {
  const signal = () => AbortSignal.timeout(30_000);
  const stuckName = `stuck-${app.tag}`;
  const freshName = `fresh-${app.tag}`;
  const stuck = await app.glance.createImage({ name: stuckName, diskFormat: 'raw', containerFormat: 'bare' }, signal());
  app.trackImage(stuck.id);
  const fresh = await app.glance.createImage({ name: freshName, diskFormat: 'raw', containerFormat: 'bare' }, signal());
  app.trackImage(fresh.id);
  // Nothing has happened to it for half an hour, as far as Glance's record says.
  await ageImage(stuck.id, 30);

  await app.open();
  await connectCloud(page);
  await tab(page, 'Dashboard').click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(app.tag);
  const table = page.getByRole('table', { name: 'Images' });
  const stuckRow = table.getByRole('row').filter({ hasText: stuck.id });
  const freshRow = table.getByRole('row').filter({ hasText: fresh.id });
  const threshold = page.getByRole('textbox', { name: 'Stuck after (minutes)' });

  await test.step('both are listed; only the old one is stuck (default threshold 10 min)', async () => {
    await expect(stuckRow).toHaveCount(1);
    await expect(freshRow).toHaveCount(1);
    await expect(threshold).toHaveValue('10');
    await expect(stuckRow.getByRole('cell').nth(1)).toContainText(/^queuedStuck for (29|30|31) min/);
    await expect(await columnCell(table, stuckRow, 'Created by Imagedrop')).toHaveText('No');
    await expect(stuckRow.getByRole('checkbox', { name: `Select ${stuckName} for deletion` })).toBeVisible();
    await expect(freshRow.getByRole('cell').nth(1)).toHaveText('queued');
    await expect(freshRow.getByRole('checkbox')).toHaveCount(0);
    // The project holds other tests' images too: only the filtered count is this test's.
    await expect(page.getByText(/^Showing 2 of \d+ images/)).toBeVisible();
  });

  await test.step('the threshold: 0 is refused, 60 min un-sticks it, 1 min sticks it again', async () => {
    await threshold.fill('0');
    await expect(threshold).toHaveAccessibleDescription(/1 or more/);
    await threshold.fill('60');
    await expect(stuckRow.getByRole('checkbox')).toHaveCount(0);
    await threshold.fill('1');
    await expect(stuckRow.getByRole('checkbox', { name: `Select ${stuckName} for deletion` })).toBeVisible();
  });

  await test.step('axe: the stuck row and the delete bar', async () => {
    await expect(page.getByRole('group', { name: 'Images that can be deleted' })).toBeVisible();
    await expect(stuckRow.getByText(/^Stuck for/)).toBeVisible();
    await scanView(page, testInfo, 'dashboard-stuck');
  });

  await test.step('sort by name', async () => {
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await expect(table.getByRole('rowheader')).toHaveText([new RegExp(`^${freshName}`), new RegExp(`^${stuckName}`)]);
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await expect(table.getByRole('rowheader')).toHaveText([new RegExp(`^${stuckName}`), new RegExp(`^${freshName}`)]);
  });

  await test.step('tick it, confirm, and it is deleted on the server', async () => {
    await stuckRow.getByRole('checkbox', { name: `Select ${stuckName} for deletion` }).check();
    await page.getByRole('button', { name: 'Delete selected (1)' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete 1 image?' });
    await expect(dialog).toContainText(stuck.id);
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await scanView(page, testInfo, 'dashboard-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete 1 image' }).click();
    await expect(page.getByRole('region', { name: 'Deletion results' })).toContainText(`${stuckName}: deleted`);
    await expect(stuckRow).toHaveCount(0);
    expect(await imageOrNull(app.glance, stuck.id)).toBeNull();
    // The fresh one was not touched.
    expect((await imageOrNull(app.glance, fresh.id))?.status).toBe('queued');
    await expect(freshRow).toHaveCount(1);
  });
});
