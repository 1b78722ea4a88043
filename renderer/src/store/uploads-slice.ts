// Upload jobs, keyed by id, as the engine in main last reported them. The renderer never
// changes a job itself: snapshots come in, and a newer snapshot of a job is never replaced by
// an older one (a start-up listUploads() answer may cross a progress batch).
//
// Beside the jobs: what the queue view needs to remember about them — each job's speed over time
// (main sends no history, so it is kept from the snapshots as they arrive, bounded), the whole
// queue's, and the queue's own view state (filter, find, sort, the rows ticked for a bulk action).
import type { StateCreator } from 'zustand';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';
import type { AppState } from './types.ts';
import { addSample, EMPTY_SERIES, sampleOf, type SpeedSeries } from './uploads-slice-throughput.ts';

/** The queue's tabs: every job, or one state group (shared/phases.ts phases, grouped as operators read them). */
export const QUEUE_FILTERS = ['all', 'running', 'paused', 'waiting', 'failed', 'done', 'cancelled'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];
export type QueueGroup = Exclude<QueueFilter, 'all'>;

export const QUEUE_SORT_KEYS = ['added', 'name', 'progress', 'speed', 'state'] as const;
export type QueueSortKey = (typeof QUEUE_SORT_KEYS)[number];
export type QueueSortDirection = 'asc' | 'desc';

/** A question the queue asks before a bulk command that stops running jobs (its own dialog). */
export interface QueueQuestion {
  /** remove: cancel the unfinished ones, then remove all from the queue; cancel: cancel them. */
  readonly kind: 'remove' | 'cancel';
  readonly ids: readonly UploadId[];
}

export interface UploadsSlice {
  uploads: Readonly<Record<UploadId, UploadSnapshot>>;
  /** Ids in the order the jobs first appeared. */
  uploadOrder: readonly UploadId[];
  /** listUploads() has answered at least once. */
  uploadsLoaded: boolean;
  /** Each job's speed over time, from its snapshots while it uploads. */
  throughput: Readonly<Record<UploadId, SpeedSeries>>;
  /** The whole queue's speed over time (the sum of its uploading jobs' speeds, at each batch). */
  queueThroughput: SpeedSeries;
  queueFilter: QueueFilter;
  /** The "Find" text: jobs whose file or image name contains it. */
  queueFind: string;
  queueSort: { readonly key: QueueSortKey; readonly direction: QueueSortDirection };
  /** Rows ticked for a bulk action. */
  checkedUploadIds: Readonly<Record<UploadId, true>>;
  queueQuestion: QueueQuestion | null;
  /** Applies one batch from onUploadsChanged: unchanged jobs keep their object, so their rows don't re-render. */
  applySnapshots(batch: readonly UploadSnapshot[]): void;
  /** The full list from listUploads(): jobs missing from it were cleared in main. */
  replaceUploads(list: readonly UploadSnapshot[]): void;
  /** Jobs main removed from the queue (onUploadsRemoved). */
  removeUploads(ids: readonly UploadId[]): void;
  setQueueFilter(filter: QueueFilter): void;
  setQueueFind(text: string): void;
  /** Sorts by `key`; the same key again turns the direction round. */
  setQueueSort(key: QueueSortKey, direction?: QueueSortDirection): void;
  toggleChecked(id: UploadId): void;
  /** Ticks (or unticks) every one of `ids`. */
  setChecked(ids: readonly UploadId[], checked: boolean): void;
  clearChecked(): void;
  askQueueQuestion(question: QueueQuestion): void;
  closeQueueQuestion(): void;
}

function isNewer(incoming: UploadSnapshot, current: UploadSnapshot | undefined): boolean {
  return current === undefined || (incoming !== current && incoming.updatedAt >= current.updatedAt);
}

/** The queue's total speed now, and whether anything uploads at all. */
function queueSpeed(uploads: Readonly<Record<UploadId, UploadSnapshot>>, order: readonly UploadId[]) {
  let bps = 0;
  let uploading = false;
  for (const id of order) {
    const s = uploads[id];
    if (s?.phase !== 'uploading') continue;
    uploading = true;
    bps += s.bytesPerSecond ?? 0;
  }
  return { bps, uploading };
}

function without<T>(record: Readonly<Record<UploadId, T>>, gone: ReadonlySet<UploadId>): Record<UploadId, T> {
  const out: Record<UploadId, T> = {};
  for (const [id, value] of Object.entries(record)) if (!gone.has(id)) out[id] = value;
  return out;
}

export const createUploadsSlice: StateCreator<AppState, [], [], UploadsSlice> = (set) => ({
  uploads: {},
  uploadOrder: [],
  uploadsLoaded: false,
  throughput: {},
  queueThroughput: EMPTY_SERIES,
  queueFilter: 'all',
  queueFind: '',
  queueSort: { key: 'added', direction: 'asc' },
  checkedUploadIds: {},
  queueQuestion: null,
  applySnapshots: (batch) =>
    set((state) => {
      let uploads: Record<UploadId, UploadSnapshot> | null = null;
      let added: UploadId[] | null = null;
      let throughput: Record<UploadId, SpeedSeries> | null = null;
      let latest = 0;
      let wasUploading = false;
      for (const snapshot of batch) {
        const current = (uploads ?? state.uploads)[snapshot.id];
        if (!isNewer(snapshot, current)) continue;
        uploads ??= { ...state.uploads };
        if (current === undefined) (added ??= []).push(snapshot.id);
        uploads[snapshot.id] = snapshot;
        latest = Math.max(latest, snapshot.updatedAt);
        wasUploading ||= current?.phase === 'uploading';
        const sample = sampleOf(snapshot, current);
        if (sample !== null) {
          const series = (throughput ?? state.throughput)[snapshot.id] ?? EMPTY_SERIES;
          const next = addSample(series, sample, sample.bps === 0);
          if (next !== series) (throughput ??= { ...state.throughput })[snapshot.id] = next;
        }
      }
      if (uploads === null) return state;
      const uploadOrder = added ? [...state.uploadOrder, ...added] : state.uploadOrder;
      const total = queueSpeed(uploads, uploadOrder);
      const queueThroughput =
        total.uploading || wasUploading
          ? addSample(state.queueThroughput, { t: latest, bps: total.bps }, !total.uploading)
          : state.queueThroughput;
      return { uploads, uploadOrder, ...(throughput ? { throughput } : {}), queueThroughput };
    }),
  removeUploads: (ids) =>
    set((state) => {
      const gone = new Set(ids.filter((id) => id in state.uploads));
      if (gone.size === 0) return state;
      return {
        uploads: without(state.uploads, gone),
        uploadOrder: state.uploadOrder.filter((id) => !gone.has(id)),
        throughput: without(state.throughput, gone),
        checkedUploadIds: without(state.checkedUploadIds, gone),
        selectedUploadId:
          state.selectedUploadId !== null && gone.has(state.selectedUploadId) ? null : state.selectedUploadId,
      };
    }),
  replaceUploads: (list) =>
    set((state) => {
      const uploads: Record<UploadId, UploadSnapshot> = {};
      for (const snapshot of list) {
        const current = state.uploads[snapshot.id];
        uploads[snapshot.id] = current !== undefined && !isNewer(snapshot, current) ? current : snapshot;
      }
      const kept = state.uploadOrder.filter((id) => id in uploads);
      const keptSet = new Set(kept);
      const fresh = list.map((s) => s.id).filter((id) => !keptSet.has(id));
      const order = [...kept, ...new Set(fresh)];
      const sameOrder =
        order.length === state.uploadOrder.length && order.every((id, i) => state.uploadOrder[i] === id);
      const gone = new Set(Object.keys(state.uploads).filter((id) => !(id in uploads)));
      return {
        uploads,
        uploadOrder: sameOrder ? state.uploadOrder : order,
        uploadsLoaded: true,
        ...(gone.size > 0
          ? { throughput: without(state.throughput, gone), checkedUploadIds: without(state.checkedUploadIds, gone) }
          : {}),
      };
    }),
  setQueueFilter: (queueFilter) => set({ queueFilter }),
  setQueueFind: (queueFind) => set({ queueFind }),
  setQueueSort: (key, direction) =>
    set((state) => ({
      queueSort: {
        key,
        direction:
          direction ?? (state.queueSort.key === key ? (state.queueSort.direction === 'asc' ? 'desc' : 'asc') : 'asc'),
      },
    })),
  toggleChecked: (id) =>
    set((state) => {
      if (!(id in state.uploads)) return state;
      const checked = { ...state.checkedUploadIds };
      if (checked[id]) delete checked[id];
      else checked[id] = true;
      return { checkedUploadIds: checked };
    }),
  setChecked: (ids, on) =>
    set((state) => {
      const checked = { ...state.checkedUploadIds };
      for (const id of ids) {
        if (on && id in state.uploads) checked[id] = true;
        else delete checked[id];
      }
      return { checkedUploadIds: checked };
    }),
  askQueueQuestion: (queueQuestion) => set({ queueQuestion }),
  closeQueueQuestion: () => set({ queueQuestion: null }),
  clearChecked: () => set((state) => (Object.keys(state.checkedUploadIds).length ? { checkedUploadIds: {} } : state)),
});
