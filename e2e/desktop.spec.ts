// What only the desktop app's shell does, over its own transport (the binding harness stands in
// for ipcRenderer; the rest of the suite runs against imagedrop serve): the CA file from the
// native picker, files dropped with their paths (the preload's webUtils.getPathForFile), "Choose
// files…" opening the native picker in main, and "Copy image ID" through the platform clipboard.
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { KEYSTONE_URL, MiB, expect, imageOrNull, sha512File, test } from './harness.ts';
import { draft, dropFiles, imageIdOf, lifecycle, row, tab, tabTo } from './steps.ts';

test.use({ shell: 'binding' });

test('the app: the native CA picker, a drop with paths, the native file picker, the platform clipboard', async ({
  page,
  app,
}) => {
  const [dropped, picked, unsafe] = await Promise.all([
    app.randomRaw('dropped', 2 * MiB),
    app.randomRaw('picked', 1 * MiB),
    app.unsafeQcow2('overlay'),
  ]);
  const [droppedName, pickedName, unsafeName] = [dropped, picked, unsafe].map((f) => path.basename(f)) as [
    string,
    string,
    string,
  ];
  await app.open();

  await test.step('the CA file comes from the native picker in main, and the connection uses it', async () => {
    await page.getByRole('radio', { name: 'Enter the details' }).check();
    await page.getByRole('radio', { name: 'User name and password' }).check();
    await page.getByRole('textbox', { name: 'Auth URL', exact: true }).fill(KEYSTONE_URL);
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('imagedrop-admin-pass');
    await page.getByRole('textbox', { name: 'Project', exact: true }).fill('admin');
    const file = path.join(app.filesDir, `ca-${app.tag}.pem`);
    await copyFile('/etc/ssl/certs/ca-certificates.crt', file);
    app.queueCaPick(file);
    await page.getByRole('button', { name: 'Choose the CA certificate file…' }).click();
    await expect(page.getByRole('textbox', { name: 'CA certificate file', exact: true })).toHaveValue(file);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
    expect(app.core.context?.session.config.cacertPath).toBe(file);
  });

  await test.step('drop two files: their paths come from the preload; one safe, one blocked with its reason', async () => {
    await dropFiles(page, [dropped, unsafe]);
    await expect(page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li')).toHaveCount(2);
    await expect(draft(page, droppedName).getByText('Safe', { exact: true })).toBeVisible();
    await expect(draft(page, droppedName).getByText(dropped, { exact: true })).toBeVisible();
    await expect(draft(page, unsafeName).getByText('Blocked', { exact: true })).toBeVisible();
    await expect(draft(page, unsafeName).getByRole('group', { name: `Why ${unsafeName} is blocked` })).toContainText(
      /needs the backing file "overlay-base\.raw"/,
    );
    await expect(page.getByText('1 file ready, 1 blocked.')).toBeVisible();
  });

  await test.step('"Choose files…" with Space opens the native picker in main', async () => {
    app.queuePick([picked]);
    await tabTo(page, page.getByRole('button', { name: 'Choose files…', exact: true }));
    await page.keyboard.press('Space');
    await expect(draft(page, pickedName).getByText('Safe', { exact: true })).toBeVisible();
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  await test.step('upload the dropped file to active and verified; "Copy image ID" uses the platform clipboard', async () => {
    await draft(page, pickedName)
      .getByRole('button', { name: `Remove ${pickedName}` })
      .click();
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
    await expect(row(page, droppedName).getByText('Verified', { exact: true })).toBeVisible();
    const id = await imageIdOf(page, droppedName);
    app.trackImage(id);
    expect(await imageOrNull(app.glance, id)).toMatchObject({
      status: 'active',
      size: 2 * MiB,
      os_hash_value: await sha512File(dropped),
    });
    await lifecycle(page, droppedName).getByRole('button', { name: 'Copy image ID' }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Image ID copied.');
    expect(app.copied).toEqual([id]);
  });
});
