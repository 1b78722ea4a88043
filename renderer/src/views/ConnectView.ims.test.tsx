// The Connect view's part of issue 11: an IMS cloud typed in (IAM user with its account, or an
// access key alone), the secrets masked, what is missing named before anything is sent, and the
// session saying which image service it is and why.
import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { loadClouds } from '../bridge.ts';
import { setLocale } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import { makeSession } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { ConnectView } from './ConnectView.tsx';

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

async function imsForm() {
  const api = installFakeApi();
  await act(() => loadClouds());
  render(<ConnectView />);
  fireEvent.click(screen.getByLabelText('Huawei Cloud IMS (also Open Telekom Cloud, Flexible Engine)'));
  return api;
}

describe('ConnectView: a Huawei Cloud IMS cloud typed in', () => {
  it('sends the IAM user with its account, the project, the keys, the bucket and the overrides', async () => {
    const api = await imsForm();
    type('Auth URL', 'https://iam.cn-north-4.myhuaweicloud.com/v3');
    type('IAM user name', 'ops-bot');
    type('Password', 'pw');
    type('Account', 'my-account');
    type('Project (region)', 'cn-north-4');
    type('Access key ID (AK)', 'AKEXAMPLE');
    type('Secret access key (SK)', 'sk-secret');
    type('Security token', 'tok');
    type('OBS bucket', 'my-images');
    type('Image endpoint override', 'https://ims.cn-north-4.myhuaweicloud.com');
    type('OBS endpoint override', 'https://obs.cn-north-4.myhuaweicloud.com');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toEqual([
      [
        {
          kind: 'manual',
          imageService: 'ims',
          authUrl: 'https://iam.cn-north-4.myhuaweicloud.com/v3',
          auth: { type: 'password', username: 'ops-bot', password: 'pw', accountName: 'my-account' },
          projectName: 'cn-north-4',
          accessKeys: { accessKey: 'AKEXAMPLE', secretKey: 'sk-secret', securityToken: 'tok' },
          obsBucket: 'my-images',
          imageEndpointOverride: 'https://ims.cn-north-4.myhuaweicloud.com',
          obsEndpointOverride: 'https://obs.cn-north-4.myhuaweicloud.com',
          remember: false,
        },
      ],
    ]);
  });

  it('masks the password, the secret key and the security token', async () => {
    await imsForm();
    for (const label of ['Password', 'Secret access key (SK)', 'Security token'])
      expect((screen.getByLabelText(label) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText('Access key ID (AK)') as HTMLInputElement).type).toBe('text');
  });

  it('access key only: no password fields, and the request signs with the key', async () => {
    const api = await imsForm();
    fireEvent.click(screen.getByLabelText('Access key only (AK/SK)'));
    expect(screen.queryByLabelText('Password')).toBeNull();
    expect(screen.queryByLabelText('Account')).toBeNull();
    type('Auth URL', 'https://iam.eu-de.otc.t-systems.com/v3');
    type('Project ID', '0123456789abcdef');
    type('Region', 'eu-de');
    type('Access key ID (AK)', 'AK2');
    type('Secret access key (SK)', 'SK2');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')[0]?.[0]).toEqual({
      kind: 'manual',
      imageService: 'ims',
      authUrl: 'https://iam.eu-de.otc.t-systems.com/v3',
      auth: { type: 'access-key' },
      projectId: '0123456789abcdef',
      regionName: 'eu-de',
      accessKeys: { accessKey: 'AK2', secretKey: 'SK2' },
      remember: false,
    });
  });

  it('names what is missing (account, project, the key without a password) and sends nothing', async () => {
    const api = await imsForm();
    type('Auth URL', 'https://iam.cn-north-4.myhuaweicloud.com/v3');
    type('IAM user name', 'ops-bot');
    type('Password', 'pw');
    type('OBS bucket', 'Bad_Bucket');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(screen.getByText('Enter the account the IAM user belongs to.')).toBeTruthy();
    expect(screen.getByText(/Enter the project \(the region/)).toBeTruthy();
    expect(screen.getByText(/A bucket name has 3 to 63/)).toBeTruthy();
    expect(screen.getByLabelText('Account').getAttribute('aria-invalid')).toBe('true');
    fireEvent.click(screen.getByLabelText('Access key only (AK/SK)'));
    type('Project (region)', 'cn-north-4');
    type('OBS bucket', 'images');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(screen.getByText(/Enter the access key ID: without a password/)).toBeTruthy();
    expect(screen.getByText('Enter the secret access key.')).toBeTruthy();
    expect(api.callsOf('connect')).toEqual([]);
  });

  it('the same form in Chinese', async () => {
    installFakeApi();
    await act(() => loadClouds());
    await act(() => setLocale('zh-CN', false));
    render(<ConnectView />);
    fireEvent.click(screen.getByLabelText('华为云 IMS（也适用于 Open Telekom Cloud、Flexible Engine）'));
    expect(screen.getByLabelText('账号')).toBeTruthy();
    expect(screen.getByLabelText('秘密访问密钥（SK）')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '连接' })));
    expect(screen.getByText('请输入 IAM URL，例如 https://iam.cn-north-4.myhuaweicloud.com/v3。')).toBeTruthy();
  });

  it('the session names the image service and why, how IMS calls are signed and whether OBS is ready', () => {
    installFakeApi({ connected: true });
    act(() =>
      useAppStore.getState().connectSucceeded(
        makeSession({
          imageService: { kind: 'ims', reason: 'image_service: ims in /etc/openstack/clouds.yaml', inferred: false },
          ims: {
            osVersions: null,
            bucket: 'images',
            objectStorage: true,
            nativeLimit: 2 * 1024 ** 3,
            auth: 'access-key',
          },
        }),
      ),
    );
    render(<ConnectView />);
    const text = document.querySelector('dl.facts')?.textContent ?? '';
    expect(text).toContain('Huawei Cloud IMS');
    expect(text).toContain('configured: image_service: ims in /etc/openstack/clouds.yaml');
    expect(text).toContain('the access key (AK/SK)');
    expect(text).toContain('ready, default bucket images');
    expect(within(document.querySelector('dl.facts') as HTMLElement).getByText('Image service')).toBeTruthy();
  });
});
