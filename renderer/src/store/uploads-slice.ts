// Upload jobs, keyed by id, as the engine in main last reported them. The renderer never
// changes a job itself: snapshots come in, and a newer snapshot of a job is never replaced by
// an older one (a start-up listUploads() answer may cross a progress batch).
import type { StateCreator } from 'zustand';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';
import type { AppState } from './types.ts';

export interface UploadsSlice {
  uploads: Readonly<Record<UploadId, UploadSnapshot>>;
  /** Ids in the order the jobs first appeared. */
  uploadOrder: readonly UploadId[];
  /** listUploads() has answered at least once. */
  uploadsLoaded: boolean;
  /** Applies one batch from onUploadsChanged: unchanged jobs keep their object, so their rows don't re-render. */
  applySnapshots(batch: readonly UploadSnapshot[]): void;
  /** The full list from listUploads(): jobs missing from it were cleared in main. */
  replaceUploads(list: readonly UploadSnapshot[]): void;
  /** Jobs main removed from the queue (onUploadsRemoved). */
  removeUploads(ids: readonly UploadId[]): void;
}

function isNewer(incoming: UploadSnapshot, current: UploadSnapshot | undefined): boolean {
  return current === undefined || (incoming !== current && incoming.updatedAt >= current.updatedAt);
}

export const createUploadsSlice: StateCreator<AppState, [], [], UploadsSlice> = (set) => ({
  uploads: {},
  uploadOrder: [],
  uploadsLoaded: false,
  applySnapshots: (batch) =>
    set((state) => {
      let uploads: Record<UploadId, UploadSnapshot> | null = null;
      let added: UploadId[] | null = null;
      for (const snapshot of batch) {
        const current = (uploads ?? state.uploads)[snapshot.id];
        if (!isNewer(snapshot, current)) continue;
        uploads ??= { ...state.uploads };
        if (current === undefined) (added ??= []).push(snapshot.id);
        uploads[snapshot.id] = snapshot;
      }
      if (uploads === null) return state;
      return { uploads, uploadOrder: added ? [...state.uploadOrder, ...added] : state.uploadOrder };
    }),
  removeUploads: (ids) =>
    set((state) => {
      const gone = new Set(ids.filter((id) => id in state.uploads));
      if (gone.size === 0) return state;
      const uploads = { ...state.uploads };
      for (const id of gone) delete uploads[id];
      return { uploads, uploadOrder: state.uploadOrder.filter((id) => !gone.has(id)) };
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
      return { uploads, uploadOrder: sameOrder ? state.uploadOrder : order, uploadsLoaded: true };
    }),
});
