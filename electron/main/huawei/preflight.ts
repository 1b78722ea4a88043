// What IMS would refuse, checked before a byte is sent (ims.md §3.4, §2.9): each check is a pure
// function that returns null when all is well, or one ImagedropError whose sentence says what to do.
// The facts they judge (the bucket's region and storage class, the inspector's format and virtual
// size, the cloud's OS versions) are gathered by the caller.
import type { ImageServiceKind } from '../../../shared/session.ts';
import { ImagedropError } from '../errors.ts';
import { METADATA_DISK_FORMATS } from './ims.ts';

import {
  CREATE_DISK_FORMATS,
  CREATE_MIN_DISK_MIN_GB,
  IMS_MAX_IMPORT_BYTES,
  IMS_MAX_QUICK_IMPORT_BYTES,
  MIN_DISK_MAX_GB,
  MIN_DISK_MIN_GB,
  QUICK_DISK_FORMATS,
  imsFormatName,
  minDiskFor,
} from '../../../shared/ims-limits.ts';

// The numbers live in shared/ims-limits.ts, where the Add images form reads them too.
export {
  CREATE_MIN_DISK_MIN_GB,
  IMS_MAX_IMPORT_BYTES,
  IMS_MAX_QUICK_IMPORT_BYTES,
  MIN_DISK_MAX_GB,
  MIN_DISK_MIN_GB,
  imsFormatName,
  minDiskFor,
};

const GIB = 1024 ** 3;

export type ImsRoute = 'native' | 'register' | 'create' | 'quick';

/** What each route takes (qemu format names as the inspector writes them). */
const ROUTE_FORMATS: Readonly<Record<ImsRoute, readonly string[]>> = {
  // seeds 000/001: QCOW2, VMDK, VHD, RAW, VHDX, QED, VDI, QCOW, ZVHD2, ZVHD; but the record the file
  // goes into has a disk_format, and the metadata call takes only these:
  native: METADATA_DISK_FORMATS,
  register: METADATA_DISK_FORMATS,
  // seed 002 / OTC: ZVHD, QCOW2, VHD, RAW, VHDX, QED, VDI, QCOW, ZVHD2, VMDK (and ISO): IMS reads the format itself
  create: CREATE_DISK_FORMATS,
  quick: QUICK_DISK_FORMATS,
};

/** ZVHD and ZVHD2 are Huawei's own formats: only IMS takes them, never a Glance. */
export function checkFormatForService(format: string, service: ImageServiceKind): ImagedropError | null {
  const f = imsFormatName(format);
  if (service === 'glance' && (f === 'zvhd' || f === 'zvhd2')) {
    return new ImagedropError(
      'inspect/format-not-accepted',
      `The file is ${f.toUpperCase()}, Huawei Cloud's own format, which only Huawei Cloud IMS takes: upload it to an IMS cloud, or convert it (qemu-img-hw convert) to qcow2 first.`,
    );
  }
  return null;
}

/** The format is one this IMS route takes; otherwise which route (or conversion) would. */
export function checkRouteFormat(format: string, route: ImsRoute): ImagedropError | null {
  const f = imsFormatName(format);
  if (ROUTE_FORMATS[route].includes(f)) return null;
  const other = (['create', 'register', 'quick'] as const).find((r) => ROUTE_FORMATS[r].includes(f));
  const hint =
    route === 'quick'
      ? 'the quick import takes only RAW (with its .mf bitmap) and ZVHD2: use the create route for other formats'
      : other
        ? `IMS's ${route === 'native' ? 'native upload' : 'register call'} goes into a record whose disk_format may only be ${METADATA_DISK_FORMATS.join(', ')}: use the ${other} route, where IMS reads the format itself`
        : 'IMS imports QCOW2, VMDK, VHD, RAW, VHDX, QED, VDI, QCOW, ZVHD, ZVHD2 and ISO: convert the file to one of them';
  return new ImagedropError('ims/format-not-accepted', `IMS cannot take a ${f.toUpperCase()} file this way: ${hint}.`);
}

/** The quick import's bitmap for a RAW file: the same base name with .mf, in the same bucket (image01.raw → image01.mf). */
export function bitmapKeyFor(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return `${dot > slash ? key.slice(0, dot) : key}.mf`;
}

/** The object key has no spaces (IMG.0175), and is something OBS stores (1–1024 bytes). */
export function checkObjectKey(key: string): ImagedropError | null {
  if (key === '' || Buffer.byteLength(key) > 1024) {
    return new ImagedropError(
      'ims/object-key-invalid',
      'The object key must be 1 to 1024 bytes long: choose a shorter name for the object.',
    );
  }
  if (/\s/.test(key)) {
    return new ImagedropError(
      'ims/object-key-invalid',
      `The object key '${key}' has a space in it, and IMS refuses keys with spaces in the folder or file name (IMG.0175): use hyphens or underscores instead.`,
    );
  }
  return null;
}

/** OBS bucket names: 3–63 characters, lower-case letters, digits, '-' and '.', no IP form (IMG.0109). */
export function checkBucketName(bucket: string): ImagedropError | null {
  if (bucket === '') {
    return new ImagedropError('ims/bucket-unusable', 'No OBS bucket is set: give one with obs_bucket or --bucket.');
  }
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) ||
    /\.\.|\.-|-\./.test(bucket) ||
    /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
  ) {
    return new ImagedropError(
      'ims/bucket-unusable',
      `'${bucket}' is not an OBS bucket name: use 3 to 63 lower-case letters, digits, hyphens and periods, starting and ending with a letter or digit.`,
    );
  }
  return null;
}

/** The file is within what the route imports: IMG.0059 otherwise. */
export function checkImportSize(
  size: number,
  format: string,
  route: Exclude<ImsRoute, 'native'>,
): ImagedropError | null {
  const f = imsFormatName(format);
  const quickable = f === 'raw' || f === 'zvhd2';
  const limit = route === 'quick' ? IMS_MAX_QUICK_IMPORT_BYTES : IMS_MAX_IMPORT_BYTES;
  if (size <= limit) return null;
  if (route !== 'quick' && quickable && size <= IMS_MAX_QUICK_IMPORT_BYTES) {
    return new ImagedropError(
      'ims/file-too-large',
      `The file is ${gib(size)} GiB and IMS imports at most 128 GiB this way (IMG.0059): a ${f.toUpperCase()} file this size goes through the quick import (up to 1 TiB; RAW needs its .mf bitmap next to it).`,
    );
  }
  return new ImagedropError(
    'ims/file-too-large',
    route === 'quick'
      ? `The file is ${gib(size)} GiB and IMS's quick import takes at most 1 TiB (IMG.0059): it cannot be imported into IMS as one image.`
      : `The file is ${gib(size)} GiB and IMS imports at most 128 GiB in this format (IMG.0059): convert it to RAW or ZVHD2 for the quick import (up to 1 TiB).`,
  );
}

/** The min_disk a route takes, by default: the virtual size, and at least 40 GB for create. */
export function suggestedMinDisk(virtualSize: number | null, route: ImsRoute): number {
  const fromFile = virtualSize === null ? MIN_DISK_MIN_GB : minDiskFor(virtualSize);
  return route === 'create' ? Math.max(CREATE_MIN_DISK_MIN_GB, fromFile) : fromFile;
}

/**
 * min_disk is a whole number within the route's range, and at least the virtual size the inspector
 * read ("If the system disk capacity you configured is less than the one in the image file, image
 * registration will fail").
 */
export function checkMinDisk(minDisk: number, virtualSize: number | null, route: ImsRoute): ImagedropError | null {
  const low = route === 'create' ? CREATE_MIN_DISK_MIN_GB : MIN_DISK_MIN_GB;
  if (!Number.isInteger(minDisk) || minDisk < low || minDisk > MIN_DISK_MAX_GB) {
    return new ImagedropError(
      'ims/invalid-min-disk',
      `The minimum disk must be a whole number of GB from ${low} to ${MIN_DISK_MAX_GB}${route === 'create' ? ' for an image IMS creates from a bucket file' : ''}, not ${minDisk}.`,
    );
  }
  if (virtualSize !== null && minDisk < minDiskFor(virtualSize)) {
    const need = minDiskFor(virtualSize);
    return new ImagedropError(
      'ims/invalid-min-disk',
      need > MIN_DISK_MAX_GB
        ? `The image's disk is ${gib(virtualSize)} GiB, more than the 1024 GB system disk IMS allows: shrink the disk first.`
        : `The image's disk is ${gib(virtualSize)} GiB, so its minimum disk must be at least ${need} GB, not ${minDisk} (IMS fails to register an image whose disk is larger than its minimum disk).`,
    );
  }
  return null;
}

/** `__os_version` is one the cloud lists (null: the cloud gave no list, so nothing to check against). */
export function checkOsVersion(osVersion: string, accepted: readonly string[] | null): ImagedropError | null {
  if (osVersion.trim() === '') {
    return new ImagedropError(
      'ims/invalid-os-version',
      "Choose the image's OS version: IMS would otherwise call it 'Other Linux(64 bit)', and servers made from it may not start.",
    );
  }
  if (accepted === null || accepted.includes(osVersion)) return null;
  const near = accepted
    .filter((v) => v.toLowerCase().includes(osVersion.toLowerCase().split(/\s+/)[0] ?? ''))
    .slice(0, 3);
  return new ImagedropError(
    'ims/invalid-os-version',
    `This cloud's IMS does not know the OS version '${osVersion}' (IMG.0056): pick one it lists${near.length > 0 ? `, such as ${near.map((v) => `'${v}'`).join(', ')}` : ''}.`,
  );
}

/** The bucket is in the IMS region (IMG.0058). */
export function checkBucketRegion(bucket: string, bucketRegion: string, imsRegion: string): ImagedropError | null {
  if (bucketRegion.toLowerCase() === imsRegion.toLowerCase()) return null;
  return new ImagedropError(
    'ims/bucket-wrong-region',
    `The bucket '${bucket}' is in ${bucketRegion}, but IMS here is in ${imsRegion}, and IMS imports only from a bucket in its own region (IMG.0058): choose a bucket in ${imsRegion}.`,
  );
}

/** OBS's names for the classes (and S3's, which OBS's v2 protocol speaks). */
const STANDARD = new Set(['STANDARD', '']);

/** The bucket's default class and the object's class are Standard (seed 002). Null class: unknown, Standard by default. */
export function checkStorageClass(
  bucket: string,
  bucketClass: string | null,
  objectClass: string | null = null,
): ImagedropError | null {
  for (const [what, value] of [
    [`bucket '${bucket}'`, bucketClass],
    ['object', objectClass],
  ] as const) {
    if (value !== null && !STANDARD.has(value.toUpperCase())) {
      return new ImagedropError(
        'ims/storage-class',
        `The ${what} has the storage class ${value}, and IMS imports only from Standard storage: use a bucket whose default class is Standard, and upload the object as Standard.`,
      );
    }
  }
  return null;
}

export interface ImsPreflightFacts {
  readonly route: ImsRoute;
  /** The inspector's format (qemu's name: 'vpc' is VHD). */
  readonly format: string;
  readonly size: number;
  /** The inspector's virtual size in bytes; null when it read none. */
  readonly virtualSize: number | null;
  readonly minDisk: number;
  readonly osVersion: string;
  /** The cloud's OS versions (GET /v1/cloudimages/os_version); null when it has no such list. */
  readonly acceptedOsVersions: readonly string[] | null;
  readonly imsRegion: string;
  /** The cloud's native limit (CloudConfig.nativeUploadLimit), for the native route. */
  readonly nativeUploadLimit?: number;
  /** The OBS side; not for the native route. */
  readonly object?: {
    readonly bucket: string;
    readonly key: string;
    readonly bucketRegion: string | null;
    readonly bucketClass: string | null;
    readonly objectClass?: string | null;
  };
}

/** Every check that applies to the route, in the order a user fixes things: all failures, each one sentence. */
export function imsPreflight(facts: ImsPreflightFacts): ImagedropError[] {
  const errors: (ImagedropError | null)[] = [
    checkRouteFormat(facts.format, facts.route),
    checkMinDisk(facts.minDisk, facts.virtualSize, facts.route),
    checkOsVersion(facts.osVersion, facts.acceptedOsVersions),
  ];
  if (facts.route === 'native') {
    const limit = facts.nativeUploadLimit;
    if (limit !== undefined && facts.size >= limit) {
      errors.push(
        new ImagedropError(
          'ims/file-too-large',
          `The file is ${gib(facts.size)} GiB, and IMS takes a file in one request only when it is smaller than ${gib(limit)} GiB: upload it through an OBS bucket (register or create).`,
        ),
      );
    }
  } else {
    errors.push(checkImportSize(facts.size, facts.format, facts.route));
    const o = facts.object;
    if (!o) {
      errors.push(
        new ImagedropError('ims/bucket-unusable', 'No OBS bucket is set: give one with obs_bucket or --bucket.'),
      );
    } else {
      errors.push(checkBucketName(o.bucket), checkObjectKey(o.key));
      if (o.bucketRegion !== null) errors.push(checkBucketRegion(o.bucket, o.bucketRegion, facts.imsRegion));
      errors.push(checkStorageClass(o.bucket, o.bucketClass, o.objectClass ?? null));
    }
  }
  return errors.filter((e): e is ImagedropError => e !== null);
}

function gib(bytes: number): string {
  return String(Number((bytes / GIB).toFixed(2)));
}
