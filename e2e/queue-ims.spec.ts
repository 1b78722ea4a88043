// The queue and the lifecycle panel for a Huawei IMS register upload, in Chromium against the real
// core, the IMS emulator and the real Swift S3 and Glance behind it (issue 11): the row names the
// object-storage parts and the IMS job; the drawer shows IMS's own steps (checked, uploaded to
// object storage, record created, registering with the job's percent, active, verified), the
// object and the job, and in the end what "verified" rests on (the object's ETag). Every look at
// the steps on the way is consistent: done steps first, then the ones under way, then the rest.
import path from 'node:path';
import { IMS_CLOUDS, expect, test } from './ims.ts';
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

test('an IMS register upload in the queue: parts, the job and its percent, IMS’s own steps', async ({
  page,
  app,
  ims,
}) => {
  const file = await app.randomRaw('ims-queue', 3 << 20);
  const name = path.basename(file);
  await app.open();
  await connectCloud(page, IMS_CLOUDS.password);
  ims.emulator.setFaults({ jobHoldMs: 6_000 });
  try {
    const granted = (await callFromPage(app, 'chooseHostFiles', [file])) as { ok: boolean };
    expect(granted.ok).toBe(true);
    const started = (await callFromPage(app, 'startUploads', [
      {
        path: file,
        name: `ims-queue-${app.tag}`,
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
        route: 'register',
        osVersion: 'Ubuntu 18.04 server 64bit',
        minDisk: 1,
      },
    ])) as { ok: boolean; value: string[] };
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const id = started.value[0]!;
    await tab(page, 'Queue').click();
    const job = row(page, name);
    await job.getByRole('button', { name: `Details of ${name}` }).click();
    const panel = lifecycle(page, name);
    const steps = () =>
      panel
        .getByRole('list', { name: 'Steps' })
        .getByRole('listitem')
        .evaluateAll((items) =>
          items.map(
            (li) =>
              `${li.querySelector('.step-label')?.textContent} ${li.querySelector('.step-state')?.textContent}${li.querySelector('.step-percent')?.textContent ?? ''}`,
          ),
        );

    await test.step('while IMS registers: the parts done, the job and its percent, IMS’s steps', async () => {
      await expect.poll(() => app.core.engine.get(id)?.remoteJob?.id ?? null, { timeout: 60_000 }).not.toBeNull();
      const snapshot = app.core.engine.get(id)!;
      const parts = snapshot.object!.parts!;
      await expect(job).toContainText(`parts ${parts.done} of ${parts.total}`);
      await expect(job).toContainText(/IMS job (INIT|RUNNING)/);
      await expect(job.locator('.row-job-percent')).toHaveText(/^IMS job \d+%$/);
      await expect(panel).toContainText(snapshot.remoteJob!.id);
      await expect(panel).toContainText(`${parts.done} of ${parts.total} uploaded`);
      await expect(panel).toContainText(`images:${snapshot.object!.key}`);
      await expect(panel).toContainText('Huawei IMS, registered from object storage');
      const look = await steps();
      expect(look.slice(0, 4)).toEqual([
        'Checked (done)',
        'Uploading to object storage (done)',
        'Record created (done)',
        expect.stringMatching(/^Registering \(in progress\)( \d+%)?$/),
      ]);
      expect(look.slice(4)).toEqual(['Active (not yet)', 'Verified (not yet)']);
    });

    await test.step('to the end: every look consistent, every step done, verified by the object’s ETag', async () => {
      const seen = new Set<string>();
      const done = job.getByText('Done', { exact: true });
      while (!(await done.isVisible())) {
        seen.add(JSON.stringify(await steps()));
        await page.waitForTimeout(100);
        if (seen.size > 500) break;
      }
      for (const look of [...seen].map((s) => JSON.parse(s) as string[]))
        expect(isConsistent(look), look.join(', ')).toBe(true);
      await expect
        .poll(steps, { timeout: 90_000 })
        .toEqual([
          'Checked (done)',
          'Uploading to object storage (done)',
          'Record created (done)',
          'Registering (done)',
          'Active (done)',
          'Verified (done)',
        ]);
      await expect(panel).toContainText(
        'the object’s ETag equals the file’s part checksums, and the image became active',
      );
      const final = app.core.engine.get(id)!;
      if (final.imageId) ims.trackImage(final.imageId);
      expect(final.verifiedBy).toBe('etag');
    });
  } finally {
    ims.emulator.setFaults({ jobHoldMs: 0 });
  }
});
