// File associations: files the OS hands to Imagedrop (core.openFiles, as the shell calls it for
// a double-clicked .qcow2 or a second instance) appear in Add images, inspected at once, even
// before connecting.
import path from 'node:path';
import { MiB, expect, test } from './harness.ts';
import { draft, tab } from './steps.ts';

// The OS hands files only to the desktop app.
test.use({ shell: 'binding' });

test('files opened from the OS appear in Add images, inspected', async ({ page, app }) => {
  const [qcow2, unsafe] = await Promise.all([app.qcow2('fedora-40', 2 * MiB), app.unsafeQcow2('snapshot')]);
  await app.open();
  await expect(tab(page, 'Connect')).toHaveAttribute('aria-selected', 'true');

  app.openFiles([qcow2, unsafe]);

  await expect(tab(page, 'Add images')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li')).toHaveCount(2);
  const safeCard = draft(page, path.basename(qcow2));
  await expect(safeCard.getByText('Safe', { exact: true })).toBeVisible();
  await expect(safeCard.getByRole('combobox', { name: 'Disk format' })).toHaveValue('qcow2');
  await expect(safeCard.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue(
    path.basename(qcow2, '.qcow2'),
  );
  await expect(safeCard.getByText(path.dirname(qcow2) + '/' + path.basename(qcow2))).toBeVisible();
  const unsafeCard = draft(page, path.basename(unsafe));
  await expect(unsafeCard.getByRole('group', { name: `Why ${path.basename(unsafe)} is blocked` })).toContainText(
    'backing file',
  );
  // Not connected: checked now, uploaded later.
  await expect(page.getByRole('note')).toContainText('Not connected: files can be checked now');
  await expect(page.getByRole('button', { name: 'Upload', exact: true })).toBeDisabled();

  // Opening one of them again does not add it twice (events arrive in order: once the next file
  // is there, the repeat has been handled).
  const raw = await app.randomRaw('tiny', 1 * MiB);
  app.openFiles([qcow2]);
  app.openFiles([raw]);
  await expect(draft(page, path.basename(raw)).getByText('Safe', { exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Files to upload' }).locator(':scope > li')).toHaveCount(3);
});
