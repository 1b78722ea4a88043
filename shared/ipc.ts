// The one contract between the renderer and the main process: the API the preload exposes as
// `window.imagedrop`, its channel names and its events. `imagedrop serve` carries the same calls
// over HTTP (POST /api/<channel>) and the events as server-sent events, and the e2e harness over
// a Playwright binding; nothing else differs but the file chooser (FileChooser).
import type { AppError } from './errors.ts';
import type { GlanceImageStatus } from './glance.ts';
import type { Inspection } from './inspect.ts';
import type { UsageReport } from './quota.ts';
import type { Result } from './result.ts';
import type { CloudEntry, ConnectRequest, SessionInfo } from './session.ts';
import type { StoreOutcome, UploadId, UploadRequest, UploadSnapshot } from './upload.ts';

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
  /** The smallest disk, in GB, a server booted from it needs (null: the service did not say). */
  readonly minDisk: number | null;
  /** The stores that hold its data (Glance with several stores; empty when the service does not say). */
  readonly stores: readonly string[];
  /** Glance's `os_glance_importing_to_stores`: an import or copy-image still running into these. */
  readonly importingToStores: readonly string[];
  /** Glance's `os_glance_failed_import`: stores an import or copy-image failed on. */
  readonly failedImportStores: readonly string[];
  /** IMS: `__os_version` (null on Glance). */
  readonly osVersion: string | null;
  /** IMS: `__image_source_type` (where the image's data lives, e.g. uds; null on Glance). */
  readonly imageSourceType: string | null;
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

/**
 * The statuses the dashboard calls stuck when not updated for long (an upload, a save, a stage or
 * an import that went quiet): it deletes these only past the stuck threshold.
 */
export const STUCK_STATUSES: readonly GlanceImageStatus[] = ['queued', 'saving', 'uploading', 'importing'];

/** Statuses no image comes back from (Glance's `killed`: its data failed): deletable at any age. */
export const DEAD_STATUSES: readonly GlanceImageStatus[] = ['killed'];

/** The dashboard's stuck threshold, in whole minutes (at least 1). */
export const MIN_STUCK_AFTER_MINUTES = 1;

export interface DeleteImagesOptions {
  /**
   * Main deletes an image only if, read again just before, it is still killed, or still in a stuck
   * status (STUCK_STATUSES) and last updated longer ago than this: the list the user chose from may
   * be minutes old.
   */
  readonly stuckAfterMinutes: number;
}

/**
 * How files are chosen: 'native' (the app: the OS dialog in main, and drag and drop), or
 * 'host-browser' (`imagedrop serve`: the page browses the folders the host shares, through
 * listHostDirectory, since the browser's own dialog shows the viewer's machine, not the host).
 */
export type FileChooser = 'native' | 'host-browser';

/** A folder the host shares (`imagedrop serve --root DIR`); the app shares none. */
export interface HostRoot {
  /** Its real absolute path on the host. */
  readonly path: string;
  /** What to call it (its last path segment, or the path when that is ambiguous). */
  readonly name: string;
}

/** What the inspector says of a file in a listing (absent when it was not checked). */
export type HostFileCheck =
  { readonly ok: true; readonly inspection: Inspection } | { readonly ok: false; readonly error: AppError };

export interface HostEntry {
  readonly name: string;
  /** Its real absolute path (a link inside the shared folders is shown by its target's path). */
  readonly path: string;
  /** 'other': a device, a FIFO, a socket, a link out of the shared folders, or unreadable. */
  readonly kind: 'directory' | 'file' | 'other';
  /** Bytes on disk, for files. */
  readonly size: number | null;
  /** Last modification, ms since the epoch (null when it could not be read). */
  readonly modifiedAt: number | null;
  /** Why it cannot be opened or chosen (set for kind 'other'). */
  readonly refused?: string;
  /** The inspector's verdict, for files (not set past the first MAX_INSPECTED_ENTRIES files). */
  readonly check?: HostFileCheck;
}

export interface HostDirectory {
  /** The real absolute path of the folder listed. */
  readonly path: string;
  /** The shared folder it is in. */
  readonly root: string;
  /** The folder above, or null at the top of a shared folder. */
  readonly parent: string | null;
  /** Folders first, then files and the rest, by name. */
  readonly entries: readonly HostEntry[];
  /** Entries left out past MAX_DIRECTORY_ENTRIES. */
  readonly omitted: number;
}

/** A listing shows at most this many entries. */
export const MAX_DIRECTORY_ENTRIES = 5000;
/** The inspector checks at most this many files of one listing (the first, by name). */
export const MAX_INSPECTED_ENTRIES = 200;

/**
 * What the application menu (Electron's, in main) asks the window to do. The window's own
 * keyboard shortcuts run the same commands (renderer/src/components/shortcuts.ts), so they work
 * where there is no menu (imagedrop serve in a browser).
 */
export const MENU_COMMANDS = ['open-files', 'pause-all', 'resume-all', 'find', 'preferences'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** What the dashboard exports: the images it lists, or this app's upload history (its job log). */
export interface ExportRequest {
  readonly what: 'images' | 'history';
  readonly format: 'csv' | 'json';
  /** Images only: just these (the ones the dashboard shows after its filters); absent: every image. */
  readonly imageIds?: readonly string[];
}

/** An export's text, ready to save (the renderer downloads it as a file). */
export interface ExportFile {
  readonly fileName: string;
  readonly mediaType: string;
  readonly text: string;
  /** Records in it (rows of the CSV, elements of the JSON array). */
  readonly records: number;
}

/** A copy-image this app started (Glance's import to more stores), followed store by store. */
export interface ImageCopy {
  readonly imageId: string;
  readonly imageName: string | null;
  /** 'copying' until every store has the image or has failed; 'failed': the copy itself stopped. */
  readonly state: 'copying' | 'done' | 'failed';
  readonly stores: readonly StoreOutcome[];
  readonly error: AppError | null;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

/** An unfinished multipart upload in an IMS cloud's OBS bucket (OBS keeps, and bills, its parts). */
export interface MultipartUploadSummary {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  /** ISO 8601, as the store says. */
  readonly initiated: string;
  /** A job of this app (or of the CLI) that can still resume it: never aborted from here. */
  readonly jobId: string | null;
}

export interface MultipartUploadList {
  /** The bucket looked in (null: the cloud has no bucket or no access key; `reason` says which). */
  readonly bucket: string | null;
  readonly prefix: string;
  readonly uploads: readonly MultipartUploadSummary[];
  readonly reason: string | null;
}

export type AbortUploadOutcome =
  | { readonly uploadId: string; readonly ok: true }
  | { readonly uploadId: string; readonly ok: false; readonly error: AppError };

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
  /**
   * The project's image usage against its quota, this app's unfinished uploads to the cloud
   * included: what Add images shows before Upload, and what startUploads checks (an upload that
   * cannot fit is refused before a byte is sent).
   */
  getUsage(): Promise<Result<UsageReport>>;
  /** Deletes images that are still stuck or killed (see DeleteImagesOptions) and that the project owns. */
  deleteImages(ids: readonly string[], options: DeleteImagesOptions): Promise<Result<DeleteOutcome[]>>;
  /** The dashboard's export, as text (CSV or JSON) with a file name; the renderer saves it. */
  exportDashboard(request: ExportRequest): Promise<Result<ExportFile>>;
  /**
   * Copies an active image to more stores (Glance's copy-image). Resolves once Glance has accepted
   * the import (a refusal, such as the policy's, comes back with the server's reason); the copy then
   * runs on, followed through listImageCopies.
   */
  copyImageToStores(imageId: string, stores: readonly string[]): Promise<Result<ImageCopy>>;
  /** The copies this app started in this session, running or ended. */
  listImageCopies(): Promise<Result<ImageCopy[]>>;
  /** IMS: the unfinished multipart uploads this app left in the cloud's OBS bucket. */
  listMultipartUploads(): Promise<Result<MultipartUploadList>>;
  /** IMS: aborts them (their stored parts are deleted); never one a job can still resume. */
  abortMultipartUploads(uploadIds: readonly string[]): Promise<Result<AbortUploadOutcome[]>>;
  copyText(text: string): Promise<Result<null>>;
  /** The folders the host shares for choosing files (`serve --root`); empty in the app. */
  listHostRoots(): Promise<Result<HostRoot[]>>;
  /** One folder inside the shared ones: its entries with size and, for files, the inspector's verdict. */
  listHostDirectory(path: string): Promise<Result<HostDirectory>>;
  /**
   * Files chosen in the host browser: each must be a regular file inside a shared folder (no
   * device, FIFO or link out). Granted exactly as the native picker's answers; resolves with
   * their real paths, the ones to name in inspectFiles and startUploads.
   */
  chooseHostFiles(paths: readonly string[]): Promise<Result<string[]>>;
  /** A CA certificate file chosen in the host browser: granted as the CA picker's answer. */
  chooseHostCaFile(path: string): Promise<Result<string>>;
  /** Synchronous, fixed per shell: how this shell lets the user choose files. */
  readonly fileChooser: FileChooser;
  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe;
  /** Jobs that left the queue (cleared by this window or another). */
  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe;
  /** Files opened with Imagedrop from the OS (file associations, a second instance). */
  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe;
  /** A command chosen in the application menu (or by its accelerator). Only the app has a menu. */
  onMenuCommand(listener: (command: MenuCommand) => void): Unsubscribe;
}

export type InvokeMethod = Exclude<keyof ImagedropApi, `on${string}` | 'pathForFile' | 'fileChooser'>;
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
  getUsage: 'imagedrop:get-usage',
  deleteImages: 'imagedrop:delete-images',
  exportDashboard: 'imagedrop:export-dashboard',
  copyImageToStores: 'imagedrop:copy-image-to-stores',
  listImageCopies: 'imagedrop:list-image-copies',
  listMultipartUploads: 'imagedrop:list-multipart-uploads',
  abortMultipartUploads: 'imagedrop:abort-multipart-uploads',
  copyText: 'imagedrop:copy-text',
  listHostRoots: 'imagedrop:list-host-roots',
  listHostDirectory: 'imagedrop:list-host-directory',
  chooseHostFiles: 'imagedrop:choose-host-files',
  chooseHostCaFile: 'imagedrop:choose-host-ca-file',
} as const satisfies Record<InvokeMethod, `imagedrop:${string}`>;

export const EVENT_CHANNELS = {
  onUploadsChanged: 'imagedrop:uploads-changed',
  onUploadsRemoved: 'imagedrop:uploads-removed',
  onFilesOpened: 'imagedrop:files-opened',
  onMenuCommand: 'imagedrop:menu-command',
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
