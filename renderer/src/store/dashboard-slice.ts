// The operator dashboard: every image of the project (main reads all pages), the filters and
// sort the operator chose, the deletion of stuck and killed images with its per-image outcomes,
// the copies to more stores this app started, and on an IMS cloud the unfinished multipart uploads
// in its bucket with the outcomes of aborting them.
import type { StateCreator } from 'zustand';
import type { AppError } from '../../../shared/errors.ts';
import type { GlanceImageStatus } from '../../../shared/glance.ts';
import type {
  AbortUploadOutcome,
  DeleteOutcome,
  ImageCopy,
  ImageList,
  ImageSummary,
  MultipartUploadList,
} from '../../../shared/ipc.ts';
import type { AppState } from './types.ts';

export const DASHBOARD_REFRESH_MS = 15_000;
export const DEFAULT_STUCK_AFTER_MINUTES = 10;
/** While a copy to more stores runs, its stores are read this often. */
export const COPY_POLL_MS = 1_000;

export type ImageSortKey = 'name' | 'size' | 'status' | 'createdAt' | 'updatedAt';
export type SortDirection = 'asc' | 'desc';
export type StatusFilter = GlanceImageStatus | 'all';

/** A delete outcome with the name the image had, for the results list. */
export type NamedDeleteOutcome = DeleteOutcome & { readonly name: string | null };

export interface DashboardSlice {
  images: readonly ImageSummary[];
  imagesFetchedAt: number | null;
  imagesPages: number;
  imagesLoading: boolean;
  imagesError: AppError | null;
  statusFilter: StatusFilter;
  textFilter: string;
  sort: { readonly key: ImageSortKey; readonly direction: SortDirection };
  stuckAfterMinutes: number;
  /** Images ticked for deletion (only stuck ones the project owns can be ticked). */
  selectedImageIds: readonly string[];
  deleting: boolean;
  deleteOutcomes: readonly NamedDeleteOutcome[];
  /** Copies to more stores this app started, by image id, as main last reported them. */
  copies: Readonly<Record<string, ImageCopy>>;
  /** IMS: the unfinished multipart uploads in the bucket (null until read). */
  multipart: MultipartUploadList | null;
  multipartError: AppError | null;
  aborting: boolean;
  abortOutcomes: readonly AbortUploadOutcome[];
  exporting: boolean;
  copiesReceived(copies: readonly ImageCopy[]): void;
  multipartReceived(list: MultipartUploadList): void;
  multipartFailed(error: AppError): void;
  abortStarted(): void;
  abortFinished(outcomes: readonly AbortUploadOutcome[]): void;
  setExporting(exporting: boolean): void;
  imagesRequested(): void;
  imagesReceived(list: ImageList): void;
  imagesFailed(error: AppError): void;
  /** A read ended without an answer to show (it was for a session that has ended since). */
  imagesAbandoned(): void;
  setStatusFilter(filter: StatusFilter): void;
  setTextFilter(text: string): void;
  /** Sorting by the current key flips the direction; a new key starts ascending (dates: newest first). */
  sortImagesBy(key: ImageSortKey): void;
  setStuckAfterMinutes(minutes: number): void;
  toggleImageSelected(id: string): void;
  setSelectedImages(ids: readonly string[]): void;
  deleteStarted(): void;
  deleteFinished(outcomes: readonly NamedDeleteOutcome[]): void;
}

export const createDashboardSlice: StateCreator<AppState, [], [], DashboardSlice> = (set) => ({
  images: [],
  imagesFetchedAt: null,
  imagesPages: 0,
  imagesLoading: false,
  imagesError: null,
  statusFilter: 'all',
  textFilter: '',
  sort: { key: 'updatedAt', direction: 'desc' },
  stuckAfterMinutes: DEFAULT_STUCK_AFTER_MINUTES,
  selectedImageIds: [],
  deleting: false,
  deleteOutcomes: [],
  copies: {},
  multipart: null,
  multipartError: null,
  aborting: false,
  abortOutcomes: [],
  exporting: false,
  copiesReceived: (copies) =>
    set((state) => ({ copies: { ...state.copies, ...Object.fromEntries(copies.map((c) => [c.imageId, c])) } })),
  multipartReceived: (multipart) => set({ multipart, multipartError: null }),
  multipartFailed: (multipartError) => set({ multipartError }),
  abortStarted: () => set({ aborting: true, abortOutcomes: [] }),
  abortFinished: (outcomes) =>
    set((state) => {
      const aborted = new Set(outcomes.filter((o) => o.ok).map((o) => o.uploadId));
      return {
        aborting: false,
        abortOutcomes: outcomes,
        multipart: state.multipart
          ? { ...state.multipart, uploads: state.multipart.uploads.filter((u) => !aborted.has(u.uploadId)) }
          : null,
      };
    }),
  setExporting: (exporting) => set({ exporting }),
  imagesRequested: () => set({ imagesLoading: true }),
  imagesReceived: (list) =>
    set((state) => {
      const present = new Set(list.images.map((i) => i.id));
      const selected = state.selectedImageIds.filter((id) => present.has(id));
      return {
        images: list.images,
        imagesPages: list.pages,
        imagesFetchedAt: list.fetchedAt,
        imagesLoading: false,
        imagesError: null,
        selectedImageIds: selected.length === state.selectedImageIds.length ? state.selectedImageIds : selected,
      };
    }),
  imagesFailed: (error) => set({ imagesLoading: false, imagesError: error }),
  imagesAbandoned: () => set({ imagesLoading: false }),
  setStatusFilter: (statusFilter) => set({ statusFilter }),
  setTextFilter: (textFilter) => set({ textFilter }),
  sortImagesBy: (key) =>
    set((state) => ({
      sort:
        state.sort.key === key
          ? { key, direction: state.sort.direction === 'asc' ? 'desc' : 'asc' }
          : { key, direction: key === 'createdAt' || key === 'updatedAt' ? 'desc' : 'asc' },
    })),
  setStuckAfterMinutes: (minutes) =>
    set({ stuckAfterMinutes: Number.isFinite(minutes) && minutes >= 1 ? Math.floor(minutes) : 1 }),
  toggleImageSelected: (id) =>
    set((state) => ({
      selectedImageIds: state.selectedImageIds.includes(id)
        ? state.selectedImageIds.filter((x) => x !== id)
        : [...state.selectedImageIds, id],
    })),
  setSelectedImages: (ids) => set({ selectedImageIds: [...new Set(ids)] }),
  deleteStarted: () => set({ deleting: true, deleteOutcomes: [] }),
  deleteFinished: (outcomes) =>
    set((state) => {
      const deleted = new Set(outcomes.filter((o) => o.ok).map((o) => o.id));
      return {
        deleting: false,
        deleteOutcomes: outcomes,
        selectedImageIds: state.selectedImageIds.filter((id) => !deleted.has(id)),
        images: state.images.filter((i) => !deleted.has(i.id)),
      };
    }),
});
