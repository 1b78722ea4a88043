// An emulator of Huawei Cloud IMS and its IAM, written from ims.md §6.2, that does real work: every
// token is a real token of the test Keystone, every image record is a real image in the test
// Glance, and every job reads the real object from the test Swift and streams it into Glance. What
// it adds is only what those servers cannot say: IMS's fields, rules and IMG.xxxx errors, IAM's
// catalog and AK/SK signatures, the buckets' regions and storage classes, and jobs. Every guess
// about IMS that the documents leave open is listed in docs/ims-emulator.md.
import { randomBytes, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifyAkSk, GATEWAY_BODY_LIMIT, type AccessKeyEntry } from './aksk.ts';
import { glanceDiskFormat, sniffFormat } from './formats.ts';
import {
  KeystoneBackend,
  parseOrNull,
  type Json,
  type EmulatedAccount,
  type KeystoneAdmin,
  type ProvisionedAccount,
  type ValidatedToken,
} from './keystone.ts';
import { DEFAULT_OS_VERSION, OS_VERSIONS } from './os-versions.ts';
import { SwiftReader, type SwiftCredentials } from './swift.ts';

export type { AccessKeyEntry } from './aksk.ts';

export interface BucketFacts {
  readonly region: string;
  /** OBS's names: STANDARD, WARM, COLD. */
  readonly storageClass: string;
}

/** An access key of the emulated account, mapped to its user. */
export interface EmulatedAccessKey extends AccessKeyEntry {
  readonly description?: string;
}

export interface ImsEmulatorOptions {
  readonly host?: string;
  /** 0 (an ephemeral port) unless given; the standalone script uses 18090. */
  readonly port?: number;
  /** The region this IMS serves. */
  readonly region?: string;
  readonly keystoneUrl?: string;
  readonly glanceUrl?: string;
  readonly admin: KeystoneAdmin;
  readonly account?: EmulatedAccount;
  readonly swift: SwiftCredentials;
  /** The S3 endpoint the catalog's `object` entry names (Swift's s3api). */
  readonly s3Endpoint: string;
  readonly buckets?: Readonly<Record<string, BucketFacts>>;
  readonly accessKeys?: readonly EmulatedAccessKey[];
  /** The native PUT takes files smaller than this (Huawei: 2 GB). */
  readonly nativeLimit?: number;
  readonly maxImportBytes?: number;
  readonly maxQuickImportBytes?: number;
  /** False: no GET /v1/cloudimages/job/{id}, as on Open Telekom Cloud. */
  readonly progressJobApi?: boolean;
  /** How long a job stays INIT. */
  readonly jobInitMs?: number;
  /** Length of the X-Subject-Token IAM hands out (Huawei's run to several KiB). */
  readonly tokenLength?: number;
  readonly imageQuota?: number;
  /** The create call's smallest min_disk (40 on Huawei Cloud). */
  readonly createMinDiskGb?: number;
  readonly maxConcurrentJobs?: number;
}

export interface Faults {
  /** The next jobs end FAIL with these codes (one entry per job), after INIT. */
  failJobs: { code: string; reason?: string }[];
  /** Jobs stay RUNNING at least this long before they move data. */
  jobHoldMs: number;
  /** Jobs move data at most this fast (0: as fast as Swift and Glance go). */
  jobBytesPerSecond: number;
  /** The next job polls answer with this status (one per poll). */
  pollErrors: number[];
  /** Tokens issued before this time (ms since the epoch) are refused as expired (see expireTokensNow). */
  expireTokensIssuedBefore: number;
  /** Turns GET /v1/cloudimages/job/{id} off at runtime. */
  progressJobApiDisabled: boolean;
}

/** Limits a test may change while the emulator runs (as a cloud's operator would). */
export interface Limits {
  /** The native PUT takes files smaller than this. */
  nativeLimit: number;
  maxImportBytes: number;
  maxQuickImportBytes: number;
  imageQuota: number;
}

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly auth: 'token' | 'access-key' | 'none';
}

export type JobKind = 'register' | 'create' | 'quick';

export interface JobRecord {
  readonly id: string;
  readonly kind: JobKind;
  readonly type: string;
  readonly projectId: string;
  readonly bucket: string;
  readonly key: string;
  status: 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';
  beginTime: string;
  endTime: string | null;
  errorCode: string | null;
  failReason: string | null;
  imageId: string | null;
  imageName: string;
  percent: number;
  currentTask: string;
  bytesMoved: number;
  /** The create/quick request's fields. */
  readonly spec: Record<string, unknown>;
  done: Promise<void>;
}

export interface ImsEmulator {
  readonly url: string;
  /** The S3 endpoint its catalog names as `object`. */
  readonly s3Endpoint: string;
  readonly region: string;
  readonly account: Omit<EmulatedAccount, 'projects'> & ProvisionedAccount;
  readonly accessKeys: readonly EmulatedAccessKey[];
  readonly requests: RequestLogEntry[];
  readonly faults: Faults;
  readonly limits: Limits;
  setFaults(faults: Partial<Faults>): void;
  /** Every token issued before now is refused from now on (IAM invalidating them). */
  expireTokensNow(): void;
  job(id: string): JobRecord | undefined;
  readonly jobs: ReadonlyMap<string, JobRecord>;
  close(): Promise<void>;
}

export const DEFAULT_BUCKETS: Readonly<Record<string, BucketFacts>> = {
  images: { region: 'cn-north-4', storageClass: 'STANDARD' },
  'images-cold': { region: 'cn-north-4', storageClass: 'COLD' },
  'images-other': { region: 'ap-southeast-1', storageClass: 'STANDARD' },
};

export const DEFAULT_ACCOUNT: EmulatedAccount = {
  domain: 'imagedrop-hw-account',
  user: 'imagedrop-hw-user',
  password: 'imagedrop-hw-pass',
  projects: ['cn-north-4', 'ap-southeast-1'],
};

/** A permanent key and a temporary one (with its security token), both of the account's user. */
export const DEFAULT_ACCESS_KEYS: readonly EmulatedAccessKey[] = [
  { accessKey: 'IMSEMULATORPERMANENTAK', secretKey: 'ims-emulator-permanent-secret', description: 'permanent' },
  {
    accessKey: 'IMSEMULATORTEMPORARYAK',
    secretKey: 'ims-emulator-temporary-secret',
    securityToken: 'ims-emulator-security-token-' + 'x'.repeat(64),
    expiresAt: new Date(Date.now() + 24 * 3_600_000),
    description: 'temporary',
  },
];

const GIB = 1024 ** 3;
const IMS_FIELDS = new Set([
  '__os_version',
  'name',
  'disk_format',
  'container_format',
  'visibility',
  'min_disk',
  'min_ram',
  'protected',
  'tags',
]);
const METADATA_FORMATS = new Set(['zvhd2', 'zvhd', 'vhd', 'raw', 'qcow2', 'iso']);
const CREATE_FIELDS = new Set([
  'name',
  'description',
  'image_url',
  'min_disk',
  'os_version',
  'type',
  'is_config',
  'is_quick_import',
  'architecture',
  'hw_firmware_type',
  'cmk_id',
  'tags',
  'image_tags',
  'max_ram',
  'min_ram',
  'enterprise_project_id',
]);
const QUICK_FIELDS = new Set([
  'name',
  'description',
  'os_version',
  'image_url',
  'min_disk',
  'license_type',
  'tags',
  'type',
  'enterprise_project_id',
  'architecture',
  'hw_firmware_type',
  'os_type',
  'image_tags',
]);
/** Glance fields IMS does not show (it documents checksum and size as unavailable). */
const HIDDEN_GLANCE_FIELDS = ['os_hash_algo', 'os_hash_value', 'os_hidden', 'stores', 'checksum', 'locations'];
const EMULATOR_FORMAT_PROPERTY = 'ims_emulator_disk_format';

class Reply extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(typeof body === 'object' ? JSON.stringify(body) : String(body));
    this.status = status;
    this.body = body;
  }
}

function img(code: string, message: string, status = 400): Reply {
  return new Reply(status, { error: { message, code } });
}

function gateway(status: number, code: string, message: string): Reply {
  return new Reply(status, { error_code: code, error_msg: message, request_id: randomBytes(16).toString('hex') });
}

interface Caller {
  readonly kind: 'token' | 'access-key';
  readonly userId: string;
  readonly domainId: string;
  readonly projectId: string;
  readonly projectName: string;
  /** A real Keystone token for the caller's project, for Glance. */
  readonly glanceToken: string;
}

const TOKEN_PREFIX = 'MII';

export async function startImsEmulator(options: ImsEmulatorOptions): Promise<ImsEmulator> {
  const region = options.region ?? 'cn-north-4';
  const keystone = new KeystoneBackend(options.keystoneUrl ?? 'http://127.0.0.1:5000/v3', options.admin);
  const glanceUrl = (options.glanceUrl ?? 'http://127.0.0.1:9292').replace(/\/+$/, '');
  const swift = new SwiftReader(options.swift);
  const accountSpec = options.account ?? DEFAULT_ACCOUNT;
  const provisioned = await keystone.provision(accountSpec);
  const account = { ...accountSpec, ...provisioned };
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const accessKeys = options.accessKeys ?? DEFAULT_ACCESS_KEYS;
  const limits: Limits = {
    nativeLimit: options.nativeLimit ?? 2 * GIB,
    maxImportBytes: options.maxImportBytes ?? 128 * GIB,
    maxQuickImportBytes: options.maxQuickImportBytes ?? 1024 * GIB,
    imageQuota: options.imageQuota ?? 50,
  };
  const tokenLength = options.tokenLength ?? 9_000;
  const createMinDisk = options.createMinDiskGb ?? 40;
  const maxJobs = options.maxConcurrentJobs ?? 40;
  const jobInitMs = options.jobInitMs ?? 300;
  const faults: Faults = {
    failJobs: [],
    jobHoldMs: 0,
    jobBytesPerSecond: 0,
    pollErrors: [],
    expireTokensIssuedBefore: 0,
    progressJobApiDisabled: options.progressJobApi === false,
  };
  const requests: RequestLogEntry[] = [];
  const jobs = new Map<string, JobRecord>();
  /** The Keystone tokens this IAM handed out, and those it has since declared expired. */
  const issued = new Set<string>();
  const expired = new Set<string>();
  /** IMS shows a register whose job failed as killed; Glance puts the record back to queued. */
  const killed = new Set<string>();
  let url = '';

  const wrapToken = (token: string) => {
    const filler = Math.max(0, tokenLength - token.length - TOKEN_PREFIX.length - 1);
    let pad = '';
    let seed = createHash('sha256').update(token).digest();
    while (pad.length < filler) {
      pad += seed.toString('base64').replace(/[^A-Za-z0-9]/g, '');
      seed = createHash('sha256').update(seed).digest();
    }
    return `${TOKEN_PREFIX}${pad.slice(0, filler)}.${token}`;
  };
  const unwrapToken = (token: string) =>
    token.startsWith(TOKEN_PREFIX) && token.includes('.') ? token.slice(token.lastIndexOf('.') + 1) : token;

  const catalog = () => {
    const endpoint = (type: string, name: string, target: string) => ({
      id: createHash('md5').update(type).digest('hex'),
      type,
      name,
      endpoints: [
        {
          id: createHash('md5').update(`${type}|${region}`).digest('hex'),
          interface: 'public',
          region,
          region_id: region,
          url: target,
        },
      ],
    });
    return [
      endpoint('image', 'ims', url),
      endpoint('object', 'obs', options.s3Endpoint),
      endpoint('identity', 'iam', `${url}/v3`),
    ];
  };

  // --- Glance, with the caller's (or the service's) token ---------------------------------------

  async function glance(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Json; text: string }> {
    const res = await fetch(`${glanceUrl}${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    return { status: res.status, json: parseOrNull(text), text };
  }

  /** PUT /v2/images/{id}/file into the real Glance: a Content-Length, never chunked. */
  function glanceUpload(
    imageId: string,
    token: string,
    body: Readable,
    size: number,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${glanceUrl}/v2/images/${imageId}/file`,
        {
          method: 'PUT',
          headers: {
            'x-auth-token': token,
            'content-type': 'application/octet-stream',
            'content-length': String(size),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      pipeline(body, req).catch(reject);
    });
  }

  function toIms(image: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...image };
    for (const f of HIDDEN_GLANCE_FIELDS) delete out[f];
    if (typeof image[EMULATOR_FORMAT_PROPERTY] === 'string') out.disk_format = image[EMULATOR_FORMAT_PROPERTY];
    delete out[EMULATOR_FORMAT_PROPERTY];
    out.__image_size = String(image.size ?? 0);
    out.size = null; // "This parameter is unavailable currently."
    if (killed.has(String(image.id)) && image.status !== 'active') out.status = 'killed';
    return out;
  }

  function imsProperties(osVersion: string): Record<string, string> {
    const entry = OS_VERSIONS.find((v) => v.osVersion === osVersion);
    return {
      __os_version: osVersion,
      __os_type: entry?.osType ?? 'Linux',
      __platform: entry?.platform ?? 'Other',
      __os_bit: String(entry?.osBit ?? 64),
      __imagetype: 'private',
      __isregistered: 'true',
      __image_source_type: 'uds',
      __root_origin: 'file',
      virtual_env_type: 'FusionCompute',
    };
  }

  async function privateImageCount(projectId: string): Promise<number> {
    const token = await keystone.adminToken();
    let count = 0;
    let path: string | null = `/v2/images?owner=${projectId}&limit=200`;
    while (path) {
      const page = await glance('GET', path, token);
      if (page.status !== 200) throw new Error(`ims-emulator: Glance list answered ${page.status}`);
      const images = (page.json?.images ?? []) as Record<string, unknown>[];
      count += images.filter((i) => i.status !== 'deleted').length;
      path = page.json?.next && images.length > 0 ? page.json.next : null;
    }
    return count;
  }

  async function checkQuota(projectId: string) {
    if ((await privateImageCount(projectId)) >= limits.imageQuota)
      throw img('IMG.0015', 'The number of private images has reached the maximum allowed.');
  }

  // --- validation shared by the calls ------------------------------------------------------------

  function checkName(name: unknown, required: boolean) {
    if (name === undefined || name === null || name === '') {
      if (required) throw img('IMG.0013', 'The image name is not specified.');
      return;
    }
    if (typeof name !== 'string')
      throw img('IMG.0001', 'The request message format is invalid: name must be a string.');
    if (name.length > 128) throw img('IMG.0002', 'The image name contains more than 128 characters.');
    if (!/^[\p{L}\p{N}._\- ]+$/u.test(name) || name !== name.trim())
      throw img('IMG.0003', 'The image name format is invalid.');
  }

  function checkTags(tags: unknown) {
    if (tags === undefined) return;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
      throw img('IMG.0001', 'The request message format is invalid: tags must be a list of strings.');
    for (const tag of tags as string[]) {
      const [key, ...rest] = tag.split('=');
      const value = rest.join('=');
      if (!key || !/^[A-Za-z0-9_-]{1,36}$/.test(key) || (rest.length > 0 && !/^[A-Za-z0-9_-]{0,43}$/.test(value)))
        throw img('IMG.0115', `The image tag is invalid: ${tag}`);
    }
    if (tags.length > 10) throw img('IMG.0116', 'The number of image tags exceeds the quota.');
  }

  function checkOsVersion(value: unknown, required: boolean): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) throw img('IMG.0056', 'Invalid OS version.');
      return undefined;
    }
    if (typeof value !== 'string' || !OS_VERSIONS.some((v) => v.osVersion === value))
      throw img('IMG.0056', `Invalid OS version: ${String(value)}`);
    return value;
  }

  function checkMinDisk(value: unknown, low: number) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > 1024)
      throw img('IMG.0055', `The memory or disk size is invalid: min_disk must be ${low}-1024 GB.`);
  }

  function checkMinRam(value: unknown) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0))
      throw img('IMG.0055', 'The memory or disk size is invalid: min_ram must be a whole number of MB.');
  }

  function unknownFields(body: Record<string, unknown>, allowed: ReadonlySet<string>) {
    const extra = Object.keys(body).filter((k) => !allowed.has(k));
    if (extra.length > 0)
      throw img('IMG.0001', `The request message format is invalid: unsupported field(s) ${extra.join(', ')}.`);
  }

  /** bucket:key → its parts, with IMS's synchronous checks of the address and the bucket. */
  async function parseImageUrl(value: unknown): Promise<{ bucket: string; key: string }> {
    if (typeof value !== 'string' || !value.includes(':')) throw img('IMG.0017', 'The URL format is incorrect.');
    const i = value.indexOf(':');
    const bucket = value.slice(0, i);
    const key = value.slice(i + 1);
    if (bucket === '') throw img('IMG.0068', 'The specified bucket name is empty.');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw img('IMG.0109', 'The bucket name contains invalid characters.');
    if (key === '' || key.endsWith('/')) throw img('IMG.0017', 'The URL format is incorrect.');
    if (/\s/.test(key)) throw img('IMG.0175', 'The folder name and image file name cannot contain spaces.');
    if (!(await swift.bucketExists(bucket))) throw img('IMG.0069', 'The specified bucket cannot be accessed.');
    return { bucket, key };
  }

  function runningJobs(): number {
    return [...jobs.values()].filter((j) => j.status === 'INIT' || j.status === 'RUNNING').length;
  }

  // --- jobs --------------------------------------------------------------------------------------

  function newJob(
    kind: JobKind,
    projectId: string,
    object: { bucket: string; key: string },
    spec: Record<string, unknown>,
    imageId: string | null,
  ): JobRecord {
    if (runningJobs() >= maxJobs) throw img('IMG.0060', 'The number of tasks exceeds the flow control limit.');
    const job: JobRecord = {
      id: randomBytes(16).toString('hex'),
      kind,
      type: kind === 'register' ? 'imsNativeImportImageJob' : 'imsImportImageJob',
      projectId,
      bucket: object.bucket,
      key: object.key,
      status: 'INIT',
      beginTime: new Date().toISOString(),
      endTime: null,
      errorCode: null,
      failReason: null,
      imageId,
      imageName: typeof spec.name === 'string' ? spec.name : '',
      percent: 0,
      currentTask: '',
      bytesMoved: 0,
      spec,
      done: Promise.resolve(),
    };
    jobs.set(job.id, job);
    job.done = runJob(job).catch((e) =>
      fail(job, 'IMG.1075', `Failed to register the image file: ${(e as Error).message}`),
    );
    return job;
  }

  function fail(job: JobRecord, code: string, reason: string) {
    if (job.status === 'SUCCESS' || job.status === 'FAIL') return;
    job.status = 'FAIL';
    job.errorCode = code;
    job.failReason = reason;
    job.endTime = new Date().toISOString();
    job.currentTask = '';
    if (job.kind === 'register' && job.imageId) killed.add(job.imageId);
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function runJob(job: JobRecord): Promise<void> {
    await sleep(jobInitMs);
    job.status = 'RUNNING';
    job.currentTask = 'ImportImageTask:ObtainImageInfoTask';
    const forced = faults.failJobs.shift();
    if (forced) return fail(job, forced.code, forced.reason ?? `Forced by the emulator (${forced.code}).`);
    if (faults.jobHoldMs > 0) await sleep(faults.jobHoldMs);

    const head = await swift.head(job.bucket, job.key);
    if (!head)
      return fail(
        job,
        'IMG.0057',
        `The image file ${job.bucket}:${job.key} does not exist, or you have no permission to read it.`,
      );
    if (head.size === 0) return fail(job, 'IMG.0057', `The image file ${job.bucket}:${job.key} is empty.`);
    const facts = buckets[job.bucket] ?? { region, storageClass: 'STANDARD' };
    if (facts.region !== region)
      return fail(
        job,
        'IMG.0058',
        `The region of the bucket ${job.bucket} (${facts.region}) is inconsistent with that of the user (${region}).`,
      );
    if (facts.storageClass.toUpperCase() !== 'STANDARD')
      return fail(
        job,
        'IMG.0057',
        `The image file is in ${facts.storageClass} storage, which IMS cannot read: the bucket and the file must be Standard.`,
      );
    const limit = job.kind === 'quick' ? limits.maxQuickImportBytes : limits.maxImportBytes;
    if (head.size > limit)
      return fail(
        job,
        'IMG.0059',
        `The size of the image file (${head.size} bytes) exceeds the maximum allowed (${limit} bytes).`,
      );
    const first = await swift.readRange(job.bucket, job.key, 0, 512);
    const tail = head.size > 512 ? await swift.readRange(job.bucket, job.key, head.size - 512, 512) : null;
    const format = sniffFormat(first, tail);
    if (job.kind === 'quick') {
      if (format !== 'raw' && format !== 'zvhd2')
        return fail(
          job,
          'IMG.0057',
          `Only RAW and ZVHD2 files can be imported quickly; this file is ${format.toUpperCase()}.`,
        );
      if (format === 'raw') {
        const dot = job.key.lastIndexOf('.');
        const bitmap = `${dot > job.key.lastIndexOf('/') ? job.key.slice(0, dot) : job.key}.mf`;
        if (!(await swift.head(job.bucket, bitmap)))
          return fail(job, 'IMG.0057', `The bitmap file ${job.bucket}:${bitmap} of the RAW image file was not found.`);
      }
    }

    const service = await keystone.adminToken();
    if (job.kind !== 'register') {
      const spec = job.spec;
      const osVersion = typeof spec.os_version === 'string' ? spec.os_version : DEFAULT_OS_VERSION;
      const created = await glance('POST', '/v2/images', service, {
        name: spec.name,
        disk_format: glanceDiskFormat(format),
        container_format: 'bare',
        visibility: 'private',
        owner: job.projectId,
        min_disk: spec.min_disk,
        min_ram: typeof spec.min_ram === 'number' ? spec.min_ram : 0,
        tags: Array.isArray(spec.tags) ? spec.tags : [],
        ...imsProperties(osVersion),
        ...(glanceDiskFormat(format) !== format ? { [EMULATOR_FORMAT_PROPERTY]: format } : {}),
        ...(typeof spec.description === 'string' ? { __description: spec.description } : {}),
      });
      if (created.status !== 201)
        return fail(job, 'IMG.1075', `Failed to create the image: Glance answered ${created.status}.`);
      job.imageId = created.json.id;
    }
    const imageId = job.imageId!;

    job.currentTask = 'ImportImageTask:UploadImageFileTask';
    const body = await swift.stream(job.bucket, job.key);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        job.bytesMoved += chunk.length;
        job.percent = Math.min(0.95, (job.bytesMoved / head.size) * 0.95);
        const rate = faults.jobBytesPerSecond;
        if (rate > 0) setTimeout(() => done(null, chunk), (chunk.length / rate) * 1000);
        else done(null, chunk);
      },
    });
    body.once('error', (e) => meter.destroy(e)); // a broken read fails the upload, and so the job
    body.pipe(meter);
    const put = await glanceUpload(imageId, service, meter, head.size);
    if (put.status !== 204 && put.status !== 200) {
      if (job.kind !== 'register') await glance('DELETE', `/v2/images/${imageId}`, service);
      return fail(
        job,
        'IMG.1075',
        `Failed to register the image file: the image store refused the data (HTTP ${put.status}: ${put.text
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 200)}).`,
      );
    }

    job.currentTask = 'ImportImageTask:RegisterImageTask';
    for (let i = 0; i < 600; i++) {
      const image = await glance('GET', `/v2/images/${imageId}`, service);
      if (image.json?.status === 'active') {
        job.status = 'SUCCESS';
        job.percent = 1;
        job.currentTask = '';
        job.endTime = new Date().toISOString();
        return;
      }
      if (image.status === 404 || image.json?.status === 'killed' || image.json?.status === 'deleted')
        return fail(
          job,
          'IMG.1075',
          `Failed to register the image file: the image became ${image.json?.status ?? 'deleted'}.`,
        );
      await sleep(200);
    }
    return fail(job, 'IMG.1075', 'Failed to register the image file: the image did not become active.');
  }

  function jobBody(job: JobRecord, withProgress: boolean) {
    return {
      job_id: job.id,
      job_type: job.type,
      begin_time: job.beginTime,
      end_time: job.endTime ?? '',
      status: job.status,
      error_code: job.errorCode,
      fail_reason: job.failReason,
      entities: {
        ...(job.imageId ? { image_id: job.imageId } : {}),
        image_name: job.imageName,
        ...(withProgress ? { process_percent: job.percent, current_task: job.currentTask } : {}),
      },
    };
  }

  // --- authentication ----------------------------------------------------------------------------

  async function callerFromToken(raw: string): Promise<{ caller: Caller; token: ValidatedToken }> {
    const keystoneToken = unwrapToken(raw);
    const token = await keystone.validate(keystoneToken);
    if (
      !token ||
      expired.has(keystoneToken) ||
      (!issued.has(keystoneToken) && token.issuedAt.getTime() < faults.expireTokensIssuedBefore)
    )
      throw new Reply(401, { error: { message: 'The token must be updated.', code: 401, title: 'Unauthorized' } });
    if (!token.projectId || !token.projectName)
      throw img('IMG.0030', 'The project ID and token in the request are invalid.');
    return {
      token,
      caller: {
        kind: 'token',
        userId: token.userId,
        domainId: token.domainId,
        projectId: token.projectId,
        projectName: token.projectName,
        glanceToken: keystoneToken,
      },
    };
  }

  async function callerFromSignature(
    req: http.IncomingMessage,
    body: Buffer,
    requireProject: boolean,
  ): Promise<Caller> {
    const verdict = verifyAkSk({
      method: req.method ?? 'GET',
      rawUrl: req.url ?? '/',
      headers: req.headers,
      body,
      keys: accessKeys,
      now: Date.now(),
    });
    if (!verdict.ok) throw gateway(verdict.status, verdict.code, verdict.message);
    const projectId = String(req.headers['x-project-id'] ?? '');
    if (!projectId) {
      if (requireProject)
        throw gateway(401, 'APIGW.0301', 'Incorrect IAM authentication information: X-Project-Id is missing');
      return {
        kind: 'access-key',
        userId: account.userId,
        domainId: account.domainId,
        projectId: '',
        projectName: '',
        glanceToken: '',
      };
    }
    const projectName = Object.entries(account.projects).find(([, id]) => id === projectId)?.[0];
    if (!projectName || !verdict.signedHeaders.includes('x-project-id'))
      throw img('IMG.0067', 'The project ID is incorrect.');
    return {
      kind: 'access-key',
      userId: account.userId,
      domainId: account.domainId,
      projectId,
      projectName,
      glanceToken: await keystone.userToken(account.userId, account.password, projectId),
    };
  }

  /** The caller of an IMS call, with IMS's rule that the project is this region's. */
  async function imsCaller(req: http.IncomingMessage, body: Buffer): Promise<Caller> {
    let caller: Caller;
    if (req.headers['x-auth-token']) caller = (await callerFromToken(String(req.headers['x-auth-token']))).caller;
    else if (req.headers.authorization) caller = await callerFromSignature(req, body, true);
    else
      throw new Reply(401, {
        error: { message: 'The request you have made requires authentication.', code: 401, title: 'Unauthorized' },
      });
    if (caller.projectName.split('_')[0] !== region)
      throw img(
        'IMG.0030',
        `The project ID and token in the request are invalid: project ${caller.projectName} is not in ${region}.`,
      );
    return caller;
  }

  // --- the routes --------------------------------------------------------------------------------

  async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw gateway(413, 'APIGW.0201', 'Request entity too large');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw gateway(413, 'APIGW.0201', 'Request entity too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  function parseJsonBody(body: Buffer): Record<string, unknown> {
    if (body.length === 0) throw img('IMG.0007', 'The request body is empty.');
    try {
      const v = JSON.parse(body.toString('utf8'));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch {
      throw img('IMG.0001', 'The request message format is invalid.');
    }
  }

  async function issueToken(req: http.IncomingMessage, body: Buffer, nocatalog: boolean) {
    const doc: Json = parseJsonBody(body);
    const user = doc?.auth?.identity?.password?.user;
    const project = doc?.auth?.scope?.project;
    // IAM: a project named after its region belongs to the user's account: Keystone needs the domain said.
    const given = doc?.auth?.identity?.token;
    if (given && typeof given.id === 'string') given.id = unwrapToken(given.id);
    const refused = () =>
      new Reply(401, {
        error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
      });
    if (project && project.name && !project.domain && !project.id) {
      let domain = user?.domain;
      if (!domain && user?.id) {
        const found = await keystone.admin('GET', `/users/${encodeURIComponent(user.id)}`);
        if (found.status === 200) domain = { id: found.json.user.domain_id };
      }
      if (!domain && given) {
        const known = await keystone.validate(String(given.id));
        if (!known) throw refused();
        domain = { id: known.domainId };
      }
      if (domain) project.domain = domain;
    }
    const res = await keystone.call('POST', '/auth/tokens?nocatalog', { body: doc });
    const token = res.headers.get('x-subject-token');
    // Keystone answers 404 for a token it does not know; IAM answers a sign-in it refuses with 401.
    if (res.status === 404 && given) throw refused();
    if (res.status !== 201 || !token) throw new Reply(res.status, res.json ?? res.text);
    issued.add(token);
    const out = res.json;
    if (!nocatalog) out.token.catalog = catalog();
    return { token: wrapToken(token), body: out };
  }

  async function route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    expectContinue: boolean,
  ): Promise<{ status: number; auth: RequestLogEntry['auth'] }> {
    const u = new URL(req.url ?? '/', 'http://emulator');
    const path = u.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
      return status;
    };
    const authKind = (): RequestLogEntry['auth'] =>
      req.headers['x-auth-token'] ? 'token' : req.headers.authorization ? 'access-key' : 'none';

    // The native upload decides before the body is sent (Expect: 100-continue).
    const file = /^\/v2\/images\/([^/]+)\/file$/.exec(path);
    if (file && method === 'PUT')
      return {
        status: await nativeUpload(req, res, decodeURIComponent(file[1]!), expectContinue, send),
        auth: authKind(),
      };

    if (expectContinue) res.writeContinue();
    const signed = !req.headers['x-auth-token'] && Boolean(req.headers.authorization);
    const body = await readBody(req, signed ? GATEWAY_BODY_LIMIT : 16 * 1024 * 1024);

    if (path === '/_emulator/faults' && method === 'POST') {
      Object.assign(faults, parseJsonBody(body));
      return { status: send(200, faults), auth: 'none' };
    }
    if (path === '/_emulator/limits' && method === 'POST') {
      Object.assign(limits, parseJsonBody(body));
      return { status: send(200, limits), auth: 'none' };
    }
    if (path === '/_emulator/expire-tokens' && method === 'POST') {
      expireTokensNow();
      return { status: send(204), auth: 'none' };
    }
    if (path === '/_emulator/state' && method === 'GET')
      return {
        status: send(200, {
          faults,
          limits,
          jobs: [...jobs.values()].map((j) => jobBody(j, true)),
          requests: requests.length,
        }),
        auth: 'none',
      };

    // IAM
    if (path === '/v3/auth/tokens' && method === 'POST') {
      const issued = await issueToken(req, body, u.searchParams.has('nocatalog'));
      return { status: send(201, issued.body, { 'x-subject-token': issued.token }), auth: 'none' };
    }
    if (path === '/v3/auth/catalog' && method === 'GET') {
      await callerFromToken(String(req.headers['x-auth-token'] ?? ''));
      return { status: send(200, { catalog: catalog(), links: { self: `${url}/v3/auth/catalog` } }), auth: 'token' };
    }
    if (path === '/v3/projects' && method === 'GET') {
      const caller = req.headers['x-auth-token']
        ? (await callerFromToken(String(req.headers['x-auth-token']))).caller
        : await callerFromSignature(req, body, false);
      const name = u.searchParams.get('name');
      const found = await keystone.admin(
        'GET',
        `/projects?domain_id=${caller.domainId}${name ? `&name=${encodeURIComponent(name)}` : ''}`,
      );
      return {
        status: send(200, { projects: found.json.projects, links: { self: `${url}/v3/projects` } }),
        auth: authKind(),
      };
    }
    if (path.startsWith('/v3'))
      throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');

    const caller = await imsCaller(req, body);
    const auth = caller.kind;

    // Images (Glance-compatible, with IMS's fields and rules)
    if (path === '/v2/images' && method === 'POST') {
      const doc = parseJsonBody(body);
      unknownFields(doc, IMS_FIELDS);
      checkName(doc.name, false);
      if (doc.visibility !== undefined && doc.visibility !== 'private')
        throw img('IMG.0001', 'The request message format is invalid: visibility can only be private.');
      const diskFormat = doc.disk_format ?? 'zvhd2';
      if (typeof diskFormat !== 'string' || !METADATA_FORMATS.has(diskFormat))
        throw img(
          'IMG.0001',
          `The request message format is invalid: disk_format ${String(diskFormat)} is not supported.`,
        );
      if (doc.container_format !== undefined && doc.container_format !== 'bare')
        throw img('IMG.0001', 'The request message format is invalid: container_format can only be bare.');
      if (doc.min_disk !== undefined) checkMinDisk(doc.min_disk, 1);
      checkMinRam(doc.min_ram);
      if (doc.protected !== undefined && typeof doc.protected !== 'boolean')
        throw img('IMG.0001', 'The request message format is invalid: protected must be true or false.');
      checkTags(doc.tags);
      const osVersion = checkOsVersion(doc.__os_version, false) ?? DEFAULT_OS_VERSION;
      await checkQuota(caller.projectId);
      const created = await glance('POST', '/v2/images', caller.glanceToken, {
        name: doc.name ?? '',
        disk_format: glanceDiskFormat(diskFormat),
        container_format: 'bare',
        visibility: 'private',
        min_disk: doc.min_disk ?? 0,
        min_ram: doc.min_ram ?? 0,
        protected: doc.protected ?? false,
        tags: doc.tags ?? [],
        ...imsProperties(osVersion),
        ...(glanceDiskFormat(diskFormat) !== diskFormat ? { [EMULATOR_FORMAT_PROPERTY]: diskFormat } : {}),
      });
      if (created.status !== 201) return { status: send(created.status, created.json ?? created.text), auth };
      return { status: send(201, toIms(created.json)), auth };
    }
    if (path === '/v2/images' && method === 'GET') {
      const listed = await glance('GET', `/v2/images${u.search}`, caller.glanceToken);
      if (listed.status !== 200) return { status: send(listed.status, listed.json ?? listed.text), auth };
      return { status: send(200, { ...listed.json, images: listed.json.images.map(toIms) }), auth };
    }
    const image = /^\/v2\/images\/([^/]+)$/.exec(path);
    if (image && method === 'GET') {
      const got = await glance('GET', `/v2/images/${image[1]}`, caller.glanceToken);
      return { status: send(got.status, got.status === 200 ? toIms(got.json) : (got.json ?? got.text)), auth };
    }
    if (image && method === 'DELETE') {
      const id = decodeURIComponent(image[1]!);
      if ([...jobs.values()].some((j) => j.imageId === id && (j.status === 'INIT' || j.status === 'RUNNING')))
        throw img('IMG.0090', 'The image being created cannot be deleted.');
      const gone = await glance('DELETE', `/v2/images/${image[1]}`, caller.glanceToken);
      if (gone.status === 204) killed.delete(id);
      return { status: gone.status === 204 ? send(204) : send(gone.status, gone.json ?? gone.text), auth };
    }

    // Register, create, quick import
    const register = /^\/v1\/cloudimages\/([^/]+)\/upload$/.exec(path);
    if (register && method === 'PUT') {
      const doc = parseJsonBody(body);
      unknownFields(doc, new Set(['image_url']));
      const object = await parseImageUrl(doc.image_url);
      const id = decodeURIComponent(register[1]!);
      const got = await glance('GET', `/v2/images/${encodeURIComponent(id)}`, caller.glanceToken);
      if (got.status !== 200) throw img('IMG.0027', 'The image ID in the request does not exist.');
      if (got.json.status !== 'queued' || killed.has(id))
        throw img(
          'IMG.0046',
          `The image is unavailable: its status is ${killed.has(id) ? 'killed' : got.json.status}, not queued.`,
        );
      if ([...jobs.values()].some((j) => j.imageId === id && (j.status === 'INIT' || j.status === 'RUNNING')))
        throw img('IMG.0046', 'The image is unavailable: a job is already registering it.');
      const job = newJob('register', caller.projectId, object, { name: got.json.name }, id);
      return { status: send(200, { job_id: job.id }), auth };
    }
    if (path === '/v2/cloudimages/action' && method === 'POST') {
      const doc = parseJsonBody(body);
      unknownFields(doc, CREATE_FIELDS);
      if (doc.image_url === undefined)
        throw img(
          'IMG.0001',
          'The request message format is invalid: the emulator makes images from OBS files (image_url) only.',
        );
      checkName(doc.name, true);
      if (doc.tags !== undefined && doc.image_tags !== undefined)
        throw img('IMG.0001', 'The request message format is invalid: give tags or image_tags, not both.');
      checkTags(doc.tags);
      checkMinDisk(doc.min_disk, doc.is_quick_import === true ? 1 : createMinDisk);
      checkMinRam(doc.min_ram);
      checkOsVersion(doc.os_version, doc.is_quick_import === true);
      if (doc.type !== undefined && !['ECS', 'BMS', 'FusionCompute', 'Ironic', 'IsoImage'].includes(String(doc.type)))
        throw img('IMG.0024', 'The image type in the request is incorrect.');
      if (doc.architecture !== undefined && !['x86', 'arm'].includes(String(doc.architecture)))
        throw img('IMG.0212', 'The value of Architecture must be x86 or arm.');
      if (
        doc.description !== undefined &&
        (typeof doc.description !== 'string' || doc.description.length > 1024 || /[<>\r\n]/.test(doc.description))
      )
        throw img('IMG.0054', 'The image description format is invalid.');
      const object = await parseImageUrl(doc.image_url);
      await checkQuota(caller.projectId);
      const job = newJob(doc.is_quick_import === true ? 'quick' : 'create', caller.projectId, object, doc, null);
      return { status: send(200, { job_id: job.id }), auth };
    }
    if (path === '/v2/cloudimages/quickimport/action' && method === 'POST') {
      const doc = parseJsonBody(body);
      unknownFields(doc, QUICK_FIELDS);
      checkName(doc.name, true);
      checkOsVersion(doc.os_version, true);
      checkMinDisk(doc.min_disk, 1);
      checkTags(doc.tags);
      if (doc.type !== undefined && !['ECS', 'BMS', 'DataImage'].includes(String(doc.type)))
        throw img('IMG.0024', 'The image type in the request is incorrect.');
      const object = await parseImageUrl(doc.image_url);
      await checkQuota(caller.projectId);
      const job = newJob('quick', caller.projectId, object, doc, null);
      return { status: send(200, { job_id: job.id }), auth };
    }

    // Jobs
    const progress = /^\/v1\/cloudimages\/job\/([^/]+)$/.exec(path);
    const legacy = /^\/v1\/([^/]+)\/jobs\/([^/]+)$/.exec(path);
    if ((progress || legacy) && method === 'GET') {
      if (progress && faults.progressJobApiDisabled)
        throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
      if (legacy && legacy[1] !== caller.projectId) throw img('IMG.0067', 'The project ID is incorrect.');
      const injected = faults.pollErrors.shift();
      if (injected)
        return {
          status: send(injected, { error: { message: 'Injected by the emulator.', code: `IMG.${injected}` } }),
          auth,
        };
      const job = jobs.get(decodeURIComponent((progress ? progress[1] : legacy![2])!));
      if (!job || job.projectId !== caller.projectId)
        throw img('IMG.0023', 'An exception occurred during task query: the job does not exist.', 404);
      return { status: send(200, jobBody(job, Boolean(progress))), auth };
    }

    // Lists
    if (path === '/v2/cloudimages' && method === 'GET') {
      const q = new URLSearchParams();
      q.set('limit', u.searchParams.get('limit') ?? '500');
      for (const key of ['marker', 'name', 'status', 'tag', 'id', 'sort_key', 'sort_dir', 'disk_format', 'min_disk'])
        if (u.searchParams.get(key)) q.set(key, u.searchParams.get(key)!);
      const imagetype = u.searchParams.get('__imagetype');
      if (imagetype === 'private') q.set('visibility', 'private');
      if (imagetype === 'gold') q.set('visibility', 'public');
      if (imagetype === 'shared') q.set('visibility', 'shared');
      const id = u.searchParams.get('id');
      const listed = id
        ? await glance('GET', `/v2/images/${encodeURIComponent(id)}`, caller.glanceToken).then((r) => ({
            status: 200,
            json: { images: r.status === 200 ? [r.json] : [] },
          }))
        : await glance('GET', `/v2/images?${q.toString()}`, caller.glanceToken);
      if (listed.status !== 200) return { status: send(listed.status, listed.json), auth };
      const images = (listed.json.images as Record<string, unknown>[]).filter(
        (i) => imagetype !== 'private' || i.owner === caller.projectId,
      );
      return { status: send(200, { images: images.map(toIms) }), auth };
    }
    if (path === '/v1/cloudimages/os_version' && method === 'GET') {
      const platforms = [...new Set(OS_VERSIONS.map((v) => v.platform))];
      return {
        status: send(
          200,
          platforms.map((platform) => ({
            platform,
            version_list: OS_VERSIONS.filter((v) => v.platform === platform).map((v) => ({
              platform,
              os_version_key: v.osVersion,
              os_version: v.osVersion,
              os_bit: v.osBit,
              os_type: v.osType,
            })),
          })),
        ),
        auth,
      };
    }
    if (path === '/v1/cloudimages/quota' && method === 'GET') {
      const used = await privateImageCount(caller.projectId);
      return {
        status: send(200, {
          quotas: { resources: [{ type: 'image', used, quota: limits.imageQuota, min: 1, max: 1000 }] },
        }),
        auth,
      };
    }
    throw gateway(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
  }

  async function nativeUpload(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string,
    expectContinue: boolean,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => number,
  ): Promise<number> {
    // A refusal before the body: the connection still owes it, so it closes after the answer.
    const refuse = (reply: Reply) => send(reply.status, reply.body, { connection: 'close' });
    let caller: Caller;
    let bodyForSignature: Buffer | null = null;
    try {
      const length = req.headers['content-length'];
      if (length === undefined || req.headers['transfer-encoding'])
        return refuse(new Reply(411, { error: { message: 'A Content-Length is required.', code: 411 } }));
      const size = Number(length);
      if (!req.headers['x-auth-token'] && req.headers.authorization) {
        if (size > GATEWAY_BODY_LIMIT) return refuse(gateway(413, 'APIGW.0201', 'Request entity too large'));
        if (expectContinue) res.writeContinue();
        expectContinue = false;
        bodyForSignature = await readBody(req, GATEWAY_BODY_LIMIT);
      }
      caller = await imsCaller(req, bodyForSignature ?? Buffer.alloc(0));
      if (size >= limits.nativeLimit)
        return refuse(
          img('IMG.0059', `The size of the image file exceeds the maximum allowed (${limits.nativeLimit} bytes).`),
        );
      const got = await glance('GET', `/v2/images/${encodeURIComponent(id)}`, caller.glanceToken);
      if (got.status !== 200) return refuse(new Reply(got.status, got.json ?? got.text));
      if (got.json.status !== 'queued' || killed.has(id))
        return refuse(
          new Reply(409, {
            error: { message: `Image status transition from ${got.json.status} to saving is not allowed`, code: 409 },
          }),
        );
      if (expectContinue) res.writeContinue();
      let body: Readable = req;
      if (bodyForSignature) {
        const { Readable: R } = await import('node:stream');
        body = R.from([bodyForSignature]);
      }
      const put = await glanceUpload(id, caller.glanceToken, body, size);
      if (put.status === 204 || put.status === 200) return send(204);
      let parsed: unknown = put.text;
      try {
        parsed = JSON.parse(put.text);
      } catch {
        // Glance's HTML error page
      }
      return send(put.status, parsed);
    } catch (e) {
      if (e instanceof Reply) return refuse(e);
      throw e;
    }
  }

  function expireTokensNow(): void {
    // Every token this IAM handed out so far; others (made straight at Keystone) by their
    // issued_at, which has whole seconds: one issued earlier this second still counts as after.
    for (const t of issued) expired.add(t);
    faults.expireTokensIssuedBefore = Math.floor(Date.now() / 1000) * 1000;
  }

  const server = http.createServer({ maxHeaderSize: 128 * 1024 });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean) => {
    const u = new URL(req.url ?? '/', 'http://emulator');
    route(req, res, expectContinue)
      .then(({ status, auth }) => requests.push({ method: req.method ?? 'GET', path: u.pathname, status, auth }))
      .catch((e: unknown) => {
        const reply =
          e instanceof Reply
            ? e
            : new Reply(500, { error: { message: `Emulator error: ${(e as Error).message}`, code: 'IMG.0061' } });
        if (!res.headersSent) {
          const text = JSON.stringify(reply.body);
          res.writeHead(reply.status, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(text)),
          });
          res.end(text);
        } else res.destroy();
        requests.push({
          method: req.method ?? 'GET',
          path: u.pathname,
          status: reply.status,
          auth: req.headers['x-auth-token'] ? 'token' : req.headers.authorization ? 'access-key' : 'none',
        });
        if (!(e instanceof Reply)) process.stderr.write(`ims-emulator: ${(e as Error).stack}\n`);
      });
  };
  server.on('request', (req, res) => handle(req, res, false));
  server.on('checkContinue', (req, res) => handle(req, res, true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `http://${address.address}:${address.port}`;

  return {
    url,
    s3Endpoint: options.s3Endpoint,
    region,
    account,
    accessKeys,
    requests,
    faults,
    limits,
    jobs,
    setFaults(f) {
      Object.assign(faults, f);
    },
    expireTokensNow,
    job: (id) => jobs.get(id),
    async close() {
      await Promise.allSettled([...jobs.values()].map((j) => j.done));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
