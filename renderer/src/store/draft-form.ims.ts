// The Add images form's rules for Huawei IMS (issue 11): which routes can take a file and why
// not, the route 'auto' will most likely become (main decides it for real when the upload starts,
// core/ims-context.ts resolveImsRoute), and the fields IMS checks before a byte is sent
// (ims.md §3.4): the OS version, min_disk against the virtual size and the route's range, the
// bucket's name and an object key without spaces. Pure: no store, no React.
import { formatBytes } from '../../../shared/format.ts';
import {
  CREATE_DISK_FORMATS,
  CREATE_MIN_DISK_MIN_GB,
  IMS_MAX_IMPORT_BYTES,
  IMS_MAX_QUICK_IMPORT_BYTES,
  METADATA_DISK_FORMATS,
  MIN_DISK_MAX_GB,
  MIN_DISK_MIN_GB,
  QUICK_DISK_FORMATS,
  imsFormatName,
  minDiskFor,
} from '../../../shared/ims-limits.ts';
import type { SessionInfo } from '../../../shared/session.ts';
import { IMS_ROUTES, type ImsRouteChoice, type UploadRequest } from '../../../shared/upload.ts';
import type { Draft, DraftForm, FormField } from './draft-form.ts';
import type { DraftMessage } from './draft-message.ts';

export type ImsRoute = Exclude<ImsRouteChoice, 'auto'>;

export type RouteAvailability =
  | { readonly route: ImsRouteChoice; readonly available: true }
  | { readonly route: ImsRouteChoice; readonly available: false; readonly reason: DraftMessage };

/** OBS bucket names: 3–63 characters, lower-case letters, digits, '-' and '.', no IP form (IMG.0109). */
export function isBucketName(bucket: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !/\.\.|\.-|-\./.test(bucket) &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(bucket)
  );
}

interface FileFacts {
  readonly size: number;
  readonly format: string;
  readonly virtualSize: number | null;
}

function factsOf(draft: Draft): FileFacts | null {
  const inspection = draft.inspection;
  if (!inspection) return null;
  return {
    size: inspection.size,
    format: imsFormatName(draft.form.diskFormat || inspection.diskFormat || inspection.format),
    virtualSize: inspection.virtualSize,
  };
}

const includes = (list: readonly string[], value: string) => list.includes(value);

/** Each route, whether it can take this file on this cloud, and why not. */
export function routeAvailability(draft: Draft, session: SessionInfo): RouteAvailability[] {
  const ims = session.ims;
  const file = factsOf(draft);
  const bucket = draft.form.bucket || ims?.bucket || '';
  const objectStorage: DraftMessage | null = !ims?.objectStorage
    ? { key: 'messages.routeNoAccessKey' }
    : bucket === ''
      ? { key: 'messages.routeNoBucket' }
      : null;
  const importSize = (limit: number): DraftMessage => ({
    key: 'messages.routeImportSize',
    values: { limit: formatBytes(limit) },
  });
  const metadataFormat: DraftMessage = {
    key: 'messages.routeMetadataFormat',
    values: { format: file?.format ?? '?', formats: METADATA_DISK_FORMATS.join(', ') },
  };
  const reasons: Record<ImsRoute, DraftMessage | null> = {
    register:
      objectStorage ??
      (!file || !includes(METADATA_DISK_FORMATS, file.format)
        ? metadataFormat
        : file.size > IMS_MAX_IMPORT_BYTES
          ? importSize(IMS_MAX_IMPORT_BYTES)
          : null),
    create:
      objectStorage ??
      (!file || !includes(CREATE_DISK_FORMATS, file.format)
        ? { key: 'messages.routeCreateFormat', values: { format: file?.format ?? '?' } }
        : file.size > IMS_MAX_IMPORT_BYTES
          ? importSize(IMS_MAX_IMPORT_BYTES)
          : null),
    quick:
      objectStorage ??
      (!file || !includes(QUICK_DISK_FORMATS, file.format)
        ? { key: 'messages.routeQuickFormat' }
        : file.size > IMS_MAX_QUICK_IMPORT_BYTES
          ? importSize(IMS_MAX_QUICK_IMPORT_BYTES)
          : null),
    native:
      !file || !includes(METADATA_DISK_FORMATS, file.format)
        ? metadataFormat
        : ims && file.size >= ims.nativeLimit
          ? { key: 'messages.routeNativeSize', values: { limit: formatBytes(ims.nativeLimit) } }
          : null,
  };
  const auto = predictedRoute(draft, session);
  return IMS_ROUTES.map((route): RouteAvailability => {
    if (route === 'auto') {
      if (auto !== null && reasons[auto] === null) return { route, available: true };
      return { route, available: false, reason: auto ? reasons[auto]! : { key: 'messages.routeAutoNone' } };
    }
    const reason = reasons[route];
    return reason ? { route, available: false, reason } : { route, available: true };
  });
}

/**
 * The route 'auto' will most likely be (main's resolveImsRoute decides): register when the cloud
 * has an access key and a bucket (create for a format IMS's metadata does not take, quick for RAW
 * or ZVHD2 over 128 GiB), else native under the native limit, else none.
 */
export function predictedRoute(draft: Draft, session: SessionInfo): ImsRoute | null {
  const ims = session.ims;
  const file = factsOf(draft);
  if (!ims || !file) return null;
  const bucket = draft.form.bucket || ims.bucket || '';
  if (ims.objectStorage && bucket !== '') {
    if (file.size > IMS_MAX_IMPORT_BYTES && includes(QUICK_DISK_FORMATS, file.format)) return 'quick';
    return includes(METADATA_DISK_FORMATS, file.format) ? 'register' : 'create';
  }
  return file.size < ims.nativeLimit ? 'native' : null;
}

/** The route the upload will take: the chosen one, or the one 'auto' most likely becomes. */
export function effectiveRoute(draft: Draft, session: SessionInfo): ImsRoute | null {
  return draft.form.route === 'auto' ? predictedRoute(draft, session) : draft.form.route;
}

/** The smallest and largest min_disk the route takes, and the least the file's disk needs. */
export function minDiskRange(draft: Draft, session: SessionInfo): { low: number; high: number; need: number } {
  const route = effectiveRoute(draft, session);
  const low = route === 'create' ? CREATE_MIN_DISK_MIN_GB : MIN_DISK_MIN_GB;
  const virtual = draft.inspection?.virtualSize ?? draft.inspection?.size ?? null;
  const need = virtual === null ? MIN_DISK_MIN_GB : minDiskFor(virtual);
  return { low, high: MIN_DISK_MAX_GB, need: Math.max(low, need) };
}

/** What IMS would refuse in the form, by field. */
export function imsProblems(
  draft: Draft,
  session: SessionInfo,
  minDisk: number | null | 'invalid',
): Partial<Record<FormField, DraftMessage>> {
  const form = draft.form;
  const problems: Partial<Record<FormField, DraftMessage>> = {};
  const chosen = routeAvailability(draft, session).find((r) => r.route === form.route);
  if (chosen && !chosen.available) problems.route = chosen.reason;
  const osVersion = form.osVersion.trim();
  const listed = session.ims?.osVersions ?? null;
  if (osVersion === '') problems.osVersion = { key: 'messages.osVersionMissing' };
  else if (listed !== null && !listed.includes(osVersion))
    problems.osVersion = { key: 'messages.osVersionUnknown', values: { value: osVersion } };
  if (minDisk !== 'invalid') {
    const { low, high, need } = minDiskRange(draft, session);
    const virtual = draft.inspection?.virtualSize ?? draft.inspection?.size ?? 0;
    if (minDisk === null || minDisk < low || minDisk > high)
      problems.minDisk = { key: 'messages.minDiskRange', values: { low, high } };
    else if (minDisk < need)
      problems.minDisk = { key: 'messages.minDiskBelowVirtual', values: { size: formatBytes(virtual), need } };
  }
  if (form.bucket !== '' && !isBucketName(form.bucket))
    problems.bucket = { key: 'messages.bucketName', values: { bucket: form.bucket } };
  if (form.objectKey !== '') {
    if (/\s/.test(form.objectKey)) problems.objectKey = { key: 'messages.objectKeySpace' };
    else if (new TextEncoder().encode(form.objectKey).length > 1024)
      problems.objectKey = { key: 'messages.objectKeyLength' };
  }
  return problems;
}

/** The IMS fields of the request, as the CLI's --route, --os-version, --bucket, --object, --keep-object. */
export function imsRequestFields(form: DraftForm): Partial<UploadRequest> {
  return {
    route: form.route,
    ...(form.osVersion.trim() !== '' ? { osVersion: form.osVersion.trim() } : {}),
    ...(form.bucket !== '' ? { bucket: form.bucket } : {}),
    ...(form.objectKey !== '' ? { objectKey: form.objectKey } : {}),
    ...(form.keepObject ? { keepObject: true } : {}),
  };
}
