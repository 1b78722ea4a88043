// The Connect view's part of issue 8: a warning next to the auth URL for a sign-in over plain
// http:// to another machine (item 11), an auth URL with a query refused in the form, and a
// remembered connection kept apart from a clouds.yaml cloud of the same name (item 15).
import '../testing/setup.ts';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { loadClouds } from '../bridge.ts';
import { makeCloud } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { ConnectView } from './ConnectView.tsx';

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('ConnectView: plain http:// and the auth URL (issue 8)', () => {
  it('warns next to the auth URL field while it names plain http:// to another machine', async () => {
    installFakeApi();
    await act(() => loadClouds());
    render(<ConnectView />);
    const field = screen.getByLabelText('Auth URL');
    type('Auth URL', 'http://keystone.example.org:5000/v3');
    const warning =
      'The auth URL uses plain http:// to keystone.example.org: your password and then your token would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.';
    expect(screen.getByText(warning)).toBeTruthy();
    // Tied to the field, so a screen reader reads it with it.
    const described = (field.getAttribute('aria-describedby') ?? '').split(' ');
    expect(described.some((id) => document.getElementById(id)?.textContent === warning)).toBe(true);

    fireEvent.click(screen.getByLabelText('Application credential'));
    expect(screen.getByText(/the application credential secret and then your token would cross/)).toBeTruthy();

    for (const quiet of ['https://keystone.example.org:5000/v3', 'http://127.0.0.1:5000/v3', 'http://localhost:5000']) {
      type('Auth URL', quiet);
      expect(screen.queryByText(/uses plain http:\/\//)).toBeNull();
    }
  });

  it('refuses an auth URL with a query in the form, before anything is sent', async () => {
    const api = installFakeApi();
    await act(() => loadClouds());
    render(<ConnectView />);
    type('Auth URL', 'https://keystone.example.org:5000/v3?redirect=http://169.254.169.254/');
    type('Username', 'alice');
    type('Password', 's3cret');
    type('Project', 'demo');
    await act(async () => fireEvent.submit(screen.getByRole('form')));
    expect(screen.getByText(/^The URL has a query or a fragment/)).toBeTruthy();
    expect(api.callsOf('connect')).toEqual([]);
  });

  const twins = [makeCloud({ name: 'prod' }), makeCloud({ name: 'prod', source: 'remembered' })];

  it('with a remembered connection named like a clouds.yaml cloud, the clouds.yaml one is chosen by default', async () => {
    const api = installFakeApi({ clouds: twins });
    await act(() => loadClouds());
    render(<ConnectView />);
    const select = screen.getByLabelText('Cloud') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'prod (/home/alice/.config/openstack/clouds.yaml)',
      'prod (remembered)',
    ]);
    expect(screen.queryByRole('button', { name: /^Forget/ })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toEqual([[{ kind: 'cloud', cloud: 'prod' }]]);
  });

  it('choosing the remembered twin offers Forget and says remembered: true in the request', async () => {
    const api = installFakeApi({ clouds: twins });
    await act(() => loadClouds());
    render(<ConnectView />);
    const select = screen.getByLabelText('Cloud') as HTMLSelectElement;
    fireEvent.change(select, { target: { value: select.options[1]!.value } });
    expect(select.selectedIndex).toBe(1);
    expect(screen.getByRole('button', { name: 'Forget prod' })).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')).toEqual([[{ kind: 'cloud', cloud: 'prod', remembered: true }]]);
  });
});
