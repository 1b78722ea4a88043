// The project's image storage against its quota, and whether an upload fits: the numbers come
// from the image service (GET /v2/info/usage where Keystone unified limits are on) or, where it
// has none, from the sum of the project's images against a quota configured for the cloud
// (clouds.yaml image_storage_quota, as glance-api.conf's user_storage_quota). Pure, for the
// engine's check before a create and for any view that shows the numbers.
import { formatBytes } from './format.ts';

export interface ImageUsage {
  /** Where the numbers come from: Glance's usage API, or the sum of the project's images. */
  readonly source: 'usage-api' | 'image-sum';
  /** Bytes the project's images take (each copy in each store counted, as Glance counts). */
  readonly usedBytes: number;
  /** The quota in bytes; null when none is known (then everything fits, as far as we know). */
  readonly limitBytes: number | null;
}

export type QuotaCheck =
  | { readonly fits: true; readonly leftBytes: number | null }
  | { readonly fits: false; readonly leftBytes: number; readonly message: string };

/**
 * Whether `bytes` more fit the project's quota. Glance refuses data that would take the project
 * past its quota (user_storage_quota: "size > remaining"; unified limits: usage + delta > limit),
 * so exactly the bytes left still fit.
 */
export function checkQuota(usage: ImageUsage, bytes: number): QuotaCheck {
  if (usage.limitBytes === null) return { fits: true, leftBytes: null };
  const left = Math.max(0, usage.limitBytes - usage.usedBytes);
  if (bytes <= left) return { fits: true, leftBytes: left };
  const counted =
    usage.source === 'usage-api' ? "by the image service's usage API" : "by adding up the project's images";
  return {
    fits: false,
    leftBytes: left,
    message: `This upload needs ${formatBytes(bytes)}, but the project has ${formatBytes(left)} left of its ${formatBytes(usage.limitBytes)} image quota (${formatBytes(usage.usedBytes)} used, counted ${counted}): delete images it no longer needs, or ask the cloud's administrator for a larger quota.`,
  };
}

/**
 * The project's image usage as the app shows it before an upload (getUsage): what the image
 * service counts, the quota where one is known, and what this app's unfinished uploads will add.
 */
export interface UsageReport {
  /** The image service whose numbers these are. */
  readonly service: 'glance' | 'ims';
  /**
   * 'usage-api': Glance's GET /v2/info/usage (Keystone unified limits); 'image-sum': the project's
   * images added up (Glance: size × copies, not killed; IMS: each private image's size).
   */
  readonly source: ImageUsage['source'];
  readonly usedBytes: number;
  /** The storage quota in bytes, or null when none is known (IMS has no storage quota). */
  readonly limitBytes: number | null;
  /** Where the limit comes from: the usage API, the cloud's image_storage_quota, or nowhere. */
  readonly limitFrom: 'usage-api' | 'configured' | null;
  /** Bytes of this app's unfinished uploads to this cloud that the service does not count yet. */
  readonly pendingBytes: number;
  /** IMS: private images against their count quota (GET /v1/cloudimages/quota); null elsewhere. */
  readonly images: { readonly used: number; readonly limit: number; readonly pending: number } | null;
  readonly fetchedAt: number;
}

/**
 * Whether `bytes` more fit once the uploads already under way have landed: the same rule as
 * checkQuota over the used and pending bytes together, with a sentence that names both.
 */
export function checkUsage(report: UsageReport, bytes: number): QuotaCheck {
  const usage: ImageUsage = {
    source: report.source,
    usedBytes: report.usedBytes + report.pendingBytes,
    limitBytes: report.limitBytes,
  };
  const check = checkQuota(usage, bytes);
  if (check.fits || report.pendingBytes === 0 || report.limitBytes === null) return check;
  const counted =
    report.source === 'usage-api' ? "by the image service's usage API" : "by adding up the project's images";
  return {
    ...check,
    message: `This upload needs ${formatBytes(bytes)}, but the project has ${formatBytes(check.leftBytes)} left of its ${formatBytes(report.limitBytes)} image quota (${formatBytes(report.usedBytes)} used, counted ${counted}, and ${formatBytes(report.pendingBytes)} on its way in uploads already queued): delete images it no longer needs, wait for the queued uploads or cancel some, or ask the cloud's administrator for a larger quota.`,
  };
}

/** Whether `count` more private images fit IMS's image count quota (IMG.0015 otherwise). */
export function checkImageCount(report: UsageReport, count: number): QuotaCheck {
  const images = report.images;
  if (images === null) return { fits: true, leftBytes: null };
  const left = Math.max(0, images.limit - images.used - images.pending);
  if (count <= left) return { fits: true, leftBytes: null };
  return {
    fits: false,
    leftBytes: 0,
    message: `${count === 1 ? 'This upload makes 1 private image' : `These uploads make ${count} private images`}, but the project has room for ${left} more (${images.used} of ${images.limit} used${images.pending > 0 ? `, ${images.pending} on their way` : ''}; IMS refuses more with IMG.0015): delete private images it no longer needs, or ask for a larger image quota.`,
  };
}
