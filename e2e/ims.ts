// e2e against Huawei IMS: the IMS emulator (electron/main/testing/ims-cloud.ts) runs in the e2e
// process, over the test cloud's real Keystone, Swift and Glance, and the core's clouds.yaml gets
// its clouds beside the test cloud's: `hw` (password + AK/SK), `hw-aksk` (AK/SK only) and
// `hw-temp` (temporary AK/SK with a security token).
//
//   import { test, expect, IMS_CLOUDS } from './ims.ts';
//   test('…', async ({ page, app, ims }) => { … ims.account.user … });
//
// One emulator per worker (it provisions its account in Keystone once). Images the test's IMS
// calls made live in the emulated account's projects, not the admin's: they are deleted after the
// test (by the test's tag in their name, or the ids the test tracked), and checked gone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { ImsEmulator } from '../electron/main/testing/ims-emulator/index.ts';
import { startTestEmulator, writeHuaweiClouds } from '../electron/main/testing/ims-cloud.ts';
import { expect, imageOrNull, test as base } from './harness.ts';

export { expect };

/** The clouds the emulator's clouds.yaml holds. */
export const IMS_CLOUDS = { password: 'hw', aksk: 'hw-aksk', temporary: 'hw-temp' } as const;

export interface ImsFixture {
  /** The running emulator: its url, region, account (user, password, domain) and access keys. */
  readonly emulator: ImsEmulator;
  /** The permanent access key of the account (also the object store's key). */
  readonly accessKey: { readonly accessKey: string; readonly secretKey: string };
  /** An image id made through IMS that the test wants deleted afterwards. */
  trackImage(id: string): void;
}

/** The emulator's clouds as clouds.yaml entries (written with writeHuaweiClouds, then read back). */
async function emulatorClouds(emulator: ImsEmulator): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-e2e-ims-'));
  try {
    const file = await writeHuaweiClouds(dir, emulator);
    return (parse(await readFile(file, 'utf8')) as { clouds: Record<string, unknown> }).clouds;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const test = base.extend<{ ims: ImsFixture }, { imsEmulator: ImsEmulator }>({
  imsEmulator: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const emulator = await startTestEmulator();
      try {
        await use(emulator);
      } finally {
        await emulator.close();
      }
    },
    { scope: 'worker' },
  ],
  moreClouds: async ({ imsEmulator }, use) => use(await emulatorClouds(imsEmulator)),
  ims: async ({ imsEmulator, app, adminGlance }, use) => {
    const ids = new Set<string>();
    const key = imsEmulator.accessKeys.find((k) => !k.securityToken)!;
    await use({ emulator: imsEmulator, accessKey: key, trackImage: (id) => ids.add(id) });
    const left: string[] = [];
    for (const owner of Object.values(imsEmulator.account.projects)) {
      const { images } = await adminGlance.listImages(AbortSignal.timeout(30_000), { owner });
      for (const image of images) if (image.name?.includes(app.tag)) ids.add(image.id);
    }
    for (const id of ids) {
      if (!(await imageOrNull(adminGlance, id))) continue;
      await adminGlance.deleteImage(id, AbortSignal.timeout(30_000)).catch(() => {});
      if (await imageOrNull(adminGlance, id)) left.push(id);
    }
    if (left.length > 0) throw new Error(`clean-up: Glance still has IMS images ${left.join(', ')}`);
  },
});
