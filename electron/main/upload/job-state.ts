// A job's durable state: what the job log keeps and what every view is derived from. The engine
// writes it only through its one update path; a target owns `targetState` (an object-storage
// upload id, an IMS job id…) and the image fields it reports. Immutable: each change makes a new
// object, so a snapshot can never be a half-written one.
import path from 'node:path';
import type { AppError } from '../../../shared/errors.ts';
import type { ImageFormat } from '../../../shared/inspect.ts';
import type { StepRecords } from '../../../shared/targets.ts';
import type {
  ImageStatus,
  ObjectUpload,
  RemoteJob,
  ResumePlan,
  StoreOutcome,
  TargetKind,
  UploadChecksums,
  UploadId,
  UploadPhase,
  UploadRequest,
} from '../../../shared/upload.ts';
import type { FileIdentity } from '../files/identity.ts';

/** The job's image on the server as its target last saw it. Only targets interpret the status. */
export interface JobImage {
  readonly id: string | null;
  /** This app created it: only then may it be deleted for the job. */
  readonly owned: boolean;
  readonly status: ImageStatus | null;
}

export interface JobState {
  readonly id: UploadId;
  readonly request: UploadRequest;
  readonly target: TargetKind;
  /** The cloud and project the job belongs to; it runs only while that one is connected. */
  readonly cloudKey: string | null;
  readonly cloudName: string | null;
  readonly userName: string | null;
  readonly phase: UploadPhase;
  readonly error: AppError | null;
  readonly resume: ResumePlan;
  /** Transfer attempts so far. */
  readonly attempt: number;
  /** What the inspector found, and the disk format the image gets (declared, or detected). */
  readonly format: ImageFormat | null;
  readonly virtualSize: number | null;
  readonly diskFormat: string;
  readonly bytesSent: number;
  readonly bytesTotal: number;
  readonly steps: StepRecords;
  readonly image: JobImage;
  readonly checksums: UploadChecksums;
  readonly verified: boolean;
  readonly verifiedBy: string | null;
  readonly object: ObjectUpload | null;
  readonly remoteJob: RemoteJob | null;
  readonly stores: readonly StoreOutcome[] | null;
  /** Digests of what the last complete transfer sent, so a restart can still verify. */
  readonly digests: Readonly<Record<string, string>> | null;
  /** The file the last transfer read: verifying must be against that same file. */
  readonly sentIdentity: FileIdentity | null;
  /** What this app created for the job and could not clean up, in words; the job stays until it is. */
  readonly leftover: string | null;
  /** The target's own durable state (validated by the target when the job runs again). */
  readonly targetState: unknown;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly averageSpeed: number | null;
  readonly updatedAt: number;
}

export const NO_CHECKSUMS: UploadChecksums = {
  algorithm: null,
  local: null,
  server: null,
  md5Local: null,
  md5Server: null,
};

/** A new job, before anything has happened to it. */
export function newJobState(
  id: UploadId,
  request: UploadRequest,
  target: TargetKind,
  cloud: { readonly key: string | null; readonly name: string | null; readonly userName: string | null },
  now: number,
): JobState {
  return {
    id,
    request,
    target,
    cloudKey: cloud.key,
    cloudName: cloud.name,
    userName: cloud.userName,
    phase: 'queued',
    error: null,
    resume: { kind: 'none' },
    attempt: 0,
    format: null,
    virtualSize: null,
    diskFormat: request.diskFormat,
    bytesSent: 0,
    bytesTotal: 0,
    steps: {},
    image: { id: null, owned: false, status: null },
    checksums: NO_CHECKSUMS,
    verified: false,
    verifiedBy: null,
    object: null,
    remoteJob: null,
    stores: null,
    digests: null,
    sentIdentity: null,
    leftover: null,
    targetState: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    averageSpeed: null,
    updatedAt: now,
  };
}

/** The file's name as the views show it. */
export function fileNameOf(state: Pick<JobState, 'request'>): string {
  return path.basename(state.request.path);
}
