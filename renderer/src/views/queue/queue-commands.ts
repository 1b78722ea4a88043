// The queue's commands beyond one contract call: Remove (clearUploads for a finished job; for an
// unfinished one, cancel first through the contract, then clear it once main reports it
// cancelled), the bulk buttons over the ticked rows, and "Fix and upload again" (the file goes
// back to Add images, where its check runs again). Like bridge.ts, nothing here changes a job
// itself: the changes come back as snapshots.
import { isFinished } from '../../../../shared/phases.ts';
import type { UploadId } from '../../../../shared/upload.ts';
import { addPaths, cancelUploads, clearUploads, pauseUploads, requestResume, retryUploads } from '../../bridge.ts';
import { i18n } from '../../i18n/index.ts';
import { useAppStore } from '../../store/index.ts';
import {
  cancellableUploadIds,
  pausableUploadIds,
  resumableUploadIds,
  retryableUploadIds,
} from '../../store/selectors.ts';

/** How long Remove waits for main to report a cancelled job before it gives up on clearing it. */
export const REMOVE_WAIT_MS = 120_000;

function store() {
  return useAppStore.getState();
}

function isUnfinished(id: UploadId): boolean {
  const s = store().uploads[id];
  return s !== undefined && !isFinished(s.phase);
}

/** Remove: finished jobs leave at once; if any is still running, the queue asks first. */
export async function requestRemove(ids: readonly UploadId[]): Promise<void> {
  const known = ids.filter((id) => id in store().uploads);
  if (known.length === 0) return;
  if (known.some(isUnfinished)) {
    store().askQueueQuestion({ kind: 'remove', ids: known });
    return;
  }
  await clearUploads(known);
}

/** Waits until every one of `ids` is finished (or gone), or the time is up; resolves with the finished ones. */
export function whenFinished(ids: readonly UploadId[], timeoutMs = REMOVE_WAIT_MS): Promise<UploadId[]> {
  const finished = () =>
    ids.filter((id) => {
      const s = store().uploads[id];
      return s !== undefined && isFinished(s.phase);
    });
  const settled = () => ids.every((id) => !isUnfinished(id));
  if (settled()) return Promise.resolve(finished());
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve(finished());
    };
    const timer = setTimeout(done, timeoutMs);
    const off = useAppStore.subscribe((state, prev) => {
      if (state.uploads !== prev.uploads && settled()) done();
    });
  });
}

/** Remove, once confirmed: cancel what still runs, then clear them all when main says they ended. */
export async function removeNow(ids: readonly UploadId[]): Promise<void> {
  const running = ids.filter(isUnfinished);
  const ended = ids.filter((id) => id in store().uploads && !isUnfinished(id));
  if (ended.length > 0) await clearUploads(ended);
  if (running.length === 0) return;
  await cancelUploads(running);
  const cancelled = await whenFinished(running);
  if (cancelled.length > 0) await clearUploads(cancelled);
}

export async function pauseChecked(ids: readonly UploadId[]): Promise<void> {
  const pausable = pausableUploadIds(store(), ids);
  if (pausable.length > 0) await pauseUploads(pausable);
}

export async function resumeChecked(ids: readonly UploadId[]): Promise<void> {
  const resumable = resumableUploadIds(store(), ids);
  if (resumable.length > 0) await requestResume(resumable);
}

export async function retryChecked(ids: readonly UploadId[]): Promise<void> {
  const retryable = retryableUploadIds(store(), ids);
  if (retryable.length > 0) await retryUploads(retryable);
}

/** Bulk cancel asks first (it deletes the records these jobs created). */
export function requestCancelChecked(ids: readonly UploadId[]): void {
  const cancellable = cancellableUploadIds(store(), ids);
  if (cancellable.length > 0) store().askQueueQuestion({ kind: 'cancel', ids: cancellable });
}

/**
 * "Fix and upload again", for a failure a retry cannot cure: the file goes back to Add images,
 * checked again there, its form holding what the failed job was asked for as far as its snapshot
 * tells (name, formats, visibility, store; the rest filled in afresh), and the failed job stays
 * in the queue until removed. Main reads only files the user chose: when it no longer knows this
 * one (it restarted), the draft says so and the file must be chosen again.
 */
export async function fixAndUploadAgain(id: UploadId): Promise<void> {
  const s = store().uploads[id];
  if (!s) return;
  store().setView('add');
  await addPaths([s.file]);
  const draft = store().drafts[s.file];
  if (draft?.status === 'inspected') {
    store().updateDraftForm(s.file, {
      name: s.imageName,
      diskFormat: s.diskFormat,
      containerFormat: s.containerFormat,
      visibility: s.visibility,
      store: s.store ?? '',
    });
  }
  store().notify(i18n.t('fix.readded', { ns: 'queue', name: s.fileName }));
}
