// Every view, in the state a user sees it in, scanned with axe in light and dark (no serious or
// critical violation), and photographed for the README: docs/screenshots/<view>.png at 1280x800,
// plus the queue in dark. The uploads are held mid-way by the proxy (see upload-flow.spec.ts) so
// that the queue can be shown with one upload paused and one under way.
import path from 'node:path';
import { ADMIN, KEYSTONE_URL, MiB, expect, test } from './harness.ts';
import {
  type AxeFinding,
  chooseFiles,
  connectCloud,
  draft,
  holdImageData,
  hostBrowser,
  imageIdOf,
  lifecycle,
  progressOf,
  row,
  scanView,
  screenshot,
  tab,
} from './steps.ts';

// The test Glance's own quota (user_storage_quota 4GB), told to Imagedrop so that usage shows against it.
test.use({ imageProxy: true, cloudKeys: { image_storage_quota: '4GB' } });

test('every view passes axe in light and dark; screenshots for the README', async ({ page, app }, testInfo) => {
  const [unsafe, raw, qcow2] = await Promise.all([
    app.unsafeQcow2('overlay'),
    app.randomRaw('ubuntu-24.04', 96 * MiB),
    app.qcow2('cirros-0.6', 64 * MiB),
  ]);
  const [unsafeName, rawName, qcowName] = [unsafe, raw, qcow2].map((f) => path.basename(f)) as [string, string, string];
  const wire = holdImageData(app.proxy, 8 * MiB);
  const findings: AxeFinding[] = [];
  await app.open();

  await test.step('Connect', async () => {
    await expect(page.getByRole('combobox', { name: 'Cloud' })).toHaveValue(ADMIN);
    findings.push(...(await scanView(page, testInfo, 'connect')));
    // The form with every field, for the README (the password stays empty).
    await page.getByRole('radio', { name: 'Enter the details' }).check();
    await page.getByRole('textbox', { name: 'Auth URL', exact: true }).fill(KEYSTONE_URL);
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('demo');
    await page.getByRole('textbox', { name: 'Project', exact: true }).fill('demo');
    await page.getByRole('checkbox', { name: 'Remember this connection' }).check();
    await page.getByRole('textbox', { name: 'Remember as', exact: true }).fill('Lab cloud');
    findings.push(...(await scanView(page, testInfo, 'connect-details')));
    await page.getByRole('textbox', { name: 'Remember as', exact: true }).blur();
    await screenshot(page, testInfo, 'connect');
    await connectCloud(page);
    findings.push(...(await scanView(page, testInfo, 'connected')));
  });

  await test.step('the host browser (imagedrop serve)', async () => {
    await tab(page, 'Add images').click();
    await page.getByRole('button', { name: 'Choose files…', exact: true }).click();
    await expect(hostBrowser(page).getByRole('rowheader', { name: unsafeName })).toBeVisible();
    await hostBrowser(page)
      .getByRole('checkbox', { name: `Choose ${rawName}` })
      .check();
    findings.push(...(await scanView(page, testInfo, 'host-browser')));
    await screenshot(page, testInfo, 'host-browser');
    await page.keyboard.press('Escape');
    await expect(hostBrowser(page)).toHaveCount(0);
  });

  await test.step('Add images, with a blocked file', async () => {
    await chooseFiles(page, [unsafe, raw, qcow2]);
    await expect(draft(page, unsafeName).getByText('Blocked', { exact: true })).toBeVisible();
    await expect(draft(page, rawName).getByText('Safe', { exact: true })).toBeVisible();
    await expect(draft(page, qcowName).getByText('Safe', { exact: true })).toBeVisible();
    findings.push(...(await scanView(page, testInfo, 'add-images')));
    await page.getByRole('region', { name: 'Drop zone' }).scrollIntoViewIfNeeded();
    await screenshot(page, testInfo, 'add-images');
  });

  await test.step('Queue, one upload paused and one under way', async () => {
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    for (const name of [rawName, qcowName]) {
      await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
      await expect.poll(() => progressOf(page, name)).toBeGreaterThanOrEqual(8);
    }
    await row(page, rawName)
      .getByRole('button', { name: `Pause ${rawName}` })
      .click();
    await expect(row(page, rawName).getByText(/^Resume continues at \d+%\.$/)).toBeVisible();
    findings.push(...(await scanView(page, testInfo, 'queue')));
    await screenshot(page, testInfo, 'queue');
    await screenshot(page, testInfo, 'queue-dark', 'dark');

    // The one modal dialog: focus starts on the safe choice, and Escape closes it.
    await page.getByRole('group', { name: 'All uploads' }).getByRole('button', { name: 'Cancel all' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel every upload?' });
    await expect(dialog.getByRole('button', { name: 'Keep uploading' })).toBeFocused();
    findings.push(...(await scanView(page, testInfo, 'cancel-all-dialog')));
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(row(page, rawName).getByText('Paused', { exact: true })).toBeVisible();
  });

  await test.step('Lifecycle of a verified image', async () => {
    wire.release();
    await row(page, rawName)
      .getByRole('button', { name: `Resume ${rawName}` })
      .click();
    for (const name of [rawName, qcowName]) {
      await expect(row(page, name).getByText('Verified', { exact: true })).toBeVisible();
    }
    await imageIdOf(page, rawName);
    await expect(lifecycle(page, rawName).getByText('Verified: size and checksum match')).toBeVisible();
    findings.push(...(await scanView(page, testInfo, 'lifecycle')));
    await lifecycle(page, rawName).evaluate((el) => {
      el.scrollIntoView({ block: 'start' });
      window.scrollBy(0, -16);
    });
    await screenshot(page, testInfo, 'lifecycle');
  });

  await test.step('Dashboard', async () => {
    await tab(page, 'Dashboard').click();
    await page.getByRole('searchbox', { name: 'Search' }).fill(app.tag);
    const rows = page.getByRole('table', { name: 'Images' }).getByRole('rowgroup').last().getByRole('row');
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: 'active' })).toHaveCount(2);
    findings.push(...(await scanView(page, testInfo, 'dashboard')));
    await page.getByRole('searchbox', { name: 'Search' }).blur();
    await screenshot(page, testInfo, 'dashboard');
  });

  // Not failures: reported so that they can be weighed.
  await testInfo.attach('axe-moderate-and-minor.json', {
    body: JSON.stringify(findings, null, 2),
    contentType: 'application/json',
  });
  for (const f of findings)
    console.log(`[axe] ${f.view} (${f.scheme}): ${f.id} [${f.impact}] ${f.help} — ${f.nodes} node(s)`);
});
