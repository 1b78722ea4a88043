import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.tsx';
import { useAppStore } from '../store/index.ts';
import { MIB, makeError, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { QueueView } from './QueueView.tsx';
import { connectBridge } from '../store/connect-bridge.ts';
import { setRenderProbe } from './render-probe.ts';
import { UploadRow } from './UploadRow.tsx';

const state = () => useAppStore.getState();

/** A connected fake holding these jobs, wired to the store the way main.tsx does it. */
async function seed(...snapshots: ReturnType<typeof makeSnapshot>[]) {
  const api = installFakeApi({ connected: true, uploads: snapshots });
  await act(async () => {
    connectBridge();
  });
  return api;
}

const row = (name: string) => screen.getByRole('listitem', { name });

describe('QueueView', () => {
  it('shows a row per job with progress, bytes, speed, ETA, phase, Glance status and error', async () => {
    await seed(
      makeSnapshot({
        id: 'a',
        fileName: 'a.qcow2',
        bytesSent: 350 * MIB,
        bytesTotal: 700 * MIB,
        bytesPerSecond: 50 * MIB,
        etaSeconds: 7,
      }),
      makeSnapshot({
        id: 'b',
        fileName: 'b.raw',
        phase: 'failed',
        imageStatus: 'killed',
        error: makeError({
          message: 'The image service rejected the data. Check the disk format.',
          detail: 'HTTP 415',
        }),
      }),
    );
    render(<QueueView />);
    const a = row('a.qcow2');
    expect(within(a).getByRole('progressbar', { name: 'Progress of a.qcow2' }).getAttribute('value')).toBe('50');
    expect(a.textContent).toContain('350 MiB of 700 MiB');
    expect(a.textContent).toContain('50.0 MiB/s');
    expect(a.textContent).toContain('7 s left');
    expect(a.textContent).toContain('Uploading');
    expect(a.textContent).toContain('Image saving');
    const b = row('b.raw');
    expect(b.textContent).toContain('Failed');
    expect(b.textContent).toContain('Image killed');
    expect(b.textContent).toContain('The image service rejected the data. Check the disk format.');
    expect(b.textContent).toContain('HTTP 415');
  });

  it('uses the engine’s honest resume wording', async () => {
    await seed(
      makeSnapshot({ id: 'p', fileName: 'p.qcow2', phase: 'paused', resume: { kind: 'continue', percent: 43 } }),
      makeSnapshot({ id: 'i', fileName: 'i.qcow2', phase: 'interrupted', resume: { kind: 'restart' } }),
    );
    render(<QueueView />);
    expect(row('p.qcow2').textContent).toContain('Resume continues at 43%.');
    expect(row('i.qcow2').textContent).toContain('Resume starts again from 0: the image service cannot continue');
  });

  it('enables Pause, Resume, Cancel and Retry from the phases.ts predicates', async () => {
    await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }),
      makeSnapshot({ id: 'p', fileName: 'p.img', phase: 'paused' }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError({ retryable: true }) }),
      makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done' }),
    );
    render(<QueueView />);
    const enabled = (name: string) => !(screen.getByRole('button', { name }) as HTMLButtonElement).disabled;
    expect([enabled('Pause u.img'), enabled('Resume u.img'), enabled('Cancel u.img'), enabled('Retry u.img')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([enabled('Pause p.img'), enabled('Resume p.img'), enabled('Cancel p.img')]).toEqual([false, true, true]);
    expect([enabled('Retry f.img'), enabled('Cancel f.img'), enabled('Pause f.img')]).toEqual([true, true, false]);
    expect([enabled('Pause d.img'), enabled('Resume d.img'), enabled('Cancel d.img'), enabled('Retry d.img')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('each row button calls its command for that job; the change comes back as a snapshot', async () => {
    const api = await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError({ retryable: true }) }),
    );
    api.failNext('pauseUploads', makeError({ message: 'The engine is busy.' }));
    render(<QueueView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pause u.img' })));
    // No optimistic UI: the call failed, so the job is still uploading.
    expect(api.callsOf('pauseUploads')).toEqual([[['u']]]);
    expect(row('u.img').textContent).toContain('Uploading');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pause u.img' })));
    expect(row('u.img').textContent).toContain('Paused');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resume u.img' })));
    expect(api.callsOf('resumeUploads')).toEqual([[['u']]]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry f.img' })));
    expect(api.callsOf('retryUploads')).toEqual([[['f']]]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel u.img' })));
    expect(api.callsOf('cancelUploads')).toEqual([[['u']]]);
    expect(row('u.img').textContent).toContain('Cancelled');
  });

  it('asks for consent before a resume that recreates the image record', async () => {
    const api = await seed(
      makeSnapshot({
        id: 'r',
        fileName: 'r.qcow2',
        phase: 'interrupted',
        resume: { kind: 'recreate', imageStatus: 'saving' },
      }),
    );
    render(<App />);
    act(() => state().setView('queue'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resume r.qcow2' })));
    const dialog = screen.getByRole('alertdialog', { name: 'Start again with a new image record?' });
    expect(dialog.textContent).toContain('stuck in saving and will be deleted');
    expect(api.callsOf('resumeUploads')).toEqual([]);
    // The safe choice has focus; Escape declines.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.callsOf('resumeUploads')).toEqual([]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resume r.qcow2' })));
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Delete the old record and start again' })),
    );
    expect(api.callsOf('resumeUploads')).toEqual([[['r'], { recreate: true }]]);
  });

  it('Pause all, Retry all and Cancel all (after a confirmation) apply to every job', async () => {
    const api = await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img' }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError({ retryable: true }) }),
    );
    render(<App />);
    act(() => state().setView('queue'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pause all' })));
    expect(api.callsOf('pauseUploads')).toEqual([['all']]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry all' })));
    expect(api.callsOf('retryUploads')).toEqual([[['f']]]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel all' })));
    expect(api.callsOf('cancelUploads')).toEqual([]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel all uploads' })));
    expect(api.callsOf('cancelUploads')).toEqual([['all']]);
  });

  it('Resume all resumes plain jobs and asks about the ones that need a new record', async () => {
    const api = await seed(
      makeSnapshot({ id: 'p', fileName: 'p.img', phase: 'paused', resume: { kind: 'continue', percent: 10 } }),
      makeSnapshot({
        id: 'r',
        fileName: 'r.img',
        phase: 'interrupted',
        resume: { kind: 'recreate', imageStatus: 'killed' },
      }),
      makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done' }),
    );
    render(<App />);
    act(() => state().setView('queue'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resume all' })));
    expect(api.callsOf('resumeUploads')).toEqual([[['p']]]);
    expect(screen.getByRole('alertdialog').textContent).toContain('r.img');
  });

  it('another cloud’s interrupted or failed job cannot resume or retry here, and says where it can', async () => {
    const prod = { cloudKey: 'https://keystone.prod.example.org/v3|p9|', cloudName: 'prod' };
    const api = await seed(
      makeSnapshot({ id: 'p', fileName: 'p.img', phase: 'paused', resume: { kind: 'continue', percent: 10 }, ...prod }),
      makeSnapshot({ id: 'i', fileName: 'i.img', phase: 'interrupted', resume: { kind: 'restart' }, ...prod }),
      makeSnapshot({ id: 'h', fileName: 'h.img', phase: 'interrupted', resume: { kind: 'restart' } }),
      makeSnapshot({ id: 'f', fileName: 'f.img', phase: 'failed', error: makeError({ retryable: true }), ...prod }),
      makeSnapshot({ id: 'g', fileName: 'g.img', phase: 'failed', error: makeError({ retryable: true }) }),
    );
    render(<App />);
    act(() => state().setView('queue'));
    const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
    // A paused job holds its own connection: it resumes whatever cloud is connected.
    expect(button('Resume p.img').disabled).toBe(false);
    expect(button('Resume i.img').disabled).toBe(true);
    expect(button('Resume i.img').getAttribute('title')).toBe('Connect to prod to resume it.');
    expect(row('i.img').textContent).toContain('Connect to prod to resume it.');
    expect(button('Resume i.img').getAttribute('aria-describedby')).toBeTruthy();
    expect(button('Resume h.img').disabled).toBe(false);
    expect(button('Retry f.img').disabled).toBe(true);
    expect(row('f.img').textContent).toContain('Connect to prod to retry it.');
    expect(button('Retry g.img').disabled).toBe(false);

    await act(async () => fireEvent.click(button('Resume all')));
    expect(api.callsOf('resumeUploads')).toEqual([[['p', 'h']]]);
    await act(async () => fireEvent.click(button('Retry all')));
    expect(api.callsOf('retryUploads')).toEqual([[['g']]]);
  });

  it('Resume all is off when only another cloud’s jobs wait', async () => {
    await seed(
      makeSnapshot({
        id: 'i',
        fileName: 'i.img',
        phase: 'interrupted',
        resume: { kind: 'restart' },
        cloudKey: 'elsewhere',
        cloudName: 'prod',
      }),
    );
    render(<QueueView />);
    expect((screen.getByRole('button', { name: 'Resume all' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Pause is off once every byte has been sent, and says why', async () => {
    await seed(
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading', bytesSent: 700 * MIB, bytesTotal: 700 * MIB }),
    );
    render(<QueueView />);
    const pause = screen.getByRole('button', { name: 'Pause u.img' }) as HTMLButtonElement;
    expect(pause.disabled).toBe(true);
    expect(pause.title).toMatch(/Every byte has been sent/);
    expect(row('u.img').textContent).toMatch(/nothing left to pause/);
  });

  it('asks before cancelling an upload whose bytes have all been sent (it would delete the image)', async () => {
    const api = await seed(
      makeSnapshot({ id: 'v', fileName: 'v.img', phase: 'verifying', bytesSent: 700 * MIB, bytesTotal: 700 * MIB }),
      makeSnapshot({ id: 's', fileName: 's.img', phase: 'uploading', bytesSent: 700 * MIB, bytesTotal: 700 * MIB }),
      makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }),
    );
    render(<App />);
    act(() => state().setView('queue'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel v.img' })));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete the uploaded image?' });
    expect(dialog.textContent).toContain('v.img');
    expect(dialog.textContent).toContain('0b5e6b3a-1111-4222-8333-444455556666');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep the upload' }));
    expect(api.callsOf('cancelUploads')).toEqual([]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel s.img' })));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel and delete the image' })));
    expect(api.callsOf('cancelUploads')).toEqual([[['s']]]);

    // Bytes still to send: cancelling asks nothing.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel u.img' })));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.callsOf('cancelUploads')).toEqual([[['s']], [['u']]]);
  });

  it('keeps the keyboard focus in the row: Pause hands it to Resume, and Resume back to Pause', async () => {
    await seed(makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }));
    render(<QueueView />);
    const pause = screen.getByRole('button', { name: 'Pause u.img' });
    const resume = screen.getByRole('button', { name: 'Resume u.img' });
    pause.focus();
    await act(async () => fireEvent.click(pause));
    expect(row('u.img').textContent).toContain('Paused');
    expect(document.activeElement).toBe(resume);
    await act(async () => fireEvent.click(resume));
    expect(row('u.img').textContent).toContain('Uploading');
    expect(document.activeElement).toBe(pause);
  });

  it('a Cancel that ends the job leaves the focus on the row’s Details', async () => {
    await seed(makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }));
    render(<QueueView />);
    const cancel = screen.getByRole('button', { name: 'Cancel u.img' });
    cancel.focus();
    await act(async () => fireEvent.click(cancel));
    expect(row('u.img').textContent).toContain('Cancelled');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Details of u.img' }));
  });

  it('does not take the focus back once the user moved it elsewhere', async () => {
    await seed(makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'uploading' }));
    render(<QueueView />);
    const pause = screen.getByRole('button', { name: 'Pause u.img' });
    pause.focus();
    const other = screen.getByRole('button', { name: 'Clear finished' });
    other.removeAttribute('disabled');
    other.focus();
    await act(async () => state().applySnapshots([makeSnapshot({ id: 'u', fileName: 'u.img', phase: 'paused' })]));
    expect(document.activeElement).toBe(other);
  });

  it('Clear finished removes finished jobs and keeps the others', async () => {
    const api = await seed(
      makeSnapshot({ id: 'd', fileName: 'd.img', phase: 'done', verified: true }),
      makeSnapshot({ id: 'c', fileName: 'c.img', phase: 'cancelled' }),
      makeSnapshot({ id: 'u', fileName: 'u.img' }),
    );
    render(<QueueView />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Clear finished' })));
    expect(api.callsOf('clearUploads')).toEqual([[['d', 'c']]]);
    expect(screen.queryByRole('listitem', { name: 'd.img' })).toBeNull();
    expect(screen.getByRole('listitem', { name: 'u.img' })).toBeTruthy();
  });

  it('shows total progress across the jobs that are not cancelled', async () => {
    await seed(
      makeSnapshot({ id: 'a', bytesSent: 100, bytesTotal: 400, fileName: 'a' }),
      makeSnapshot({ id: 'b', bytesSent: 0, bytesTotal: 600, phase: 'done', fileName: 'b' }),
      makeSnapshot({ id: 'c', bytesSent: 0, bytesTotal: 5000, phase: 'cancelled', fileName: 'c' }),
    );
    render(<QueueView />);
    const total = screen.getByRole('progressbar', { name: 'Total progress' });
    expect(total.getAttribute('value')).toBe('70');
    expect(total.parentElement?.textContent).toContain('1 of 2 uploads finished');
  });

  it('shows an empty queue with a way to add images', async () => {
    installFakeApi();
    await act(async () => {
      connectBridge();
    });
    render(<QueueView />);
    fireEvent.click(screen.getByRole('button', { name: 'Add images' }));
    expect(state().view).toBe('add');
  });
});

describe('responsiveness', () => {
  it('one progress batch re-renders only the rows whose snapshot changed', async () => {
    const snapshots = Array.from({ length: 20 }, (_, i) => makeSnapshot({ id: `j${i}`, fileName: `f${i}.qcow2` }));
    const api = await seed(...snapshots);
    const renders = new Map<string, number>();
    setRenderProbe((component, key) => {
      if (component === 'UploadRow') renders.set(key, (renders.get(key) ?? 0) + 1);
    });
    render(<QueueView />);
    // Virtualized: the rows in view (a 600 px view before layout, 60 px rows) plus 4 below.
    expect([...renders.keys()]).toEqual(Array.from({ length: 14 }, (_, i) => `j${i}`));
    renders.clear();

    act(() =>
      api.emit([
        makeSnapshot({ ...snapshots[3], bytesSent: 1 }),
        makeSnapshot({ ...snapshots[7], bytesSent: 2 }),
        makeSnapshot({ ...snapshots[17], bytesSent: 3 }), // not in the DOM: nothing renders
        snapshots[9]!, // unchanged object: not a change
      ]),
    );
    expect(Object.fromEntries(renders)).toEqual({ j3: 1, j7: 1 });
  });

  it('a new job renders only its own row', async () => {
    const snapshots = Array.from({ length: 5 }, (_, i) => makeSnapshot({ id: `j${i}`, fileName: `f${i}.qcow2` }));
    const api = await seed(...snapshots);
    const renders = new Map<string, number>();
    setRenderProbe((component, key) => {
      if (component === 'UploadRow') renders.set(key, (renders.get(key) ?? 0) + 1);
    });
    render(<QueueView />);
    expect(renders.size).toBe(5);
    renders.clear();
    act(() => api.emit([makeSnapshot({ id: 'new', fileName: 'new.qcow2' })]));
    expect(Object.fromEntries(renders)).toEqual({ new: 1 });
  });

  it('a row renders its own snapshot only (selected by id)', async () => {
    await seed(makeSnapshot({ id: 'x', fileName: 'x.vmdk' }), makeSnapshot({ id: 'y', fileName: 'y.vmdk' }));
    render(
      <ul>
        <UploadRow id="y" />
      </ul>,
    );
    expect(screen.getByRole('listitem', { name: 'y.vmdk' })).toBeTruthy();
    expect(screen.queryByRole('listitem', { name: 'x.vmdk' })).toBeNull();
  });
});
