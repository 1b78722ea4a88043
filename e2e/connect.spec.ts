// Connect errors say what is wrong, worded by the real core against the real Keystone: the
// password, or that nothing answers at the URL; a missing field is named before anything is sent.
import type { Page } from '@playwright/test';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { KEYSTONE_URL, expect, test } from './harness.ts';
import { callFromPage, hostBrowser } from './steps.ts';

async function enterDetails(
  page: Page,
  fields: { authUrl: string; username: string; password: string; project: string },
): Promise<void> {
  await page.getByRole('radio', { name: 'Enter the details' }).check();
  await page.getByRole('radio', { name: 'User name and password' }).check();
  await page.getByRole('textbox', { name: 'Auth URL', exact: true }).fill(fields.authUrl);
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(fields.username);
  await page.getByLabel('Password', { exact: true }).fill(fields.password);
  await page.getByRole('textbox', { name: 'Project', exact: true }).fill(fields.project);
}

test('connect errors name the password, or say that nothing answers', async ({ page, app }) => {
  await app.open();
  const alert = page.getByRole('main').getByRole('alert');
  const connect = page.getByRole('button', { name: 'Connect', exact: true });

  await test.step('a missing field is named, and gets the focus', async () => {
    await page.getByRole('radio', { name: 'Enter the details' }).check();
    await connect.click();
    const authUrl = page.getByRole('textbox', { name: 'Auth URL', exact: true });
    await expect(authUrl).toBeFocused();
    await expect(authUrl).toHaveAttribute('aria-invalid', 'true');
    await expect(authUrl).toHaveAccessibleDescription(/Enter the Keystone URL/);
  });

  await test.step('a wrong password: Keystone refused the credentials, and the message says password', async () => {
    await enterDetails(page, {
      authUrl: KEYSTONE_URL,
      username: 'admin',
      password: 'not-the-password',
      project: 'admin',
    });
    await connect.click();
    await expect(alert).toContainText('Keystone refused the credentials');
    await expect(alert).toContainText('password');
    await expect(page.getByText('Not connected', { exact: true })).toBeVisible();
  });

  await test.step('a dead URL: nothing answers there', async () => {
    // Port 9 (discard) on the loopback: nothing listens, the connection is refused.
    await page.getByRole('textbox', { name: 'Auth URL', exact: true }).fill('http://127.0.0.1:9/v3');
    await connect.click();
    await expect(alert).toContainText('Nothing answers at 127.0.0.1:9');
    await expect(page.getByText('Not connected', { exact: true })).toBeVisible();
  });

  await test.step('the right password connects, and the session is shown', async () => {
    await page.getByRole('textbox', { name: 'Auth URL', exact: true }).fill(KEYSTONE_URL);
    await page.getByLabel('Password', { exact: true }).fill('imagedrop-admin-pass');
    await connect.click();
    await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
    const session = page.getByRole('definition');
    await expect(session.filter({ hasText: 'http://127.0.0.1:9292' })).toHaveCount(1);
    await expect(page.getByText('admin · admin · RegionOne')).toBeVisible();
    expect(app.core.context?.session.projectId).toMatch(/^[0-9a-f]{32}$/);
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByRole('heading', { name: 'Connect to a cloud' })).toBeVisible();
    expect(app.core.context).toBeNull();
  });
});

test('the CA file: only "Choose…" (the host browser) fills it, and main reads no CA file the user did not choose', async ({
  page,
  app,
}) => {
  await app.open();
  await enterDetails(page, {
    authUrl: KEYSTONE_URL,
    username: 'admin',
    password: 'imagedrop-admin-pass',
    project: 'admin',
  });
  const ca = page.getByRole('textbox', { name: 'CA certificate file', exact: true });
  await expect(ca).not.toBeEditable();

  await test.step('a path the page names itself is refused before main opens it', async () => {
    const forged = await callFromPage(app, 'connect', {
      kind: 'manual',
      authUrl: KEYSTONE_URL,
      auth: { type: 'password', username: 'admin', password: 'imagedrop-admin-pass', projectName: 'admin' },
      cacertPath: '/dev/zero',
      remember: false,
    });
    expect(forged).toMatchObject({ ok: false, error: { code: 'ipc/path-not-granted' } });
    expect(app.core.context).toBeNull();
  });

  await test.step('a chosen CA file is used for the connection', async () => {
    const file = path.join(app.filesDir, `ca-${app.tag}.pem`);
    await copyFile('/etc/ssl/certs/ca-certificates.crt', file);
    await page.getByRole('button', { name: 'Choose the CA certificate file…' }).click();
    const dialog = hostBrowser(page, 'ca');
    await dialog.getByRole('radio', { name: `Choose ca-${app.tag}.pem`, exact: true }).check();
    await dialog.getByRole('button', { name: 'Use this CA file' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(ca).toHaveValue(file);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
    expect(app.core.context?.session.config.cacertPath).toBe(file);
  });
});

test('a remembered connection is in the cloud list at once, and can be forgotten', async ({ page, app }) => {
  await app.open();
  await enterDetails(page, {
    authUrl: KEYSTONE_URL,
    username: 'admin',
    password: 'imagedrop-admin-pass',
    project: 'admin',
  });
  await page.getByRole('checkbox', { name: 'Remember this connection' }).check();
  await page.getByRole('textbox', { name: 'Remember as', exact: true }).fill(`lab-${app.tag}`);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('radio', { name: 'A cloud from clouds.yaml' }).check();
  const cloud = page.getByRole('combobox', { name: 'Cloud' });
  await expect(cloud.getByRole('option', { name: `lab-${app.tag} (remembered)` })).toHaveCount(1);
  await cloud.selectOption(`lab-${app.tag}`);
  await page.getByRole('button', { name: `Forget lab-${app.tag}` }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(`lab-${app.tag} forgotten`);
  await expect(cloud.getByRole('option', { name: `lab-${app.tag} (remembered)` })).toHaveCount(0);
});
