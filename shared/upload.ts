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

/** The lifecycle steps a view shows for one image, in order. */
export const LIFECYCLE_STEPS = ['checked', 'created', 'uploading', 'saving', 'active', 'verified'] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

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
}

export interface UploadChecksums {
  /** The algorithm the server reports as os_hash_algo (sha512 unless the cloud says otherwise). */
  readonly algorithm: string | null;
  readonly local: string | null;
  readonly server: string | null;
  /** md5 of what was sent, computed only when the server offers nothing else, or read from `checksum`. */
  readonly md5Local: string | null;
  readonly md5Server: string | null;
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
  readonly format: ImageFormat | null;
  readonly virtualSize: number | null;
  readonly phase: UploadPhase;
  /** The image record on the server, once created. */
  readonly imageId: string | null;
  /** True when this engine created `imageId` (only then may it delete it). */
  readonly createdImage: boolean;
  readonly glanceStatus: GlanceImageStatus | null;
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
  readonly timeline: Readonly<Partial<Record<LifecycleStep, number>>>;
  readonly checksums: UploadChecksums;
  readonly verified: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}
