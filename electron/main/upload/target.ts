// The seam between the engine and an image service. The engine owns the queue, the commands, the
// phases, retries and the job log, and names no image service; everything that differs between
// Glance, Glance's import, object storage and Huawei IMS sits behind an ImageTarget, in the order
// the engine runs it: reconcile (what the server already has) → check → prepare → transfer →
// finish → verify, with resumePlan after a break and cleanUp after a cancel or a failure.
import type { AppError } from '../../../shared/errors.ts';
import type {
  LifecycleStep,
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
import type { ImageFormat } from '../../../shared/inspect.ts';
import type { FileIdentity } from '../files/identity.ts';
import type { FileSource } from './file-source.ts';
import type { JobImage } from './job-state.ts';

/** What a target may read of a job. A fresh view each time it is read. */
export interface TargetJob<S> {
  readonly id: UploadId;
  readonly request: UploadRequest;
  readonly phase: UploadPhase;
  /** The disk format the image gets: declared, or what the inspector found. */
  readonly diskFormat: string;
  readonly format: ImageFormat | null;
  readonly virtualSize: number | null;
  readonly bytesTotal: number;
  readonly image: JobImage;
  readonly checksums: UploadChecksums;
  /** Digests of what the last complete transfer sent, if it kept any. */
  readonly digests: Readonly<Record<string, string>> | null;
  /** The file the last transfer read. */
  readonly sentIdentity: FileIdentity | null;
  /** The file as this run checked it (null before the check, or on a finish-only run). */
  readonly checked: FileIdentity | null;
  /** The target's own durable state; null for a new job (or one whose state was unusable). */
  readonly state: S | null;
}

/** What a target may change on a job; the engine applies it through its one update path. */
export interface TargetChange<S> {
  readonly image?: Partial<JobImage>;
  readonly checksums?: UploadChecksums;
  readonly object?: ObjectUpload | null;
  readonly remoteJob?: RemoteJob | null;
  readonly stores?: readonly StoreOutcome[] | null;
  readonly state?: S | null;
}

/** The handle a target works through for one step of one job. */
export interface TargetRun<S> {
  readonly job: TargetJob<S>;
  /** The job's own signal: a cancel, a pause that aborts, a shutdown. */
  readonly signal: AbortSignal;
  /** Aborted only when the engine shuts down: for what a cancel must let finish (a record's creation). */
  readonly closing: AbortSignal;
  update(change: TargetChange<S>): void;
  /** Marks a lifecycle step of the job's target: started, ended, skipped, or its own percent. */
  step(step: LifecycleStep, event: 'start' | 'end' | 'skip'): void;
  stepPercent(step: LifecycleStep, percent: number): void;
  /**
   * Writes the job log and waits until it is on disk. Call it before a side effect the job must
   * be able to find again after a crash (a record created, an upload id); it throws a clear error
   * when the log cannot be written, and then the side effect must not happen.
   */
  persist(): Promise<void>;
  now(): number;
}

/** What the server already holds for a job, read before the file is checked again. */
export type Reconciliation =
  /** Nothing usable: after the check, prepare anew. */
  | { readonly kind: 'new' }
  /** The existing record or upload takes the data after the check. */
  | { readonly kind: 'reuse' }
  /** Every byte is with the service: only finish and verify (no new check of the file). */
  | { readonly kind: 'finish' }
  /** It cannot take data as it is: replaced only with the user's consent (cleanUp 'replace', then new). */
  | { readonly kind: 'replace'; readonly plan: ResumePlan; readonly error: AppError }
  /** It cannot be used at all. */
  | { readonly kind: 'refuse'; readonly error: AppError };

export interface TransferIO {
  /** The only way to the file's bytes. */
  readonly source: FileSource;
}

export interface TransferResult {
  /** Digests of what was sent, when the bytes went in one hashed pass. */
  readonly digests: Readonly<Record<string, string>> | null;
}

export interface Verification {
  readonly verified: boolean;
  /** What it rests on: 'sha512', 'md5', 'etag'… */
  readonly by: string | null;
  /** When not verified: one sentence saying why (the job ends done, with upload/unverified). */
  readonly reason?: string;
}

export type CleanUpReason = 'cancel' | 'failure' | 'replace';

export interface ImageTarget<S = unknown> {
  readonly kind: TargetKind;
  /**
   * 'hold': a pause holds the request body with the connection open (nothing is read or sent);
   * 'abort': a pause stops the transfer at once and resume continues from what the service kept.
   */
  readonly pauseMode: 'hold' | 'abort';
  /** The largest file this target takes, in bytes. */
  readonly sizeLimit: number;
  /** The disk formats it accepts (empty: not said, not checked). */
  readonly acceptedDiskFormats: readonly string[];
  /** The target's state as the job log kept it; null when it is unusable (the job starts over). */
  parseState(raw: unknown): S | null;
  reconcile(run: TargetRun<S>): Promise<Reconciliation>;
  /** The target's own checks once the file and its image are checked (stores, quota, bucket…). */
  check(run: TargetRun<S>): Promise<void>;
  prepare(run: TargetRun<S>): Promise<void>;
  /** Bytes an earlier attempt left with the service that this one will not send again. */
  keptBytes(run: TargetRun<S>): number;
  transfer(run: TargetRun<S>, io: TransferIO): Promise<TransferResult>;
  finish(run: TargetRun<S>): Promise<void>;
  verify(run: TargetRun<S>): Promise<Verification>;
  /** After a broken attempt or a restart: what the server holds decides what a resume will do. */
  resumePlan(run: TargetRun<S>): Promise<ResumePlan>;
  /** Removes what this app created for the job (a no-op when there is nothing). */
  cleanUp(run: TargetRun<S>, reason: CleanUpReason): Promise<void>;
  /** Words for what cleanUp removes ("image record 1234"), for sentences about it. */
  describeRecord(job: TargetJob<S>): string | null;
  /** What an error means for the job's record, for the keep-or-delete policy. */
  classify(error: AppError): { readonly recordGone: boolean; readonly badData: boolean };
  /** Signs in again after a 401. */
  renewAuth(signal: AbortSignal): Promise<void>;
}

/** The cloud the engine runs jobs on, as the session provides it. */
export interface EngineCloud {
  /** Keystone (or IAM) + project + region: jobs run only on the cloud they were queued for. */
  readonly key: string;
  readonly name: string;
  readonly userName: string | null;
  /** The target a new job with this request runs on. Throws a clear error when none can take it. */
  targetKindFor(request: UploadRequest): TargetKind;
  /** The target that runs jobs of `kind` here; null when this cloud cannot. */
  target(kind: TargetKind): ImageTarget | null;
}
