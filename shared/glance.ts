// Types of the image service's own objects, in Glance's own words. The server's image state is
// a *status*; the app's own job state is a *phase* (shared/upload.ts). The two are never mixed.

/** Every status a Glance v2 image can have. */
export const GLANCE_IMAGE_STATUSES = [
  'queued',
  'saving',
  'uploading',
  'importing',
  'active',
  'killed',
  'deleted',
  'pending_delete',
  'deactivated',
] as const;
export type GlanceImageStatus = (typeof GLANCE_IMAGE_STATUSES)[number];

export const VISIBILITIES = ['private', 'shared', 'community', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Disk formats Glance knows by default, plus the ones Huawei IMS and qemu add. */
export const DISK_FORMATS = [
  'raw',
  'qcow2',
  'vmdk',
  'vhd',
  'vhdx',
  'vdi',
  'iso',
  'ploop',
  'ami',
  'ari',
  'aki',
  'qed',
  'qcow',
  'zvhd',
  'zvhd2',
] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

export const CONTAINER_FORMATS = ['bare', 'ovf', 'ova', 'ami', 'ari', 'aki', 'docker', 'compressed'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

/** A Glance v2 image as the API returns it (the fields Imagedrop reads). */
export interface GlanceImage {
  readonly id: string;
  readonly name: string | null;
  readonly status: GlanceImageStatus;
  readonly visibility: Visibility;
  readonly protected: boolean;
  readonly owner: string | null;
  readonly size: number | null;
  readonly virtual_size: number | null;
  readonly checksum: string | null;
  readonly os_hash_algo: string | null;
  readonly os_hash_value: string | null;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly tags: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
  readonly stores?: string;
  /** Extra properties are plain strings at the top level of the image. */
  readonly [property: string]: unknown;
}

/** The subset of fields `POST /v2/images` takes that Imagedrop sets. */
export interface CreateImageRequest {
  readonly name: string;
  readonly diskFormat?: string;
  readonly containerFormat?: string;
  readonly visibility?: Visibility;
  readonly minDisk?: number;
  readonly minRam?: number;
  readonly protected?: boolean;
  readonly tags?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  /** Ask for a specific image id (Glance accepts a client-chosen UUID). */
  readonly id?: string;
}

export interface GlanceStore {
  readonly id: string;
  readonly description?: string;
  readonly isDefault: boolean;
}

/** The property Imagedrop writes on every image it creates, so that any copy of the app can tell. */
export const IMAGEDROP_PROPERTY = 'imagedrop_upload_id';

/** A comma list of Glance's (`stores`, `os_glance_importing_to_stores`, `os_glance_failed_import`). */
export function storeList(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
