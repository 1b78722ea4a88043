// Selectors and pure derivations shared by views. Selectors that return objects are used with
// useShallow (or return primitives) so that a progress tick re-renders only what changed.
import { GLANCE_IMAGE_STATUSES, type GlanceImageStatus } from '../../../shared/glance.ts';
import { deletableBecause } from '../../../shared/image-rules.ts';
import type { ImageSummary } from '../../../shared/ipc.ts';
import { canCancel, canPause, canResume, canRetry, isFinished } from '../../../shared/phases.ts';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';
import type { ImageSortKey, SortDirection, StatusFilter } from './dashboard-slice.ts';
import type { AppState } from './types.ts';

export function selectUploadById(id: UploadId): (state: AppState) => UploadSnapshot | undefined {
  return (state) => state.uploads[id];
}

export function selectSelectedUpload(state: AppState): UploadSnapshot | undefined {
  return state.selectedUploadId === null ? undefined : state.uploads[state.selectedUploadId];
}

export interface QueueTotals {
  readonly jobs: number;
  readonly finished: number;
  readonly verified: number;
  readonly bytesSent: number;
  readonly bytesTotal: number;
  readonly bytesPerSecond: number;
}

/** Progress across every job that is not cancelled. A primitive-only object: use with useShallow. */
export function selectQueueTotals(state: AppState): QueueTotals {
  let finished = 0;
  let verified = 0;
  let bytesSent = 0;
  let bytesTotal = 0;
  let bytesPerSecond = 0;
  let jobs = 0;
  for (const id of state.uploadOrder) {
    const s = state.uploads[id];
    if (!s || s.phase === 'cancelled') continue;
    jobs += 1;
    if (isFinished(s.phase)) finished += 1;
    if (s.verified) verified += 1;
    bytesSent += s.phase === 'done' ? s.bytesTotal : s.bytesSent;
    bytesTotal += s.bytesTotal;
    if (s.phase === 'uploading') bytesPerSecond += s.bytesPerSecond ?? 0;
  }
  return { jobs, finished, verified, bytesSent, bytesTotal, bytesPerSecond };
}

/**
 * What one job's buttons may do, given the connected cloud: a reason (shown beside the row) for
 * each command that the phase alone would allow but that cannot work now, and whether Cancel
 * must ask first because it would delete an image that already holds every byte.
 */
export interface RowAbilities {
  readonly canPause: boolean;
  readonly pauseBlocked: string | null;
  readonly canResume: boolean;
  readonly resumeBlocked: string | null;
  readonly canRetry: boolean;
  readonly retryBlocked: string | null;
  readonly canCancel: boolean;
  readonly cancelDeletesUpload: boolean;
}

/** Every byte of the file has been read and sent: nothing is left to pause. */
export function allBytesSent(s: UploadSnapshot): boolean {
  return s.bytesTotal > 0 && s.bytesSent >= s.bytesTotal;
}

/** The job belongs to the connected cloud (interrupted and failed jobs run only there). */
export function isOnCloud(s: UploadSnapshot, sessionCloudKey: string | null): boolean {
  return s.cloudKey !== null && s.cloudKey === sessionCloudKey;
}

function connectTo(s: UploadSnapshot, verb: string): string {
  return `Connect to ${s.cloudName ?? 'the cloud this upload was started on'} to ${verb} it.`;
}

export function rowAbilities(s: UploadSnapshot, sessionCloudKey: string | null): RowAbilities {
  const here = isOnCloud(s, sessionCloudKey);
  const sent = allBytesSent(s);
  const pausable = canPause(s.phase);
  // A paused job holds its own connection and resumes whatever cloud is connected now.
  const resumable = canResume(s.phase);
  const resumeHere = resumable && (s.phase === 'paused' || here);
  const retryable = canRetry(s.phase);
  const cancellable = canCancel(s.phase);
  return {
    canPause: pausable && !sent,
    pauseBlocked:
      pausable && sent
        ? 'Every byte has been sent and the image service is storing it: there is nothing left to pause.'
        : null,
    canResume: resumeHere,
    resumeBlocked: resumable && !resumeHere ? connectTo(s, 'resume') : null,
    canRetry: retryable && here,
    retryBlocked: retryable && !here ? connectTo(s, 'retry') : null,
    canCancel: cancellable,
    // A restored job whose image is already active (resume plan 'verify') holds every byte too.
    cancelDeletesUpload:
      cancellable &&
      s.createdImage &&
      s.imageId !== null &&
      (s.phase === 'verifying' || sent || s.resume.kind === 'verify'),
  };
}

/** Jobs "Resume all" sends: paused ones, and interrupted ones of the connected cloud. */
export function resumableUploadIds(state: AppState): UploadId[] {
  const cloudKey = state.session?.cloudKey ?? null;
  return state.uploadOrder.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && rowAbilities(s, cloudKey).canResume;
  });
}

/** Jobs "Retry all" sends: failed ones of the connected cloud. */
export function retryableUploadIds(state: AppState): UploadId[] {
  const cloudKey = state.session?.cloudKey ?? null;
  return state.uploadOrder.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && rowAbilities(s, cloudKey).canRetry;
  });
}

export interface QueueAbilities {
  readonly anyPausable: boolean;
  readonly anyResumable: boolean;
  readonly anyCancellable: boolean;
  readonly anyRetryable: boolean;
  readonly anyFinished: boolean;
}

/** What the "… all" buttons may do. Booleans only: use with useShallow. */
export function selectQueueAbilities(state: AppState): QueueAbilities {
  const a = { anyPausable: false, anyResumable: false, anyCancellable: false, anyRetryable: false, anyFinished: false };
  const cloudKey = state.session?.cloudKey ?? null;
  for (const id of state.uploadOrder) {
    const s = state.uploads[id];
    if (!s) continue;
    const row = rowAbilities(s, cloudKey);
    a.anyPausable ||= row.canPause;
    a.anyResumable ||= row.canResume;
    a.anyCancellable ||= row.canCancel;
    a.anyRetryable ||= row.canRetry;
    a.anyFinished ||= isFinished(s.phase);
  }
  return a;
}

export function finishedUploadIds(state: AppState): UploadId[] {
  return state.uploadOrder.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && isFinished(s.phase);
  });
}

// ── dashboard ──

/**
 * Stuck: a stuck status (queued, saving, uploading, importing) not updated for longer than the
 * threshold, and no upload of this app sends into it (a long or paused upload looks idle to
 * Glance, which leaves updated_at alone while the data streams in: that one is in the queue).
 */
export function isStuck(image: ImageSummary, now: number, stuckAfterMs: number): boolean {
  return !image.uploadingHere && deletableBecause(image.status, image.updatedAt, now, stuckAfterMs) === 'stuck';
}

/** Killed: its data failed and it never comes back, so it may go at any age. */
export function isDead(image: ImageSummary): boolean {
  return !image.uploadingHere && deletableBecause(image.status, image.updatedAt, 0, 0) === 'dead';
}

/** Stuck or dead, owned by the signed-in project and not protected: the only images this view may delete. */
export function isDeletable(image: ImageSummary, now: number, stuckAfterMs: number): boolean {
  return image.ownedByProject && !image.protected && (isDead(image) || isStuck(image, now, stuckAfterMs));
}

const STATUS_RANK = new Map<string, number>(GLANCE_IMAGE_STATUSES.map((s, i) => [s, i]));

function compareImages(a: ImageSummary, b: ImageSummary, key: ImageSortKey): number {
  switch (key) {
    case 'name':
      return (a.name ?? '').localeCompare(b.name ?? '', undefined, { sensitivity: 'base', numeric: true });
    case 'size':
      return (a.size ?? -1) - (b.size ?? -1);
    case 'status':
      return (STATUS_RANK.get(a.status) ?? 99) - (STATUS_RANK.get(b.status) ?? 99);
    case 'createdAt':
      return Date.parse(a.createdAt) - Date.parse(b.createdAt);
    case 'updatedAt':
      return Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
  }
}

export function filterAndSortImages(
  images: readonly ImageSummary[],
  statusFilter: StatusFilter,
  textFilter: string,
  sort: { readonly key: ImageSortKey; readonly direction: SortDirection },
): ImageSummary[] {
  const needle = textFilter.trim().toLowerCase();
  const filtered = images.filter(
    (image) =>
      (statusFilter === 'all' || image.status === statusFilter) &&
      (needle === '' ||
        (image.name ?? '').toLowerCase().includes(needle) ||
        image.id.toLowerCase().includes(needle) ||
        (image.diskFormat ?? '').toLowerCase().includes(needle) ||
        (image.owner ?? '').toLowerCase().includes(needle) ||
        (image.osVersion ?? '').toLowerCase().includes(needle) ||
        image.stores.some((s) => s.toLowerCase().includes(needle))),
  );
  const sign = sort.direction === 'asc' ? 1 : -1;
  return filtered.sort((a, b) => sign * compareImages(a, b, sort.key) || a.id.localeCompare(b.id));
}

export function countByStatus(images: readonly ImageSummary[]): Record<GlanceImageStatus, number> {
  const counts = Object.fromEntries(GLANCE_IMAGE_STATUSES.map((s) => [s, 0])) as Record<GlanceImageStatus, number>;
  for (const image of images) counts[image.status] += 1;
  return counts;
}
