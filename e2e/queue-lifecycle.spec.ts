// The lifecycle panel against a real upload into the real Glance, looked at several times: held
// mid-upload by the fault proxy (checked and record created are done, uploading is in progress,
// nothing after it is done), paused, then resumed to the end — and at every moment the panel was
// read on the way, the steps that are done form a prefix (a step is never done before it ended,
// and never after one that is not), then the steps under way, then those not started. Glance
// itself says `saving` as soon as the data flows in, but the Saving step starts only once every
// byte is sent: while the bytes go, Saving has not started. At the end: every step done, the results (duration, average
// speed, verified by sha512), the speed graph drawn from the run, and the row's chip.
import path from 'node:path';
import { MiB, expect, sha512File, test } from './harness.ts';
import { chooseFiles, connectCloud, holdImageData, imageIdOf, lifecycle, row } from './steps.ts';

test.use({ imageProxy: true });

const SIZE = 48 * MiB;
const HOLD_AT = 8 * MiB;

const STATE = /\((done|in progress|paused|stopped|failed|not yet|skipped)\)/;

/** Each step as "Label (state)". */
async function stepsOf(panel: ReturnType<typeof lifecycle>): Promise<string[]> {
  return panel
    .getByRole('list', { name: 'Steps' })
    .getByRole('listitem')
    .evaluateAll((items) =>
      items.map(
        (li) => `${li.querySelector('.step-label')?.textContent} ${li.querySelector('.step-state')?.textContent}`,
      ),
    );
}

/** Done steps first, then the ones under way (in progress or paused), then the ones not started. */
function isConsistent(steps: readonly string[]): boolean {
  const states = steps.map((s) => STATE.exec(s)?.[1] ?? '?');
  let i = 0;
  while (states[i] === 'done') i += 1;
  while (states[i] === 'in progress' || states[i] === 'paused') i += 1;
  while (states[i] === 'not yet') i += 1;
  return i === states.length;
}

test('the lifecycle of a real upload is right at every step', async ({ page, app }) => {
  const file = await app.randomRaw('lifecycle', SIZE);
  const name = path.basename(file);
  const wire = holdImageData(app.proxy, HOLD_AT);
  await app.open();
  await connectCloud(page);
  await chooseFiles(page, [file]);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
  const imageId = await imageIdOf(page, name);
  app.trackImage(imageId);
  const panel = lifecycle(page, name);

  await test.step('held mid-upload: checked and created done, uploading in progress, nothing after it', async () => {
    await expect.poll(() => app.proxy.forwarded.some((n) => n === HOLD_AT)).toBe(true);
    await expect
      .poll(async () => (await stepsOf(panel)).slice(0, 3))
      .toEqual(['Checked (done)', 'Record created (done)', 'Uploading (in progress)']);
    const held = await stepsOf(panel);
    expect(held[3]).toBe('Saving (not yet)');
    expect(held.slice(4)).toEqual(['Active (not yet)', 'Verified (not yet)']);
    expect(isConsistent(held)).toBe(true);
    await expect(panel.getByText('Not verified yet')).toBeVisible();
    // The summary never says "— left": a time, or "estimating…" before the first sample.
    await expect(page.locator('.summary-eta')).not.toHaveText(/—/);
  });

  await test.step('paused: the step under way says so', async () => {
    await row(page, name)
      .getByRole('button', { name: `Pause ${name}` })
      .click();
    await expect(row(page, name).getByText('Paused', { exact: true })).toBeVisible();
    await expect.poll(async () => (await stepsOf(panel))[2]).toBe('Uploading (paused)');
    const paused = await stepsOf(panel);
    expect(paused.slice(4)).toEqual(['Active (not yet)', 'Verified (not yet)']);
    expect(isConsistent(paused)).toBe(true);
  });

  await test.step('resumed to the end: every look on the way is consistent, and every step ends done', async () => {
    await row(page, name)
      .getByRole('button', { name: `Resume ${name}` })
      .click();
    wire.release();
    const seen = new Set<string>();
    const done = row(page, name).getByText('Done', { exact: true });
    while (!(await done.isVisible())) {
      seen.add(JSON.stringify(await stepsOf(panel)));
      await page.waitForTimeout(40);
    }
    const looks = [...seen].map((s) => JSON.parse(s) as string[]);
    test.info().annotations.push({ type: 'lifecycle looks', description: looks.map((l) => l.join(' → ')).join(' | ') });
    expect(looks.length).toBeGreaterThan(0);
    for (const look of looks) expect(isConsistent(look), look.join(', ')).toBe(true);
    await expect
      .poll(() => stepsOf(panel))
      .toEqual([
        'Checked (done)',
        'Record created (done)',
        'Uploading (done)',
        'Saving (done)',
        'Active (done)',
        'Verified (done)',
      ]);
  });

  await test.step('the results, the speed graph and the chip', async () => {
    const results = panel.getByRole('heading', { name: 'Results' }).locator('xpath=following-sibling::dl[1]');
    await expect(results).toContainText(/Duration\d/);
    await expect(results).toContainText(/Average speed[\d.]+ (KiB|MiB|GiB)\/s/);
    await expect(results).toContainText('size and sha512 of the image equal the file’s');
    await expect(
      panel.getByRole('img', { name: new RegExp(`^Speed of ${name.replace(/\./g, '\\.')} over time: peak `) }),
    ).toBeVisible();
    await expect(panel.locator('dl.checksums dd').nth(1)).toHaveText(`${await sha512File(file)} match`);
    await expect(row(page, name).locator('.chip')).toHaveText('✓Done · Image active · Verified');
    await expect(row(page, name).locator('.chip')).toHaveClass(/chip-good/);
    await expect(row(page, name)).toContainText(/took \d/);
  });
});
