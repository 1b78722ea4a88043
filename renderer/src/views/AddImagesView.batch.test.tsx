import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { UsageReport } from '../../../shared/quota.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import type { UploadRequest } from '../../../shared/upload.ts';
import { addPaths } from '../bridge.ts';
import { setLocale } from '../i18n/index.ts';
import { PRESETS_KEY } from '../store/drafts-slice.presets.ts';
import { useAppStore } from '../store/index.ts';
import { GIB, MIB, makeError, makeInspection, makeSession, makeSnapshot } from '../testing/fixtures.ts';
import type { FakeApiOptions } from '../testing/fake-api.ts';
import { installFakeApi } from '../testing/setup.ts';
import { AddImagesView } from './AddImagesView.tsx';
import { USAGE_AFTER_UPLOADS_MS, UsageMeter } from './add/UsageMeter.tsx';

const state = () => useAppStore.getState();
/** What the window's notices say (they are drawn outside this view). */
const notices = () => state().notices.map((n) => n.message);
const safe = makeInspection({ format: 'qcow2', diskFormat: 'qcow2', virtualSize: 10 * GIB + 1, size: 700 * MIB });
const unsafe = makeInspection({
  safe: false,
  reasons: [{ code: 'backing-file', message: 'The image points to a backing file, which the cloud would read.' }],
});
const base = makeSession();
const multiStore = makeSession({
  capabilities: {
    ...base.capabilities,
    stores: [
      { id: 'fast', isDefault: true },
      { id: 'slow', isDefault: false },
    ],
  },
});

function files(n: number, prefix = 'disk'): Record<string, typeof safe> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`/img/${prefix}-${i + 1}.qcow2`, safe]));
}

async function setup(options: FakeApiOptions = {}) {
  const api = installFakeApi({ connected: true, ...options });
  if (options.connected !== false) act(() => state().connectSucceeded(api.sessionTemplate));
  render(<AddImagesView />);
  await act(async () => {}); // the usage read the meter starts
  return api;
}

const card = (name: string) => screen.getByRole('listitem', { name });
const batch = () => screen.getByRole('region', { name: 'Metadata for several files' });
const uploadButton = () => screen.getByRole('button', { name: 'Upload' }) as HTMLButtonElement;

async function upload(api: ReturnType<typeof installFakeApi>): Promise<UploadRequest[]> {
  await act(async () => fireEvent.click(uploadButton()));
  return (api.callsOf('startUploads')[0]?.[0] ?? []) as UploadRequest[];
}

beforeEach(() => {
  localStorage.clear();
});

describe('many files: collapsed cards', () => {
  it('opens each card of a few files, and collapses 20 to name, verdict and size; Edit opens one', async () => {
    await setup({ files: files(20) });
    await act(() => addPaths(Object.keys(files(20))));
    expect(screen.getAllByRole('listitem').filter((li) => li.classList.contains('draft'))).toHaveLength(20);
    const c = card('disk-7.qcow2');
    expect(c.textContent).toContain('Safe');
    expect(c.textContent).toContain('700 MiB');
    expect(within(c).queryByLabelText(/^Name/)).toBeNull();
    const edit = within(c).getByRole('button', { name: 'Edit disk-7.qcow2' });
    expect(edit.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(edit);
    const collapse = within(card('disk-7.qcow2')).getByRole('button', { name: 'Collapse disk-7.qcow2' });
    expect(collapse.getAttribute('aria-expanded')).toBe('true');
    expect(document.getElementById(collapse.getAttribute('aria-controls') ?? '')).not.toBeNull();
    expect((within(card('disk-7.qcow2')).getByLabelText(/^Name/) as HTMLInputElement).value).toBe('disk-7');
    // Only that one opened.
    expect(within(card('disk-8.qcow2')).queryByLabelText(/^Name/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(within(card('disk-8.qcow2')).getByLabelText(/^Name/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(within(card('disk-7.qcow2')).queryByLabelText(/^Name/)).toBeNull();
  });

  it('a collapsed card with an incomplete form says how many fields to fix', async () => {
    await setup({ files: files(5) });
    await act(() => addPaths(Object.keys(files(5))));
    act(() => state().updateDraftForm('/img/disk-2.qcow2', { name: '', minRam: 'x' }));
    expect(card('disk-2.qcow2').textContent).toContain('Safe, form incomplete');
    expect(card('disk-2.qcow2').textContent).toContain('2 fields to fix');
  });
});

describe('the batch editor', () => {
  it('applies visibility, min RAM, tags, properties, store and protected to all 20 files, and they go in the requests', async () => {
    const api = await setup({ session: multiStore, files: files(20) });
    await act(() => addPaths(Object.keys(files(20))));
    act(() =>
      state().updateDraftForm('/img/disk-3.qcow2', { tags: 'own', properties: [{ key: 'os_distro', value: 'x' }] }),
    );
    const b = batch();
    const apply = within(b).getByRole('button', { name: 'Apply to all 20 files' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true); // nothing filled in yet
    fireEvent.change(within(b).getByLabelText('Visibility'), { target: { value: 'community' } });
    fireEvent.change(within(b).getByLabelText('Minimum RAM (MiB)'), { target: { value: '2048' } });
    fireEvent.change(within(b).getByLabelText(/^Tags to add/), { target: { value: 'ci, base' } });
    fireEvent.change(within(b).getByLabelText('Store'), { target: { value: 'slow' } });
    fireEvent.change(within(b).getByLabelText('Protected'), { target: { value: 'yes' } });
    fireEvent.click(within(b).getByRole('button', { name: 'Add property to the batch' }));
    fireEvent.change(within(b).getByLabelText('Property 1 key'), { target: { value: 'os_distro' } });
    fireEvent.change(within(b).getByLabelText('Property 1 value'), { target: { value: 'ubuntu' } });
    expect(apply.disabled).toBe(false);
    fireEvent.click(apply);
    expect(notices()).toContain('Applied to 20 files.');

    const requests = await upload(api);
    expect(requests).toHaveLength(20);
    for (const r of requests) {
      expect(r).toMatchObject({
        visibility: 'community',
        minRam: 2048,
        store: 'slow',
        protected: true,
        properties: { os_distro: 'ubuntu' },
      });
    }
    // Tags are added to a file's own; a property of the same key is replaced.
    expect(requests.find((r) => r.path === '/img/disk-3.qcow2')?.tags).toEqual(['own', 'ci', 'base']);
    expect(requests.find((r) => r.path === '/img/disk-4.qcow2')?.tags).toEqual(['ci', 'base']);
  });

  it('applies to the selected files only, and leaves what the batch leaves empty', async () => {
    await setup({ files: files(6) });
    await act(() => addPaths(Object.keys(files(6))));
    fireEvent.click(within(card('disk-2.qcow2')).getByRole('checkbox', { name: 'Select disk-2.qcow2' }));
    fireEvent.click(within(card('disk-5.qcow2')).getByRole('checkbox', { name: 'Select disk-5.qcow2' }));
    expect(screen.getByText('2 of 6 selected')).toBeTruthy();
    const b = batch();
    fireEvent.change(within(b).getByLabelText('Visibility'), { target: { value: 'shared' } });
    fireEvent.click(within(b).getByRole('button', { name: 'Apply to 2 selected' }));
    const visibility = (id: string) => state().drafts[id]?.form.visibility;
    expect(visibility('/img/disk-2.qcow2')).toBe('shared');
    expect(visibility('/img/disk-5.qcow2')).toBe('shared');
    expect(visibility('/img/disk-1.qcow2')).toBe('private');
    expect(state().drafts['/img/disk-2.qcow2']?.form.minRam).toBe('');
    // Select all, then none.
    const all = screen.getByRole('checkbox', { name: 'Select all files' });
    fireEvent.click(all);
    expect(state().selectedDrafts).toHaveLength(6);
    fireEvent.click(all);
    expect(state().selectedDrafts).toHaveLength(0);
  });

  it('refuses a min RAM that is not a whole number, with the reason on the field', async () => {
    await setup({ files: files(2) });
    await act(() => addPaths(Object.keys(files(2))));
    const ram = within(batch()).getByLabelText('Minimum RAM (MiB)');
    fireEvent.change(ram, { target: { value: 'lots' } });
    expect(ram.getAttribute('aria-invalid')).toBe('true');
    expect((within(batch()).getByRole('button', { name: 'Apply to all 2 files' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('suggests Horizon’s well-known keys, and the usual values of a well-known key', async () => {
    await setup({ files: files(2) });
    await act(() => addPaths(Object.keys(files(2))));
    fireEvent.click(within(batch()).getByRole('button', { name: 'Add property to the batch' }));
    const key = within(batch()).getByLabelText('Property 1 key') as HTMLInputElement;
    const keys = [...(document.getElementById(key.getAttribute('list') ?? '')?.querySelectorAll('option') ?? [])].map(
      (o) => o.value,
    );
    expect(keys).toEqual(['description', 'os_distro', 'os_version', 'architecture', 'hw_firmware_type', 'hw_disk_bus']);
    fireEvent.change(key, { target: { value: 'hw_firmware_type' } });
    const value = within(batch()).getByLabelText('Property 1 value') as HTMLInputElement;
    const values = [...(document.getElementById(value.getAttribute('list') ?? '')?.querySelectorAll('option') ?? [])];
    expect(values.map((o) => o.value)).toEqual(['bios', 'uefi']);
    // Still free text.
    fireEvent.change(value, { target: { value: 'coreboot' } });
    expect(state().batch.properties).toEqual([{ key: 'hw_firmware_type', value: 'coreboot' }]);
  });
});

describe('Remove blocked', () => {
  it('removes every file the inspector refused or could not read, and nothing else', async () => {
    await setup({
      files: {
        ...files(3),
        '/img/evil-1.qcow2': unsafe,
        '/img/evil-2.qcow2': unsafe,
        '/img/gone.raw': makeError({ message: 'The file was moved.' }),
      },
    });
    await act(() => addPaths([...Object.keys(files(3)), '/img/evil-1.qcow2', '/img/evil-2.qcow2', '/img/gone.raw']));
    const button = screen.getByRole('button', { name: 'Remove blocked (3)' });
    fireEvent.click(button);
    expect(state().draftOrder).toEqual(Object.keys(files(3)));
    expect(notices()).toContain('3 blocked files removed.');
    expect((screen.getByRole('button', { name: 'Remove blocked (0)' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('presets', () => {
  it('saves the batch under a name in localStorage, fills it in again, and deletes it', async () => {
    await setup({ files: files(2) });
    await act(() => addPaths(Object.keys(files(2))));
    const b = batch();
    fireEvent.change(within(b).getByLabelText('Visibility'), { target: { value: 'public' } });
    fireEvent.change(within(b).getByLabelText(/^Tags to add/), { target: { value: 'golden' } });
    fireEvent.change(within(b).getByLabelText('Preset name'), { target: { value: 'Golden images' } });
    fireEvent.click(within(b).getByRole('button', { name: 'Save as preset' }));
    expect(notices()).toContain('Preset “Golden images” saved.');
    const stored = JSON.parse(localStorage.getItem(PRESETS_KEY) ?? 'null') as { presets: { name: string }[] };
    expect(stored.presets.map((p) => p.name)).toEqual(['Golden images']);

    fireEvent.click(within(b).getByRole('button', { name: 'Clear' }));
    expect((within(b).getByLabelText('Visibility') as HTMLSelectElement).value).toBe('');
    fireEvent.change(within(b).getByLabelText('Preset'), { target: { value: 'Golden images' } });
    fireEvent.click(within(b).getByRole('button', { name: 'Fill in from preset' }));
    expect((within(b).getByLabelText('Visibility') as HTMLSelectElement).value).toBe('public');
    expect((within(b).getByLabelText(/^Tags to add/) as HTMLInputElement).value).toBe('golden');

    fireEvent.click(within(b).getByRole('button', { name: 'Delete preset' }));
    expect(notices()).toContain('Preset “Golden images” deleted.');
    expect(JSON.parse(localStorage.getItem(PRESETS_KEY) ?? 'null')).toEqual({ version: 1, presets: [] });
  });

  it('reads presets saved earlier (a new window)', async () => {
    localStorage.setItem(
      PRESETS_KEY,
      JSON.stringify({
        version: 1,
        presets: [
          {
            name: 'CI',
            fields: { visibility: '', minRam: '512', tags: 'ci', properties: [], store: null, protected: 'no' },
          },
        ],
      }),
    );
    await setup({ files: files(2) });
    await act(() => addPaths(Object.keys(files(2))));
    const options = [...(within(batch()).getByLabelText('Preset') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'CI']);
  });

  it.each([
    ['not JSON', '{"version": 1, "presets": ['],
    ['another shape', JSON.stringify({ version: 1, presets: { name: 'x' } })],
    [
      'an unknown visibility',
      JSON.stringify({
        version: 1,
        presets: [
          {
            name: 'x',
            fields: { visibility: 'everyone', minRam: '', tags: '', properties: [], store: null, protected: 'leave' },
          },
        ],
      }),
    ],
    ['a future version', JSON.stringify({ version: 9, presets: [] })],
  ])('ignores a corrupt entry (%s) with a notice, never a crash, and saving replaces it', async (_what, raw) => {
    localStorage.setItem(PRESETS_KEY, raw);
    await setup({ files: files(2) });
    await act(() => addPaths(Object.keys(files(2))));
    const b = batch();
    expect(within(b).getByRole('status').textContent).toMatch(/could not be read .* and were ignored/);
    expect([...(within(b).getByLabelText('Preset') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['']);
    fireEvent.change(within(b).getByLabelText('Minimum RAM (MiB)'), { target: { value: '1024' } });
    fireEvent.change(within(b).getByLabelText('Preset name'), { target: { value: 'fresh' } });
    fireEvent.click(within(b).getByRole('button', { name: 'Save as preset' }));
    expect(within(b).queryByRole('status')).toBeNull();
    expect((JSON.parse(localStorage.getItem(PRESETS_KEY) ?? '{}') as { presets: unknown[] }).presets).toHaveLength(1);
  });
});

function imsSession(overrides: Partial<NonNullable<SessionInfo['ims']>> = {}): SessionInfo {
  return makeSession({
    imageService: { kind: 'ims', reason: 'image_service: ims in clouds.yaml', inferred: false },
    capabilities: { ...base.capabilities, stores: [], importMethods: [], sizeLimit: 1024 * GIB },
    ims: {
      osVersions: ['Ubuntu 22.04 server 64bit', 'CentOS 7.9 64bit'],
      bucket: 'images',
      objectStorage: true,
      nativeLimit: 2 * GIB,
      auth: 'token',
      ...overrides,
    },
  });
}

describe('IMS fields (issue 11)', () => {
  const raw = makeInspection({ format: 'raw', diskFormat: 'raw', virtualSize: 3 * GIB + 1, size: 3 * GIB + 1 });

  it('appear only on an IMS cloud', async () => {
    await setup({ files: { '/img/a.raw': raw } });
    await act(() => addPaths(['/img/a.raw']));
    expect(within(card('a.raw')).queryByLabelText('Route')).toBeNull();
    expect(within(card('a.raw')).queryByLabelText('OS version')).toBeNull();
  });

  it('names each route with its availability and reason, and checks OS version, min disk, bucket and key', async () => {
    await setup({ session: imsSession({ objectStorage: false }), files: { '/img/a.raw': raw } });
    await act(() => addPaths(['/img/a.raw']));
    const c = card('a.raw');
    const route = within(c).getByLabelText('Route') as HTMLSelectElement;
    expect([...route.options].map((o) => o.textContent)).toEqual([
      'Auto (unavailable)',
      'Register from OBS (unavailable)',
      'Create from OBS (unavailable)',
      'Native upload (unavailable)',
      'Quick import (unavailable)',
    ]);
    const routes = within(c).getByRole('list', { name: 'What each route can do with a.raw' });
    expect(routes.textContent).toContain('Register from OBS: unavailable: Needs an OBS access key');
    expect(routes.textContent).toContain(
      'Native upload: unavailable: Only files smaller than 2.00 GiB go in one request',
    );
    // Min disk pre-filled from the virtual size, rounded up: 3 GiB + 1 byte needs 4.
    const minDisk = within(c).getByLabelText(/^Minimum disk/) as HTMLInputElement;
    expect(minDisk.value).toBe('4');
    fireEvent.change(minDisk, { target: { value: '3' } });
    expect(c.textContent).toContain('its minimum disk must be at least 4 GB');
    fireEvent.change(minDisk, { target: { value: '2000' } });
    expect(c.textContent).toContain('from 1 to 1024');
    fireEvent.change(minDisk, { target: { value: '4' } });
    expect(c.textContent).toContain('Choose the image’s OS version');
    const os = within(c).getByLabelText(/^OS version/) as HTMLInputElement;
    const listed = [...(document.getElementById(os.getAttribute('list') ?? '')?.querySelectorAll('option') ?? [])];
    expect(listed.map((o) => o.value)).toEqual(['Ubuntu 22.04 server 64bit', 'CentOS 7.9 64bit']);
    fireEvent.change(os, { target: { value: 'Ubuntu 99' } });
    expect(c.textContent).toContain('does not list the OS version “Ubuntu 99”');
    fireEvent.change(os, { target: { value: 'Ubuntu 22.04 server 64bit' } });
    fireEvent.change(within(c).getByLabelText(/^OBS bucket/), { target: { value: 'Bad_Bucket' } });
    expect(c.textContent).toContain('is not an OBS bucket name');
    fireEvent.change(within(c).getByLabelText(/^OBS bucket/), { target: { value: 'my-images' } });
    fireEvent.change(within(c).getByLabelText(/^Object key/), { target: { value: 'my disk.raw' } });
    expect(c.textContent).toContain('IMG.0175');
    fireEvent.change(within(c).getByLabelText(/^Object key/), { target: { value: 'disks/a.raw' } });
    expect(uploadButton().disabled).toBe(true); // no route can take it: no access key, over the native limit
  });

  it('sends the route, OS version, min disk, bucket, object key and keep-object as the CLI does', async () => {
    const api = await setup({ session: imsSession(), files: { '/img/a.raw': raw } });
    await act(() => addPaths(['/img/a.raw']));
    const c = card('a.raw');
    expect(within(c).getByLabelText('Route').closest('.field')?.textContent).toContain(
      'Auto takes this file by “Register from OBS”.',
    );
    fireEvent.change(within(c).getByLabelText('Route'), { target: { value: 'create' } });
    // create takes 40 GB at least
    expect(c.textContent).toContain('from 40 to 1024');
    fireEvent.change(within(c).getByLabelText(/^Minimum disk/), { target: { value: '40' } });
    fireEvent.change(within(c).getByLabelText(/^OS version/), { target: { value: 'CentOS 7.9 64bit' } });
    fireEvent.change(within(c).getByLabelText(/^Object key/), { target: { value: 'disks/a.raw' } });
    fireEvent.click(within(c).getByLabelText('Keep the object in the bucket after the image is active'));
    const [request] = await upload(api);
    expect(request).toMatchObject({
      path: '/img/a.raw',
      route: 'create',
      osVersion: 'CentOS 7.9 64bit',
      minDisk: 40,
      objectKey: 'disks/a.raw',
      keepObject: true,
    });
    expect(request).not.toHaveProperty('bucket'); // the cloud's own
    expect(request).not.toHaveProperty('store');
  });

  it('takes any OS version as free text where the cloud gives no list', async () => {
    await setup({ session: imsSession({ osVersions: null }), files: { '/img/a.raw': raw } });
    await act(() => addPaths(['/img/a.raw']));
    const c = card('a.raw');
    fireEvent.change(within(c).getByLabelText(/^OS version/), { target: { value: 'Debian GNU/Linux 12 64bit' } });
    expect(
      within(c)
        .getByLabelText(/^OS version/)
        .getAttribute('list'),
    ).toBeNull();
    expect(c.textContent).toContain('Safe');
    expect(uploadButton().disabled).toBe(false);
  });
});

describe('import fields (issue 14)', () => {
  it('are offered only where the cloud lists glance-direct', async () => {
    await setup({
      session: makeSession({ capabilities: { ...multiStore.capabilities, importMethods: ['web-download'] } }),
      files: { '/img/a.qcow2': safe },
    });
    await act(() => addPaths(['/img/a.qcow2']));
    expect(within(card('a.qcow2')).queryByLabelText(/Upload through the import API/)).toBeNull();
  });

  it('stage then import to chosen stores (or all), with allow failure; says a broken stage starts from 0', async () => {
    const api = await setup({ session: multiStore, files: { '/img/a.qcow2': safe, '/img/b.qcow2': safe } });
    await act(() => addPaths(['/img/a.qcow2', '/img/b.qcow2']));
    const a = card('a.qcow2');
    fireEvent.click(within(a).getByLabelText(/Upload through the import API/));
    expect(a.textContent).toContain('a broken stage starts again from 0');
    expect(within(a).queryByLabelText('Store')).toBeNull(); // the plain PUT's store picker gives way
    fireEvent.click(within(a).getByLabelText('slow'));
    fireEvent.click(within(a).getByLabelText(/^Allow failure/));
    const b = card('b.qcow2');
    fireEvent.click(within(b).getByLabelText(/Upload through the import API/));
    fireEvent.click(within(b).getByLabelText('All stores'));
    expect((within(b).getByLabelText('fast (default)') as HTMLInputElement).disabled).toBe(true);
    const requests = await upload(api);
    expect(requests.find((r) => r.path === '/img/a.qcow2')?.import).toEqual({ stores: ['slow'], allowFailure: true });
    expect(requests.find((r) => r.path === '/img/b.qcow2')?.import).toEqual({ stores: 'all', allowFailure: false });
  });
});

describe('usage before Upload', () => {
  const usage = (over: Partial<UsageReport> = {}): UsageReport => ({
    service: 'glance',
    source: 'image-sum',
    usedBytes: 6.1 * GIB,
    limitBytes: 8 * GIB,
    limitFrom: 'configured',
    pendingBytes: 0,
    images: null,
    fetchedAt: 0,
    ...over,
  });
  const sized = (n: number, size: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`/img/f-${i + 1}.raw`, { ...safe, size }]));

  it('says what the files add and what the project uses, and lets them go when they fit', async () => {
    const api = await setup({ usage: usage(), files: sized(3, 0.5 * GIB) });
    await act(() => addPaths(Object.keys(sized(3, 0.5 * GIB))));
    const meter = screen.getByRole('region', { name: 'Image storage of the project' });
    expect(meter.textContent).toContain('3 files, 1.50 GiB; the project uses 6.10 GiB of 8.00 GiB.');
    expect(meter.textContent).toContain('image_storage_quota');
    expect(within(meter).getByRole('meter')).toBeTruthy();
    expect(uploadButton().disabled).toBe(false);
    expect(api.callsOf('getUsage').length).toBeGreaterThanOrEqual(1);
  });

  it('disables Upload with the reason when the files cannot fit, counting queued uploads', async () => {
    await setup({ usage: usage({ pendingBytes: 1 * GIB }), files: sized(3, 0.5 * GIB) });
    await act(() => addPaths(Object.keys(sized(3, 0.5 * GIB))));
    expect(screen.getByRole('region', { name: 'Image storage of the project' }).textContent).toContain(
      '1.00 GiB more is on its way in queued uploads',
    );
    expect(uploadButton().disabled).toBe(true);
    expect(
      screen.getByText(/^These files need 1\.50 GiB, but the project has 922 MiB left of its 8\.00 GiB image quota/),
    ).toBeTruthy();
    expect(uploadButton().getAttribute('aria-describedby')).toContain('submit-refusal');
    // Removing a file makes it fit.
    fireEvent.click(screen.getByRole('button', { name: 'Remove f-1.raw' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove f-2.raw' }));
    expect(uploadButton().disabled).toBe(false);
  });

  it('says honestly when no quota is known', async () => {
    await setup({ usage: usage({ limitBytes: null, limitFrom: null }), files: sized(1, GIB) });
    await act(() => addPaths(Object.keys(sized(1, GIB))));
    const meter = screen.getByRole('region', { name: 'Image storage of the project' });
    expect(meter.textContent).toContain('1 file, 1.00 GiB; the project uses 6.10 GiB; no quota is known.');
    expect(within(meter).queryByRole('meter')).toBeNull();
  });

  it('IMS: the private image count against its quota', async () => {
    await setup({
      session: imsSession(),
      usage: usage({ service: 'ims', limitBytes: null, limitFrom: null, images: { used: 50, limit: 50, pending: 0 } }),
      files: { '/img/a.raw': makeInspection({ format: 'raw', diskFormat: 'raw', virtualSize: GIB, size: GIB }) },
    });
    await act(() => addPaths(['/img/a.raw']));
    act(() => state().updateDraftForm('/img/a.raw', { osVersion: 'CentOS 7.9 64bit' }));
    expect(screen.getByRole('region', { name: 'Image storage of the project' }).textContent).toContain(
      '50 of 50 private images',
    );
    expect(screen.getByText(/^This file makes 1 private image, but the project has room for 0 more/)).toBeTruthy();
    expect(uploadButton().disabled).toBe(true);
  });

  it('shows the read’s error and offers a refresh', async () => {
    const api = installFakeApi({ connected: true, files: sized(1, GIB) });
    act(() => state().connectSucceeded(api.sessionTemplate));
    api.failNext('getUsage', makeError({ message: 'Glance did not answer.' }));
    render(<AddImagesView />);
    await act(() => addPaths(Object.keys(sized(1, GIB))));
    expect(screen.getByText('The project’s usage could not be read: Glance did not answer.')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Refresh usage' })));
    expect(screen.queryByText(/could not be read/)).toBeNull();
    expect(api.callsOf('getUsage')).toHaveLength(2);
  });
});

describe('in Chinese', () => {
  it('shows the view, the batch editor and the cards in Simplified Chinese', async () => {
    await setLocale('zh-CN', false);
    await setup({ files: files(4) });
    await act(() => addPaths(Object.keys(files(4))));
    expect(screen.getByRole('heading', { name: '添加镜像' })).toBeTruthy();
    expect(screen.getByRole('region', { name: '批量设置元数据' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '应用到全部 4 个文件' })).toBeTruthy();
    expect(card('disk-1.qcow2').textContent).toContain('安全');
    expect(screen.getByText(/4 个文件就绪/)).toBeTruthy();
  });
});

describe('the usage meter on its own (as the dashboard places it)', () => {
  it('reads the usage again shortly after an upload of this cloud ends', async () => {
    const api = installFakeApi({ connected: true });
    act(() => state().connectSucceeded(api.sessionTemplate));
    const job = makeSnapshot({ id: 'j1', cloudKey: api.sessionTemplate.cloudKey, phase: 'uploading' });
    act(() => state().applySnapshots([job]));
    render(<UsageMeter />);
    await act(async () => {});
    expect(api.callsOf('getUsage')).toHaveLength(1);
    expect(screen.getByRole('region', { name: 'Image storage of the project' }).textContent).toContain(
      'the project uses 0 B; no quota is known.',
    );
    api.usage = { ...api.usage, usedBytes: 700 * MIB };
    act(() => state().applySnapshots([{ ...job, phase: 'done', updatedAt: job.updatedAt + 1 }]));
    await act(() => new Promise((r) => setTimeout(r, USAGE_AFTER_UPLOADS_MS + 100)));
    expect(api.callsOf('getUsage')).toHaveLength(2);
    expect(screen.getByRole('region', { name: 'Image storage of the project' }).textContent).toContain(
      'the project uses 700 MiB; no quota is known.',
    );
  });
});
