// The dashboard's view of a cloud's images, whatever its image service: list the project's images,
// read one again, delete one. Glance and IMS answer in nearly the same words (IMS images carry
// Glance's statuses); this is where the differences are settled.
import { GLANCE_IMAGE_STATUSES, IMAGEDROP_PROPERTY, type GlanceImage } from '../../../shared/glance.ts';
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
    stores: typeof image.stores === 'string' && image.stores ? image.stores.split(',') : [],
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
