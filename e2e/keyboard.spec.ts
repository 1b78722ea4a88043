// The main path with the keyboard only: Tab, arrows, Enter and Space reach the tabs, Connect, the
// drop zone's "Choose files…" and the host browser it opens (imagedrop serve), Upload, Pause and
// Resume. No mouse click anywhere.
import path from 'node:path';
import { ADMIN, MiB, expect, test } from './harness.ts';
import { draft, holdImageData, hostBrowser, row, tab, tabTo } from './steps.ts';

test.use({ imageProxy: true });

test('keyboard only: connect, choose a file, upload, pause and resume', async ({ page, app }) => {
  const raw = await app.randomRaw('alpine-3.20', 96 * MiB);
  const name = path.basename(raw);
  const wire = holdImageData(app.proxy, 8 * MiB);
  await app.open();

  await test.step('the tabs: one Tab stop, arrows move between views', async () => {
    await tabTo(page, tab(page, 'Connect'));
    await page.keyboard.press('ArrowRight');
    await expect(tab(page, 'Add images')).toBeFocused();
    await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(tab(page, 'Dashboard')).toBeFocused();
    await page.keyboard.press('Home');
    await expect(tab(page, 'Connect')).toBeFocused();
    await expect(tab(page, 'Connect')).toHaveAttribute('aria-selected', 'true');
  });

  await test.step('connect with Enter', async () => {
    await tabTo(page, page.getByRole('combobox', { name: 'Cloud' }));
    await expect(page.getByRole('combobox', { name: 'Cloud' })).toHaveValue(ADMIN);
    await tabTo(page, page.getByRole('button', { name: 'Connect', exact: true }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  });

  await test.step('"Choose files…" with Space; in the host browser, Space ticks and Enter adds', async () => {
    await tabTo(page, page.getByRole('button', { name: 'Add images', exact: true }));
    await page.keyboard.press('Enter');
    await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
    await tabTo(page, page.getByRole('button', { name: 'Choose files…', exact: true }));
    await page.keyboard.press('Space');
    const dialog = hostBrowser(page);
    // Focus moved into the dialog, and Tab stays in it.
    await expect(dialog.getByRole('heading', { name: 'Choose disk images on the host' })).toBeFocused();
    const box = dialog.getByRole('checkbox', { name: `Choose ${name}`, exact: true });
    await tabTo(page, box);
    await page.keyboard.press('Space');
    await expect(box).toBeChecked();
    await tabTo(page, dialog.getByRole('button', { name: 'Add 1 file' }));
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(draft(page, name).getByText('Safe', { exact: true })).toBeVisible();
    // The focus went back where it was.
    await expect(page.getByRole('button', { name: 'Choose files…', exact: true })).toBeFocused();
  });

  await test.step('Upload with Enter, Pause with Space, Resume with Enter; the focus stays in the row', async () => {
    await tabTo(page, page.getByRole('button', { name: 'Upload', exact: true }));
    await page.keyboard.press('Enter');
    await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
    await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
    const pause = row(page, name).getByRole('button', { name: `Pause ${name}` });
    const resume = row(page, name).getByRole('button', { name: `Resume ${name}` });
    await tabTo(page, pause);
    await page.keyboard.press('Space');
    await expect(row(page, name).getByText('Paused', { exact: true })).toBeVisible();
    await expect(row(page, name).getByText(/^Resume continues at \d+%\.$/)).toBeVisible();
    // Pause disabled itself: the focus went to its counterpart, not to <body>.
    await expect(resume).toBeFocused();
    await page.keyboard.press('Enter');
    // Still held at the proxy, so it stays in Uploading and Pause is the counterpart again.
    await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
    await expect(pause).toBeFocused();
    wire.release();
    await expect(row(page, name).getByText('Verified', { exact: true })).toBeVisible();
    await expect(row(page, name).getByText('Image active', { exact: true })).toBeVisible();
    // Done: Pause disabled itself too, and the focus is still in the row.
    await expect(row(page, name).getByRole('button', { name: `Details of ${name}` })).toBeFocused();
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  });
});
