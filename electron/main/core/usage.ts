// The project's image usage against its quota (getUsage), and the check startUploads makes with
// it before a job is queued: an upload that cannot fit is refused before a byte is sent, with the
// numbers. Glance: its usage API where Keystone unified limits are on, else the project's images
// added up as Glance counts them against the cloud's image_storage_quota (GlanceClient.getUsage).
// IMS: the project's private images added up (IMS has no storage quota) and their count quota
// (GET /v1/cloudimages/quota, IMG.0015 when reached). Uploads this app has queued or under way
// count too: the server does not count them until their data lands.
import { stat } from 'node:fs/promises';
import { isFinished } from '../../../shared/phases.ts';
import { checkImageCount, checkUsage, type UsageReport } from '../../../shared/quota.ts';
import type { UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { ImagedropError } from '../errors.ts';
import type { CloudContext } from './context.ts';

/** What this app's unfinished uploads to one cloud will add once they land. */
export function pendingUploads(
  snapshots: readonly UploadSnapshot[],
  cloudKey: string,
  /** Each queued job's file size, where the job has not checked its file yet (bytesTotal 0). */
  unchecked: ReadonlyMap<string, number> = new Map(),
): { readonly bytes: number; readonly images: number } {
  let bytes = 0;
  let images = 0;
  for (const s of snapshots) {
    if (s.cloudKey !== cloudKey || isFinished(s.phase)) continue;
    // An image without a record yet will take a place in an image count quota.
    if (s.imageId === null) images += 1;
    // An active image is counted by the service already (a job verifying it, say).
    if (s.imageStatus === 'active') continue;
    const copies = s.target === 'glance-import' && s.stores && s.stores.length > 0 ? s.stores.length : 1;
    bytes += (s.bytesTotal || (unchecked.get(s.id) ?? 0)) * copies;
  }
  return { bytes, images };
}

/** How many copies of the file the request lands (Glance counts each store's copy). */
export function copiesOf(request: UploadRequest, context: CloudContext): number {
  if (context.kind !== 'glance' || !request.import) return 1;
  const stores = request.import.stores;
  if (stores === 'all') return Math.max(1, context.capabilities.stores.length);
  return Math.max(1, stores.length);
}

async function imsUsage(context: Extract<CloudContext, { kind: 'ims' }>, signal: AbortSignal) {
  const [images, quota] = await Promise.all([
    context.ims.listCloudImages(signal),
    context.ims.getQuota(signal).catch((e: unknown) => {
      // A cloud without the quota call (an older IMS) tells nothing about the count.
      if (e instanceof ImagedropError && (e.httpStatus === 404 || e.httpStatus === 405)) return null;
      throw e;
    }),
  ]);
  let used = 0;
  for (const image of images) {
    const size = Number(image.__image_size ?? image.size);
    if (Number.isFinite(size) && size > 0) used += size;
  }
  return { used, quota };
}

/** The project's usage as the app shows it, this app's unfinished uploads included. */
export async function projectUsage(
  context: CloudContext,
  snapshots: readonly UploadSnapshot[],
  signal: AbortSignal,
  /** For a check only: a Glance with no quota anywhere is not summed (the report has no limit). */
  options: { readonly onlyAgainstLimit?: boolean } = {},
): Promise<UsageReport> {
  // A job queued a moment ago has not read its file's size yet: it counts all the same.
  const unsized = snapshots.filter((s) => s.cloudKey === context.key && !isFinished(s.phase) && s.bytesTotal === 0);
  const unchecked = new Map(await Promise.all(unsized.map(async (s) => [s.id, await sizeOf(s.file)] as const)));
  const pending = pendingUploads(snapshots, context.key, unchecked);
  if (context.kind === 'ims') {
    const { used, quota } = await imsUsage(context, signal);
    return {
      service: 'ims',
      source: 'image-sum',
      usedBytes: used,
      limitBytes: null,
      limitFrom: null,
      pendingBytes: pending.bytes,
      images: quota ? { used: quota.used, limit: quota.quota, pending: pending.images } : null,
      fetchedAt: Date.now(),
    };
  }
  const usage = await context.glance.getUsage(signal, options);
  return {
    service: 'glance',
    source: usage.source,
    usedBytes: usage.usedBytes,
    limitBytes: usage.limitBytes,
    limitFrom: usage.limitBytes === null ? null : usage.source === 'usage-api' ? 'usage-api' : 'configured',
    pendingBytes: pending.bytes,
    images: null,
    fetchedAt: Date.now(),
  };
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0; // the engine's own check says what is wrong with the file
  }
}

/**
 * Refuses requests that cannot fit the project's quota, before any of them is queued: one sentence
 * with the numbers and what to do. A cloud whose usage cannot be read is not refused here (its
 * image service still refuses what does not fit, before the body on a PUT with a Content-Length).
 */
export async function requireUploadsFit(
  context: CloudContext,
  snapshots: readonly UploadSnapshot[],
  requests: readonly UploadRequest[],
  signal: AbortSignal,
): Promise<void> {
  if (requests.length === 0) return;
  let report: UsageReport;
  try {
    report = await projectUsage(context, snapshots, signal, { onlyAgainstLimit: true });
  } catch (e) {
    if (signal.aborted) throw e; // the caller gave up (Ctrl-C): nothing is uploaded
    return;
  }
  const sizes = await Promise.all(requests.map((r) => sizeOf(r.path)));
  const bytes = requests.reduce((sum, r, i) => sum + sizes[i]! * copiesOf(r, context), 0);
  const fits = checkUsage(report, bytes);
  if (!fits.fits) {
    throw new ImagedropError(context.kind === 'ims' ? 'ims/quota-exceeded' : 'glance/quota-exceeded', fits.message, {
      detail: `needs ${bytes} bytes, ${fits.leftBytes} left`,
    });
  }
  const count = checkImageCount(report, requests.length);
  if (!count.fits) throw new ImagedropError('ims/quota-exceeded', count.message);
}
