// The window's shell (issue 12), in Chromium against the real core and the real Keystone and
// Glance: the header's cloud switcher between the two clouds of the test clouds.yaml (an upload of
// the first keeps running there), files dropped anywhere on the window, the shortcuts the menu
// shows, Preferences with the language (中文 and back) and the theme, and axe in light and dark,
// by the system's scheme and by choice, in both languages.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import path from 'node:path';
import { ADMIN, MiB, expect, test } from './harness.ts';
import { connectCloud, draft, holdImageData, tab } from './steps.ts';

const DEMO = 'imagedrop-demo';

function switcher(page: Page) {
  return page.getByRole('banner').getByRole('button', { name: /^(Cloud: |云：|Choose a cloud|选择云)/ });
}

/** Serious and critical axe violations of the page as it is now. */
async function axe(page: Page, testInfo: TestInfo, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  await testInfo.attach(`axe-${label}.json`, {
    body: JSON.stringify({ violations: results.violations }, null, 2),
    contentType: 'application/json',
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.describe('the cloud switcher', () => {
  test.use({ imageProxy: true });

  test('switches between the two clouds without a disconnect; the first cloud’s upload keeps its row and finishes there', async ({
    page,
    app,
  }) => {
    await app.open();
    await connectCloud(page, ADMIN);
    await expect(switcher(page)).toHaveAccessibleName(`Cloud: ${ADMIN}, RegionOne, Glance`);
    const adminProject = app.core.context!.session.projectId;

    const file = await app.randomRaw('switch', 4 * MiB);
    const name = path.basename(file);
    const hold = holdImageData(app.proxy, 1 * MiB);
    await test.step('an upload to the first cloud, held half-way', async () => {
      app.core.grantPaths([file]);
      const started = await app.core.handlers.startUploads([
        { path: file, name: `switch-${app.tag}`, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
      ]);
      expect(started).toHaveLength(1);
      await app.proxy.reached();
    });

    await test.step('the header’s menu lists both clouds; choosing the other connects to it directly', async () => {
      await switcher(page).click();
      const menu = page.getByRole('menu', { name: 'Clouds' });
      await expect(menu.getByRole('menuitemradio', { name: new RegExp(`^${ADMIN}`) })).toHaveAttribute(
        'aria-checked',
        'true',
      );
      await menu.getByRole('menuitemradio', { name: new RegExp(`^${DEMO}`) }).click();
      await expect(switcher(page)).toHaveAccessibleName(`Cloud: ${DEMO}, RegionOne, Glance`);
      await expect(page.getByText('demo · demo · RegionOne')).toBeVisible();
      expect(app.core.context?.session.details.user?.name).toBe('demo');
    });

    await test.step('the first cloud’s upload keeps its row, and finishes on its own cloud, verified', async () => {
      await tab(page, 'Queue').click();
      await expect(page.getByRole('tabpanel', { name: 'Queue' })).toContainText(name);
      hold.release();
      await expect.poll(() => app.core.engine.list()[0]?.phase, { timeout: 60_000 }).toBe('done');
      const job = app.core.engine.list()[0]!;
      expect(job.verified).toBe(true);
      expect(job.cloudName).toBe(ADMIN);
      const image = await app.glance.getImage(job.imageId!, AbortSignal.timeout(30_000));
      expect(image).toMatchObject({ status: 'active', owner: adminProject });
      await expect(page.getByRole('tabpanel', { name: 'Queue' })).toContainText(name);
    });

    await test.step('and back, from the keyboard', async () => {
      await switcher(page).focus();
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('menuitemradio', { name: new RegExp(`^${ADMIN}`) })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(switcher(page)).toHaveAccessibleName(`Cloud: ${ADMIN}, RegionOne, Glance`);
      await expect(switcher(page)).toBeFocused();
    });
  });
});

test.describe('the app’s shell (drops and the native picker)', () => {
  test.use({ shell: 'binding' });

  test('files dropped anywhere on the window: an overlay while dragging, then they are in Add images', async ({
    page,
    app,
  }) => {
    const file = await app.randomRaw('anywhere', 1 * MiB);
    const name = path.basename(file);
    await app.open();
    await connectCloud(page, ADMIN);
    await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();

    await test.step('dragging files over the window shows the overlay; leaving hides it', async () => {
      const drag = (type: 'dragenter' | 'dragleave') =>
        page.evaluate(
          ([t, n]) => {
            const data = new DataTransfer();
            data.items.add(new File([''], n));
            document.querySelector('main')!.dispatchEvent(new DragEvent(t, { dataTransfer: data, bubbles: true }));
          },
          [type, name] as const,
        );
      await drag('dragenter');
      await expect(page.getByText('Drop to add these files')).toBeVisible();
      await drag('dragleave');
      await expect(page.getByText('Drop to add these files')).toHaveCount(0);
    });

    await test.step('a drop on the header (not the drop zone) adds the file and shows Add images', async () => {
      await page.getByRole('banner').drop({
        files: { name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) },
      });
      await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
      await expect(draft(page, name).getByText('Safe', { exact: true })).toBeVisible();
      await expect(draft(page, name).getByText(file, { exact: true })).toBeVisible();
      await expect(page.getByText('Drop to add these files')).toHaveCount(0);
    });

    await test.step('a page cannot grant itself a path: a file the preload did not resolve is refused', async () => {
      const r = await page.evaluate(
        (p) =>
          (window as unknown as { imagedrop: { inspectFiles(x: string[]): Promise<unknown> } }).imagedrop.inspectFiles([
            p,
          ]),
        '/etc/hostname',
      );
      expect(r).toMatchObject({ ok: true, value: [{ ok: false, error: { code: 'ipc/path-not-granted' } }] });
    });
  });

  test('Ctrl+O opens the native picker; the picked file lands in Add images', async ({ page, app }) => {
    const file = await app.randomRaw('picked', 1 * MiB);
    await app.open();
    app.queuePick([file]);
    await page.keyboard.press('Control+o');
    await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
    await expect(draft(page, path.basename(file)).getByText('Safe', { exact: true })).toBeVisible();
  });
});

test('Ctrl+F, from another view, shows the queue with its filter box focused', async ({ page, app }) => {
  await app.open();
  await connectCloud(page, ADMIN);
  const file = await app.randomRaw('find', 1 * MiB);
  app.core.grantPaths([file]);
  await app.core.handlers.startUploads([
    { path: file, name: `find-${app.tag}`, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
  ]);
  await expect.poll(() => app.core.engine.list()[0]?.phase, { timeout: 60_000 }).toBe('done');
  await tab(page, 'Connect').click();
  await page.keyboard.press('Control+f');
  await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#queue-find')).toBeFocused(); // the queue view’s filter box (QueueControls)
});

test('Ctrl+, opens Preferences: 中文 and back, dark and light; axe clean in each', async ({ page, app }, testInfo) => {
  await app.open();
  const violations: string[] = [];

  const dialog = page.getByRole('dialog', { name: /^(Preferences|偏好设置)$/ });

  await test.step('Ctrl+, opens Preferences; 简体中文 switches every view', async () => {
    await page.keyboard.press('Control+,');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('radio', { name: 'English' })).toBeFocused();
    violations.push(...(await axe(page, testInfo, 'preferences-en')));
    await dialog.getByRole('radio', { name: '简体中文' }).check();
    await expect(page.getByRole('dialog', { name: '偏好设置' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    violations.push(...(await axe(page, testInfo, 'preferences-zh')));
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('tablist', { name: '视图' }).getByRole('tab')).toHaveText([
      '连接',
      '添加镜像',
      '队列',
      '仪表板',
    ]);
    await expect(page.getByRole('heading', { name: '连接到云' })).toBeVisible();
  });

  await test.step('the language is remembered across a reload', async () => {
    await page.reload();
    await expect(page.getByRole('heading', { name: '连接到云' })).toBeVisible();
  });

  for (const locale of ['zh', 'en'] as const) {
    await test.step(`axe in ${locale}: light and dark by the system, and by choice against it`, async () => {
      if (locale === 'en') {
        await page.keyboard.press('Control+,');
        await dialog.getByRole('radio', { name: 'English' }).check();
        await page.keyboard.press('Escape');
        await expect(page.getByRole('heading', { name: 'Connect to a cloud' })).toBeVisible();
      }
      // The details form too: it has the most controls.
      await page.getByRole('radio', { name: locale === 'en' ? 'Enter the details' : '输入连接信息' }).check();
      await page.getByRole('radio', { name: /Huawei Cloud IMS|华为云 IMS/ }).check();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        violations.push(...(await axe(page, testInfo, `${locale}-system-${scheme}`)));
      }
      for (const [system, chosen] of [
        ['light', 'dark'],
        ['dark', 'light'],
      ] as const) {
        await page.emulateMedia({ colorScheme: system });
        await page.keyboard.press('Control+,');
        await dialog.getByRole('radio', { name: chosen === 'dark' ? /^(Dark|深色)$/ : /^(Light|浅色)$/ }).check();
        await page.keyboard.press('Escape');
        await expect(page.locator('html')).toHaveAttribute('data-theme', chosen);
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(chosen === 'dark' ? 'rgb(15, 18, 22)' : 'rgb(246, 247, 249)');
        violations.push(...(await axe(page, testInfo, `${locale}-${system}-system-${chosen}-chosen`)));
        await switcher(page).click();
        await expect(page.getByRole('menu')).toBeVisible();
        violations.push(...(await axe(page, testInfo, `${locale}-${chosen}-switcher-menu`)));
        await page.keyboard.press('Escape');
      }
      await page.keyboard.press('Control+,');
      await dialog.getByRole('radio', { name: /^(As the system|跟随系统)$/ }).check();
      await page.keyboard.press('Escape');
      await expect(page.locator('html')).not.toHaveAttribute('data-theme');
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(violations).toEqual([]);
});
