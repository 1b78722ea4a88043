// Feedback outside the window: the taskbar/dock progress bar follows the queue's total, and a
// native notification tells when an image is ready (active and verified) or has failed.
// taskbarProgress() and notificationFor() are pure; startDesktopFeedback() only wires them.
import { Notification, type BrowserWindow } from 'electron';
import type { Unsubscribe } from '../../../shared/ipc.ts';
import { isActive } from '../../../shared/phases.ts';
import type { UploadId, UploadPhase, UploadSnapshot } from '../../../shared/upload.ts';
import type { ImagedropCore } from '../core/service.ts';

export type TaskbarMode = 'none' | 'normal' | 'paused' | 'error';

export interface TaskbarState {
  /** 0…1, or -1 for no bar (Electron's setProgressBar convention). */
  readonly progress: number;
  readonly mode: TaskbarMode;
}

export const TASKBAR_IDLE: TaskbarState = { progress: -1, mode: 'none' };

/** How long the bar shows red after a failure. */
export const ERROR_FLASH_MS = 4_000;

/**
 * The bar for a set of jobs. It counts what the Queue view's total counts (every job that is not
 * cancelled, a done job as complete), shows only while a job is active, turns to "paused" when
 * every active job is paused, and to "error" while `showError` (just after a failure).
 */
export function taskbarProgress(
  snapshots: readonly UploadSnapshot[],
  options: { showError?: boolean } = {},
): TaskbarState {
  let active = 0;
  let paused = 0;
  let sent = 0;
  let total = 0;
  for (const s of snapshots) {
    if (s.phase === 'cancelled') continue;
    if (isActive(s.phase)) {
      active += 1;
      if (s.phase === 'paused') paused += 1;
    }
    sent += s.phase === 'done' ? s.bytesTotal : Math.min(s.bytesSent, s.bytesTotal);
    total += s.bytesTotal;
  }
  if (active === 0) return options.showError ? { progress: 1, mode: 'error' } : TASKBAR_IDLE;
  const progress = total > 0 ? Math.min(1, Math.max(0, sent / total)) : 0;
  const mode: TaskbarMode = options.showError ? 'error' : paused === active ? 'paused' : 'normal';
  return { progress, mode };
}

export function sameTaskbarState(a: TaskbarState | null, b: TaskbarState): boolean {
  return a !== null && a.mode === b.mode && Math.abs(a.progress - b.progress) < 0.001;
}

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

/** The notification for a phase change, or null when the change deserves none. */
export function notificationFor(snapshot: UploadSnapshot, previous: UploadPhase): NotificationText | null {
  if (snapshot.phase === previous) return null;
  const name = snapshot.imageName || snapshot.fileName;
  if (snapshot.phase === 'done') {
    return {
      title: `${name} is ready`,
      body: snapshot.verified
        ? `The image is active, and its checksum matches ${snapshot.fileName}.`
        : `The image is active (from ${snapshot.fileName}).`,
    };
  }
  if (snapshot.phase === 'failed') {
    return {
      title: `Upload failed: ${name}`,
      body: snapshot.error?.message ?? 'The upload stopped with an error. Open Imagedrop for details.',
    };
  }
  return null;
}

/** What the feedback needs of the core (a fake in tests). */
export interface FeedbackCore {
  readonly engine: Pick<ImagedropCore['engine'], 'list' | 'onPhaseChange'>;
  onUploadsChanged: ImagedropCore['onUploadsChanged'];
  onUploadsRemoved: ImagedropCore['onUploadsRemoved'];
}

export interface FeedbackOptions {
  readonly errorFlashMs?: number;
  readonly now?: () => number;
}

export function startDesktopFeedback(
  core: FeedbackCore,
  getWindow: () => BrowserWindow | null,
  options: FeedbackOptions = {},
): Unsubscribe {
  const flashMs = options.errorFlashMs ?? ERROR_FLASH_MS;
  const now = options.now ?? Date.now;
  const jobs = new Map<UploadId, UploadSnapshot>(core.engine.list().map((s) => [s.id, s]));
  const shown = new Set<Notification>(); // held so click handlers survive garbage collection
  let errorUntil = 0;
  let flashTimer: NodeJS.Timeout | undefined;
  let last: TaskbarState | null = null;

  function render(): void {
    const win = getWindow();
    if (!win || win.isDestroyed()) return;
    const state = taskbarProgress([...jobs.values()], { showError: now() < errorUntil });
    if (sameTaskbarState(last, state)) return;
    last = state;
    win.setProgressBar(state.progress, { mode: state.mode });
  }

  function notify(text: NotificationText): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: text.title, body: text.body });
    shown.add(n);
    n.on('click', () => {
      const win = getWindow();
      if (win && !win.isDestroyed()) {
        if (win.isMinimized()) win.restore();
        win.show();
        win.focus();
      }
    });
    n.on('close', () => shown.delete(n));
    n.show();
  }

  const unsubscribes = [
    core.onUploadsChanged((batch) => {
      for (const s of batch) jobs.set(s.id, s);
      render();
    }),
    core.onUploadsRemoved((ids) => {
      for (const id of ids) jobs.delete(id);
      render();
    }),
    core.engine.onPhaseChange((snapshot, previous) => {
      jobs.set(snapshot.id, snapshot);
      if (snapshot.phase === 'failed') {
        errorUntil = now() + flashMs;
        clearTimeout(flashTimer);
        flashTimer = setTimeout(render, flashMs);
      }
      const text = notificationFor(snapshot, previous);
      if (text) notify(text);
      render();
    }),
  ];
  render();

  return () => {
    clearTimeout(flashTimer);
    for (const off of unsubscribes) off();
    shown.clear();
    const win = getWindow();
    if (win && !win.isDestroyed()) win.setProgressBar(-1, { mode: 'none' });
  };
}
