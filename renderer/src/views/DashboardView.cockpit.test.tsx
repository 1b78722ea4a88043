// The dashboard's cockpit behaviours (issues 11, 12, 14): the new columns and relative dates, a
// style per Glance status, killed images deletable at any age and uploading/importing ones stuck,
// the export saved as a file, Copy to stores with each store's progress in the row, the IMS
// cloud's jobs and multipart uploads with Abort, and the view in Chinese.
import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import { App } from '../App.tsx';
import { setLocale } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import type { FakeApiOptions } from '../testing/fake-api.ts';
import { makeImage, makeSession, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { DashboardView } from './DashboardView.tsx';
import { STATUS_TONES } from './dashboard/StatusBadge.tsx';

const state = () => useAppStore.getState();
const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const glanceSession = makeSession({
  capabilities: {
    ...makeSession().capabilities,
    stores: [
      { id: 'fast', isDefault: true },
      { id: 'slow', isDefault: false, description: 'cold storage' },
    ],
    importMethods: ['glance-direct', 'copy-image'],
  },
});

async function setup(options: FakeApiOptions = {}, element = <DashboardView />) {
  const api = installFakeApi({ connected: true, session: glanceSession, ...options });
  act(() => state().connectSucceeded(api.sessionTemplate));
  await act(async () => {
    render(element);
  });
  return api;
}

const table = () => screen.getByRole('table', { name: 'Images' });
const row = (name: string) => within(table()).getByRole('row', { name: new RegExp(name) });
/** The cell under a column header, by the header's text. */
function cell(rowEl: HTMLElement, column: string): HTMLElement {
  const headers = within(table()).getAllByRole('columnheader');
  const index = headers.findIndex((h) => h.textContent?.replace(/[▲▼]/g, '').trim() === column);
  if (index < 0) throw new Error(`no column ${column}`);
  return rowEl.children[index] as HTMLElement;
}

describe('columns', () => {
  it('shows stores, owner and min disk, and dates as "3h ago" with the exact time on hover', async () => {
    await setup({
      images: [
        makeImage({
          id: 'a1',
          name: 'alpha',
          stores: ['fast', 'slow'],
          minDisk: 20,
          owner: 'p1',
          createdAt: ago(3 * 60 * MIN + 5 * MIN),
          updatedAt: ago(2 * 86_400_000),
        }),
        makeImage({ id: 'b1', name: 'shared-in', owner: 'other-project', ownedByProject: false, minDisk: null }),
      ],
    });
    const alpha = row('alpha');
    expect(cell(alpha, 'Stores').textContent).toContain('fast, slow');
    expect(cell(alpha, 'Min disk').textContent).toBe('20 GB');
    expect(cell(alpha, 'Owner').textContent).toBe('demo'); // the signed-in project, by name
    const created = within(cell(alpha, 'Created')).getByText('3h ago');
    expect(created.tagName).toBe('TIME');
    expect(created.getAttribute('title')).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(Date.parse(created.getAttribute('datetime')!)).toBeGreaterThan(0);
    expect(cell(alpha, 'Updated').textContent).toBe('2d ago');
    const other = row('shared-in');
    expect(cell(other, 'Owner').textContent).toBe('other-project');
    expect(cell(other, 'Min disk').textContent).toBe('—');
  });

  it('finds images by store and owner too', async () => {
    await setup({
      images: [
        makeImage({ id: 'a1', name: 'alpha', stores: ['slow'] }),
        makeImage({ id: 'b1', name: 'beta', stores: ['fast'] }),
      ],
    });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'slow' } });
    expect(
      within(table())
        .getAllByRole('rowheader')
        .map((r) => r.querySelector('.image-name')?.textContent),
    ).toEqual(['alpha']);
  });
});

describe('statuses', () => {
  it('gives each status its tone: active good, killed bad, in-between busy, out of service gone', async () => {
    await setup({
      images: GLANCE_IMAGE_STATUSES.map((status) => makeImage({ id: status, name: `img-${status}`, status })),
    });
    const tones = Object.fromEntries(
      GLANCE_IMAGE_STATUSES.map((status) => {
        const badge = within(row(`img-${status}`)).getByText(status, { selector: '.status-badge' });
        expect(badge.className).toContain(`status-${status}`);
        expect(badge.getAttribute('title')).toBeTruthy(); // what it means, in words
        return [status, badge.className.match(/tone-(\w+)/)?.[1]];
      }),
    );
    expect(tones).toEqual({
      queued: 'busy',
      saving: 'busy',
      uploading: 'busy',
      importing: 'busy',
      active: 'good',
      killed: 'bad',
      deleted: 'gone',
      pending_delete: 'gone',
      deactivated: 'gone',
    });
    expect(tones).toEqual(STATUS_TONES);
  });

  it('a killed image is deletable at any age; old uploading and importing ones are stuck; fresh ones are not', async () => {
    await setup({
      images: [
        makeImage({ id: 'k1', name: 'just-killed', status: 'killed', updatedAt: ago(0) }),
        makeImage({ id: 'k2', name: 'killed-protected', status: 'killed', protected: true, updatedAt: ago(0) }),
        makeImage({ id: 'u1', name: 'old-uploading', status: 'uploading', updatedAt: ago(30 * MIN) }),
        makeImage({ id: 'i1', name: 'old-importing', status: 'importing', updatedAt: ago(30 * MIN) }),
        makeImage({ id: 'i2', name: 'fresh-importing', status: 'importing', updatedAt: ago(MIN) }),
        makeImage({ id: 'd1', name: 'old-deactivated', status: 'deactivated', updatedAt: ago(300 * MIN) }),
      ],
    });
    expect(row('just-killed').className).toBe('dead');
    expect(row('just-killed').textContent).toContain('Dead: can be deleted');
    expect(row('killed-protected').textContent).toContain('(protected)');
    expect(row('old-uploading').textContent).toMatch(/Stuck for 30 min/);
    expect(row('old-importing').className).toBe('stuck');
    expect(row('fresh-importing').className).toBe('');
    expect(
      within(table())
        .getAllByRole('checkbox')
        .map((c) => c.getAttribute('aria-label')),
    ).toEqual(
      expect.arrayContaining([
        'Select just-killed for deletion',
        'Select old-uploading for deletion',
        'Select old-importing for deletion',
      ]),
    );
    expect(within(table()).getAllByRole('checkbox')).toHaveLength(3);
    expect(screen.getByText(/1 killed|2 killed/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Select all deletable' }));
    expect([...state().selectedImageIds].sort()).toEqual(['i1', 'k1', 'u1']);
  });
});

describe('export', () => {
  let blobs: Blob[];
  let clicks: { download: string; href: string }[];
  beforeEach(() => {
    blobs = [];
    clicks = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return `blob:test/${blobs.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ download: this.download, href: this.href });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('asks main for the listed images (after the filters) and saves its text as the file it names', async () => {
    const api = await setup({
      images: [makeImage({ id: 'a1', name: 'alpha' }), makeImage({ id: 'b1', name: 'beta' })],
    });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'beta' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Listed images (CSV)' })));
    expect(api.callsOf('exportDashboard')).toEqual([[{ what: 'images', format: 'csv', imageIds: ['b1'] }]]);
    expect(clicks).toEqual([{ download: 'imagedrop-images.csv', href: 'blob:test/1' }]);
    expect(blobs[0]!.type).toBe('text/csv;charset=utf-8');
    expect(await blobs[0]!.text()).toBe('images,csv\r\n');
    expect(state().notices.at(-1)?.message).toBe('imagedrop-images.csv saved (1 record).');

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Upload history (JSON)' })));
    expect(api.callsOf('exportDashboard')[1]).toEqual([{ what: 'history', format: 'json' }]);
    expect(clicks[1]!.download).toBe('imagedrop-history.json');
  });

  it('an export main refuses saves nothing and says why', async () => {
    const api = await setup({ images: [makeImage()] });
    api.failNext('exportDashboard', {
      code: 'glance/unavailable',
      message: 'The image service is not answering.',
      retryable: true,
    });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Listed images (JSON)' })));
    expect(clicks).toEqual([]);
    expect(state().notices.at(-1)?.message).toBe('Could not export: The image service is not answering.');
  });
});

describe('copy to stores', () => {
  const active = () => makeImage({ id: 'a1', name: 'alpha', status: 'active', stores: ['fast'] });

  it('offers it for an active image missing a store, chooses the stores, and follows each one in the row', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const api = await setup(
      {
        images: [
          active(),
          makeImage({ id: 'b1', name: 'everywhere', stores: ['fast', 'slow'] }),
          makeImage({ id: 'q1', name: 'queued-one', status: 'queued' }),
        ],
      },
      <App />,
    );
    await act(async () => state().setView('dashboard'));
    expect(within(row('everywhere')).queryByRole('button', { name: /Copy/ })).toBeNull();
    expect(within(row('queued-one')).queryByRole('button', { name: /Copy/ })).toBeNull();
    fireEvent.click(within(row('alpha')).getByRole('button', { name: /^Copy to stores… ?alpha$/ }));
    const dialog = screen.getByRole('alertdialog', { name: 'Copy alpha to more stores' });
    const fast = within(dialog).getByRole('checkbox', { name: /fast/ }) as HTMLInputElement;
    expect(fast.checked && fast.disabled).toBe(true); // already there
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Choose at least one store.');
    expect(api.callsOf('copyImageToStores')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /slow \(cold storage\)/ }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' })));
    expect(api.callsOf('copyImageToStores')).toEqual([['a1', ['slow']]]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    const progress = () => within(row('alpha')).getByRole('list', { name: 'Copy of alpha' });
    expect(progress().textContent).toBe('slow: waiting');
    expect(within(row('alpha')).queryByRole('button', { name: /Copy/ })).toBeNull(); // one copy at a time

    api.copies = [{ ...api.copies[0]!, stores: [{ store: 'slow', state: 'importing' }] }];
    await act(async () => vi.advanceTimersByTime(1_000));
    expect(progress().textContent).toBe('slow: copying');

    const listsBefore = api.callsOf('listImages').length;
    api.images = [{ ...active(), stores: ['fast', 'slow'] }];
    api.copies = [{ ...api.copies[0]!, state: 'done', finishedAt: 2, stores: [{ store: 'slow', state: 'done' }] }];
    await act(async () => vi.advanceTimersByTime(1_000));
    expect(progress().textContent).toBe('slow: done');
    // The copy ended: the images are read again, and the stores column says where it is.
    expect(api.callsOf('listImages').length).toBe(listsBefore + 1);
    expect(cell(row('alpha'), 'Stores').textContent).toContain('fast, slow');
    const polls = api.callsOf('listImageCopies').length;
    await act(async () => vi.advanceTimersByTime(5_000));
    expect(api.callsOf('listImageCopies').length).toBe(polls); // no more polling once it ended
  });

  it("shows the server's reason when the policy forbids the copy", async () => {
    const api = await setup({ images: [active()] }, <App />);
    await act(async () => state().setView('dashboard'));
    api.failNext('copyImageToStores', {
      code: 'auth/forbidden',
      message: 'Glance refused: you are not authorized to copy images (policy copy_image).',
      httpStatus: 403,
      retryable: false,
    });
    fireEvent.click(within(row('alpha')).getByRole('button', { name: /^Copy to stores… ?alpha$/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /slow/ }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy' })));
    expect(state().notices.at(-1)).toMatchObject({
      tone: 'error',
      message: 'Copy failed: Glance refused: you are not authorized to copy images (policy copy_image).',
      code: 'auth/forbidden',
    });
    expect(within(row('alpha')).queryByRole('list', { name: 'Copy of alpha' })).toBeNull();
  });

  it("shows Glance's own import progress on an image this app is not copying", async () => {
    await setup({
      images: [
        makeImage({
          id: 'a1',
          name: 'alpha',
          stores: ['fast'],
          importingToStores: ['slow'],
          failedImportStores: ['cold'],
        }),
      ],
    });
    expect(within(row('alpha')).getByRole('list', { name: 'Copy of alpha' }).textContent).toBe(
      'slow: copyingcold: failed',
    );
  });
});

describe('on an IMS cloud', () => {
  const imsSession = makeSession({
    cloud: 'hw',
    imageService: { kind: 'ims', reason: 'image_service: ims', inferred: false },
    capabilities: { ...makeSession().capabilities, stores: [], importMethods: [] },
  });
  const uploads = [
    {
      bucket: 'images',
      key: 'imagedrop/j1/old.raw',
      uploadId: 'up-orphan',
      initiated: ago(26 * 60 * MIN),
      jobId: null,
    },
    { bucket: 'images', key: 'imagedrop/j2/held.raw', uploadId: 'up-held', initiated: ago(5 * MIN), jobId: 'j2' },
  ];

  it("lists IMS images with their OS version, this app's running IMS jobs, and the unfinished uploads with Abort", async () => {
    const api = await setup(
      {
        session: imsSession,
        images: [makeImage({ id: 'ims-1', name: 'centos', osVersion: 'CentOS 7.9 64bit', minDisk: 40 })],
        uploads: [
          makeSnapshot({
            id: 'j3',
            fileName: 'reg.raw',
            target: 'ims-register',
            phase: 'verifying',
            cloudKey: imsSession.cloudKey,
            remoteJob: { id: 'ff8080-job', status: 'RUNNING', percent: 40 },
          }),
          makeSnapshot({ id: 'j4', fileName: 'other-cloud.raw', target: 'ims-register', cloudKey: 'elsewhere' }),
          makeSnapshot({
            id: 'j5',
            fileName: 'done.raw',
            target: 'ims-register',
            phase: 'done',
            cloudKey: imsSession.cloudKey,
          }),
        ],
        multipart: { bucket: 'images', prefix: 'imagedrop/', uploads, reason: null },
      },
      <App />,
    );
    await act(async () => {
      await (await import('../bridge.ts')).refreshUploads();
      state().setView('dashboard');
    });
    expect(cell(row('centos'), 'OS version').textContent).toBe('CentOS 7.9 64bit');
    expect(cell(row('centos'), 'Min disk').textContent).toBe('40 GB');

    const jobs = screen.getByRole('table', { name: 'Running IMS jobs' });
    const jobRows = within(jobs).getAllByRole('row').slice(1);
    expect(jobRows).toHaveLength(1);
    expect(jobRows[0]!.textContent).toContain('reg.raw');
    expect(jobRows[0]!.textContent).toContain('ff8080-job');
    expect(jobRows[0]!.textContent).toContain('RUNNING');
    expect(within(jobRows[0]!).getByRole('progressbar').getAttribute('value')).toBe('40');

    const list = screen.getByRole('table', { name: 'Unfinished multipart uploads' });
    const held = within(list).getByRole('row', { name: /held\.raw/ });
    expect(held.textContent).toContain('Held by job j2');
    expect(within(held).queryByRole('button', { name: /Abort/ })).toBeNull();
    const old = within(list).getByRole('row', { name: /old\.raw/ });
    expect(within(old).getByText('1d ago').tagName).toBe('TIME');

    fireEvent.click(within(old).getByRole('button', { name: 'Abort the upload of imagedrop/j1/old.raw' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Abort 1 unfinished upload?' });
    expect(dialog.textContent).toMatch(/deletes every part already stored/);
    expect(dialog.textContent).toMatch(/Nothing can resume them/);
    expect(dialog.textContent).toContain('images:imagedrop/j1/old.raw');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep them' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep them' }));
    expect(api.callsOf('abortMultipartUploads')).toEqual([]);

    fireEvent.click(within(old).getByRole('button', { name: /Abort the upload/ }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Abort and delete the parts' })));
    expect(api.callsOf('abortMultipartUploads')).toEqual([[['up-orphan']]]);
    expect(screen.getByRole('region', { name: 'Abort results' }).textContent).toContain('up-orphan: aborted');
    expect(
      within(screen.getByRole('table', { name: 'Unfinished multipart uploads' })).queryByText(/old\.raw/),
    ).toBeNull();
    // No copy to stores on IMS.
    expect(within(row('centos')).queryByRole('button', { name: /Copy/ })).toBeNull();
  });

  it('shows the refusal main answers for an upload a job took hold of since the list was read, and keeps its row', async () => {
    const message =
      'Job j7 can still resume the upload of imagedrop/j1/old.raw: resume or cancel that job in the queue instead.';
    const api = await setup(
      {
        session: imsSession,
        multipart: { bucket: 'images', prefix: 'imagedrop/', uploads, reason: null },
        // Main's rule (electron/main/core/multipart-uploads.ts, checked by dashboard-ims.int.test.ts).
        abortErrors: { 'up-orphan': { code: 'dashboard/upload-in-use', message, retryable: false } },
      },
      <App />,
    );
    await act(async () => state().setView('dashboard'));
    const list = () => screen.getByRole('table', { name: 'Unfinished multipart uploads' });
    const old = within(list()).getByRole('row', { name: /old\.raw/ });
    fireEvent.click(within(old).getByRole('button', { name: 'Abort the upload of imagedrop/j1/old.raw' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Abort and delete the parts' })));
    expect(api.callsOf('abortMultipartUploads')).toEqual([[['up-orphan']]]);
    expect(screen.getByRole('region', { name: 'Abort results' }).textContent).toContain(
      `up-orphan: not aborted. ${message}`,
    );
    expect(within(list()).getByRole('row', { name: /old\.raw/ })).toBeTruthy();
  });

  it('says why there is nothing to list when the cloud has no bucket', async () => {
    await setup({
      session: imsSession,
      multipart: {
        bucket: null,
        prefix: 'imagedrop/',
        uploads: [],
        reason: 'This cloud names no OBS bucket (obs_bucket): there is nowhere to look.',
      },
    });
    expect(screen.getByText(/names no OBS bucket/)).toBeTruthy();
    expect(screen.getByText('No IMS job of this app is running on this cloud.')).toBeTruthy();
  });
});

describe('in Chinese', () => {
  it('every label of the dashboard comes from the zh-CN dictionary', async () => {
    await setLocale('zh-CN', false);
    await setup({
      images: [makeImage({ id: 'a1', name: 'alpha', stores: ['fast'], createdAt: ago(3 * 60 * MIN + MIN) })],
    });
    expect(screen.getByRole('heading', { name: '仪表板' })).toBeTruthy();
    expect(screen.getByRole('table', { name: '镜像' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '按名称排序' })).toBeTruthy();
    expect(screen.getByRole('group', { name: '导出' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^复制到存储… ?alpha$/ })).toBeTruthy();
    expect(screen.getByText('3小时前')).toBeTruthy();
    expect(screen.getByText(/显示 1 个镜像中的 1 个/)).toBeTruthy();
  });
});

describe('usage on the dashboard', () => {
  it('shows what the project uses of its quota, read from main', async () => {
    const GIB = 1024 ** 3;
    const api = await setup({
      usage: {
        service: 'glance',
        source: 'image-sum',
        usedBytes: 6.1 * GIB,
        limitBytes: 8 * GIB,
        limitFrom: 'configured',
        pendingBytes: 0,
        images: null,
        fetchedAt: 0,
      },
    });
    await act(async () => {}); // the usage read the meter starts
    const meter = screen.getByRole('region', { name: 'Image storage of the project' });
    expect(meter.textContent).toContain('the project uses 6.10 GiB of 8.00 GiB');
    expect(within(meter).getByRole('meter')).toBeTruthy();
    expect(api.callsOf('getUsage').length).toBeGreaterThanOrEqual(1);
  });
});
