import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App.tsx';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import { useAppStore } from '../store/index.ts';
import { makeImage } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import type { FakeApiOptions } from '../testing/fake-api.ts';
import { DashboardView } from './DashboardView.tsx';

const state = () => useAppStore.getState();
const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function images() {
  return [
    makeImage({
      id: 'a1',
      name: 'alpha',
      status: 'active',
      size: 300,
      createdAt: ago(90 * MIN),
      updatedAt: ago(80 * MIN),
    }),
    makeImage({
      id: 'q1',
      name: 'stuck-queued',
      status: 'queued',
      size: null,
      createdByImagedrop: true,
      createdAt: ago(60 * MIN),
      updatedAt: ago(60 * MIN),
    }),
    makeImage({
      id: 's1',
      name: 'stuck-saving-protected',
      status: 'saving',
      size: 100,
      protected: true,
      createdAt: ago(50 * MIN),
      updatedAt: ago(45 * MIN),
    }),
    makeImage({
      id: 's2',
      name: 'fresh-saving',
      status: 'saving',
      size: 200,
      createdAt: ago(3 * MIN),
      updatedAt: ago(MIN),
    }),
  ];
}

async function setup(options: FakeApiOptions = {}, element = <DashboardView />) {
  const api = installFakeApi({ connected: true, images: images(), ...options });
  act(() => state().connectSucceeded(api.sessionTemplate));
  await act(async () => {
    render(element);
  });
  return api;
}

const rowNames = () =>
  within(screen.getByRole('table', { name: 'Images' }))
    .getAllByRole('rowheader')
    .map((th) => th.querySelector('.image-name')?.textContent);

describe('DashboardView', () => {
  it('asks to connect first when there is no session', () => {
    installFakeApi();
    render(<DashboardView />);
    expect(screen.getByText(/Connect to a cloud to see its images/)).toBeTruthy();
  });

  it('loads every image of the project on open, newest update first', async () => {
    const api = await setup();
    expect(api.callsOf('listImages')).toHaveLength(1);
    expect(rowNames()).toEqual(['fresh-saving', 'stuck-saving-protected', 'stuck-queued', 'alpha']);
    expect(screen.getByText(/Showing 4 of 4 images/)).toBeTruthy();
  });

  it('offers all nine statuses, with counts, and filters by one', async () => {
    await setup();
    const select = screen.getByLabelText('Status') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['all', ...GLANCE_IMAGE_STATUSES]);
    expect([...select.options].find((o) => o.value === 'saving')?.textContent).toBe('saving (2)');
    fireEvent.change(select, { target: { value: 'saving' } });
    expect(rowNames()).toEqual(['fresh-saving', 'stuck-saving-protected']);
    fireEvent.change(select, { target: { value: 'deactivated' } });
    expect(screen.getByText('No image matches these filters.')).toBeTruthy();
  });

  it('says why the deleted filter is always empty (Glance does not list deleted images)', async () => {
    await setup();
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'deleted' } });
    expect(screen.getByText(/Glance does not list deleted images/)).toBeTruthy();
    expect(screen.queryByText('No image matches these filters.')).toBeNull();
  });

  it('filters by text', async () => {
    await setup();
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'ALPH' } });
    expect(rowNames()).toEqual(['alpha']);
  });

  it('sorts by a column header, and again to flip the direction, announcing it with aria-sort', async () => {
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Name' }));
    expect(rowNames()).toEqual(['alpha', 'fresh-saving', 'stuck-queued', 'stuck-saving-protected']);
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Name' }));
    expect(rowNames()[0]).toBe('stuck-saving-protected');
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Size' }));
    expect(rowNames()).toEqual(['stuck-queued', 'stuck-saving-protected', 'fresh-saving', 'alpha']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Status' }));
    // Glance's own order of statuses; equal statuses by id.
    expect(rowNames()).toEqual(['stuck-queued', 'stuck-saving-protected', 'fresh-saving', 'alpha']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Created' }));
    expect(rowNames()[0]).toBe('fresh-saving');
  });

  it('highlights stuck images, says who created them, and lets only unprotected ones be selected', async () => {
    await setup();
    const table = screen.getByRole('table', { name: 'Images' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(name) });
    expect(row('stuck-queued').className).toBe('stuck');
    expect(row('stuck-queued').textContent).toMatch(/Stuck for 1 h 00 min/);
    expect(row('stuck-queued').textContent).toContain('Yes');
    expect(row('stuck-saving-protected').className).toBe('stuck');
    expect(row('stuck-saving-protected').textContent).toContain('(protected)');
    expect(row('stuck-saving-protected').textContent).not.toContain('another project');
    expect(row('fresh-saving').className).toBe('');
    expect(
      within(table)
        .getAllByRole('checkbox')
        .map((c) => c.getAttribute('aria-label')),
    ).toEqual(['Select stuck-queued for deletion']);
  });

  it('an image an upload of this app sends into cannot be ticked, and its row says why', async () => {
    await setup({
      images: [
        ...images(),
        makeImage({
          id: 'u1',
          name: 'paused-upload',
          status: 'saving',
          createdByImagedrop: true,
          createdAt: ago(60 * MIN),
          updatedAt: ago(40 * MIN),
          uploadingHere: true,
        }),
      ],
    });
    const table = screen.getByRole('table', { name: 'Images' });
    const uploading = within(table).getByRole('row', { name: /paused-upload/ });
    expect(uploading.className).not.toBe('stuck'); // idle to Glance, but in the queue: not stuck
    expect(uploading.textContent).toContain("In Imagedrop's queue: manage it there");
    expect(uploading.textContent).not.toContain('Stuck for');
    expect(within(uploading).queryByRole('checkbox')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Select all deletable' }));
    expect(state().selectedImageIds).toEqual(['q1']);
  });

  it('uses the stuck threshold the operator sets', async () => {
    await setup();
    fireEvent.change(screen.getByLabelText('Stuck after (minutes)'), { target: { value: '120' } });
    expect(screen.queryAllByRole('checkbox')).toEqual([]);
    fireEvent.change(screen.getByLabelText('Stuck after (minutes)'), { target: { value: '0' } });
    expect(screen.getByLabelText('Stuck after (minutes)').getAttribute('aria-invalid')).toBe('true');
  });

  it('deletes the selected stuck images after a confirmation and lists each outcome', async () => {
    const api = await setup({}, <App />);
    await act(async () => state().setView('dashboard'));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select stuck-queued for deletion' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete selected (1)' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete 1 image?' });
    expect(dialog.textContent).toContain('stuck-queued');
    expect(dialog.textContent).toContain('cannot be undone');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.callsOf('deleteImages')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Delete selected (1)' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete 1 image' })));
    // Main reads each image again and deletes it only if it is still stuck by this threshold.
    expect(api.callsOf('deleteImages')).toEqual([[['q1'], { stuckAfterMinutes: 10 }]]);
    const results = screen.getByRole('region', { name: 'Deletion results' });
    expect(results.textContent).toContain('stuck-queued: deleted');
    expect(rowNames()).not.toContain('stuck-queued');
  });

  it('shows a failed deletion with its reason', async () => {
    const api = await setup();
    // The image became protected between the list and the delete: main refuses it (its rule, checked
    // by electron/main/core/service.int.test.ts); the view shows main's answer.
    api.deleteErrors = {
      q1: {
        code: 'auth/forbidden',
        message: 'Image stuck-queued is protected: unprotect it first if you really mean to delete it.',
        retryable: false,
      },
    };
    await act(async () => {
      const { deleteImages } = await import('../bridge.ts');
      await deleteImages(['q1']);
    });
    expect(screen.getByRole('region', { name: 'Deletion results' }).textContent).toContain(
      'stuck-queued: not deleted. Image stuck-queued is protected: unprotect it first if you really mean to delete it.',
    );
  });

  it('"Select all deletable" selects the deletable ones', async () => {
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Select all deletable' }));
    expect(state().selectedImageIds).toEqual(['q1']);
  });

  it('refreshes itself every 15 s, on demand, and says how long ago it did', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const api = await setup();
    expect(api.callsOf('listImages')).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(5_000);
    });
    expect(screen.getByText(/Updated 5 s ago/)).toBeTruthy();
    await act(async () => {
      vi.advanceTimersByTime(10_000);
    });
    expect(api.callsOf('listImages')).toHaveLength(2);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Refresh' })));
    expect(api.callsOf('listImages')).toHaveLength(3);
  });

  it('shows a listing error', async () => {
    const api = installFakeApi({ connected: true });
    act(() => state().connectSucceeded(api.sessionTemplate));
    api.failNext('listImages', {
      code: 'glance/unavailable',
      message: 'The image service is not answering. Try again later.',
      retryable: true,
    });
    await act(async () => {
      render(<DashboardView />);
    });
    expect(screen.getByRole('alert').textContent).toContain('The image service is not answering.');
  });
});
