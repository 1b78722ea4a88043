// The queue and the lifecycle panel for Glance's interoperable import into both of the test
// Glance's stores (issue 14), in Chromium against the real core and the real Glance: the steps
// are the import's own (checked, record created, uploading, staged, importing, active, verified),
// consistent at every look on the way, and each store's outcome is shown in the row and in the
// panel until the image is active in both and verified.
import path from 'node:path';
import { MiB, expect, test } from './harness.ts';
import { callFromPage, connectCloud, lifecycle, row, tab } from './steps.ts';

const STATE = /\((done|in progress|paused|stopped|failed|not yet|skipped)\)/;

function isConsistent(steps: readonly string[]): boolean {
  const states = steps.map((s) => STATE.exec(s)?.[1] ?? '?');
  let i = 0;
  while (states[i] === 'done') i += 1;
  while (states[i] === 'in progress') i += 1;
  while (states[i] === 'not yet') i += 1;
  return i === states.length;
}

test('a Glance import into both stores: its own steps and each store’s outcome, in the row and the panel', async ({
  page,
  app,
}) => {
  const file = await app.randomRaw('import-queue', 8 * MiB);
  const name = path.basename(file);
  await app.open();
  await connectCloud(page);
  const granted = (await callFromPage(app, 'chooseHostFiles', [file])) as { ok: boolean };
  expect(granted.ok).toBe(true);
  const started = (await callFromPage(app, 'startUploads', [
    {
      path: file,
      name: name.replace(/\.raw$/, ''),
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      import: { stores: ['fast', 'slow'], allowFailure: false },
    },
  ])) as { ok: boolean; value: string[] };
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const id = started.value[0]!;
  await tab(page, 'Queue').click();
  const job = row(page, name);
  await job.getByRole('button', { name: `Details of ${name}` }).click();
  const panel = lifecycle(page, name);
  await expect(panel).toContainText('Glance, staged and imported');
  const steps = () =>
    panel
      .getByRole('list', { name: 'Steps' })
      .getByRole('listitem')
      .evaluateAll((items) =>
        items.map(
          (li) => `${li.querySelector('.step-label')?.textContent} ${li.querySelector('.step-state')?.textContent}`,
        ),
      );

  const seen = new Set<string>();
  const storesSeen = new Set<string>();
  const done = job.getByText('Done', { exact: true });
  while (!(await done.isVisible())) {
    seen.add(JSON.stringify(await steps()));
    for (const text of await job.locator('.row-store').allTextContents()) storesSeen.add(text);
    await page.waitForTimeout(50);
    if (seen.size > 500) break;
  }
  test.info().annotations.push({ type: 'stores seen in the row', description: [...storesSeen].join(' | ') });
  for (const look of [...seen].map((s) => JSON.parse(s) as string[]))
    expect(isConsistent(look), look.join(', ')).toBe(true);
  await expect
    .poll(steps, { timeout: 120_000 })
    .toEqual([
      'Checked (done)',
      'Record created (done)',
      'Uploading (done)',
      'Staged (done)',
      'Importing (done)',
      'Active (done)',
      'Verified (done)',
    ]);
  await expect(job.locator('.row-store')).toHaveText(['fast: imported', 'slow: imported']);
  await expect(panel.getByRole('list', { name: 'Stores' }).getByRole('listitem')).toHaveText([
    'fast: imported',
    'slow: imported',
  ]);
  const snapshot = app.core.engine.get(id)!;
  app.trackImage(snapshot.imageId!);
  expect(snapshot.stores).toEqual([
    { store: 'fast', state: 'done' },
    { store: 'slow', state: 'done' },
  ]);
  await expect(panel).toContainText('size and sha512 of the image equal the file’s');
});
