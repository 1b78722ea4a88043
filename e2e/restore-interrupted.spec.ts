// A job that was mid-upload when the server stopped: after a restart (a new core on the same data
// dir, a new server, and the page opened at its new URL) it comes back `interrupted`, cannot resume until its cloud is
// connected (and says so), and once connected, resumes to active and verified. Glance has no
// ranged PUT, so the resume sends the whole file again (into the same record, or a new one when
// Glance still holds the old record in `saving`: then the app asks first).
import path from 'node:path';
import { ADMIN, MiB, expect, imageOrNull, sha512File, test } from './harness.ts';
import { addFiles, connectCloud, draft, holdImageData, progressOf, row, tab } from './steps.ts';

test.use({ imageProxy: true });

const HOLD_AT = 8 * MiB;
const SIZE = 64 * MiB;

test('an upload interrupted by a restart is restored, and resumes to active and verified', async ({ page, app }) => {
  const raw = await app.randomRaw('restored', SIZE);
  const name = path.basename(raw);
  const wire = holdImageData(app.proxy, HOLD_AT);
  await app.open();
  await connectCloud(page);

  await test.step('start the upload; it is held mid-way', async () => {
    await addFiles(page, app, [raw]);
    await expect(draft(page, name).getByText('Safe', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(row(page, name).getByText('Uploading', { exact: true })).toBeVisible();
    await expect.poll(() => progressOf(page, name)).toBeGreaterThanOrEqual(Math.floor((HOLD_AT / SIZE) * 100));
    expect(await progressOf(page, name)).toBeLessThan(100);
  });
  const imageId = app.core.engine.list()[0]?.imageId ?? null;
  expect(imageId).toMatch(/^[0-9a-f-]{36}$/);
  app.trackImage(imageId!);

  await test.step('restart: the job is back, interrupted, and waits for its cloud', async () => {
    await app.restart();
    await expect(page.getByText('Not connected', { exact: true })).toBeVisible();
    await tab(page, 'Queue').click();
    const job = row(page, name);
    await expect(job.getByText('Interrupted', { exact: true })).toBeVisible();
    await expect(job.getByText(/^Resume starts again from 0/)).toBeVisible();
    const resume = job.getByRole('button', { name: `Resume ${name}` });
    await expect(resume).toBeDisabled();
    await expect(job.getByText(`Connect to ${ADMIN} to resume it.`)).toBeVisible();
  });

  await test.step('connect, resume: the whole file again, to active and verified', async () => {
    wire.release();
    await connectCloud(page);
    await tab(page, 'Queue').click();
    const job = row(page, name);
    const resume = job.getByRole('button', { name: `Resume ${name}` });
    await expect(resume).toBeEnabled();
    // What Resume does depends on what Glance says about the cut upload's record, and the app
    // asks Glance in the background after connecting, so there are three ways, each ending in one
    // state that only it reaches:
    //   the record is `queued`, or not read yet and `queued` when the job checks it: Done;
    //   read as `saving` before the click: the app asks first (the dialog);
    //   not read yet, and `saving` when the job checks it: the job stops and says so (held),
    //   and the next Resume asks first.
    const replace = page.getByRole('alertdialog', { name: 'Start again with a new image record?' });
    const held = job.getByText(/is stuck in \w+ and no upload of Imagedrop's is running/);
    const done = job.getByText('Done', { exact: true });
    await resume.click();
    await expect(replace.or(held).or(done)).toBeVisible();
    const way = (await held.isVisible()) ? 'held' : (await replace.isVisible()) ? 'asked' : 'done';
    test.info().annotations.push({ type: 'resume', description: way });
    if (way === 'held') {
      await expect(resume).toBeEnabled();
      await resume.click();
      await expect(replace).toBeVisible();
    }
    if (way !== 'done') {
      await replace.getByRole('button', { name: 'Delete the old record and start again' }).click();
    }
    await expect(done).toBeVisible();
    await expect(job.getByText('Image active', { exact: true })).toBeVisible();
    await expect(job.getByText('Verified', { exact: true })).toBeVisible();
    const snapshot = app.core.engine.list()[0]!;
    app.trackImage(snapshot.imageId!);
    const image = await imageOrNull(app.glance, snapshot.imageId!);
    expect(image).toMatchObject({ status: 'active', size: SIZE, os_hash_value: await sha512File(raw) });
  });
});
