import '../testing/setup.ts';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { loadClouds, loadSecretsAvailability } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';
import { makeCloud, makeError, makeSession } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { ConnectView } from './ConnectView.tsx';

const state = () => useAppStore.getState();

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('ConnectView', () => {
  it('connects to a cloud chosen from clouds.yaml, showing its warnings', async () => {
    const api = installFakeApi({
      clouds: [
        makeCloud({ name: 'prod' }),
        makeCloud({ name: 'lab', warnings: ['TLS verification is off (verify: false).'] }),
      ],
    });
    await act(() => loadClouds());
    render(<ConnectView />);
    expect((screen.getByLabelText('A cloud from clouds.yaml') as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText('Cloud'), { target: { value: 'lab' } });
    expect(screen.getByRole('list', { name: 'Warnings for lab' }).textContent).toContain('TLS verification is off');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toEqual([[{ kind: 'cloud', cloud: 'lab' }]]);
    expect(screen.getByRole('heading', { name: 'Connected' })).toBeTruthy();
  });

  it('details typed before the clouds list arrives stay on screen when it arrives', async () => {
    installFakeApi({ clouds: [makeCloud({ name: 'prod' })] });
    render(<ConnectView />); // the list is not loaded yet: the details form shows
    type('Auth URL', 'https://keystone.example.org:5000/v3');
    await act(() => loadClouds());
    expect((screen.getByLabelText('Enter the details') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Auth URL') as HTMLInputElement).value).toBe('https://keystone.example.org:5000/v3');
  });

  it('before the clouds list arrives neither way is ticked, so the first click on either is a choice', async () => {
    installFakeApi({ clouds: [makeCloud({ name: 'prod' })] });
    render(<ConnectView />);
    expect((screen.getByLabelText('Enter the details') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByLabelText('A cloud from clouds.yaml') as HTMLInputElement).checked).toBe(false);
    expect(screen.getByLabelText('Auth URL')).toBeTruthy(); // the details form is there to type in
    await act(() => loadClouds());
    expect((screen.getByLabelText('A cloud from clouds.yaml') as HTMLInputElement).checked).toBe(true);
  });

  it('a click on "Enter the details" before the clouds list arrives keeps that choice', async () => {
    installFakeApi({ clouds: [makeCloud({ name: 'prod' })] });
    render(<ConnectView />);
    fireEvent.click(screen.getByLabelText('Enter the details'));
    await act(() => loadClouds());
    expect((screen.getByLabelText('Enter the details') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByLabelText('Auth URL')).toBeTruthy();
  });

  it('sends typed password details, with "Default" domains and optional fields left out', async () => {
    const api = installFakeApi({ pickedCaFile: '/etc/ca.pem' });
    await act(() => loadClouds());
    render(<ConnectView />);
    expect((screen.getByLabelText('Enter the details') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('User domain') as HTMLInputElement).value).toBe('Default');
    expect((screen.getByLabelText('Project domain') as HTMLInputElement).value).toBe('Default');
    type('Auth URL', 'https://keystone.example.org:5000/v3');
    type('Username', 'alice');
    type('Password', 's3cret');
    type('Project', 'demo');
    type('Region', 'RegionTwo');
    fireEvent.change(screen.getByLabelText('Interface'), { target: { value: 'internal' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose the CA certificate file…' })));
    await act(async () => fireEvent.submit(screen.getByRole('form')));
    expect(api.callsOf('connect')).toEqual([
      [
        {
          kind: 'manual',
          authUrl: 'https://keystone.example.org:5000/v3',
          auth: {
            type: 'password',
            username: 'alice',
            password: 's3cret',
            projectName: 'demo',
            userDomainName: 'Default',
            projectDomainName: 'Default',
          },
          interface: 'internal',
          remember: false,
          regionName: 'RegionTwo',
          cacertPath: '/etc/ca.pem',
        },
      ],
    ]);
  });

  it('sends an application credential and the remember choice', async () => {
    const api = installFakeApi();
    await act(() => loadClouds());
    render(<ConnectView />);
    fireEvent.click(screen.getByLabelText('Application credential'));
    type('Auth URL', 'https://id.example.org/v3');
    type('Application credential ID', 'ac-1');
    type('Application credential secret', 'shh');
    fireEvent.click(screen.getByLabelText('Remember this connection'));
    type('Remember as', 'lab');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')[0]?.[0]).toEqual({
      kind: 'manual',
      authUrl: 'https://id.example.org/v3',
      auth: { type: 'application-credential', applicationCredentialId: 'ac-1', secret: 'shh' },
      interface: 'public',
      remember: true,
      label: 'lab',
    });
  });

  it('says which fields are missing, and sends nothing', async () => {
    const api = installFakeApi();
    await act(() => loadClouds());
    render(<ConnectView />);
    type('Auth URL', 'keystone:5000');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toEqual([]);
    expect(screen.getByLabelText('Auth URL').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('The URL must start with https:// or http://.')).toBeTruthy();
    expect(screen.getByText('Enter the password.')).toBeTruthy();
  });

  it('the CA file cannot be typed in: only "Choose…" fills it (main reads no other), and Clear empties it', async () => {
    const api = installFakeApi({ pickedCaFile: '/etc/pki/lab ca.pem ' });
    await act(() => loadClouds());
    render(<ConnectView />);
    type('Auth URL', 'https://keystone.example.org:5000/v3');
    type('Username', 'alice');
    type('Password', 's3cret');
    type('Project', 'demo');
    const field = screen.getByLabelText('CA certificate file') as HTMLInputElement;
    expect(field.readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: 'Clear the CA certificate file' })).toBeNull();
    const choose = screen.getByRole('button', { name: 'Choose the CA certificate file…' });
    await act(async () => fireEvent.click(choose));
    expect(field.value).toBe('/etc/pki/lab ca.pem ');
    fireEvent.click(screen.getByRole('button', { name: 'Clear the CA certificate file' }));
    expect(field.value).toBe('');
    await act(async () => fireEvent.click(choose));
    // Sent exactly as the picker gave it: a trailing space is part of the name main granted.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toHaveLength(1);
    expect(api.callsOf('connect')[0]?.[0]).toMatchObject({ cacertPath: '/etc/pki/lab ca.pem ' });
    expect(state().connectError).toBeNull();
    expect(state().connection).toBe('connected');
  });

  it('"Choose…" fills the CA file from main’s file picker', async () => {
    const api = installFakeApi({ pickedCaFile: '/etc/pki/lab-ca.pem' });
    await act(() => loadClouds());
    render(<ConnectView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose the CA certificate file…' })));
    expect(api.callsOf('pickCaFile')).toHaveLength(1);
    expect((screen.getByLabelText('CA certificate file') as HTMLInputElement).value).toBe('/etc/pki/lab-ca.pem');
    // Cancelled: the field keeps what it had.
    api.pickedCaFile = null;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose the CA certificate file…' })));
    expect((screen.getByLabelText('CA certificate file') as HTMLInputElement).value).toBe('/etc/pki/lab-ca.pem');
  });

  it('with no keychain, "Remember this connection" is off and says why', async () => {
    const api = installFakeApi({ keychain: false });
    await act(async () => {
      await Promise.all([loadClouds(), loadSecretsAvailability()]);
    });
    render(<ConnectView />);
    const remember = screen.getByLabelText('Remember this connection') as HTMLInputElement;
    expect(remember.disabled).toBe(true);
    expect(remember.checked).toBe(false);
    expect(remember.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(remember.getAttribute('aria-describedby')!)?.textContent).toMatch(/no keychain/);
    expect(api.callsOf('canRememberSecrets')).toHaveLength(1);
  });

  it('offers to forget a remembered connection, and the list follows', async () => {
    const api = installFakeApi({
      clouds: [makeCloud({ name: 'prod' }), makeCloud({ name: 'Lab cloud', source: 'remembered' })],
    });
    await act(() => loadClouds());
    render(<ConnectView />);
    expect(screen.queryByRole('button', { name: /^Forget/ })).toBeNull(); // prod is from clouds.yaml
    fireEvent.change(screen.getByLabelText('Cloud'), { target: { value: 'Lab cloud' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Forget Lab cloud' })));
    expect(api.callsOf('forgetConnection')).toEqual([['Lab cloud']]);
    const cloud = screen.getByLabelText('Cloud') as HTMLSelectElement;
    expect([...cloud.options].map((o) => o.value)).toEqual(['prod']);
  });

  it('shows the error exactly as main returned it', async () => {
    const api = installFakeApi({ clouds: [makeCloud()] });
    api.failNext(
      'connect',
      makeError({
        code: 'network/tls',
        message: 'The server certificate is not trusted. Give the CA file, or check the URL.',
        detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
    );
    await act(() => loadClouds());
    render(<ConnectView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The server certificate is not trusted. Give the CA file, or check the URL.');
    expect(alert.textContent).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('shows the session: user, project, region, image endpoint and warnings; and disconnects', async () => {
    const api = installFakeApi({ connected: true });
    act(() =>
      state().connectSucceeded(
        makeSession({ warnings: ['TLS certificate verification is off for this cloud.'], region: 'RegionOne' }),
      ),
    );
    render(<ConnectView />);
    const facts = document.querySelector('dl.facts');
    expect(facts?.textContent).toContain('alice');
    expect(facts?.textContent).toContain('demo');
    expect(facts?.textContent).toContain('RegionOne');
    expect(facts?.textContent).toContain('https://glance.example.org:9292');
    expect(screen.getByRole('note').textContent).toContain('TLS certificate verification is off for this cloud.');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Disconnect' })));
    expect(api.callsOf('disconnect')).toHaveLength(1);
    expect(screen.getByRole('heading', { name: 'Connect to a cloud' })).toBeTruthy();
  });
});
