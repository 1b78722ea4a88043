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
