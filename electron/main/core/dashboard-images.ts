// The dashboard's view of a cloud's images, whatever its image service: list the project's images,
// read one again, delete one. Glance and IMS answer in nearly the same words (IMS images carry
// Glance's statuses); this is where the differences are settled.
import { GLANCE_IMAGE_STATUSES, IMAGEDROP_PROPERTY, storeList, type GlanceImage } from '../../../shared/glance.ts';
import type { ImageStatus } from '../../../shared/upload.ts';
import { UPLOAD_TAG_KEY, type ImsImage } from '../huawei/ims.ts';
import type { CloudContext } from './context.ts';

/** One image as the dashboard needs it. */
export interface DashboardImage {
  readonly id: string;
  readonly name: string | null;
  readonly status: ImageStatus;
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
  readonly minDisk: number | null;
  readonly stores: readonly string[];
  /** Glance's `os_glance_importing_to_stores` and `os_glance_failed_import` (empty on IMS). */
  readonly importingToStores: readonly string[];
  readonly failedImportStores: readonly string[];
  /** IMS's `__os_version` and `__image_source_type` (null on Glance). */
  readonly osVersion: string | null;
  readonly imageSourceType: string | null;
  /** It carries Imagedrop's mark (Glance: a property; IMS: a tag). */
  readonly markedByImagedrop: boolean;
}

export interface DashboardImages {
  readonly projectId: string;
  list(signal: AbortSignal): Promise<{ images: DashboardImage[]; pages: number }>;
  get(id: string, signal: AbortSignal): Promise<DashboardImage>;
  delete(id: string, signal: AbortSignal): Promise<void>;
}

function fromGlance(image: GlanceImage): DashboardImage {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    size: image.size,
    diskFormat: image.disk_format,
    containerFormat: image.container_format,
    visibility: image.visibility,
    owner: image.owner,
    protected: image.protected,
    createdAt: image.created_at,
    updatedAt: image.updated_at,
    checksum: image.checksum,
    osHashAlgo: image.os_hash_algo,
    osHashValue: image.os_hash_value,
    minDisk: typeof image.min_disk === 'number' ? image.min_disk : null,
    stores: storeList(image.stores),
    importingToStores: storeList(image['os_glance_importing_to_stores']),
    failedImportStores: storeList(image['os_glance_failed_import']),
    osVersion: null,
    imageSourceType: null,
    markedByImagedrop: typeof image[IMAGEDROP_PROPERTY] === 'string',
  };
}

function fromIms(image: ImsImage): DashboardImage {
  const status = (GLANCE_IMAGE_STATUSES as readonly string[]).includes(image.status)
    ? (image.status as ImageStatus)
    : 'queued';
  const size = Number(image.__image_size ?? image.size);
  return {
    id: image.id,
    name: image.name ?? null,
    status,
    size: Number.isFinite(size) && size > 0 ? size : null,
    diskFormat: image.disk_format ?? null,
    containerFormat: image.container_format ?? null,
    visibility: image.visibility ?? 'private',
    owner: image.owner ?? null,
    protected: image.protected === true,
    createdAt: image.created_at ?? '',
    updatedAt: image.updated_at ?? image.created_at ?? '',
    // IMS documents size and checksum as unavailable: nothing to compare.
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    minDisk: typeof image.min_disk === 'number' ? image.min_disk : null,
    stores: [],
    importingToStores: [],
    failedImportStores: [],
    osVersion: typeof image.__os_version === 'string' && image.__os_version ? image.__os_version : null,
    imageSourceType:
      typeof image.__image_source_type === 'string' && image.__image_source_type ? image.__image_source_type : null,
    markedByImagedrop: (image.tags ?? []).some((t) => t.startsWith(`${UPLOAD_TAG_KEY}=`)),
  };
}

export function dashboardImages(context: CloudContext): DashboardImages {
  if (context.kind === 'ims') {
    const ims = context.ims;
    return {
      projectId: context.session.projectId,
      async list(signal) {
        let pages = 0;
        const images = await ims.listCloudImages(signal, {}, () => (pages += 1));
        return { images: images.map(fromIms), pages };
      },
      get: async (id, signal) => fromIms(await ims.getImage(id, signal)),
      delete: (id, signal) => ims.deleteImage(id, signal),
    };
  }
  const glance = context.glance;
  const projectId = context.session.projectId;
  return {
    projectId,
    async list(signal) {
      const { images, pages } = await glance.listImages(signal, { owner: projectId });
      return { images: images.map(fromGlance), pages };
    },
    get: async (id, signal) => fromGlance(await glance.getImage(id, signal)),
    delete: (id, signal) => glance.deleteImage(id, signal),
  };
}

/** At most this many known images are read one by one to find the ones the list leaves out. */
export const MAX_UNLISTED_READS = 100;

/**
 * Glance never lists a killed image (not even with `status=killed`; it still answers its GET and its
 * DELETE), so the images this app knows by id (its jobs' records) that the list left out are read
 * one by one, and the ones that still exist join the list: a killed upload of this app shows, and
 * can be deleted. A known image that is gone (404) is simply not there.
 */
export async function withUnlisted(
  images: readonly DashboardImage[],
  knownIds: Iterable<string>,
  source: Pick<DashboardImages, 'get' | 'projectId'>,
  signal: AbortSignal,
): Promise<DashboardImage[]> {
  const listed = new Set(images.map((i) => i.id));
  const missing = [...new Set(knownIds)].filter((id) => !listed.has(id)).slice(0, MAX_UNLISTED_READS);
  const found = await Promise.all(
    missing.map((id) =>
      source.get(id, signal).then(
        (image) => image,
        () => null,
      ),
    ),
  );
  const extra = found.filter((i): i is DashboardImage => i !== null && i.owner === source.projectId);
  return [...images, ...extra];
}
