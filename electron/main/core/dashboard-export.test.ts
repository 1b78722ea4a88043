// The export's serializers: CSV escaping (quotes, commas, line breaks, formulas), JSON keeping the
// types, the history's columns from a job's snapshot, and safe file names.
import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../../shared/ipc.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import {
  HISTORY_COLUMNS,
  IMAGE_COLUMNS,
  buildExport,
  csvField,
  exportFileName,
  historyRow,
  toCsv,
  toJson,
} from './dashboard-export.ts';

/** RFC 4180 as a spreadsheet reads it: the inverse of toCsv, for round trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the text does not end with CRLF');
  return rows;
}

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers, booleans, null and lists as a spreadsheet reads them', () => {
    expect(csvField(1024)).toBe('1024');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(['fast', 'slow'])).toBe('fast;slow');
    expect(csvField(['=evil', 'x'])).toBe("'=evil;x");
  });
});

describe('toCsv and toJson', () => {
  const columns = ['name', 'size', 'note'];
  const rows = [
    { name: 'a, "b"', size: 3, note: 'line1\r\nline2' },
    { name: '=cmd|calc', size: null, note: '@x' },
  ];

  it('round-trips through a CSV reader, the formula cells defused', () => {
    const text = toCsv(columns, rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['name', 'size', 'note'],
      ['a, "b"', '3', 'line1\r\nline2'],
      ["'=cmd|calc", '', "'@x"],
    ]);
  });

  it('JSON keeps the values and their types, keys in column order, missing ones null', () => {
    const parsed = JSON.parse(toJson([...columns, 'extra'], rows)) as Record<string, unknown>[];
    expect(parsed).toEqual([
      { name: 'a, "b"', size: 3, note: 'line1\r\nline2', extra: null },
      { name: '=cmd|calc', size: null, note: '@x', extra: null },
    ]);
    expect(Object.keys(parsed[0]!)).toEqual(['name', 'size', 'note', 'extra']);
  });
});

function snapshot(overrides: Partial<UploadSnapshot>): UploadSnapshot {
  return {
    id: 'job-1',
    file: '/srv/images/disk.raw',
    fileName: 'disk.raw',
    imageName: 'disk',
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    store: null,
    cloudKey: 'http://127.0.0.1:5000/v3|p1|RegionOne',
    cloudName: 'prod',
    userName: 'alice',
    format: 'raw',
    virtualSize: 4096,
    target: 'glance',
    phase: 'done',
    imageId: 'img-1',
    createdImage: true,
    imageStatus: 'active',
    bytesSent: 4096,
    bytesTotal: 4096,
    bytesPerSecond: null,
    etaSeconds: null,
    attempt: 1,
    retryAt: null,
    resume: { kind: 'none' },
    error: null,
    steps: [],
    checksums: { algorithm: 'sha512', local: 'ab12', server: 'ab12', md5Local: null, md5Server: null },
    verified: true,
    verifiedBy: 'sha512',
    object: null,
    remoteJob: null,
    stores: null,
    leftover: null,
    createdAt: Date.parse('2026-12-07T01:00:00Z'),
    startedAt: Date.parse('2026-12-07T01:00:01Z'),
    finishedAt: Date.parse('2026-12-07T01:00:09Z'),
    averageSpeed: 512.4,
    updatedAt: 1,
    ...overrides,
  };
}

describe('the upload history', () => {
  it('says what, when, who, where and how it was verified', () => {
    expect(historyRow(snapshot({}))).toMatchObject({
      job_id: 'job-1',
      file: '/srv/images/disk.raw',
      image_id: 'img-1',
      cloud: 'prod',
      user: 'alice',
      route: 'glance',
      queued_at: '2026-12-07T01:00:00.000Z',
      finished_at: '2026-12-07T01:00:09.000Z',
      average_bytes_per_second: 512,
      verified: true,
      verified_by: "sha512 of the image equalled the local file's",
      local_hash: 'ab12',
      server_hash: 'ab12',
    });
  });

  it('an IMS job: the object, its ETag and the IMS job; a failed one: its code and sentence', () => {
    const ims = historyRow(
      snapshot({
        target: 'ims-register',
        verifiedBy: 'etag',
        object: { bucket: 'images', key: 'imagedrop/j/disk.raw', etag: 'abc-2', parts: null },
        remoteJob: { id: 'ff80', status: 'SUCCESS', percent: 100 },
      }),
    );
    expect(ims).toMatchObject({ object: 'images:imagedrop/j/disk.raw', object_etag: 'abc-2', remote_job_id: 'ff80' });
    expect(ims.verified_by).toMatch(/composite ETag/);
    const failed = historyRow(
      snapshot({
        phase: 'failed',
        verified: false,
        error: { code: 'glance/quota-exceeded', message: 'Over quota, by 2 GB.', retryable: false },
      }),
    );
    expect(failed).toMatchObject({ verified: false, verified_by: null, error_code: 'glance/quota-exceeded' });
  });

  it('exports every job, oldest first, with the columns named', () => {
    const file = buildExport(
      { what: 'history', format: 'csv' },
      {
        uploads: [
          snapshot({ id: 'job-2', createdAt: 20, stores: [{ store: 'slow', state: 'failed' }] }),
          snapshot({ id: 'job-1', createdAt: 10 }),
        ],
      },
      'prod',
      Date.parse('2026-12-07T03:15:00Z'),
    );
    const rows = parseCsv(file.text);
    expect(rows[0]).toEqual([...HISTORY_COLUMNS]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['job-1', 'job-2']);
    expect(rows[2]![HISTORY_COLUMNS.indexOf('stores')]).toBe('slow=failed');
    expect(file).toMatchObject({
      records: 2,
      mediaType: 'text/csv;charset=utf-8',
      fileName: 'imagedrop-history-prod-20261207-031500.csv',
    });
  });
});

describe('the images', () => {
  const image: ImageSummary = {
    id: 'i1',
    name: '=1+1, "quoted"',
    status: 'active',
    size: 10,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
    owner: 'p1',
    protected: false,
    createdAt: '2026-12-07T00:00:00Z',
    updatedAt: '2026-12-07T00:00:01Z',
    checksum: null,
    osHashAlgo: 'sha512',
    osHashValue: 'ff',
    minDisk: 1,
    stores: ['fast', 'slow'],
    importingToStores: [],
    failedImportStores: [],
    osVersion: null,
    imageSourceType: null,
    createdByImagedrop: true,
    ownedByProject: true,
    uploadingHere: false,
  };

  it('CSV and JSON hold the same image', () => {
    const csv = buildExport({ what: 'images', format: 'csv' }, { images: [image] }, null, 0);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual([...IMAGE_COLUMNS]);
    const byColumn = Object.fromEntries(IMAGE_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(byColumn).toMatchObject({ name: `'=1+1, "quoted"`, stores: 'fast;slow', min_disk: '1', size: '10' });
    const json = buildExport({ what: 'images', format: 'json' }, { images: [image] }, null, 0);
    expect(JSON.parse(json.text)).toEqual([
      expect.objectContaining({ id: 'i1', name: '=1+1, "quoted"', stores: ['fast', 'slow'], protected: false }),
    ]);
    expect(json.fileName).toBe('imagedrop-images-19700101-000000.json');
  });

  it('names the file safely whatever the cloud is called', () => {
    expect(exportFileName('images', 'csv', '../etc/pass wd', 0)).toBe(
      'imagedrop-images-etc_pass_wd-19700101-000000.csv',
    );
  });
});
