// Huawei IMS's limits that both the core's pre-flight checks (electron/main/huawei/preflight.ts)
// and the Add images form apply (ims.md §2.9, §3.4): one copy of each number.

const GIB = 1024 ** 3;
/** "≤ 128 GB" for a file imported from OBS (IMG.0059), in the binary GB the rest of IMS uses. */
export const IMS_MAX_IMPORT_BYTES = 128 * GIB;
/** RAW (with its .mf bitmap) and ZVHD2 go up to 1 TB through the quick import. */
export const IMS_MAX_QUICK_IMPORT_BYTES = 1024 * GIB;
export const MIN_DISK_MAX_GB = 1024;
/** The metadata call and the quick import take 1–1024 GB (OTC-DOC; Go SDK comment on quick import). */
export const MIN_DISK_MIN_GB = 1;
/**
 * The create call (POST /v2/cloudimages/action) takes 40–1024 GB on Huawei Cloud (Go SDK comment,
 * and the console's "System Disk (GB) 40–1024" on OTC too, though OTC's API page says 1–1024).
 * Decided: 40 for create everywhere. 40 GB is the smallest system disk an ECS has, so no image
 * that can boot anywhere is refused by it.
 */
export const CREATE_MIN_DISK_MIN_GB = 40;
/** The disk_format values IMS's metadata call (POST /v2/images) takes: the native and register routes. */
export const METADATA_DISK_FORMATS = ['zvhd2', 'zvhd', 'vhd', 'raw', 'qcow2', 'iso'] as const;
/** The formats IMS reads itself when it creates an image from a bucket file (seed 002 / OTC). */
export const CREATE_DISK_FORMATS = [
  'zvhd',
  'zvhd2',
  'qcow2',
  'vhd',
  'vmdk',
  'raw',
  'vhdx',
  'qed',
  'vdi',
  'qcow',
  'iso',
] as const;
/** The quick import's formats (RAW with its .mf bitmap, or ZVHD2). */
export const QUICK_DISK_FORMATS = ['raw', 'zvhd2'] as const;

/** The inspector names a VHD 'vpc' as qemu does; IMS calls it vhd. */
export function imsFormatName(format: string): string {
  const f = format.toLowerCase();
  return f === 'vpc' ? 'vhd' : f;
}

/** The smallest min_disk (GB) that holds a disk of `virtualSize` bytes: IMS's GB are GiB. */
export function minDiskFor(virtualSize: number): number {
  return Math.max(1, Math.ceil(virtualSize / GIB));
}
