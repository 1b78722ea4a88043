// Connecting to a Huawei IMS cloud from the Connect view, against the IMS emulator in the e2e
// process (e2e/ims.ts) over the real Keystone, Swift and Glance: from clouds.yaml, and typed in
// with an IAM password and with an access key alone; the session and the header say IMS and why.
import type { Page } from '@playwright/test';
import { IMS_CLOUDS, expect, test } from './ims.ts';
import { connectCloud } from './steps.ts';

function header(page: Page) {
  return page.getByRole('banner').getByRole('button', { name: /^Cloud: / });
}

async function typeIms(page: Page, fields: Record<string, string>, accessKeyOnly = false): Promise<void> {
  await page.getByRole('radio', { name: 'Enter the details' }).check();
  await page.getByRole('radio', { name: /^Huawei Cloud IMS/ }).check();
  if (accessKeyOnly) await page.getByRole('radio', { name: 'Access key only (AK/SK)' }).check();
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
}

test('an IMS cloud from clouds.yaml connects, signed with a token; the header and the session say IMS', async ({
  page,
  app,
  ims,
}) => {
  await app.open();
  await connectCloud(page, IMS_CLOUDS.password);
  const context = app.core.context;
  expect(context?.kind).toBe('ims');
  expect(context?.session.config.imageService.kind).toBe('ims');
  expect(ims.emulator.requests.some((r) => r.auth === 'token')).toBe(true);
  await expect(header(page)).toHaveAccessibleName(`Cloud: ${IMS_CLOUDS.password}, ${ims.emulator.region}, IMS`);
  const facts = page.getByRole('definition');
  await expect(facts.filter({ hasText: 'Huawei Cloud IMS' })).toContainText('image_service: ims in');
  await expect(facts.filter({ hasText: 'an IAM token' })).toHaveCount(1);
  await expect(facts.filter({ hasText: 'ready, default bucket images' })).toHaveCount(1);
});

test('an IMS cloud typed in: the IAM user with its account and the keys; remembered, with no secret in the page', async ({
  page,
  app,
  ims,
}) => {
  const a = ims.emulator.account;
  await app.open();
  const before = ims.emulator.requests.length;
  await typeIms(page, {
    'Auth URL': `${ims.emulator.url}/v3`,
    'IAM user name': a.user,
    Password: a.password,
    Account: a.domain,
    'Project (region)': ims.emulator.region,
    'Access key ID (AK)': ims.accessKey.accessKey,
    'Secret access key (SK)': ims.accessKey.secretKey,
    'OBS bucket': 'images',
  });
  await expect(page.getByLabel('Secret access key (SK)', { exact: true })).toHaveAttribute('type', 'password');
  await page.getByRole('checkbox', { name: 'Remember this connection' }).check();
  await page.getByRole('textbox', { name: 'Remember as', exact: true }).fill(`hw-typed-${app.tag}`);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  expect(app.core.context?.kind).toBe('ims');
  expect(ims.emulator.requests.slice(before).some((r) => r.auth === 'token')).toBe(true);
  await expect(page.getByRole('definition').filter({ hasText: 'chosen in the Connect view' })).toHaveCount(1);
  await expect(header(page)).toHaveAccessibleName(`Cloud: hw-typed-${app.tag}, ${ims.emulator.region}, IMS`);
  const html = await page.content();
  for (const secret of [a.password, ims.accessKey.secretKey]) expect(html).not.toContain(secret);

  await test.step('the remembered connection is in the header’s menu, as IMS', async () => {
    await header(page).click();
    await expect(page.getByRole('menuitemradio', { name: new RegExp(`^hw-typed-${app.tag}.*IMS$`) })).toHaveAttribute(
      'aria-checked',
      'true',
    );
    await page.keyboard.press('Escape');
  });
});

test('an IMS cloud typed in with only an access key: every IMS call signed with AK/SK', async ({ page, app, ims }) => {
  await app.open();
  await test.step('without the key, the form says so and sends nothing', async () => {
    await typeIms(page, { 'Auth URL': `${ims.emulator.url}/v3`, 'Project (region)': ims.emulator.region }, true);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const ak = page.getByLabel('Access key ID (AK)', { exact: true });
    await expect(ak).toBeFocused();
    await expect(ak).toHaveAccessibleDescription(/without a password, every call is signed with it/);
    expect(app.core.context).toBeNull();
  });
  const before = ims.emulator.requests.length;
  await typeIms(
    page,
    {
      'Access key ID (AK)': ims.accessKey.accessKey,
      'Secret access key (SK)': ims.accessKey.secretKey,
      'OBS bucket': 'images',
      'Image endpoint override': ims.emulator.url,
      'OBS endpoint override': ims.emulator.s3Endpoint,
    },
    true,
  );
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'the access key (AK/SK)' })).toHaveCount(1);
  const calls = ims.emulator.requests.slice(before);
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.every((c) => c.auth === 'access-key')).toBe(true);
  expect(app.core.context?.session.projectId).toBe(ims.emulator.account.projects[ims.emulator.region]);
});
