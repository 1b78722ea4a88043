// Selectors and pure derivations shared by views. Selectors that return objects are used with
// useShallow (or return primitives) so that a progress tick re-renders only what changed.
import { GLANCE_IMAGE_STATUSES, type GlanceImageStatus } from '../../../shared/glance.ts';
import { deletableBecause } from '../../../shared/image-rules.ts';
import type { ImageSummary } from '../../../shared/ipc.ts';
import { canCancel, canPause, canResume, canRetry, isFinished } from '../../../shared/phases.ts';
import type { UploadId, UploadPhase, UploadSnapshot } from '../../../shared/upload.ts';
import type { ImageSortKey, SortDirection, StatusFilter } from './dashboard-slice.ts';
import type { AppState } from './types.ts';
import type { QueueFilter, QueueGroup, QueueSortKey } from './uploads-slice.ts';

export function selectUploadById(id: UploadId): (state: AppState) => UploadSnapshot | undefined {
  return (state) => state.uploads[id];
}

export function selectSelectedUpload(state: AppState): UploadSnapshot | undefined {
  return state.selectedUploadId === null ? undefined : state.uploads[state.selectedUploadId];
}

/** The queue's tab a phase belongs to. Paused and interrupted both wait for the user ("on hold"). */
export function queueGroup(phase: UploadPhase): QueueGroup {
  switch (phase) {
    case 'queued':
      return 'waiting';
    case 'checking':
    case 'creating':
    case 'uploading':
    case 'verifying':
      return 'running';
    case 'paused':
    case 'interrupted':
      return 'paused';
    case 'failed':
      return 'failed';
    case 'done':
      return 'done';
    case 'cancelled':
      return 'cancelled';
  }
}

/** The colour of a row's state chip: done green, failed (or a killed image) red, on hold amber, running blue, the rest grey. */
export type ChipTone = 'good' | 'bad' | 'warn' | 'info' | 'idle';

export function chipTone(s: Pick<UploadSnapshot, 'phase' | 'imageStatus'>): ChipTone {
  if (s.phase === 'failed' || (s.imageStatus === 'killed' && s.phase !== 'cancelled')) return 'bad';
  switch (queueGroup(s.phase)) {
    case 'done':
      return 'good';
    case 'paused':
      return 'warn';
    case 'running':
      return 'info';
    default:
      return 'idle';
  }
}

export type QueueCounts = Readonly<Record<QueueFilter, number>>;

/** How many jobs each tab holds. Numbers only: use with useShallow. */
export function selectQueueCounts(state: AppState): QueueCounts {
  const counts: Record<QueueFilter, number> = {
    all: 0,
    running: 0,
    paused: 0,
    waiting: 0,
    failed: 0,
    done: 0,
    cancelled: 0,
  };
  for (const id of state.uploadOrder) {
    const s = state.uploads[id];
    if (!s) continue;
    counts.all += 1;
    counts[queueGroup(s.phase)] += 1;
  }
  return counts;
}

const GROUP_RANK: Readonly<Record<QueueGroup, number>> = {
  failed: 0,
  paused: 1,
  running: 2,
  waiting: 3,
  done: 4,
  cancelled: 5,
};

function progressOf(s: UploadSnapshot): number {
  if (s.phase === 'done') return 1;
  return s.bytesTotal > 0 ? s.bytesSent / s.bytesTotal : 0;
}

function compareUploads(a: UploadSnapshot, b: UploadSnapshot, key: QueueSortKey): number {
  switch (key) {
    case 'added':
      return a.createdAt - b.createdAt;
    case 'name':
      return a.fileName.localeCompare(b.fileName, undefined, { sensitivity: 'base', numeric: true });
    case 'progress':
      return progressOf(a) - progressOf(b);
    case 'speed':
      return (
        (a.phase === 'uploading' ? (a.bytesPerSecond ?? 0) : -1) -
        (b.phase === 'uploading' ? (b.bytesPerSecond ?? 0) : -1)
      );
    case 'state':
      return GROUP_RANK[queueGroup(a.phase)] - GROUP_RANK[queueGroup(b.phase)];
  }
}

/** The ids the queue shows: its tab, its Find text, its sort (ties keep the order jobs were added in). */
export function visibleUploadIds(
  state: Pick<AppState, 'uploads' | 'uploadOrder' | 'queueFilter' | 'queueFind' | 'queueSort'>,
): UploadId[] {
  const needle = state.queueFind.trim().toLowerCase();
  const index = new Map<UploadId, number>();
  const rows: UploadSnapshot[] = [];
  state.uploadOrder.forEach((id, i) => {
    const s = state.uploads[id];
    if (!s) return;
    if (state.queueFilter !== 'all' && queueGroup(s.phase) !== state.queueFilter) return;
    if (needle !== '' && !s.fileName.toLowerCase().includes(needle) && !s.imageName.toLowerCase().includes(needle))
      return;
    index.set(id, i);
    rows.push(s);
  });
  const { key, direction } = state.queueSort;
  if (key !== 'added' || direction !== 'asc') {
    const sign = direction === 'asc' ? 1 : -1;
    rows.sort((a, b) => sign * compareUploads(a, b, key) || (index.get(a.id) ?? 0) - (index.get(b.id) ?? 0));
  }
  return rows.map((s) => s.id);
}

/** visibleUploadIds as a selector: use with useShallow (the array is new on every call). */
export function selectVisibleUploadIds(state: AppState): UploadId[] {
  return visibleUploadIds(state);
}

/** The ticked ids, in the queue's order. */
export function checkedIds(state: AppState): UploadId[] {
  return state.uploadOrder.filter((id) => state.checkedUploadIds[id] === true);
}

export interface QueueTotals {
  /** Jobs that are not cancelled. */
  readonly jobs: number;
  /** Jobs done (never failed or cancelled ones: "3 of 10 finished"). */
  readonly finished: number;
  readonly failed: number;
  readonly verified: number;
  readonly bytesSent: number;
  readonly bytesTotal: number;
  readonly bytesPerSecond: number;
  /** Bytes still to send by jobs that may still send them (not failed, done or cancelled). */
  readonly bytesLeft: number;
  /**
   * The queue's ETA: seconds at today's speed, or why there is none — 'estimating' (something runs
   * or waits, no speed sampled yet), 'held' (only paused or interrupted jobs are left), 'none'.
   */
  readonly eta: number | 'estimating' | 'held' | 'none';
  /** When the first job of the queue started, and the last one ended (null while any still runs). */
  readonly firstStartedAt: number | null;
  readonly lastEndedAt: number | null;
}

/** Progress across every job that is not cancelled. A primitive-only object: use with useShallow. */
export function selectQueueTotals(state: AppState): QueueTotals {
  let finished = 0;
  let failed = 0;
  let verified = 0;
  let bytesSent = 0;
  let bytesTotal = 0;
  let bytesPerSecond = 0;
  let bytesLeft = 0;
  let jobs = 0;
  let moving = false;
  let held = false;
  let firstStartedAt: number | null = null;
  let lastEndedAt: number | null = null;
  let open = false;
  for (const id of state.uploadOrder) {
    const s = state.uploads[id];
    if (!s || s.phase === 'cancelled') continue;
    jobs += 1;
    if (s.phase === 'done') finished += 1;
    if (s.phase === 'failed') failed += 1;
    if (s.verified) verified += 1;
    bytesSent += s.phase === 'done' ? s.bytesTotal : s.bytesSent;
    bytesTotal += s.bytesTotal;
    if (s.phase === 'uploading') bytesPerSecond += s.bytesPerSecond ?? 0;
    if (!isFinished(s.phase)) {
      bytesLeft += Math.max(0, s.bytesTotal - s.bytesSent);
      const group = queueGroup(s.phase);
      if (group === 'paused') held = true;
      else moving = true;
      open = true;
    }
    if (s.startedAt !== null && (firstStartedAt === null || s.startedAt < firstStartedAt)) firstStartedAt = s.startedAt;
    if (s.finishedAt !== null && (lastEndedAt === null || s.finishedAt > lastEndedAt)) lastEndedAt = s.finishedAt;
  }
  let eta: QueueTotals['eta'] = 'none';
  if (open && bytesPerSecond > 0) eta = bytesLeft / bytesPerSecond;
  else if (moving) eta = 'estimating';
  else if (held) eta = 'held';
  return {
    jobs,
    finished,
    failed,
    verified,
    bytesSent,
    bytesTotal,
    bytesPerSecond,
    bytesLeft,
    eta,
    firstStartedAt,
    lastEndedAt: open ? null : lastEndedAt,
  };
}

/**
 * What one job's buttons may do, given the connected cloud: why a command the phase alone would
 * allow cannot work now (the view words it), whether Cancel must ask first because it would
 * delete an image that already holds every byte, and whether a failure can be retried as it is
 * (the error's `retryable`) or must be fixed and uploaded again.
 */
export interface RowAbilities {
  readonly canPause: boolean;
  /** Pausable by phase, but every byte has been sent: nothing is left to pause. */
  readonly pauseBlocked: boolean;
  readonly canResume: boolean;
  /** Resumable by phase, but only on the job's own cloud. */
  readonly resumeBlocked: boolean;
  readonly canRetry: boolean;
  /** Retryable, but only on the job's own cloud. */
  readonly retryBlocked: boolean;
  /** Failed with an error that retrying as it is cannot cure (a 413, a rejected format): fix and upload again. */
  readonly needsFix: boolean;
  readonly canCancel: boolean;
  readonly cancelDeletesUpload: boolean;
  /** Remove from the queue: at once when finished, after a cancel otherwise. */
  readonly removeCancelsFirst: boolean;
}

/** Every byte of the file has been read and sent: nothing is left to pause. */
export function allBytesSent(s: UploadSnapshot): boolean {
  return s.bytesTotal > 0 && s.bytesSent >= s.bytesTotal;
}

/** The job belongs to the connected cloud (interrupted and failed jobs run only there). */
export function isOnCloud(s: UploadSnapshot, sessionCloudKey: string | null): boolean {
  return s.cloudKey !== null && s.cloudKey === sessionCloudKey;
}

export function rowAbilities(s: UploadSnapshot, sessionCloudKey: string | null): RowAbilities {
  const here = isOnCloud(s, sessionCloudKey);
  const sent = allBytesSent(s);
  const pausable = canPause(s.phase);
  // A paused job holds its own connection and resumes whatever cloud is connected now.
  const resumable = canResume(s.phase);
  const resumeHere = resumable && (s.phase === 'paused' || here);
  // Retry only what may succeed as it is: the error says so (AppError.retryable).
  const failed = canRetry(s.phase);
  const retryable = failed && s.error?.retryable === true;
  const cancellable = canCancel(s.phase);
  return {
    canPause: pausable && !sent,
    pauseBlocked: pausable && sent,
    canResume: resumeHere,
    resumeBlocked: resumable && !resumeHere,
    canRetry: retryable && here,
    retryBlocked: retryable && !here,
    needsFix: failed && !retryable,
    canCancel: cancellable,
    // A restored job whose image is already active (resume plan 'verify') holds every byte too.
    cancelDeletesUpload:
      cancellable &&
      s.createdImage &&
      s.imageId !== null &&
      (s.phase === 'verifying' || sent || s.resume.kind === 'verify'),
    removeCancelsFirst: !isFinished(s.phase),
  };
}

/** Jobs "Resume all" sends: paused ones, and interrupted ones of the connected cloud. */
export function resumableUploadIds(state: AppState, ids: readonly UploadId[] = state.uploadOrder): UploadId[] {
  const cloudKey = state.session?.cloudKey ?? null;
  return ids.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && rowAbilities(s, cloudKey).canResume;
  });
}

/** Jobs "Retry all" sends: failed ones of the connected cloud whose error may pass on a retry. */
export function retryableUploadIds(state: AppState, ids: readonly UploadId[] = state.uploadOrder): UploadId[] {
  const cloudKey = state.session?.cloudKey ?? null;
  return ids.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && rowAbilities(s, cloudKey).canRetry;
  });
}

/** Of `ids`, the jobs a pause can stop now. */
export function pausableUploadIds(state: AppState, ids: readonly UploadId[]): UploadId[] {
  const cloudKey = state.session?.cloudKey ?? null;
  return ids.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && rowAbilities(s, cloudKey).canPause;
  });
}

/** Of `ids`, the jobs a cancel can stop. */
export function cancellableUploadIds(state: AppState, ids: readonly UploadId[]): UploadId[] {
  return ids.filter((id) => {
    const s = state.uploads[id];
    return s !== undefined && canCancel(s.phase);
  });
}

export interface QueueAbilities {
  readonly anyPausable: boolean;
  readonly anyResumable: boolean;
  readonly anyCancellable: boolean;
  readonly anyRetryable: boolean;
  readonly anyFinished: boolean;
}

/** What the "… all" buttons (or, given ids, the bulk buttons) may do. Booleans only: use with useShallow. */
export function queueAbilities(state: AppState, ids: readonly UploadId[] = state.uploadOrder): QueueAbilities {
  // Runs on every progress tick over every job: the rowAbilities rules, without building an object per job.
  const cloudKey = state.session?.cloudKey ?? null;
  let anyPausable = false;
  let anyResumable = false;
  let anyCancellable = false;
  let anyRetryable = false;
  let anyFinished = false;
  for (const id of ids) {
    const s = state.uploads[id];
    if (!s) continue;
    const phase = s.phase;
    anyPausable ||= canPause(phase) && !allBytesSent(s);
    anyResumable ||= canResume(phase) && (phase === 'paused' || isOnCloud(s, cloudKey));
    anyCancellable ||= canCancel(phase);
    anyRetryable ||= canRetry(phase) && s.error?.retryable === true && isOnCloud(s, cloudKey);
    anyFinished ||= isFinished(phase);
  }
  return { anyPausable, anyResumable, anyCancellable, anyRetryable, anyFinished };
}

export function selectQueueAbilities(state: AppState): QueueAbilities {
  return queueAbilities(state);
}

/** What the bulk buttons may do for the ticked rows. Booleans only: use with useShallow. */
export function selectCheckedAbilities(state: AppState): QueueAbilities & { readonly count: number } {
  const ids = checkedIds(state);
  return { ...queueAbilities(state, ids), count: ids.length };
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
