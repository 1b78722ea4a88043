// Upload jobs as every view sees them. The engine in the main process is their only writer;
// views get snapshots and never change a job themselves.
import type { AppError } from './errors.ts';
import type { GlanceImageStatus, Visibility } from './glance.ts';
import type { ImageFormat } from './inspect.ts';

export type UploadId = string;

export const UPLOAD_PHASES = [
  'queued',
  'checking',
  'creating',
  'uploading',
  'paused',
  'interrupted',
  'verifying',
  'done',
  'failed',
  'cancelled',
] as const;
export type UploadPhase = (typeof UPLOAD_PHASES)[number];

/**
 * Every step a job's lifecycle can show. Each target names its own, in its own order
 * (shared/targets.ts): Glance checks, creates the record, uploads, saves, becomes active and is
 * verified; IMS uploads to object storage first and registers the object after.
 */
export const LIFECYCLE_STEPS = [
  'checked', // the file and its image checked before any byte is sent
  'created', // the image record created (Glance POST /v2/images; IMS metadata)
  'uploading', // the bytes going: one PUT, the staging PUT, or the parts of an object upload
  'saving', // the image service storing what it received
  'staged', // Glance import: the data staged
  'importing', // Glance import: the import task, store by store
  'registering', // IMS: the asynchronous job that turns the object into an image
  'active', // the image is active
  'verified', // the image equals the file
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

/** How far one step has got, as every view shows it. */
export type StepState = 'pending' | 'running' | 'paused' | 'stopped' | 'done' | 'failed' | 'skipped';

export interface LifecycleStepView {
  readonly step: LifecycleStep;
  readonly state: StepState;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** The step's own progress, 0–100, where it reports one (an IMS job's process_percent). */
  readonly percent: number | null;
}

/** Which kind of image service, and which route to it, runs a job (shared/targets.ts describes each). */
export const TARGET_KINDS = [
  'glance',
  'glance-import',
  'ims-native',
  'ims-register',
  'ims-create',
  'ims-quick',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** The server's status of the job's image: Glance's statuses, which IMS images share. */
export type ImageStatus = GlanceImageStatus;

/**
 * What the next "resume" will really do. Glance has no ranged PUT, so only a paused upload
 * whose connection is still open can continue; anything else starts again from byte 0.
 */
export type ResumePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'continue'; readonly percent: number }
  | { readonly kind: 'restart' }
  | { readonly kind: 'recreate'; readonly imageStatus: GlanceImageStatus | 'unknown' }
  /** The image service already has every byte (the image is active): resume only verifies it. */
  | { readonly kind: 'verify' };

/** What the user asked for one file. */
export interface UploadRequest {
  readonly path: string;
  readonly name: string;
  /** A disk_format, or 'auto' to use the inspector's answer. */
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly visibility: Visibility;
  readonly minDisk?: number;
  readonly minRam?: number;
  readonly protected?: boolean;
  readonly tags?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  readonly store?: string;
  /**
   * Huawei IMS only: how the file reaches IMS. 'auto' (the default) picks register when the cloud
   * has OBS credentials and a bucket, else native when the file is under the cloud's native limit.
   */
  readonly route?: ImsRouteChoice;
  /** IMS: the OBS bucket for the register, create and quick routes (default: the cloud's obs_bucket). */
  readonly bucket?: string;
  /** IMS: the object's key in the bucket (default: imagedrop/<upload id>/<file name>). */
  readonly objectKey?: string;
  /** IMS: `__os_version`, one of the cloud's list (GET /v1/cloudimages/os_version). */
  readonly osVersion?: string;
  /** IMS: keep the object in the bucket after the image is active (it is deleted by default). */
  readonly keepObject?: boolean;
  /**
   * Glance only: stage the file and import it with glance-direct (the interoperable import), to the
   * named stores or to all of them, instead of one PUT of the file.
   */
  readonly import?: ImportChoice;
}

export interface ImportChoice {
  /** The stores to import into, or 'all' (the cloud's every store). Empty: the default store. */
  readonly stores: readonly string[] | 'all';
  /** False (the default): the import fails when any store fails. True: the image stays where it landed. */
  readonly allowFailure: boolean;
}

/** The routes into Huawei IMS a user can ask for. */
export const IMS_ROUTES = ['auto', 'register', 'create', 'native', 'quick'] as const;
export type ImsRouteChoice = (typeof IMS_ROUTES)[number];

export interface UploadChecksums {
  /** The algorithm the server reports as os_hash_algo (sha512 unless the cloud says otherwise). */
  readonly algorithm: string | null;
  readonly local: string | null;
  readonly server: string | null;
  /** md5 of what was sent, computed only when the server offers nothing else, or read from `checksum`. */
  readonly md5Local: string | null;
  readonly md5Server: string | null;
}

/** An object-storage leg (IMS's register and create routes): where the file went, and how far. */
export interface ObjectUpload {
  readonly bucket: string;
  readonly key: string;
  /** The composite ETag once the object is complete (`md5(part md5s)-n`). */
  readonly etag: string | null;
  readonly parts: { readonly done: number; readonly total: number } | null;
}

/** An asynchronous job of the image service (IMS register/create), as last read. */
export interface RemoteJob {
  readonly id: string;
  /** The service's own word: INIT, RUNNING, SUCCESS, FAIL. */
  readonly status: string;
  readonly percent: number | null;
}

/** One store of a Glance import, as Glance reports it. */
export interface StoreOutcome {
  readonly store: string;
  readonly state: 'pending' | 'importing' | 'done' | 'failed';
}

export interface UploadSnapshot {
  readonly id: UploadId;
  readonly file: string;
  readonly fileName: string;
  readonly imageName: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly visibility: Visibility;
  readonly store: string | null;
  /** The cloud and project the job belongs to (SessionInfo.cloudKey): it runs only while that one is connected. */
  readonly cloudKey: string | null;
  /** That cloud's name, for the views ("connect to prod to resume"). */
  readonly cloudName: string | null;
  /** Who queued it (the signed-in user's name), for the upload history. */
  readonly userName: string | null;
  readonly format: ImageFormat | null;
  readonly virtualSize: number | null;
  /** The image service and route that run this job. */
  readonly target: TargetKind;
  readonly phase: UploadPhase;
  /** The image record on the server, once created. */
  readonly imageId: string | null;
  /** True when this engine created `imageId` (only then may it delete it). */
  readonly createdImage: boolean;
  readonly imageStatus: ImageStatus | null;
  readonly bytesSent: number;
  readonly bytesTotal: number;
  readonly bytesPerSecond: number | null;
  readonly etaSeconds: number | null;
  /** PUT attempts so far. */
  readonly attempt: number;
  /** When an automatic retry is scheduled (epoch ms). */
  readonly retryAt: number | null;
  readonly resume: ResumePlan;
  readonly error: AppError | null;
  /** The target's steps, in its order, each with its own state. */
  readonly steps: readonly LifecycleStepView[];
  readonly checksums: UploadChecksums;
  readonly verified: boolean;
  /** What "verified" rests on: a hash algorithm the server reported ('sha512', 'md5'), 'etag', or null. */
  readonly verifiedBy: string | null;
  readonly object: ObjectUpload | null;
  readonly remoteJob: RemoteJob | null;
  readonly stores: readonly StoreOutcome[] | null;
  /** A record or object this app created that could not be cleaned up: the job stays until it is. */
  readonly leftover: string | null;
  readonly createdAt: number;
  /** When the last run of the job started (its check), and when it ended. */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** Bytes per second over the last transfer as a whole, once it ended. */
  readonly averageSpeed: number | null;
  readonly updatedAt: number;
}
