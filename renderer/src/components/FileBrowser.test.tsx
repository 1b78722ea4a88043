// The host browser of a page served by imagedrop serve: "Choose files…" and the CA "Choose…"
// open it instead of a native dialog; it lists the shared folders with sizes and verdicts, only
// regular files can be ticked, and the chosen files are added (granted by the core) as the
// picker's are. A drop from the viewer's machine gets one sentence.
import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HostDirectory, HostEntry } from '../../../shared/ipc.ts';
import { useAppStore } from '../store/index.ts';
import { makeError, makeInspection } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { AddImagesView } from '../views/AddImagesView.tsx';
import { ConnectView } from '../views/ConnectView.tsx';
import { FileBrowser } from './FileBrowser.tsx';

const state = () => useAppStore.getState();

const safe = makeInspection({ format: 'qcow2', diskFormat: 'qcow2', virtualSize: 10 * 1024 ** 3, size: 1024 });
const blocked = makeInspection({
  safe: false,
  reasons: [{ code: 'backing-file', message: 'It needs the backing file "base.raw".' }],
});

function file(dir: string, name: string, check: HostEntry['check']): HostEntry {
  return {
    name,
    path: `${dir}/${name}`,
    kind: 'file',
    size: 3 * 1024 * 1024,
    modifiedAt: 0,
    ...(check ? { check } : {}),
  };
}

const root: HostDirectory = {
  path: '/srv/images',
  root: '/srv/images',
  parent: null,
  omitted: 0,
  entries: [
    { name: 'nightly', path: '/srv/images/nightly', kind: 'directory', size: null, modifiedAt: 0 },
    file('/srv/images', 'ubuntu.qcow2', { ok: true, inspection: safe }),
    file('/srv/images', 'overlay.qcow2', { ok: true, inspection: blocked }),
    {
      name: 'pipe',
      path: '/srv/images/pipe',
      kind: 'other',
      size: null,
      modifiedAt: 0,
      refused: 'a named pipe (FIFO)',
    },
    file('/srv/images', 'ca.pem', { ok: true, inspection: makeInspection({ format: 'raw' }) }),
  ],
};
const nightly: HostDirectory = {
  path: '/srv/images/nightly',
  root: '/srv/images',
  parent: '/srv/images',
  omitted: 2,
  entries: [file('/srv/images/nightly', 'debian.raw', undefined)],
};

function served(extra = {}) {
  return installFakeApi({
    connected: true,
    fileChooser: 'host-browser',
    hostRoots: [{ path: '/srv/images', name: 'images' }],
    hostDirectories: { '/srv/images': root, '/srv/images/nightly': nightly },
    files: { '/srv/images/ubuntu.qcow2': safe, '/srv/images/nightly/debian.raw': safe },
    ...extra,
  });
}

async function openFromAddImages() {
  render(
    <>
      <AddImagesView />
      <FileBrowser />
    </>,
  );
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose files…' })));
  return screen.getByRole('dialog', { name: 'Choose disk images on the host' });
}

describe('FileBrowser', () => {
  it('lists the shared folder with sizes and verdicts; only regular files can be ticked', async () => {
    const api = served();
    const dialog = await openFromAddImages();
    expect(api.callsOf('pickFiles')).toEqual([]);
    expect(api.callsOf('listHostDirectory')).toEqual([['/srv/images']]);
    const table = within(dialog).getByRole('table', { name: 'Folder contents' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(name) });
    expect(row('ubuntu.qcow2').textContent).toContain('3.00 MiB');
    expect(row('ubuntu.qcow2').textContent).toContain('Safe: qcow2');
    expect(row('overlay.qcow2').textContent).toContain('Blocked');
    expect(row('overlay.qcow2').textContent).toContain('backing file "base.raw"');
    expect(row('pipe').textContent).toContain('Cannot be chosen: a named pipe (FIFO)');
    expect(within(row('pipe')).queryByRole('checkbox')).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Up to the folder above' })).toHaveProperty('disabled', true);
    expect(within(dialog).getByRole('button', { name: 'Add 0 files' })).toHaveProperty('disabled', true);
  });

  it('chooses files across folders; the core grants them and they are added and inspected', async () => {
    const api = served();
    const dialog = await openFromAddImages();
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Choose ubuntu.qcow2' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Open folder nightly' })));
    expect(within(dialog).getByText('/srv/images/nightly')).toBeTruthy();
    expect(within(dialog).getByText(/2 more entries are not shown/)).toBeTruthy();
    expect(within(dialog).getByRole('row', { name: /debian\.raw/ }).textContent).toContain('Not checked');
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Choose debian.raw' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add 2 files' })));
    expect(api.callsOf('chooseHostFiles')).toEqual([[['/srv/images/ubuntu.qcow2', '/srv/images/nightly/debian.raw']]]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('inspectFiles')).toEqual([[['/srv/images/ubuntu.qcow2', '/srv/images/nightly/debian.raw']]]);
    expect(state().draftOrder).toEqual(['/srv/images/ubuntu.qcow2', '/srv/images/nightly/debian.raw']);
  });

  it('a refusal stays in the dialog, worded as the core said; Escape closes it and adds nothing', async () => {
    const api = served();
    const dialog = await openFromAddImages();
    api.failNext(
      'chooseHostFiles',
      makeError({ code: 'file/not-a-file', message: '/srv/images/ubuntu.qcow2 is a FIFO.' }),
    );
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Choose ubuntu.qcow2' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add 1 file' })));
    expect(within(dialog).getByRole('alert').textContent).toBe('/srv/images/ubuntu.qcow2 is a FIFO.');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(state().draftOrder).toEqual([]);
  });

  it('the CA "Choose…" opens it for one file, and the connection names the granted path', async () => {
    const api = served({ connected: false });
    render(
      <>
        <ConnectView />
        <FileBrowser />
      </>,
    );
    fireEvent.click(screen.getByLabelText('Enter the details'));
    for (const [label, value] of [
      ['Auth URL', 'https://keystone.example.org:5000/v3'],
      ['Username', 'alice'],
      ['Password', 's3cret'],
      ['Project', 'demo'],
    ] as const) {
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    }
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose the CA certificate file…' })));
    const dialog = screen.getByRole('dialog', { name: 'Choose the CA certificate file on the host' });
    expect(api.callsOf('pickCaFile')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Choose ca.pem' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Use this CA file' })));
    expect(api.callsOf('chooseHostCaFile')).toEqual([['/srv/images/ca.pem']]);
    expect((screen.getByLabelText('CA certificate file') as HTMLInputElement).value).toBe('/srv/images/ca.pem');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Connect' })));
    expect(api.callsOf('connect')[0]?.[0]).toMatchObject({ cacertPath: '/srv/images/ca.pem' });
    expect(state().connection).toBe('connected');
  });

  it('cancelling the CA choice keeps the field as it was', async () => {
    served({ connected: false });
    render(
      <>
        <ConnectView />
        <FileBrowser />
      </>,
    );
    fireEvent.click(screen.getByLabelText('Enter the details'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose the CA certificate file…' })));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel' })));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((screen.getByLabelText('CA certificate file') as HTMLInputElement).value).toBe('');
  });

  it('a file dropped from the viewer’s machine gets one sentence: the files must be on the host', async () => {
    const api = served();
    render(<AddImagesView />);
    await act(async () => {
      fireEvent.drop(screen.getByRole('region', { name: 'Drop zone' }), {
        dataTransfer: { files: [new File(['x'], 'laptop.qcow2')] },
      });
    });
    expect(api.callsOf('inspectFiles')).toEqual([]);
    expect(state().notices).toHaveLength(1);
    expect(state().notices[0]?.message).toBe(
      'Dropped files stay on this computer: Imagedrop uploads files from the host it runs on, so put the image there and choose it with "Choose files…".',
    );
  });
});
