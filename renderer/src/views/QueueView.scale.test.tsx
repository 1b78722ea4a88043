import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setLocale } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import { connectBridge } from '../store/connect-bridge.ts';
import { MIB, makeError, makeInspection, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { QueueView } from './QueueView.tsx';
import { FALLBACK_VIEWPORT, OVERSCAN_ROWS, ROW_HEIGHT } from './queue/virtual.ts';

const state = () => useAppStore.getState();

async function seed(...snapshots: UploadSnapshot[]) {
  return seedWith({}, ...snapshots);
}

async function seedWith(options: Parameters<typeof installFakeApi>[0], ...snapshots: UploadSnapshot[]) {
  const api = installFakeApi({ connected: true, uploads: snapshots, ...options });
  await act(async () => {
    connectBridge();
  });
  return api;
}

const rowsInDom = () => [...document.querySelectorAll<HTMLElement>('.upload-list > li')];
const row = (name: string) => screen.getByRole('listitem', { name });
const many = (n: number, make: (i: number) => Partial<UploadSnapshot> = () => ({})) =>
  Array.from({ length: n }, (_, i) =>
    makeSnapshot({
      id: `j${String(i).padStart(3, '0')}`,
      fileName: `image-${String(i).padStart(3, '0')}.qcow2`,
      createdAt: 1_700_000_000_000 + i,
      ...make(i),
    }),
  );

describe('a queue of hundreds', () => {
  it('renders only the rows in view plus a margin, and follows the scroll', async () => {
    await seed(...many(500));
    render(<QueueView />);
    const inView = Math.ceil(FALLBACK_VIEWPORT / ROW_HEIGHT);
    expect(rowsInDom()).toHaveLength(inView + OVERSCAN_ROWS);
    expect(screen.getByRole('list', { name: 'Uploads' }).style.paddingBottom).toBe(`${(500 - 14) * ROW_HEIGHT}px`);

    const box = document.querySelector<HTMLElement>('.queue-scroll')!;
    Object.defineProperty(box, 'clientHeight', { configurable: true, value: 300 });
    act(() => {
      box.scrollTop = 250 * ROW_HEIGHT;
      fireEvent.scroll(box);
    });
    const rows = rowsInDom();
    // 300 px show 5 rows; the margin adds OVERSCAN_ROWS on each side.
    expect(rows.length).toBeLessThanOrEqual(5 + 1 + 2 * OVERSCAN_ROWS);
    expect(rows[0]?.dataset.uploadId).toBe(`j${250 - OVERSCAN_ROWS}`);
    expect(rows.map((r) => r.getAttribute('aria-posinset'))).toContain('251');
    expect(rows.every((r) => r.getAttribute('aria-setsize') === '500')).toBe(true);
    expect(screen.getByRole('list', { name: 'Uploads' }).style.paddingTop).toBe(
      `${(250 - OVERSCAN_ROWS) * ROW_HEIGHT}px`,
    );
  });

  it('tabs by state with counts; "finished" counts only done jobs, never failed ones', async () => {
    await seed(
      ...many(10, (i) =>
        i < 3
          ? { phase: 'done', bytesSent: 700 * MIB }
          : i < 5
            ? { phase: 'failed', error: makeError() }
            : i < 6
              ? { phase: 'paused' }
              : i < 7
                ? { phase: 'interrupted', resume: { kind: 'restart' } }
                : i < 8
                  ? { phase: 'queued' }
                  : {},
      ),
      makeSnapshot({ id: 'c', fileName: 'gone.raw', phase: 'cancelled' }),
    );
    render(<QueueView />);
    const summary = screen.getByRole('region', { name: 'Queue summary' });
    expect(summary.textContent).toContain('3 of 10 uploads finished');
    expect(summary.textContent).toContain('2 failed');
    const tabs = within(screen.getByRole('group', { name: 'Show' }));
    for (const name of [
      'All (11)',
      'Running (2)',
      'Paused (2)',
      'Waiting (1)',
      'Failed (2)',
      'Done (3)',
      'Cancelled (1)',
    ])
      expect(tabs.getByRole('button', { name })).toBeTruthy();

    fireEvent.click(tabs.getByRole('button', { name: 'Failed (2)' }));
    expect(tabs.getByRole('button', { name: 'Failed (2)' }).getAttribute('aria-pressed')).toBe('true');
    expect(rowsInDom().map((r) => r.dataset.uploadId)).toEqual(['j003', 'j004']);
    fireEvent.click(tabs.getByRole('button', { name: 'Paused (2)' }));
    expect(rowsInDom().map((r) => r.dataset.uploadId)).toEqual(['j005', 'j006']);
  });

  it('Find narrows by name; sort by name, progress and speed', async () => {
    await seed(
      makeSnapshot({
        id: 'a',
        fileName: 'beta.qcow2',
        bytesSent: 10,
        bytesTotal: 100,
        bytesPerSecond: 5,
        createdAt: 1,
      }),
      makeSnapshot({ id: 'b', fileName: 'alpha.raw', bytesSent: 90, bytesTotal: 100, bytesPerSecond: 1, createdAt: 2 }),
      makeSnapshot({
        id: 'c',
        fileName: 'gamma.vmdk',
        bytesSent: 50,
        bytesTotal: 100,
        bytesPerSecond: 9,
        createdAt: 3,
      }),
    );
    render(<QueueView />);
    const ids = () => rowsInDom().map((r) => r.dataset.uploadId);
    expect(ids()).toEqual(['a', 'b', 'c']);
    const find = screen.getByRole('searchbox', { name: 'Find by name' });
    expect(find.id).toBe('queue-find');
    fireEvent.change(find, { target: { value: 'AM' } });
    expect(ids()).toEqual(['c']);
    fireEvent.keyDown(find, { key: 'Escape' });
    expect(ids()).toEqual(['a', 'b', 'c']);

    const sortBy = screen.getByRole('combobox', { name: 'Sort by' });
    fireEvent.change(sortBy, { target: { value: 'name' } });
    expect(ids()).toEqual(['b', 'a', 'c']);
    fireEvent.click(screen.getByRole('button', { name: 'Ascending: sort descending instead' }));
    expect(ids()).toEqual(['c', 'a', 'b']);
    fireEvent.change(sortBy, { target: { value: 'progress' } });
    expect(ids()).toEqual(['b', 'c', 'a']);
    fireEvent.change(sortBy, { target: { value: 'speed' } });
    expect(ids()).toEqual(['c', 'a', 'b']);
  });
});

describe('selection and bulk actions', () => {
  it('ticks rows one by one or all shown, and sends each command for the ticked jobs only', async () => {
    const api = await seed(
      makeSnapshot({ id: 'u1', fileName: 'u1.img', phase: 'uploading' }),
      makeSnapshot({ id: 'u2', fileName: 'u2.img', phase: 'uploading' }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError({ retryable: true }) }),
      makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done' }),
    );
    render(<QueueView />);
    const bulk = within(screen.getByRole('group', { name: 'Selected uploads' }));
    expect((bulk.getByRole('button', { name: 'Pause selected' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select u2.img' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select f.img' }));
    expect(bulk.getByText('2 selected')).toBeTruthy();
    await act(async () => fireEvent.click(bulk.getByRole('button', { name: 'Pause selected' })));
    expect(api.callsOf('pauseUploads')).toEqual([[['u2']]]);
    await act(async () => fireEvent.click(bulk.getByRole('button', { name: 'Retry selected' })));
    expect(api.callsOf('retryUploads')).toEqual([[['f']]]);

    // "Select all shown" takes the rows of the current tab only (u2 is paused now, f waits again).
    fireEvent.click(screen.getByRole('button', { name: 'Clear selection' }));
    fireEvent.click(screen.getByRole('button', { name: 'Running (1)' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all shown (1)' }));
    expect(Object.keys(state().checkedUploadIds)).toEqual(['u1']);
    fireEvent.click(screen.getByRole('button', { name: 'All (4)' }));
    const all = screen.getByRole('checkbox', { name: 'Select all shown (4)' }) as HTMLInputElement;
    expect([all.checked, all.indeterminate]).toEqual([false, true]);
  });

  it('Cancel selected asks first, then cancels the ticked jobs', async () => {
    const api = await seed(
      makeSnapshot({ id: 'u1', fileName: 'u1.img', phase: 'uploading' }),
      makeSnapshot({ id: 'u2', fileName: 'u2.img', phase: 'uploading' }),
    );
    render(<QueueView />);
    fireEvent.click(screen.getByRole('checkbox', { name: /^Select all shown/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel selected' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Cancel 2 uploads?' });
    expect(api.callsOf('cancelUploads')).toEqual([]);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep them' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel 2 uploads' })));
    expect(api.callsOf('cancelUploads')).toEqual([[['u1', 'u2']]]);
  });
});

describe('Remove', () => {
  it('clears a finished job at once', async () => {
    const api = await seed(makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done' }));
    render(<QueueView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove d.img' })));
    expect(api.callsOf('clearUploads')).toEqual([[['d']]]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(state().uploads.d).toBeUndefined();
  });

  it('asks before removing a running job, cancels it first, then clears it once main reports it cancelled', async () => {
    const api = await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }),
      makeSnapshot({ id: 'k', fileName: 'k.img', phase: 'uploading' }),
    );
    render(<QueueView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove u.img' })));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove 1 upload?' });
    expect(dialog.textContent).toContain('1 of them is still running');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep them' }));
    expect(api.callsOf('cancelUploads')).toEqual([]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove u.img' })));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove 1 upload' })));
    expect(api.callsOf('cancelUploads')).toEqual([[['u']]]);
    expect(api.callsOf('clearUploads')).toEqual([[['u']]]);
    expect(state().uploads.u).toBeUndefined();
    expect(state().uploads.k?.phase).toBe('uploading');
  });
});

describe('keyboard', () => {
  it('arrows move between rows’ tick boxes, Space ticks, Enter opens the details, Delete removes', async () => {
    const api = await seed(...many(30, (i) => (i === 1 ? { phase: 'done' } : {})));
    render(<QueueView />);
    const box = (id: string) =>
      rowsInDom()
        .find((r) => r.dataset.uploadId === id)
        ?.querySelector<HTMLInputElement>('input.row-check');
    const focusedRow = () => (document.activeElement as HTMLElement).closest<HTMLElement>('li')?.dataset.uploadId;
    box('j000')!.focus();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(box('j001'));
    // Space is the tick box's own key (a click in the DOM).
    fireEvent.click(document.activeElement!);
    expect(state().checkedUploadIds).toEqual({ j001: true });
    fireEvent.click(document.activeElement!);
    expect(state().checkedUploadIds).toEqual({});
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(focusedRow()).toBe('j029');
    expect(document.activeElement?.className).toBe('row-check');
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(focusedRow()).toBe('j000');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(state().selectedUploadId).toBe('j001');
    expect(screen.getByRole('region', { name: 'Lifecycle of image-001.qcow2' })).toBeTruthy();
    // Escape in the drawer closes it and gives the focus back to the row's tick box.
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(state().selectedUploadId).toBeNull();
    expect(document.activeElement).toBe(box('j001'));
    await act(async () => fireEvent.keyDown(document.activeElement!, { key: 'Delete' }));
    expect(api.callsOf('clearUploads')).toEqual([[['j001']]]);
  });

  it('arrows from a row’s button go to the next row; Enter and Space stay the button’s own', async () => {
    await seed(...many(3));
    render(<QueueView />);
    const pause = screen.getByRole('button', { name: 'Pause image-000.qcow2' });
    pause.focus();
    fireEvent.keyDown(pause, { key: 'Enter' });
    fireEvent.keyDown(pause, { key: ' ' });
    expect(document.activeElement).toBe(pause);
    expect(state().checkedUploadIds).toEqual({});
    expect(state().selectedUploadId).toBeNull();
    fireEvent.keyDown(pause, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByRole('checkbox', { name: 'Select image-001.qcow2' }));
  });

  it('every row control is a native element in the Tab order', async () => {
    await seed(...many(3));
    render(<QueueView />);
    for (const el of document.querySelectorAll<HTMLElement>('.upload-list [tabindex], .upload-list li')) {
      expect(el.tagName).toBe('LI');
      expect(el.hasAttribute('tabindex')).toBe(false);
    }
    expect(screen.getByRole('checkbox', { name: 'Select image-002.qcow2' }).tabIndex).toBe(0);
  });
});

describe('states at a glance', () => {
  it('one chip per row, coloured by state, with its words and icon', async () => {
    await seed(
      makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done', imageStatus: 'active', verified: true }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError() }),
      makeSnapshot({ id: 'k', fileName: 'k.img', phase: 'interrupted', imageStatus: 'killed' }),
      makeSnapshot({ id: 'p', fileName: 'p.img', phase: 'paused' }),
      makeSnapshot({ id: 'i', fileName: 'i.img', phase: 'interrupted', imageStatus: 'queued' }),
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }),
      makeSnapshot({ id: 'q', fileName: 'q.img', phase: 'queued', imageStatus: null }),
    );
    render(<QueueView />);
    const chip = (name: string) => row(name).querySelectorAll('.chip');
    expect(chip('d.img')).toHaveLength(1);
    const tone = (name: string) => chip(name)[0]?.className;
    expect([
      tone('d.img'),
      tone('f.img'),
      tone('k.img'),
      tone('p.img'),
      tone('i.img'),
      tone('u.img'),
      tone('q.img'),
    ]).toEqual([
      'chip chip-good',
      'chip chip-bad',
      'chip chip-bad',
      'chip chip-warn',
      'chip chip-warn',
      'chip chip-info',
      'chip chip-idle',
    ]);
    expect(chip('d.img')[0]?.textContent).toBe('✓Done · Image active · Verified');
  });

  it('Retry only when the error is retryable; otherwise "Fix and upload again" re-adds the file', async () => {
    const api = await seedWith(
      { files: { '/images/quota.img': makeInspection({ file: '/images/quota.img' }) } },
      makeSnapshot({
        id: 'q',
        fileName: 'quota.img',
        file: '/images/quota.img',
        imageName: 'my quota image',
        visibility: 'public',
        phase: 'failed',
        error: makeError({ code: 'glance/quota-exceeded', httpStatus: 413, message: 'The project is over its quota.' }),
      }),
      makeSnapshot({
        id: 'n',
        fileName: 'net.img',
        phase: 'failed',
        error: makeError({ code: 'network/reset', retryable: true }),
      }),
    );
    render(<QueueView />);
    expect(screen.queryByRole('button', { name: 'Retry quota.img' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Retry net.img' }) as HTMLButtonElement).disabled).toBe(false);
    expect(row('quota.img').textContent).toContain('glance/quota-exceeded · 413');
    expect(screen.getByRole('button', { name: 'Retry all' }).hasAttribute('disabled')).toBe(false);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry all' })));
    expect(api.callsOf('retryUploads')).toEqual([[['n']]]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Fix and upload again quota.img' })));
    expect(state().view).toBe('add');
    expect(api.callsOf('inspectFiles')).toEqual([[['/images/quota.img']]]);
    expect(state().draftOrder).toEqual(['/images/quota.img']);
    // The form holds what the failed job was asked for.
    expect(state().drafts['/images/quota.img']?.form).toMatchObject({
      name: 'my quota image',
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'public',
    });
    expect(state().notices.at(-1)?.message).toContain('quota.img is back in Add images');
  });

  it('the drawer shows the error’s code and status, and Copy details copies them', async () => {
    const api = await seed(
      makeSnapshot({
        id: 'q',
        fileName: 'quota.img',
        phase: 'failed',
        error: makeError({
          code: 'glance/quota-exceeded',
          httpStatus: 413,
          message: 'Over quota.',
          serverMessage: 'limit 8 GB',
        }),
      }),
    );
    render(<QueueView />);
    fireEvent.click(screen.getByRole('button', { name: 'Details of quota.img' }));
    const panel = screen.getByRole('region', { name: 'Lifecycle of quota.img' });
    expect(panel.closest('aside')?.className).toBe('queue-drawer');
    expect(document.activeElement?.id).toBe('lifecycle-heading');
    expect(panel.textContent).toContain('glance/quota-exceeded · 413');
    expect(panel.textContent).toContain('Trying again as it is cannot work');
    await act(async () => fireEvent.click(within(panel).getByRole('button', { name: 'Copy details' })));
    const copied = String(api.callsOf('copyText')[0]?.[0]);
    expect(copied).toContain('error: glance/quota-exceeded · 413');
    expect(copied).toContain('server said: limit 8 GB');
    expect(state().notices.at(-1)?.message).toBe('Error details copied.');
  });

  it('a scheduled retry counts down in seconds, not a clock time', async () => {
    vi.useFakeTimers({ now: new Date(2026, 0, 1, 12, 0, 0), toFake: ['Date', 'setInterval', 'clearInterval'] });
    await seed(
      makeSnapshot({ id: 'r', fileName: 'r.img', phase: 'interrupted', retryAt: Date.now() + 12_000, attempt: 2 }),
    );
    render(<QueueView />);
    expect(row('r.img').textContent).toContain('retrying in 12 s');
    expect(row('r.img').textContent).toContain('attempt 2');
    act(() => vi.advanceTimersByTime(5000));
    expect(row('r.img').textContent).toContain('retrying in 7 s');
  });

  it('names each row’s cloud and marks another cloud’s rows', async () => {
    await seed(
      makeSnapshot({ id: 'h', fileName: 'here.img', cloudName: 'devstack' }),
      makeSnapshot({ id: 'o', fileName: 'other.img', cloudName: 'prod', cloudKey: 'https://prod|p9|' }),
    );
    render(<QueueView />);
    expect(row('here.img').querySelector('.row-cloud')?.textContent).toBe('devstack');
    const other = row('other.img').querySelector('.row-cloud');
    expect(other?.textContent).toBe('prod (not the connected cloud)');
    expect(other?.className).toContain('row-cloud-elsewhere');
  });

  it('says "estimating…" until the first speed sample, never a dash', async () => {
    await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading', bytesPerSecond: null, etaSeconds: null }),
    );
    render(<QueueView />);
    expect(row('u.img').textContent).toContain('estimating…');
    expect(row('u.img').textContent).not.toContain('— left');
    expect(screen.getByRole('region', { name: 'Queue summary' }).querySelector('.summary-eta')?.textContent).toBe(
      'estimating…',
    );
  });
});

describe('in Chinese', () => {
  it('the queue speaks the chosen language', async () => {
    await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'paused', resume: { kind: 'continue', percent: 40 } }),
    );
    await act(async () => setLocale('zh-CN', false));
    render(<QueueView />);
    expect(screen.getByRole('heading', { name: '队列' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '已暂停 (1)' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '继续 u.img' })).toBeTruthy();
    expect(screen.getByRole('listitem', { name: 'u.img' }).textContent).toContain('从 40% 处接着上传');
    expect(screen.getByRole('searchbox', { name: '按名称查找' })).toBeTruthy();
  });
});
