import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Unsubscribe } from '../../../shared/ipc.ts';
import type { UploadPhase, UploadSnapshot } from '../../../shared/upload.ts';
import {
  notificationFor,
  startDesktopFeedback,
  TASKBAR_IDLE,
  taskbarProgress,
  type FeedbackCore,
} from './desktop-feedback.ts';
import { FakeBrowserWindow, FakeNotification, resetFake } from '../testing/fake-electron.ts';

vi.mock('electron', async () => (await import('../testing/fake-electron.ts')).electronModule());

function job(
  id: string,
  phase: UploadPhase,
  bytesSent: number,
  bytesTotal: number,
  more: Partial<UploadSnapshot> = {},
) {
  return {
    id,
    fileName: `${id}.qcow2`,
    imageName: id,
    phase,
    bytesSent,
    bytesTotal,
    verified: false,
    error: null,
    ...more,
  } as UploadSnapshot;
}

describe('taskbarProgress', () => {
  it('shows no bar when nothing is active', () => {
    expect(taskbarProgress([])).toEqual(TASKBAR_IDLE);
    expect(TASKBAR_IDLE).toEqual({ progress: -1, mode: 'none' });
    expect(taskbarProgress([job('a', 'done', 10, 10), job('b', 'queued', 0, 10), job('c', 'failed', 3, 10)])).toEqual(
      TASKBAR_IDLE,
    );
  });

  it("follows the queue's total: done jobs count as complete, cancelled ones not at all", () => {
    const state = taskbarProgress([
      job('a', 'uploading', 25, 100),
      job('b', 'done', 0, 100),
      job('c', 'queued', 0, 200),
      job('d', 'cancelled', 50, 1000),
    ]);
    expect(state.mode).toBe('normal');
    expect(state.progress).toBeCloseTo(125 / 400);
  });

  it('is "paused" only when every active job is paused', () => {
    expect(taskbarProgress([job('a', 'paused', 5, 10), job('b', 'paused', 1, 10)]).mode).toBe('paused');
    expect(taskbarProgress([job('a', 'paused', 5, 10), job('b', 'uploading', 1, 10)]).mode).toBe('normal');
    expect(taskbarProgress([job('a', 'paused', 5, 10), job('b', 'queued', 0, 10)]).mode).toBe('paused');
  });

  it('shows "error" just after a failure, with or without other uploads', () => {
    expect(taskbarProgress([job('a', 'uploading', 5, 10)], { showError: true })).toEqual({
      progress: 0.5,
      mode: 'error',
    });
    expect(taskbarProgress([job('a', 'failed', 5, 10)], { showError: true })).toEqual({ progress: 1, mode: 'error' });
  });

  it('stays between 0 and 1, also before sizes are known', () => {
    expect(taskbarProgress([job('a', 'checking', 0, 0)]).progress).toBe(0);
    expect(taskbarProgress([job('a', 'uploading', 20, 10)]).progress).toBe(1);
  });
});

describe('notificationFor', () => {
  it('announces an image that became active and verified', () => {
    expect(notificationFor(job('ubuntu', 'done', 10, 10, { verified: true }), 'verifying')).toEqual({
      title: 'ubuntu is ready',
      body: 'The image is active, and its checksum matches ubuntu.qcow2.',
    });
  });

  it('announces a failure with the error sentence', () => {
    const error = {
      code: 'glance/quota-exceeded',
      message: 'The project is over its image quota.',
      retryable: false,
    } as const;
    expect(notificationFor(job('big', 'failed', 1, 10, { error }), 'uploading')).toEqual({
      title: 'Upload failed: big',
      body: 'The project is over its image quota.',
    });
  });

  it('stays quiet for other changes', () => {
    for (const phase of [
      'queued',
      'checking',
      'creating',
      'uploading',
      'paused',
      'interrupted',
      'verifying',
      'cancelled',
    ] as const) {
      expect(notificationFor(job('a', phase, 0, 10), 'queued' === phase ? 'checking' : 'queued')).toBeNull();
    }
    expect(notificationFor(job('a', 'done', 10, 10), 'done')).toBeNull();
  });
});

class FakeCore extends EventEmitter implements FeedbackCore {
  jobs: UploadSnapshot[] = [];
  readonly engine = {
    list: () => this.jobs,
    onPhaseChange: (l: (s: UploadSnapshot, p: UploadPhase) => void): Unsubscribe => this.#sub('phase', l),
  };
  #sub<T extends unknown[]>(name: string, listener: (...args: T) => void): Unsubscribe {
    const l = listener as (...args: unknown[]) => void;
    this.on(name, l);
    return () => this.off(name, l);
  }
  onUploadsChanged(l: (batch: readonly UploadSnapshot[]) => void): Unsubscribe {
    return this.#sub('changed', l);
  }
  onUploadsRemoved(l: (ids: readonly string[]) => void): Unsubscribe {
    return this.#sub('removed', l);
  }
}

describe('startDesktopFeedback', () => {
  let core: FakeCore;
  let win: FakeBrowserWindow;
  let now: number;

  beforeEach(() => {
    resetFake();
    vi.useFakeTimers();
    now = 1_000;
    core = new FakeCore();
    win = new FakeBrowserWindow({});
  });
  afterEach(() => vi.useRealTimers());

  const start = () => startDesktopFeedback(core, () => win as never, { errorFlashMs: 3000, now: () => now });

  it('drives the taskbar from the batches, without repeating itself', () => {
    core.jobs = [job('a', 'uploading', 0, 100)];
    start();
    core.emit('changed', [job('a', 'uploading', 50, 100)]);
    core.emit('changed', [job('a', 'uploading', 50, 100)]);
    core.emit('changed', [job('a', 'paused', 50, 100)]);
    core.emit('changed', [job('a', 'done', 100, 100)]);
    expect(win.progress).toEqual([
      { progress: 0, options: { mode: 'normal' } },
      { progress: 0.5, options: { mode: 'normal' } },
      { progress: 0.5, options: { mode: 'paused' } },
      { progress: -1, options: { mode: 'none' } },
    ]);
  });

  it('forgets removed jobs', () => {
    start();
    core.emit('changed', [job('a', 'uploading', 10, 100), job('b', 'uploading', 100, 100)]);
    core.emit('removed', ['b']);
    expect(win.progress.at(-1)).toEqual({ progress: 0.1, options: { mode: 'normal' } });
  });

  it('notifies each image that is done or failed, and flashes the bar red after a failure', () => {
    start();
    core.emit('changed', [job('a', 'uploading', 10, 100), job('b', 'uploading', 10, 100)]);
    core.emit('phase', job('a', 'done', 100, 100, { verified: true }), 'verifying');
    core.emit(
      'phase',
      job('b', 'failed', 10, 100, {
        error: { code: 'network/reset', message: 'The connection was cut.', retryable: true },
      }),
      'uploading',
    );
    expect(FakeNotification.shown.map((n) => n.options.title)).toEqual(['a is ready', 'Upload failed: b']);
    expect(win.progress.at(-1)).toEqual({ progress: 1, options: { mode: 'error' } });
    now += 3000;
    vi.advanceTimersByTime(3000);
    expect(win.progress.at(-1)).toEqual({ progress: -1, options: { mode: 'none' } });
  });

  it('brings the window forward when a notification is clicked', () => {
    start();
    core.emit('phase', job('a', 'done', 100, 100), 'verifying');
    FakeNotification.shown[0]?.emit('click');
    expect(win.calls).toEqual(['show', 'focus']);
  });

  it('skips notifications where the system has none', () => {
    FakeNotification.supported = false;
    start();
    core.emit('phase', job('a', 'done', 100, 100), 'verifying');
    expect(FakeNotification.shown).toEqual([]);
  });

  it('does nothing without a window, and clears the bar when stopped', () => {
    const stop = startDesktopFeedback(core, () => null);
    expect(() => core.emit('changed', [job('a', 'uploading', 1, 2)])).not.toThrow();
    stop();
    const stop2 = start();
    core.emit('changed', [job('a', 'uploading', 1, 2)]);
    stop2();
    expect(win.progress.at(-1)).toEqual({ progress: -1, options: { mode: 'none' } });
    core.emit('changed', [job('a', 'uploading', 2, 2)]);
    expect(win.progress.at(-1)).toEqual({ progress: -1, options: { mode: 'none' } });
  });
});
