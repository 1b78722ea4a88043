// The dashboard's export: the images it lists and this app's upload history (every job in the job
// log, as its snapshot tells it: what was uploaded, when, by whom, to which cloud, verified how), as
// CSV or JSON. Pure functions over plain values; the service reads the list and the jobs.
//
// CSV follows RFC 4180 (CRLF, fields quoted when they hold a quote, a comma or a line break, quotes
// doubled), and a text cell a spreadsheet would run as a formula (one starting with = + - @, a tab
// or a carriage return) is prefixed with a single quote (OWASP's CSV injection advice).
import type { ExportFile, ExportRequest, ImageSummary } from '../../../shared/ipc.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';

export type Cell = string | number | boolean | null | readonly string[];
export type Row = Readonly<Record<string, Cell>>;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: lists joined with ';', null empty, formula starts defused, quoted when needed. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : value.join(';');
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line, then one line per row, in `columns`' order; CRLF after every line. */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvField(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A JSON array of the rows, each with `columns`' keys in order (values keep their types). */
export function toJson(columns: readonly string[], rows: readonly Row[]): string {
  const ordered = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

const iso = (ms: number | null): string | null =>
  ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

export const IMAGE_COLUMNS = [
  'id',
  'name',
  'status',
  'size',
  'disk_format',
  'container_format',
  'visibility',
  'owner',
  'protected',
  'min_disk',
  'stores',
  'os_version',
  'image_source_type',
  'created_at',
  'updated_at',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'created_by_imagedrop',
] as const;

export function imageRow(image: ImageSummary): Row {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    size: image.size,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    visibility: image.visibility,
    owner: image.owner,
    protected: image.protected,
    min_disk: image.minDisk,
    stores: image.stores,
    os_version: image.osVersion,
    image_source_type: image.imageSourceType,
    created_at: image.createdAt,
    updated_at: image.updatedAt,
    checksum: image.checksum,
    os_hash_algo: image.osHashAlgo,
    os_hash_value: image.osHashValue,
    created_by_imagedrop: image.createdByImagedrop,
  };
}

export const HISTORY_COLUMNS = [
  'job_id',
  'file',
  'image_name',
  'image_id',
  'size',
  'disk_format',
  'cloud',
  'cloud_key',
  'user',
  'route',
  'phase',
  'image_status',
  'queued_at',
  'started_at',
  'finished_at',
  'average_bytes_per_second',
  'verified',
  'verified_by',
  'hash_algo',
  'local_hash',
  'server_hash',
  'object',
  'object_etag',
  'remote_job_id',
  'stores',
  'error_code',
  'error',
] as const;

/** What "verified" rests on, in words a ticket can quote. */
export function verifiedHow(s: UploadSnapshot): string | null {
  if (!s.verified) return null;
  switch (s.verifiedBy) {
    case 'etag':
      return "the object's composite ETag equalled the local bytes, and the image became active";
    case null:
      return 'verified';
    default:
      return `${s.verifiedBy} of the image equalled the local file's`;
  }
}

export function historyRow(s: UploadSnapshot): Row {
  return {
    job_id: s.id,
    file: s.file,
    image_name: s.imageName,
    image_id: s.imageId,
    size: s.bytesTotal,
    disk_format: s.diskFormat,
    cloud: s.cloudName,
    cloud_key: s.cloudKey,
    user: s.userName,
    route: s.target,
    phase: s.phase,
    image_status: s.imageStatus,
    queued_at: iso(s.createdAt),
    started_at: iso(s.startedAt),
    finished_at: iso(s.finishedAt),
    average_bytes_per_second: s.averageSpeed === null ? null : Math.round(s.averageSpeed),
    verified: s.verified,
    verified_by: verifiedHow(s),
    hash_algo: s.checksums.algorithm,
    local_hash: s.checksums.local ?? s.checksums.md5Local,
    server_hash: s.checksums.server ?? s.checksums.md5Server,
    object: s.object ? `${s.object.bucket}:${s.object.key}` : null,
    object_etag: s.object?.etag ?? null,
    remote_job_id: s.remoteJob?.id ?? null,
    stores: s.stores ? s.stores.map((o) => `${o.store}=${o.state}`) : [],
    error_code: s.error?.code ?? null,
    error: s.error?.message ?? null,
  };
}

/** `imagedrop-images-prod-20261207-031500.csv`: the cloud's name made safe for a file name. */
export function exportFileName(
  what: ExportRequest['what'],
  format: ExportRequest['format'],
  cloud: string | null,
  now: number,
): string {
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const place = (cloud ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 64);
  return `imagedrop-${what}${place ? `-${place}` : ''}-${stamp}.${format}`;
}

export function buildExport(
  request: ExportRequest,
  data: { readonly images?: readonly ImageSummary[]; readonly uploads?: readonly UploadSnapshot[] },
  cloud: string | null,
  now: number,
): ExportFile {
  const [columns, rows] =
    request.what === 'images'
      ? [IMAGE_COLUMNS, (data.images ?? []).map(imageRow)]
      : [
          HISTORY_COLUMNS,
          [...(data.uploads ?? [])]
            .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
            .map(historyRow),
        ];
  return {
    fileName: exportFileName(request.what, request.format, cloud, now),
    mediaType: request.format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json',
    text: request.format === 'csv' ? toCsv(columns, rows) : toJson(columns, rows),
    records: rows.length,
  };
}
