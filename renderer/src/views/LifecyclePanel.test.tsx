import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatClock } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import { makeError, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import type { StepRecords } from '../../../shared/targets.ts';
import type { UploadPhase } from '../../../shared/upload.ts';
import { LifecyclePanel } from './LifecyclePanel.tsx';
import { setRenderProbe } from './render-probe.ts';
import { QueueView } from './QueueView.tsx';

const state = () => useAppStore.getState();

const verified = makeSnapshot({
  id: 'v',
  fileName: 'focal.qcow2',
  phase: 'done',
  imageStatus: 'active',
  imageId: '11111111-2222-4333-8444-555555555555',
  bytesSent: 1024,
  bytesTotal: 1024,
  verified: true,
  records: {
    checked: { startedAt: 900, endedAt: 1000 },
    created: { startedAt: 1500, endedAt: 2000 },
    uploading: { startedAt: 2500, endedAt: 3000 },
    saving: { startedAt: 3500, endedAt: 4000 },
    active: { startedAt: 5000, endedAt: 5000 },
    verified: { startedAt: 6000, endedAt: 6000 },
  },
  checksums: { algorithm: 'sha512', local: 'ab12', server: 'AB12', md5Local: 'm1', md5Server: 'm2' },
});

function show(snapshot = verified) {
  const api = installFakeApi();
  act(() => {
    state().applySnapshots([snapshot]);
    state().selectUpload(snapshot.id);
  });
  render(<LifecyclePanel />);
  return api;
}

describe('LifecyclePanel', () => {
  it('lists the six steps in order with their times', () => {
    show();
    const steps = within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem');
    expect(steps.map((s) => s.querySelector('.step-label')?.textContent)).toEqual([
      'Checked',
      'Record created',
      'Uploading',
      'Saving',
      'Active',
      'Verified',
    ]);
    expect(steps[4]?.textContent).toContain(formatClock(5000));
    expect(steps.every((s) => s.textContent?.includes('(done)'))).toBe(true);
  });

  it('shows the image id with a copy button, the size, both checksums and the verified badge', async () => {
    const api = show();
    const panel = screen.getByRole('region', { name: 'Lifecycle of focal.qcow2' });
    expect(panel.textContent).toContain('11111111-2222-4333-8444-555555555555');
    expect(panel.textContent).toContain('1.00 KiB');
    expect(panel.textContent).toContain('os_hash (sha512), local');
    expect(panel.textContent).toContain('ab12');
    expect(panel.textContent).toContain('AB12');
    expect(panel.textContent).toContain('match');
    expect(panel.textContent).toContain('differ'); // md5 m1 ≠ m2
    expect(panel.textContent).toContain('Verified: size and checksum match');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy image ID' })));
    expect(api.callsOf('copyText')).toEqual([['11111111-2222-4333-8444-555555555555']]);
  });

  it('marks the step under way as current, and the failed step on failure, with the error and its detail', () => {
    show(
      makeSnapshot({
        id: 'f',
        fileName: 'bad.vmdk',
        phase: 'failed',
        // Checked and created ended; the upload started and never ended: that step failed.
        records: {
          checked: { startedAt: 1, endedAt: 1 },
          created: { startedAt: 2, endedAt: 2 },
          uploading: { startedAt: 3, endedAt: null },
        },
        error: makeError({
          code: 'upload/stuck-saving',
          message: 'The image stayed in saving. Delete it and upload again.',
          serverMessage: 'store full',
          detail: 'waited 600 s',
        }),
      }),
    );
    const panel = screen.getByRole('region', { name: 'Lifecycle of bad.vmdk' });
    expect(panel.querySelector('.step-failed')?.textContent).toContain('Uploading');
    expect(panel.querySelectorAll('.step-failed')).toHaveLength(1);
    expect(panel.textContent).toContain('The image stayed in saving. Delete it and upload again.');
    expect(panel.textContent).toContain('Server said: store full');
    expect(panel.textContent).toContain('waited 600 s');
    expect(panel.textContent).toContain('Not verified yet');
  });

  it('one second into an upload: the upload is in progress, nothing after it is done', () => {
    show(
      makeSnapshot({
        id: 'r',
        fileName: 'running.raw',
        phase: 'uploading',
        records: {
          checked: { startedAt: 1, endedAt: 2 },
          created: { startedAt: 3, endedAt: 4 },
          uploading: { startedAt: 5, endedAt: null },
        },
      }),
    );
    const steps = within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem');
    expect(steps.map((s) => s.querySelector('.step-state')?.textContent)).toEqual([
      '(done)',
      '(done)',
      '(in progress)',
      '(not yet)',
      '(not yet)',
      '(not yet)',
    ]);
    expect(steps[2]?.getAttribute('aria-current')).toBe('step');
  });

  it('opens from a row’s Details button and closes again', async () => {
    installFakeApi();
    act(() => {
      state().replaceUploads([verified]);
    });
    render(<QueueView />);
    fireEvent.click(screen.getByRole('button', { name: 'Details of focal.qcow2' }));
    expect(screen.getByRole('region', { name: 'Lifecycle of focal.qcow2' })).toBeTruthy();
    expect(screen.getByRole('listitem', { name: 'focal.qcow2' }).getAttribute('aria-current')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Close details' }));
    expect(screen.queryByRole('region', { name: 'Lifecycle of focal.qcow2' })).toBeNull();
  });
});

describe('LifecyclePanel, per target and at every step', () => {
  const T = 1_700_000_000_000;

  function steps() {
    return within(screen.getByRole('list', { name: 'Steps' }))
      .getAllByRole('listitem')
      .map(
        (s) =>
          `${s.querySelector('.step-label')?.textContent} ${s.querySelector('.step-state')?.textContent}${s.querySelector('.step-percent')?.textContent ?? ''}`,
      );
  }

  it('follows a Glance upload step by step: a step is done only once it ended', () => {
    installFakeApi();
    let clock = T;
    const at = (phase: UploadPhase, records: StepRecords) =>
      act(() => {
        state().applySnapshots([makeSnapshot({ id: 'g', fileName: 'g.raw', phase, records, updatedAt: (clock += 1) })]);
        state().selectUpload('g');
      });
    at('checking', { checked: { startedAt: T, endedAt: null } });
    render(<LifecyclePanel />);
    expect(steps()).toEqual([
      'Checked (in progress)',
      'Record created (not yet)',
      'Uploading (not yet)',
      'Saving (not yet)',
      'Active (not yet)',
      'Verified (not yet)',
    ]);
    at('uploading', {
      checked: { startedAt: T, endedAt: T + 1 },
      created: { startedAt: T + 2, endedAt: T + 3 },
      uploading: { startedAt: T + 4, endedAt: null },
    });
    expect(steps().slice(0, 4)).toEqual([
      'Checked (done)',
      'Record created (done)',
      'Uploading (in progress)',
      'Saving (not yet)',
    ]);
    at('paused', {
      checked: { startedAt: T, endedAt: T + 1 },
      created: { startedAt: T + 2, endedAt: T + 3 },
      uploading: { startedAt: T + 4, endedAt: null },
    });
    expect(steps()[2]).toBe('Uploading (paused)');
    at('verifying', {
      checked: { startedAt: T, endedAt: T + 1 },
      created: { startedAt: T + 2, endedAt: T + 3 },
      uploading: { startedAt: T + 4, endedAt: T + 5 },
      saving: { startedAt: T + 5, endedAt: null },
    });
    expect(steps().slice(2)).toEqual([
      'Uploading (done)',
      'Saving (in progress)',
      'Active (not yet)',
      'Verified (not yet)',
    ]);
  });

  it('IMS register: object parts, the job’s percent, and IMS’s own steps', () => {
    show(
      makeSnapshot({
        id: 'i',
        fileName: 'ims.zvhd2',
        target: 'ims-register',
        phase: 'verifying',
        imageStatus: 'queued',
        records: {
          checked: { startedAt: T, endedAt: T + 1 },
          uploading: { startedAt: T + 2, endedAt: T + 3 },
          created: { startedAt: T + 4, endedAt: T + 5 },
          registering: { startedAt: T + 6, endedAt: null, percent: 45 },
        },
        object: { bucket: 'images', key: 'imagedrop/i/ims.zvhd2', etag: 'abc-8', parts: { done: 8, total: 8 } },
        remoteJob: { id: 'job-77', status: 'RUNNING', percent: 45 },
      }),
    );
    expect(steps()).toEqual([
      'Checked (done)',
      'Uploading to object storage (done)',
      'Record created (done)',
      'Registering (in progress) 45%',
      'Active (not yet)',
      'Verified (not yet)',
    ]);
    const panel = screen.getByRole('region', { name: 'Lifecycle of ims.zvhd2' });
    expect(panel.textContent).toContain('images:imagedrop/i/ims.zvhd2');
    expect(panel.textContent).toContain('8 of 8 uploaded');
    expect(panel.textContent).toContain('job-77 RUNNING · 45%');
    expect(panel.textContent).toContain('Huawei IMS, registered from object storage');
  });

  it('the IMS row shows the parts and the job’s percent', async () => {
    installFakeApi();
    act(() =>
      state().replaceUploads([
        makeSnapshot({
          id: 'i',
          fileName: 'ims.zvhd2',
          target: 'ims-register',
          phase: 'uploading',
          object: { bucket: 'b', key: 'k', etag: null, parts: { done: 3, total: 8 } },
        }),
        makeSnapshot({
          id: 'j',
          fileName: 'job.zvhd2',
          target: 'ims-create',
          phase: 'verifying',
          remoteJob: { id: 'j1', status: 'RUNNING', percent: 60 },
        }),
      ]),
    );
    render(<QueueView />);
    expect(screen.getByRole('listitem', { name: 'ims.zvhd2' }).textContent).toContain('parts 3 of 8');
    const job = screen.getByRole('listitem', { name: 'job.zvhd2' }).textContent;
    expect(job).toContain('IMS job 60%');
    expect(job).toContain('IMS job RUNNING');
  });

  it('Glance import: each store’s progress, in the panel and the row', () => {
    const snapshot = makeSnapshot({
      id: 'm',
      fileName: 'multi.qcow2',
      target: 'glance-import',
      phase: 'verifying',
      records: {
        checked: { startedAt: T, endedAt: T + 1 },
        created: { startedAt: T + 2, endedAt: T + 3 },
        uploading: { startedAt: T + 4, endedAt: T + 5 },
        staged: { startedAt: T + 5, endedAt: T + 6 },
        importing: { startedAt: T + 7, endedAt: null, percent: 50 },
      },
      stores: [
        { store: 'fast', state: 'done' },
        { store: 'slow', state: 'importing' },
        { store: 'cold', state: 'failed' },
      ],
    });
    show(snapshot);
    expect(steps()).toEqual([
      'Checked (done)',
      'Record created (done)',
      'Uploading (done)',
      'Staged (done)',
      'Importing (in progress) 50%',
      'Active (not yet)',
      'Verified (not yet)',
    ]);
    const stores = within(screen.getByRole('list', { name: 'Stores' })).getAllByRole('listitem');
    expect(stores.map((s) => s.textContent)).toEqual(['fast: imported', 'importing to slow', 'cold: import failed']);
  });

  it('a finished image shows its results: duration, average speed and what was verified', () => {
    show(
      makeSnapshot({
        ...verified,
        startedAt: T,
        finishedAt: T + 12_000,
        averageSpeed: 50 * 1024 * 1024,
        verifiedBy: 'sha512',
      }),
    );
    const results = screen.getByRole('heading', { name: 'Results' }).nextElementSibling;
    expect(results?.textContent).toContain('Duration12 s');
    expect(results?.textContent).toContain('Average speed50.0 MiB/s');
    expect(results?.textContent).toContain('size and sha512 of the image equal the file’s');
  });

  it('draws this upload’s speed over time from the snapshots it received', () => {
    installFakeApi();
    act(() => {
      for (let i = 0; i < 5; i++)
        state().applySnapshots([
          makeSnapshot({ id: 's', fileName: 's.raw', bytesPerSecond: (i + 1) * 1024 * 1024, updatedAt: T + i * 1000 }),
        ]);
      state().selectUpload('s');
    });
    render(<LifecyclePanel />);
    const chart = screen.getByRole('img', { name: /^Speed of s\.raw over time/ });
    expect(chart.getAttribute('aria-label')).toBe('Speed of s.raw over time: peak 5.00 MiB/s, latest 5.00 MiB/s');
    expect(chart.querySelector('.speed-chart-line')?.getAttribute('d')?.split(' L')).toHaveLength(5);
  });
});

describe('LifecyclePanel, on a progress tick', () => {
  it('does not re-render for bytes and speed it does not show, and does for a new step', () => {
    installFakeApi();
    const renders: string[] = [];
    setRenderProbe((component, key) => {
      if (component === 'LifecyclePanel') renders.push(key);
    });
    const base = makeSnapshot({ id: 't', fileName: 't.raw', updatedAt: 10 });
    act(() => {
      state().applySnapshots([base]);
      state().selectUpload('t');
    });
    render(<LifecyclePanel />);
    expect(renders).toEqual(['t']);
    // A fresh copy from main, as JSON makes it: new arrays, the same steps; only bytes and speed moved.
    const tick = {
      ...(JSON.parse(JSON.stringify(base)) as typeof base),
      bytesSent: base.bytesSent + 1,
      bytesPerSecond: 7,
      updatedAt: 11,
    };
    act(() => state().applySnapshots([tick]));
    expect(renders).toEqual(['t']);
    act(() =>
      state().applySnapshots([
        makeSnapshot({
          id: 't',
          fileName: 't.raw',
          phase: 'verifying',
          updatedAt: 12,
          records: { uploading: { startedAt: 1, endedAt: 2 }, saving: { startedAt: 2, endedAt: null } },
        }),
      ]),
    );
    expect(renders).toEqual(['t', 't']);
  });
});
