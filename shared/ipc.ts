// The one contract between the renderer and the main process: the API the preload exposes as
// `window.imagedrop`, its channel names and its events. The e2e harness implements the same
// interface with a Playwright binding in place of ipcRenderer; nothing else differs.
import type { AppError } from './errors.ts';
import type { GlanceImageStatus } from './glance.ts';
import type { Inspection } from './inspect.ts';
import type { Result } from './result.ts';
import type { CloudEntry, ConnectRequest, SessionInfo } from './session.ts';
import type { UploadId, UploadRequest, UploadSnapshot } from './upload.ts';

export type Unsubscribe = () => void;

/** Which jobs a queue command applies to. */
export type UploadSelection = readonly UploadId[] | 'all';

/** A dropped file as the renderer holds it (a DOM File satisfies this). */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

export type InspectOutcome =
  | { readonly path: string; readonly ok: true; readonly inspection: Inspection }
  | { readonly path: string; readonly ok: false; readonly error: AppError };

/** One row of the operator dashboard. */
export interface ImageSummary {
  readonly id: string;
  readonly name: string | null;
  readonly status: GlanceImageStatus;
  readonly size: number | null;
  readonly diskFormat: string | null;
  readonly containerFormat: string | null;
  readonly visibility: string;
  readonly owner: string | null;
  readonly protected: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly checksum: string | null;
  readonly osHashAlgo: string | null;
  readonly osHashValue: string | null;
  /** Imagedrop created this image (it carries Imagedrop's property, or this app's job log knows it). */
  readonly createdByImagedrop: boolean;
  /** The signed-in project owns it (only then can it be deleted from here). */
  readonly ownedByProject: boolean;
  /**
   * An unfinished upload of this app sends (or may still send) data into it, paused ones too: it
   * is never deleted from here, however stuck it looks (Glance leaves `updated_at` alone while
   * data streams in). Cancel the upload in the queue instead.
   */
  readonly uploadingHere: boolean;
}

export interface ImageList {
  readonly images: readonly ImageSummary[];
  readonly pages: number;
  readonly fetchedAt: number;
}

export type DeleteOutcome =
  { readonly id: string; readonly ok: true } | { readonly id: string; readonly ok: false; readonly error: AppError };

/** An absolute path (POSIX, a Windows drive, or a UNC share): main never resolves one against its own folder. */
export const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

/** The statuses the dashboard calls stuck when not updated for long: the only ones it deletes. */
export const STUCK_STATUSES: readonly GlanceImageStatus[] = ['queued', 'saving'];

/** The dashboard's stuck threshold, in whole minutes (at least 1). */
export const MIN_STUCK_AFTER_MINUTES = 1;

export interface DeleteImagesOptions {
  /**
   * Main deletes an image only if, read again just before, it is still `queued` or `saving` and
   * was last updated longer ago than this: the list the user chose from may be minutes old.
   */
  readonly stuckAfterMinutes: number;
}

export interface ResumeOptions {
  /** Consent to delete an image stuck in `saving` or `killed` and create a new record. */
  readonly recreate?: boolean;
}

export interface ImagedropApi {
  listClouds(): Promise<Result<CloudEntry[]>>;
  connect(request: ConnectRequest): Promise<Result<SessionInfo>>;
  disconnect(): Promise<Result<null>>;
  getSession(): Promise<Result<SessionInfo | null>>;
  /** False when the OS offers no keychain: then "Remember this connection" cannot work. */
  canRememberSecrets(): Promise<Result<boolean>>;
  /** Forgets a remembered connection (its details and its stored secret). */
  forgetConnection(label: string): Promise<Result<null>>;
  /** Opens the native picker for a CA certificate file in main; resolves with its path, or null when cancelled. */
  pickCaFile(): Promise<Result<string | null>>;
  /** Opens the native file picker in main; resolves with the chosen paths (empty when cancelled). */
  pickFiles(): Promise<Result<string[]>>;
  /**
   * The path of a dropped file (webUtils.getPathForFile in the preload). Synchronous. Returns ''
   * for something that is not a file on disk (a dragged link, text, a file made in the page).
   */
  pathForFile(file: DroppedFile): string;
  inspectFiles(paths: readonly string[]): Promise<Result<InspectOutcome[]>>;
  startUploads(requests: readonly UploadRequest[]): Promise<Result<UploadId[]>>;
  pauseUploads(selection: UploadSelection): Promise<Result<null>>;
  /**
   * Paused jobs continue at the same byte; interrupted ones start again from 0. A job whose plan is
   * `recreate` needs `{ recreate: true }`: named by id without it, the call fails with
   * 'upload/not-resumable'; with 'all', such jobs are skipped.
   */
  resumeUploads(selection: UploadSelection, options?: ResumeOptions): Promise<Result<null>>;
  cancelUploads(selection: UploadSelection): Promise<Result<null>>;
  retryUploads(selection: UploadSelection): Promise<Result<null>>;
  /** Removes finished jobs from the queue (the images stay on the server). */
  clearUploads(selection: UploadSelection): Promise<Result<null>>;
  listUploads(): Promise<Result<UploadSnapshot[]>>;
  listImages(): Promise<Result<ImageList>>;
  /** Deletes images that are still stuck (see DeleteImagesOptions) and that the project owns. */
  deleteImages(ids: readonly string[], options: DeleteImagesOptions): Promise<Result<DeleteOutcome[]>>;
  copyText(text: string): Promise<Result<null>>;
  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe;
  /** Jobs that left the queue (cleared by this window or another). */
  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe;
  /** Files opened with Imagedrop from the OS (file associations, a second instance). */
  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe;
}

export type InvokeMethod = Exclude<keyof ImagedropApi, `on${string}` | 'pathForFile'>;
export type EventMethod = Extract<keyof ImagedropApi, `on${string}`>;

export const CHANNEL_PREFIX = 'imagedrop:';

export const INVOKE_CHANNELS = {
  listClouds: 'imagedrop:list-clouds',
  connect: 'imagedrop:connect',
  disconnect: 'imagedrop:disconnect',
  getSession: 'imagedrop:get-session',
  canRememberSecrets: 'imagedrop:can-remember-secrets',
  forgetConnection: 'imagedrop:forget-connection',
  pickCaFile: 'imagedrop:pick-ca-file',
  pickFiles: 'imagedrop:pick-files',
  inspectFiles: 'imagedrop:inspect-files',
  startUploads: 'imagedrop:start-uploads',
  pauseUploads: 'imagedrop:pause-uploads',
  resumeUploads: 'imagedrop:resume-uploads',
  cancelUploads: 'imagedrop:cancel-uploads',
  retryUploads: 'imagedrop:retry-uploads',
  clearUploads: 'imagedrop:clear-uploads',
  listUploads: 'imagedrop:list-uploads',
  listImages: 'imagedrop:list-images',
  deleteImages: 'imagedrop:delete-images',
  copyText: 'imagedrop:copy-text',
} as const satisfies Record<InvokeMethod, `imagedrop:${string}`>;

export const EVENT_CHANNELS = {
  onUploadsChanged: 'imagedrop:uploads-changed',
  onUploadsRemoved: 'imagedrop:uploads-removed',
  onFilesOpened: 'imagedrop:files-opened',
} as const satisfies Record<EventMethod, `imagedrop:${string}`>;

/** The arguments of each invoke method, as a tuple. */
export type InvokeArgs<M extends InvokeMethod> = Parameters<ImagedropApi[M]>;
/** The value inside the Result each invoke method resolves to. */
export type InvokeValue<M extends InvokeMethod> =
  Awaited<ReturnType<ImagedropApi[M]>> extends Result<infer T> ? T : never;

/**
 * Preload-only: the preload reports each path it resolves for a dropped file, so that main reads
 * only files the user chose (picker), dropped, or opened with Imagedrop. Not on window.imagedrop:
 * a page cannot grant itself a path.
 */
export const GRANT_DROPPED_PATH_CHANNEL = 'imagedrop:grant-dropped-path';

/** The at-most rate at which upload snapshots reach a window. */
export const PROGRESS_INTERVAL_MS = 250;
