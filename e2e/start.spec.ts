// The README's run command does the main job on a machine where Electron cannot start (this one:
// no Electron binary can be downloaded here, and there is no display): `bash scripts/start.sh`,
// run from the folder that holds the image, builds what it needs, prints a URL as its first line
// on stdout, and an upload started from that page in Chromium ends `active` and verified against
// the real test cloud. Ctrl-C then stops the server cleanly.
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ADMIN, CLOUDS_YAML, MiB, expect, imageOrNull, randomFileAt, sha512File, test } from './harness.ts';
import { chooseFiles, connectCloud, imageIdOf, row, tab } from './steps.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

test('bash scripts/start.sh without Electron prints a URL; an upload from that page ends active and verified', async ({
  page,
  adminGlance,
}) => {
  // npm ci is skipped (node_modules is there), but the script builds the renderer and the CLI.
  test.setTimeout(600_000);
  const filesDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'imagedrop-start-files-')));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-start-data-'));
  const tag = `start-${Date.now().toString(36)}`;
  const imageIds: string[] = [];
  // What a user's shell has on a headless host: no DISPLAY, no Electron of its own.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    IMAGEDROP_DATA_DIR: dataDir,
    OS_CLIENT_CONFIG_FILE: CLOUDS_YAML,
  };
  const child = spawn('bash', [path.join(ROOT, 'scripts/start.sh')], {
    cwd: filesDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const file = path.join(filesDir, `${tag}.raw`);
    await randomFileAt(file, 8 * MiB);
    const name = path.basename(file);

    const url = await test.step('start.sh prints the URL as its first line on stdout', async () => {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        void exited.then((code) => reject(new Error(`start.sh exited (${code}) before printing a URL:\n${stderr}`)));
      });
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?secret=[A-Za-z0-9_-]{43}$/);
      expect(stderr).toContain('the desktop app cannot start here');
      return first;
    });

    await test.step('the page from that URL connects, and uploads the file from the folder start.sh ran in', async () => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
      await page.goto(url);
      expect(page.url()).toBe(`${new URL(url).origin}/`);
      await connectCloud(page, ADMIN);
      await chooseFiles(page, [file]);
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await expect(tab(page, 'Queue')).toHaveAttribute('aria-selected', 'true');
      await expect(row(page, name).getByText('Done', { exact: true })).toBeVisible({ timeout: 120_000 });
      await expect(row(page, name).getByText('Image active', { exact: true })).toBeVisible();
      await expect(row(page, name).getByText('Verified', { exact: true })).toBeVisible();
      const id = await imageIdOf(page, name);
      imageIds.push(id);
      expect(await imageOrNull(adminGlance, id)).toMatchObject({
        status: 'active',
        size: 8 * MiB,
        os_hash_algo: 'sha512',
        os_hash_value: await sha512File(file),
      });
    });

    await test.step('Ctrl-C stops it cleanly', async () => {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toContain('imagedrop serve: stopping');
    });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    // Whatever failed: every image named after this test's file goes too.
    const { images } = await adminGlance.listImages(AbortSignal.timeout(30_000), {
      owner: adminGlance.session.projectId,
    });
    for (const image of images)
      if (image.name?.startsWith(tag) && !imageIds.includes(image.id)) imageIds.push(image.id);
    for (const id of imageIds) await adminGlance.deleteImage(id, AbortSignal.timeout(30_000)).catch(() => {});
    for (const id of imageIds) expect(await imageOrNull(adminGlance, id)).toBeNull();
    await rm(filesDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});
