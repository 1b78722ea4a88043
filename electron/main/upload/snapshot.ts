// The one projection from a job's durable state (and what only the running engine knows: speed,
// ETA, a scheduled retry) to the snapshot every view sees. Views never see JobState itself.
import { stepViews } from '../../../shared/targets.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { fileNameOf, type JobState } from './job-state.ts';

export interface JobRuntime {
  readonly bytesPerSecond: number | null;
  readonly etaSeconds: number | null;
  /** When an automatic retry is due (epoch ms). */
  readonly retryAt: number | null;
}

export const IDLE: JobRuntime = { bytesPerSecond: null, etaSeconds: null, retryAt: null };

export function toSnapshot(s: JobState, runtime: JobRuntime = IDLE): UploadSnapshot {
  const r = s.request;
  return {
    id: s.id,
    file: r.path,
    fileName: fileNameOf(s),
    imageName: r.name,
    diskFormat: s.diskFormat,
    containerFormat: r.containerFormat,
    visibility: r.visibility,
    store: r.store ?? null,
    cloudKey: s.cloudKey,
    cloudName: s.cloudName,
    userName: s.userName,
    format: s.format,
    virtualSize: s.virtualSize,
    target: s.target,
    phase: s.phase,
    imageId: s.image.id,
    createdImage: s.image.owned,
    imageStatus: s.image.status,
    bytesSent: s.bytesSent,
    bytesTotal: s.bytesTotal,
    bytesPerSecond: runtime.bytesPerSecond,
    etaSeconds: runtime.etaSeconds,
    attempt: s.attempt,
    retryAt: runtime.retryAt,
    resume: s.resume,
    error: s.error,
    steps: stepViews(s.target, s.steps, s.phase),
    checksums: s.checksums,
    verified: s.verified,
    verifiedBy: s.verifiedBy,
    object: s.object,
    remoteJob: s.remoteJob,
    stores: s.stores,
    leftover: s.leftover,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    averageSpeed: s.averageSpeed,
    updatedAt: s.updatedAt,
  };
}
