// Connecting to a Huawei IMS cloud from the Connect view, against the IMS emulator in the e2e
// process (e2e/ims.ts) over the real Keystone, Swift and Glance.
import { IMS_CLOUDS, expect, test } from './ims.ts';
import { connectCloud } from './steps.ts';

test('an IMS cloud from clouds.yaml connects, signed with a token', async ({ page, app, ims }) => {
  await app.open();
  await connectCloud(page, IMS_CLOUDS.password);
  const context = app.core.context;
  expect(context?.kind).toBe('ims');
  expect(context?.session.config.imageService.kind).toBe('ims');
  expect(ims.emulator.requests.some((r) => r.auth === 'token')).toBe(true);
});
