// The unfinished multipart uploads this app left in an IMS cloud's OBS bucket (under imagedrop/),
// which OBS keeps, and bills, until someone aborts them: listed for the dashboard and `cli
// uploads`, and aborted. One a job can still resume (this app's, or a CLI run's job log) is never
// aborted from here: resume or cancel that job instead.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AbortUploadOutcome, MultipartUploadList } from '../../../shared/ipc.ts';
import { isFinished } from '../../../shared/phases.ts';
import { ImagedropError, toAppError } from '../errors.ts';
import { abortUpload, listOrphans } from '../objstore/multipart.ts';
import { OBJECT_PREFIX } from '../targets/ims/object-leg.ts';
import { JobLog } from '../upload/job-log.ts';
import type { CloudContext } from './context.ts';
import type { ImsContext } from './ims-context.ts';

const CALL_TIMEOUT_MS = 60_000;

/** The multipart upload id a job's target state holds, if any (IMS's object-storage leg). */
export function multipartUploadId(targetState: unknown): string | null {
  const id = (targetState as { multipart?: { uploadId?: unknown } | null } | null)?.multipart?.uploadId;
  return typeof id === 'string' ? id : null;
}

/** Upload ids that jobs still hold, with the job that holds each. */
export function uploadsHeldBy(
  jobs: readonly { readonly id: string; readonly targetState: unknown }[],
): Map<string, string> {
  const held = new Map<string, string>();
  for (const job of jobs) {
    const id = multipartUploadId(job.targetState);
    if (id) held.set(id, job.id);
  }
  return held;
}

/**
 * Upload ids that unfinished jobs in these job logs still use. The logs are only read (another
 * process may own them). One that cannot be read whole may hold any upload: then no upload can be
 * called free, and the lookup fails with a sentence naming the log.
 */
export async function uploadsHeldByLogs(files: readonly string[]): Promise<Map<string, string>> {
  const jobs: { id: string; targetState: unknown }[] = [];
  for (const file of files) {
    const read = await new JobLog(file).peek();
    if (read === null) {
      throw new ImagedropError(
        'joblog/unreadable',
        `The job log ${file} cannot be read, so Imagedrop cannot tell which uploads its jobs can still resume: run \`cli jobs\` (or open the app) to have it checked, or move it away, then try again.`,
        { detail: file },
      );
    }
    for (const job of read) {
      if (!isFinished(job.phase) || job.leftover) jobs.push({ id: job.id, targetState: job.targetState });
    }
  }
  return uploadsHeldBy(jobs);
}

/** Upload ids that unfinished jobs in the CLI's job logs (a folder of them) still use. */
export async function uploadsHeldByCliLogs(folder: string): Promise<Map<string, string>> {
  const files = await readdir(folder).catch(() => [] as string[]);
  return uploadsHeldByLogs(files.filter((x) => x.endsWith('.json')).map((f) => path.join(folder, f)));
}

interface Where {
  readonly context: ImsContext;
  readonly bucket: string;
}

function where(context: CloudContext): Where | { reason: string } {
  if (context.kind !== 'ims') {
    return { reason: 'This is a Glance cloud: multipart uploads are what IMS routes leave in an OBS bucket.' };
  }
  if (!context.objstore) return { reason: 'This cloud has no OBS access key (ak, sk): there is no bucket to look in.' };
  if (!context.bucket) return { reason: 'This cloud names no OBS bucket (obs_bucket): there is nowhere to look.' };
  return { context, bucket: context.bucket };
}

export async function listMultipartUploads(
  context: CloudContext,
  held: () => Promise<Map<string, string>>,
): Promise<MultipartUploadList> {
  const at = where(context);
  if ('reason' in at) return { bucket: null, prefix: OBJECT_PREFIX, uploads: [], reason: at.reason };
  const [found, inUse] = await Promise.all([
    listOrphans(at.context.objstore!, at.bucket, OBJECT_PREFIX, AbortSignal.timeout(CALL_TIMEOUT_MS)),
    held(),
  ]);
  return {
    bucket: at.bucket,
    prefix: OBJECT_PREFIX,
    uploads: found
      .map((u) => ({
        bucket: at.bucket,
        key: u.key,
        uploadId: u.uploadId,
        initiated: u.initiated,
        jobId: inUse.get(u.uploadId) ?? null,
      }))
      .sort((a, b) => a.initiated.localeCompare(b.initiated) || a.key.localeCompare(b.key)),
    reason: null,
  };
}

/** Aborts each named upload the bucket still has and no job holds; each with its own outcome. */
export async function abortMultipartUploads(
  context: CloudContext,
  uploadIds: readonly string[],
  held: () => Promise<Map<string, string>>,
): Promise<AbortUploadOutcome[]> {
  const at = where(context);
  if ('reason' in at) throw new ImagedropError('ipc/invalid-request', at.reason);
  const [found, inUse] = await Promise.all([
    listOrphans(at.context.objstore!, at.bucket, OBJECT_PREFIX, AbortSignal.timeout(CALL_TIMEOUT_MS)),
    held(),
  ]);
  const out: AbortUploadOutcome[] = [];
  for (const uploadId of uploadIds) {
    try {
      const upload = found.find((u) => u.uploadId === uploadId);
      if (!upload) {
        throw new ImagedropError(
          'objstore/no-such-upload',
          `No unfinished upload of Imagedrop's has the id ${uploadId} in ${at.bucket} any more: it may have been completed or aborted already.`,
        );
      }
      const job = inUse.get(uploadId);
      if (job) {
        throw new ImagedropError(
          'dashboard/upload-in-use',
          `Job ${job} can still resume the upload of ${upload.key}: resume or cancel that job in the queue instead.`,
        );
      }
      await abortUpload(
        at.context.objstore!,
        { bucket: at.bucket, key: upload.key, uploadId },
        AbortSignal.timeout(CALL_TIMEOUT_MS),
      );
      out.push({ uploadId, ok: true });
    } catch (e) {
      out.push({ uploadId, ok: false, error: toAppError(e) });
    }
  }
  return out;
}
