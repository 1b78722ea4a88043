import '../testing/setup.ts';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatClock } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import { makeError, makeSnapshot } from '../testing/fixtures.ts';
import { installFakeApi } from '../testing/setup.ts';
import { LifecyclePanel } from './LifecyclePanel.tsx';
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
