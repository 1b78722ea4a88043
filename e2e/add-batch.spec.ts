// Add images with many files, in Chromium against the real core and the real Glance: 20 files
// collapse to name and verdict, the batch editor applies visibility, min RAM, tags, properties,
// store and protected to all of them, and the images Glance holds afterwards carry that metadata.
// The project's usage stands above Upload (the test cloud's clouds.yaml gets the quota Glance
// enforces, image_storage_quota), an upload that cannot fit is refused in the view and by the
// core, the batch editor works from the keyboard alone, and axe finds nothing serious in light,
// dark and Simplified Chinese.
import { readFileSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MiB, expect, test, type App } from './harness.ts';
import { type AxeFinding, callFromPage, connectCloud, draft, scanView, tab, tabTo } from './steps.ts';
import type { Page } from '@playwright/test';

/** The quota the test Glance enforces (user_storage_quota), given to the app as image_storage_quota. */
const GLANCE_QUOTA = /^user_storage_quota\s*=\s*(\S+)/m.exec(
  readFileSync('/var/tmp/imagedrop-testcloud/glance-api.conf', 'utf8'),
)![1]!;

// The desktop shell: files reach Add images as the OS hands them over (openFiles).
test.use({ shell: 'binding', cloudKeys: { image_storage_quota: GLANCE_QUOTA } });

const batchEditor = (page: Page) => page.getByRole('region', { name: 'Metadata for several files' });
const cards = (page: Page) => page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li');

async function manyFiles(app: App, n: number, size = 1 * MiB): Promise<string[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) => app.randomRaw(`batch-${String(i + 1).padStart(2, '0')}`, size)),
  );
}

test('20 files: batch metadata applied to all, uploaded, and Glance’s images carry it; usage shown', async ({
  page,
  app,
}) => {
  const files = await manyFiles(app, 20);
  await app.open();
  await connectCloud(page);
  app.openFiles(files);
  await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
  await expect(cards(page)).toHaveCount(20);

  await test.step('the cards collapse to name, verdict and size', async () => {
    for (const f of files) await expect(draft(page, path.basename(f)).getByText('Safe', { exact: true })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveCount(0);
    await expect(draft(page, path.basename(files[0]!))).toContainText('1.00 MiB');
  });

  await test.step('the project’s usage, against the quota, before Upload', async () => {
    const usage = page.getByRole('region', { name: 'Image storage of the project' });
    await expect(usage.locator('.usage-line')).toHaveText(
      /^20 files, 20\.0 MiB; the project uses [\d.]+ [KMG]?i?B of 4\.00 GiB\.$/,
    );
    await expect(usage.getByRole('meter')).toBeVisible();
    await expect(usage).toContainText('image_storage_quota');
  });

  await test.step('the batch editor: fill once, apply to all 20', async () => {
    const b = batchEditor(page);
    await b.getByRole('combobox', { name: 'Visibility' }).selectOption('shared');
    await b.getByRole('textbox', { name: 'Minimum RAM (MiB)' }).fill('512');
    await b.getByRole('textbox', { name: 'Tags to add' }).fill(`e2e-batch, ${app.tag}`);
    await b.getByRole('combobox', { name: 'Store' }).selectOption('slow');
    await b.getByRole('combobox', { name: 'Protected' }).selectOption('yes');
    await b.getByRole('button', { name: 'Add property to the batch' }).click();
    await b.getByRole('combobox', { name: 'Property 1 key' }).fill('os_distro');
    await b.getByRole('combobox', { name: 'Property 1 value' }).fill('cirros');
    await b.getByRole('button', { name: 'Add property to the batch' }).click();
    await b.getByRole('combobox', { name: 'Property 2 key' }).fill('hw_disk_bus');
    await b.getByRole('combobox', { name: 'Property 2 value' }).fill('virtio');
    await b.getByRole('button', { name: 'Apply to all 20 files' }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Applied to 20 files.');
    // One card, opened: its form says what the batch set.
    const one = draft(page, path.basename(files[13]!));
    await one.getByRole('button', { name: `Edit ${path.basename(files[13]!)}` }).click();
    await expect(one.getByRole('combobox', { name: 'Visibility' })).toHaveValue('shared');
    await expect(one.getByRole('textbox', { name: 'Minimum RAM (MiB)' })).toHaveValue('512');
    await expect(one.getByRole('combobox', { name: 'Store' })).toHaveValue('slow');
    await expect(one.getByRole('checkbox', { name: 'Protected' })).toBeChecked();
  });

  await test.step('upload the 20: every image in Glance carries the batch metadata', async () => {
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('20 uploads started.');
    await expect
      .poll(() => app.core.engine.list().filter((s) => s.phase === 'done').length, { timeout: 150_000 })
      .toBe(20);
    const jobs = app.core.engine.list();
    expect(jobs.every((s) => s.verified)).toBe(true);
    for (const job of jobs) {
      app.trackImage(job.imageId!);
      const image = await app.glance.getImage(job.imageId!, AbortSignal.timeout(30_000));
      expect(image).toMatchObject({
        visibility: 'shared',
        min_ram: 512,
        protected: true,
        stores: 'slow',
        os_distro: 'cirros',
        hw_disk_bus: 'virtio',
        status: 'active',
      });
      expect([...image.tags].sort()).toEqual([app.tag, 'e2e-batch'].sort());
    }
  });
});

test('an upload that cannot fit the quota is refused in the view and by the core, before a byte', async ({
  page,
  app,
}) => {
  // A sparse raw file just over the whole quota: it cannot fit whatever the project holds.
  const big = app.fileName('too-big', 'raw');
  await writeFile(big, '');
  await truncate(big, 4 * 1024 ** 3 + MiB);
  const small = await app.randomRaw('fits', MiB);
  await app.open();
  await connectCloud(page);
  app.openFiles([big, small]);
  await expect(draft(page, path.basename(big)).getByText('Safe', { exact: true })).toBeVisible();
  const upload = page.getByRole('button', { name: 'Upload', exact: true });
  await expect(upload).toBeDisabled();
  await expect(page.locator('#submit-refusal')).toHaveText(
    /^These files need 4\.00 GiB, but the project has [\d.]+ [KMG]?i?B left of its 4\.00 GiB image quota: remove some files/,
  );
  await expect(upload).toHaveAccessibleDescription(/These files need 4\.00 GiB/);

  // The core refuses it too, when asked directly: nothing queued, no record in Glance.
  const answer = (await callFromPage(app, 'startUploads', [
    { path: big, name: `too-big-${app.tag}`, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
  ])) as { ok: boolean; error?: { code: string; message: string } };
  expect(answer.ok).toBe(false);
  expect(answer.error?.code).toBe('glance/quota-exceeded');
  expect(answer.error?.message).toMatch(
    /^This upload needs 4\.00 GiB, but the project has .* left of its 4\.00 GiB image quota/,
  );
  expect(app.core.engine.list()).toEqual([]);

  // Without the big one, the rest goes.
  await draft(page, path.basename(big))
    .getByRole('button', { name: `Remove ${path.basename(big)}` })
    .click();
  await expect(upload).toBeEnabled();
  await expect(page.locator('#submit-refusal')).toHaveCount(0);
});

test('keyboard only: the batch editor, selection, apply to the selected, a preset', async ({ page, app }) => {
  const files = await manyFiles(app, 5);
  const names = files.map((f) => path.basename(f));
  await app.open();
  await connectCloud(page);
  app.openFiles(files);
  await expect(cards(page)).toHaveCount(5);
  const b = batchEditor(page);

  await tabTo(page, b.getByRole('combobox', { name: 'Visibility' }));
  await page.keyboard.type('c'); // "community", by its first letter, as in any select
  await expect(b.getByRole('combobox', { name: 'Visibility' })).toHaveValue('community');
  await page.keyboard.press('Tab');
  await expect(b.getByRole('textbox', { name: 'Minimum RAM (MiB)' })).toBeFocused();
  await page.keyboard.type('1024');
  await tabTo(page, b.getByRole('button', { name: 'Add property to the batch' }));
  await page.keyboard.press('Enter');
  await tabTo(page, b.getByRole('combobox', { name: 'Property 1 key' }));
  await page.keyboard.type('architecture');
  await page.keyboard.press('Tab');
  await expect(b.getByRole('combobox', { name: 'Property 1 value' })).toBeFocused();
  await page.keyboard.type('x86_64');

  // Select two files with Space.
  for (const n of [names[1]!, names[3]!]) {
    await tabTo(page, page.getByRole('checkbox', { name: `Select ${n}` }));
    await page.keyboard.press('Space');
    await expect(page.getByRole('checkbox', { name: `Select ${n}` })).toBeChecked();
  }
  await tabTo(page, b.getByRole('button', { name: 'Apply to 2 selected' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Applied to 2 files.');

  // Open one selected card and one other with Enter: only the selected one changed.
  for (const n of [names[1]!, names[0]!]) {
    await tabTo(page, page.getByRole('button', { name: `Edit ${n}` }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: `Collapse ${n}` })).toBeFocused();
  }
  await expect(draft(page, names[1]!).getByRole('combobox', { name: 'Visibility' })).toHaveValue('community');
  await expect(draft(page, names[1]!).getByRole('textbox', { name: 'Minimum RAM (MiB)' })).toHaveValue('1024');
  await expect(draft(page, names[1]!).getByRole('combobox', { name: 'Property 1 key' })).toHaveValue('architecture');
  await expect(draft(page, names[0]!).getByRole('combobox', { name: 'Visibility' })).toHaveValue('private');

  // Save the batch as a preset, with the keyboard.
  await tabTo(page, b.getByRole('textbox', { name: 'Preset name' }));
  await page.keyboard.type('x86 community');
  await tabTo(page, b.getByRole('button', { name: 'Save as preset' }));
  await page.keyboard.press('Enter');
  await expect(b.getByRole('combobox', { name: 'Preset' })).toHaveValue('x86 community');
  const stored = await page.evaluate(() => localStorage.getItem('imagedrop.metadataPresets'));
  expect(JSON.parse(stored ?? '{}')).toMatchObject({
    version: 1,
    presets: [{ name: 'x86 community', fields: { visibility: 'community', minRam: '1024' } }],
  });
});

test('axe: Add images with 20 files, the batch editor, an open card and usage, in light, dark and Chinese', async ({
  page,
  app,
}, testInfo) => {
  const files = await manyFiles(app, 20);
  const unsafe = await app.unsafeQcow2('overlay');
  const findings: AxeFinding[] = [];
  await app.open();
  await connectCloud(page);
  app.openFiles([...files, unsafe]);
  await expect(cards(page)).toHaveCount(21);
  await expect(draft(page, path.basename(unsafe)).getByText('Blocked', { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Image storage of the project' }).getByRole('meter')).toBeVisible();
  // One card open with the import API's fields showing (the test Glance offers glance-direct).
  const one = draft(page, path.basename(files[0]!));
  await one.getByRole('button', { name: `Edit ${path.basename(files[0]!)}` }).click();
  await one.getByRole('checkbox', { name: 'Upload through the import API (glance-direct)' }).check();
  await expect(one).toContainText('a broken stage starts again from 0');
  await page.getByRole('checkbox', { name: `Select ${path.basename(files[2]!)}` }).check();
  findings.push(...(await scanView(page, testInfo, 'add-batch')));

  // Simplified Chinese, chosen before the page loads (as a saved choice is).
  await page.addInitScript(() => localStorage.setItem('imagedrop.locale', 'zh-CN'));
  await page.reload();
  await expect(page.getByRole('tablist', { name: '视图' })).toBeVisible();
  app.openFiles(files.slice(0, 5));
  await expect(page.getByRole('tab', { name: '添加镜像' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('list', { name: '待上传的文件' }).locator(':scope > li')).toHaveCount(5);
  await expect(page.getByRole('region', { name: '批量设置元数据' })).toBeVisible();
  await expect(page.getByRole('region', { name: '项目的镜像存储' })).toContainText('项目已用');
  await page.getByRole('button', { name: `编辑 ${path.basename(files[0]!)}` }).click();
  await expect(page.getByRole('textbox', { name: '名称', exact: true })).toBeVisible();
  findings.push(...(await scanView(page, testInfo, 'add-batch-zh-CN')));

  await testInfo.attach('axe-moderate-and-minor.json', {
    body: JSON.stringify(findings, null, 2),
    contentType: 'application/json',
  });
});
