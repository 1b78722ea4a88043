import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { addPaths } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';
import { GIB, MIB, makeError, makeInspection, makeSession } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import type { FakeApiOptions } from '../testing/fake-api.ts';
import { AddImagesView } from './AddImagesView.tsx';

const state = () => useAppStore.getState();

const safe = makeInspection({ format: 'qcow2', diskFormat: 'qcow2', virtualSize: 10 * GIB + 1, size: 700 * MIB });
const unsafe = makeInspection({
  safe: false,
  reasons: [{ code: 'backing-file', message: 'The image points to a backing file, which the cloud would read.' }],
});

async function setup(options: FakeApiOptions = {}) {
  const api = installFakeApi({ connected: true, ...options });
  if (options.connected !== false) act(() => state().connectSucceeded(api.sessionTemplate));
  render(<AddImagesView />);
  return api;
}

const card = (name: string) => screen.getByRole('listitem', { name });

describe('AddImagesView', () => {
  it('accepts a drop: dragover is prevented, each file goes through pathForFile, then one inspectFiles call', async () => {
    const api = await setup({ files: { '/dropped/a.qcow2': safe, '/dropped/b.qcow2': safe } });
    const zone = screen.getByRole('region', { name: 'Drop zone' });
    const files = [new File(['x'], 'a.qcow2'), new File(['y'], 'b.qcow2')];
    const notPrevented = fireEvent.dragOver(zone, { dataTransfer: { files, dropEffect: 'none' } });
    expect(notPrevented).toBe(false);
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer: { files } });
    });
    expect(api.callsOf('inspectFiles')).toEqual([[['/dropped/a.qcow2', '/dropped/b.qcow2']]]);
    expect(card('a.qcow2')).toBeTruthy();
    expect(card('b.qcow2')).toBeTruthy();
  });

  it('"Choose files…" opens the picker in main and adds what was chosen', async () => {
    const api = await setup({ picked: ['/img/c.qcow2'], files: { '/img/c.qcow2': safe } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Choose files…' })));
    expect(api.callsOf('pickFiles')).toHaveLength(1);
    expect(card('c.qcow2').textContent).toContain('Safe');
  });

  it('shows format, virtual size, size and verdict of each file', async () => {
    await setup({ files: { '/img/a.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2']));
    const a = card('a.qcow2');
    expect(a.textContent).toContain('qcow2');
    expect(a.textContent).toContain('compat-1.1');
    expect(a.textContent).toContain('10.0 GiB');
    expect(a.textContent).toContain('700 MiB');
    expect(a.textContent).toContain('Safe');
  });

  it('shows "Checking…" while the inspector works', async () => {
    await setup();
    act(() => state().draftsAdded(['/img/slow.raw']));
    expect(card('slow.raw').textContent).toContain('Checking…');
  });

  it('blocks an unsafe file with its reasons, and gives it no form', async () => {
    await setup({
      files: { '/img/evil.qcow2': unsafe, '/img/gone.raw': makeError({ message: 'The file was moved.' }) },
    });
    await act(() => addPaths(['/img/evil.qcow2', '/img/gone.raw']));
    const evil = card('evil.qcow2');
    expect(evil.textContent).toContain('Blocked');
    expect(within(evil).getByRole('group', { name: 'Why evil.qcow2 is blocked' }).textContent).toContain(
      'The image points to a backing file, which the cloud would read.',
    );
    expect(within(evil).queryByLabelText(/^Name/)).toBeNull();
    expect(card('gone.raw').textContent).toContain('The file was moved.');
  });

  it('pre-fills name, disk format, container format, min disk and visibility', async () => {
    await setup({ files: { '/img/ubuntu-24.04.qcow2': safe } });
    await act(() => addPaths(['/img/ubuntu-24.04.qcow2']));
    const c = card('ubuntu-24.04.qcow2');
    const value = (label: RegExp) => (within(c).getByLabelText(label) as HTMLInputElement | HTMLSelectElement).value;
    expect(value(/^Name/)).toBe('ubuntu-24.04');
    expect(value(/^Disk format/)).toBe('qcow2');
    expect(value(/^Container format/)).toBe('bare');
    expect(value(/^Minimum disk/)).toBe('11');
    expect(value(/^Visibility/)).toBe('private');
    expect(value(/^Minimum RAM/)).toBe('');
    expect((within(c).getByLabelText('Protected') as HTMLInputElement).checked).toBe(false);
    expect(within(c).queryByLabelText('Store')).toBeNull();
  });

  it('offers a store picker only when the cloud has more than one store', async () => {
    const session = makeSession();
    const multi = makeSession({
      capabilities: {
        ...session.capabilities,
        stores: [
          { id: 'fast', isDefault: true },
          { id: 'cheap', description: 'slow disks', isDefault: false },
        ],
      },
    });
    await setup({ session: multi, files: { '/img/a.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2']));
    const store = within(card('a.qcow2')).getByLabelText('Store') as HTMLSelectElement;
    expect([...store.options].map((o) => o.value)).toEqual(['', 'fast', 'cheap']);
  });

  it('warns when the detected disk format is not accepted by the cloud', async () => {
    const session = makeSession();
    await setup({
      session: makeSession({ capabilities: { ...session.capabilities, diskFormats: ['raw'] } }),
      files: { '/img/a.qcow2': safe },
    });
    await act(() => addPaths(['/img/a.qcow2']));
    expect(within(card('a.qcow2')).getByRole('list', { name: 'Warnings for a.qcow2' }).textContent).toContain(
      'does not list disk_format "qcow2"',
    );
  });

  it('edits the form: tags, properties, protected, and shows field errors', async () => {
    await setup({ files: { '/img/a.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2']));
    const c = card('a.qcow2');
    fireEvent.change(within(c).getByLabelText(/^Tags/), { target: { value: 'base, ci' } });
    fireEvent.click(within(c).getByRole('button', { name: 'Add property to a.qcow2' }));
    fireEvent.change(within(c).getByLabelText('Property 1 key'), { target: { value: 'os_distro' } });
    fireEvent.change(within(c).getByLabelText('Property 1 value'), { target: { value: 'ubuntu' } });
    fireEvent.click(within(c).getByLabelText('Protected'));
    fireEvent.change(within(c).getByLabelText(/^Minimum RAM/), { target: { value: 'a lot' } });
    const ram = within(c).getByLabelText(/^Minimum RAM/);
    expect(ram.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(ram.getAttribute('aria-describedby') ?? '')?.textContent).toContain('whole number');
    fireEvent.change(ram, { target: { value: '2048' } });
    const draft = state().drafts['/img/a.qcow2'];
    expect(draft?.form).toMatchObject({ tags: 'base, ci', protected: true, minRam: '2048' });
    expect(draft?.form.properties).toEqual([{ key: 'os_distro', value: 'ubuntu' }]);
  });

  it('"Upload" sends the requests of every safe, ready file and leaves the rest', async () => {
    const api = await setup({ files: { '/img/a.qcow2': safe, '/img/b.qcow2': safe, '/img/evil.qcow2': unsafe } });
    await act(() => addPaths(['/img/a.qcow2', '/img/evil.qcow2', '/img/b.qcow2']));
    fireEvent.change(within(card('b.qcow2')).getByLabelText(/^Name/), { target: { value: '' } });
    expect(screen.getByText(/1 file ready, 1 blocked, 1 not ready yet/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Upload' })));
    expect(api.callsOf('startUploads')).toEqual([
      [
        [
          {
            path: '/img/a.qcow2',
            name: 'a',
            diskFormat: 'qcow2',
            containerFormat: 'bare',
            visibility: 'private',
            minDisk: 11,
          },
        ],
      ],
    ]);
    expect(state().draftOrder).toEqual(['/img/evil.qcow2', '/img/b.qcow2']);
    expect(state().view).toBe('queue');
  });

  it('disables Upload while not connected, but still inspects', async () => {
    await setup({ connected: false, files: { '/img/a.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2']));
    expect(screen.getByText(/Not connected/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Upload' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('removes a file', async () => {
    await setup({ files: { '/img/a.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2']));
    fireEvent.click(screen.getByRole('button', { name: 'Remove a.qcow2' }));
    expect(screen.queryByRole('listitem', { name: 'a.qcow2' })).toBeNull();
  });
});
