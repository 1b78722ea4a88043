// The IMS client: image records (Glance-compatible /v2/images with IMS's own fields), the native
// file upload, registering or creating an image from an OBS object, quick import, jobs, the
// private-image list, OS versions and the quota (ims.md §2). Every call takes an AbortSignal and
// every failure is one ImagedropError (ims-errors.ts).
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ImagedropError } from '../errors.ts';
import { sleep as sleepFor } from '../sleep.ts';
import {
  abortReason,
  networkError,
  parseJson,
  readCaFile,
  MAX_RESPONSE_HEADER_BYTES,
  type HttpResponse,
} from '../openstack/http.ts';
import { imsError, jobFailError, parseImsErrorBody } from './ims-errors.ts';
import type { HuaweiSession } from './session.ts';
import { METADATA_DISK_FORMATS as METADATA_FORMATS } from '../../../shared/ims-limits.ts';

/** Glance-style statuses IMS reports on an image (IMS "Image Attributes"). */
export type ImsImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'pending_delete' | string;

export interface ImsImage {
  readonly id: string;
  readonly name: string;
  readonly status: ImsImageStatus;
  readonly disk_format?: string | null;
  readonly container_format?: string | null;
  readonly min_disk?: number;
  readonly min_ram?: number;
  readonly visibility?: string;
  readonly protected?: boolean;
  readonly tags?: readonly string[];
  readonly owner?: string;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly __os_version?: string;
  readonly __imagetype?: string;
  readonly __image_size?: string;
  readonly __isregistered?: string;
  readonly __image_source_type?: string;
  readonly __os_type?: string;
  readonly __platform?: string;
  readonly virtual_env_type?: string;
  readonly [property: string]: unknown;
}

/** The disk formats IMS's metadata call takes (`POST /v2/images`, ims.md §2.1; the Go SDK adds zvhd). */
export const METADATA_DISK_FORMATS = METADATA_FORMATS;
export type MetadataDiskFormat = (typeof METADATA_DISK_FORMATS)[number];

/** Exactly the fields IMS lists for `POST /v2/images`; nothing else is ever sent. */
export interface ImageMetadataRequest {
  readonly name: string;
  /** `__os_version`, one of GET /v1/cloudimages/os_version (IMS defaults to "Other Linux(64 bit)"). */
  readonly osVersion: string;
  readonly diskFormat: MetadataDiskFormat;
  /** GB, 1–1024, at least the image's virtual size. */
  readonly minDisk: number;
  readonly minRam?: number;
  readonly protected?: boolean;
  /** "key=value" strings; see uploadTag(). */
  readonly tags?: readonly string[];
}

export interface ObsObject {
  readonly bucket: string;
  readonly key: string;
}

/** `bucket:key`, the form IMS takes (one colon; the key may hold '/'). */
export function imageUrl(object: ObsObject): string {
  return `${object.bucket}:${object.key}`;
}

/** `POST /v2/cloudimages/action` from an OBS file (ims.md §2.4): the fields Imagedrop uses. */
export interface CreateFromObsRequest {
  readonly name: string;
  readonly object: ObsObject;
  /** GB, 40–1024 on Huawei Cloud (see preflight.ts). */
  readonly minDisk: number;
  readonly osVersion?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly type?: 'ECS' | 'BMS' | 'FusionCompute' | 'Ironic' | 'IsoImage';
  readonly architecture?: 'x86' | 'arm';
  readonly isConfig?: boolean;
  readonly minRam?: number;
  readonly maxRam?: number;
}

/** `POST /v2/cloudimages/quickimport/action` (ims.md §2.5). */
export interface QuickImportRequest {
  readonly name: string;
  readonly object: ObsObject;
  readonly osVersion: string;
  readonly minDisk: number;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly type?: 'ECS' | 'BMS' | 'DataImage';
  readonly architecture?: 'x86' | 'arm';
}

export type ImsJobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';

export interface ImsJob {
  readonly jobId: string;
  readonly status: ImsJobStatus;
  readonly jobType: string | null;
  readonly beginTime: string | null;
  readonly endTime: string | null;
  readonly errorCode: string | null;
  readonly failReason: string | null;
  /** entities.image_id: register's own image, or the new image of a create. */
  readonly imageId: string | null;
  readonly imageName: string | null;
  /** entities.process_percent, a fraction (1 = done); null where the API has none (the old path). */
  readonly processPercent: number | null;
  readonly currentTask: string | null;
  /** Which API answered: the progress path (/v1/cloudimages/job/{id}) or the project one. */
  readonly via: JobRoute;
}

export type JobRoute = 'progress' | 'project';

export interface OsVersion {
  readonly platform: string;
  readonly osVersion: string;
  readonly osBit: number | null;
  readonly osType: string | null;
}

export interface ImsQuota {
  readonly used: number;
  readonly quota: number;
  readonly min: number | null;
  readonly max: number | null;
}

export interface ListCloudImagesFilters {
  readonly name?: string;
  readonly status?: string;
  readonly tag?: string;
  readonly id?: string;
  /** 'private' unless said otherwise: this app's images, not the public catalogue; null for every kind. */
  readonly imagetype?: 'private' | 'gold' | 'shared' | 'market' | null;
  readonly pageSize?: number;
}

/** Which job API each IMS endpoint answers on, learned from its answers (shared by all clients). */
const jobRoutes = new Map<string, JobRoute>();

/** The job route remembered for an endpoint (tests and the dashboard read it). */
export function rememberedJobRoute(endpoint: string): JobRoute | undefined {
  return jobRoutes.get(endpoint);
}

/** Forgets every remembered job route (tests). */
export function forgetJobRoutes(): void {
  jobRoutes.clear();
}

/** The tag key that ties an IMS image to the Imagedrop job that made it (see uploadTag). */
export const UPLOAD_TAG_KEY = 'imagedrop_upload_id';

/**
 * `imagedrop_upload_id=<job id>`: IMS takes no client-chosen image id, so a job finds its record
 * again after a crash by this tag (findImagesByTag). IMS's tag rules: key ≤ 36, value ≤ 43 characters,
 * letters, digits, '_' and '-' only (image_tag_format.rst).
 */
export function uploadTag(uploadId: string): string {
  if (!/^[A-Za-z0-9_-]{1,43}$/.test(uploadId)) {
    throw new ImagedropError(
      'internal',
      `The upload id '${uploadId}' cannot be an IMS tag value (1–43 letters, digits, '_' or '-').`,
    );
  }
  return `${UPLOAD_TAG_KEY}=${uploadId}`;
}

/** Waits for the server's "100 Continue" this long before it sends the body anyway (as curl does). */
export const EXPECT_CONTINUE_TIMEOUT_MS = 3_000;
/** The native upload waits this long for IMS's answer after the last byte. */
export const NATIVE_UPLOAD_RESPONSE_TIMEOUT_MS = 15 * 60_000;

export interface NativeUploadOptions {
  /** Exactly the bytes the body yields: sent as Content-Length (never chunked). */
  readonly size: number;
  readonly signal: AbortSignal;
  readonly continueTimeoutMs?: number;
}

export class ImsClient {
  readonly session: HuaweiSession;

  constructor(session: HuaweiSession) {
    this.session = session;
  }

  async #call(
    method: Dispatcher.HttpMethod,
    path: string,
    signal: AbortSignal,
    init: { body?: unknown; ok?: readonly number[] } = {},
  ): Promise<HttpResponse> {
    const res = await this.session.request({
      method,
      path,
      signal,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (!(init.ok ?? [200]).includes(res.status)) throw this.#error(res);
    return res;
  }

  #error(res: HttpResponse): ImagedropError {
    return imsError(res.status, res.text, {
      cloud: this.session.config.name,
      auth: this.session.auth,
      serverDate: res.headers.date,
      now: this.session.now(),
    });
  }

  #json<T>(res: HttpResponse, path: string): T {
    return parseJson<T>(res, this.session.url(path), 'ims');
  }

  /** POST /v2/images: the record, status queued, with exactly the fields IMS lists (no id of ours). */
  async createImageMetadata(request: ImageMetadataRequest, signal: AbortSignal): Promise<ImsImage> {
    const body = {
      __os_version: request.osVersion,
      name: request.name,
      disk_format: request.diskFormat,
      container_format: 'bare',
      visibility: 'private',
      min_disk: request.minDisk,
      min_ram: request.minRam ?? 0,
      protected: request.protected ?? false,
      ...(request.tags && request.tags.length > 0 ? { tags: [...request.tags] } : {}),
    };
    const res = await this.#call('POST', '/v2/images', signal, { body, ok: [201, 200] });
    return this.#json<ImsImage>(res, '/v2/images');
  }

  async getImage(id: string, signal: AbortSignal): Promise<ImsImage> {
    const path = `/v2/images/${encodeURIComponent(id)}`;
    return this.#json<ImsImage>(await this.#call('GET', path, signal), path);
  }

  /** DELETE /v2/images/{id}. A 404 is an error here: callers that tolerate it check the code. */
  async deleteImage(id: string, signal: AbortSignal): Promise<void> {
    await this.#call('DELETE', `/v2/images/${encodeURIComponent(id)}`, signal, { ok: [204, 200] });
  }

  /**
   * The project's images carrying `tag` (GET /v2/images?tag=, every page): how a job finds the
   * record it created when it crashed before it could write the id down.
   */
  async findImagesByTag(tag: string, signal: AbortSignal): Promise<ImsImage[]> {
    const images: ImsImage[] = [];
    const seen = new Set<string>();
    let path: string | null = `/v2/images?${query({ tag, limit: '100' })}`;
    while (path) {
      const res = await this.#call('GET', path, signal);
      const page: { images?: ImsImage[]; next?: string } = this.#json(res, path);
      const batch = (page.images ?? []).filter((i: ImsImage) => !seen.has(i.id) && (i.tags ?? []).includes(tag));
      for (const image of batch) seen.add(image.id);
      images.push(...batch);
      path = page.next && (page.images ?? []).length > 0 ? page.next : null;
    }
    return images;
  }

  /**
   * PUT /v2/images/{id}/file with a token (never AK/SK: the body is over 12 MB), a Content-Length,
   * the body streamed with backpressure, and `Expect: 100-continue` so that IMS can refuse (too
   * large, wrong state, expired token) before a byte of the file is sent. Only under the cloud's
   * native limit (Huawei: smaller than 2 GB).
   */
  async uploadImageFile(id: string, body: Readable, options: NativeUploadOptions): Promise<void> {
    const limit = this.session.config.nativeUploadLimit;
    if (!Number.isSafeInteger(options.size) || options.size <= 0) {
      throw new ImagedropError('file/empty', 'The file is empty: there is nothing to upload.');
    }
    if (options.size >= limit) {
      throw new ImagedropError(
        'ims/file-too-large',
        `IMS takes a file in one request only when it is smaller than ${formatBytes(limit)}, and this one has ${formatBytes(options.size)}: upload it through an OBS bucket (register or create), or set ims_native_upload_limit if your cloud allows more.`,
      );
    }
    const token = await this.session.token(options.signal);
    const url = new URL(this.session.url(`/v2/images/${encodeURIComponent(id)}/file`));
    const res = await sendWithContinue(url, body, {
      headers: {
        'x-auth-token': token,
        'content-type': 'application/octet-stream',
        'content-length': String(options.size),
        accept: 'application/json',
        expect: '100-continue',
      },
      signal: options.signal,
      continueTimeoutMs: options.continueTimeoutMs ?? EXPECT_CONTINUE_TIMEOUT_MS,
      tls: {
        ...(this.session.config.cacertPath ? { cacertPath: this.session.config.cacertPath } : {}),
        verify: this.session.config.verify,
      },
    });
    if (res.status !== 204 && res.status !== 200) throw this.#error(res);
  }

  /** PUT /v1/cloudimages/{id}/upload {"image_url":"bucket:key"}: the job that fills a queued record. */
  async registerImage(id: string, object: ObsObject, signal: AbortSignal): Promise<{ jobId: string }> {
    const path = `/v1/cloudimages/${encodeURIComponent(id)}/upload`;
    const res = await this.#call('PUT', path, signal, { body: { image_url: imageUrl(object) } });
    return { jobId: this.#jobId(res, path) };
  }

  /** POST /v2/cloudimages/action from an OBS file: a job that makes a new image (its id in the job). */
  async createImageFromObs(request: CreateFromObsRequest, signal: AbortSignal): Promise<{ jobId: string }> {
    const body = {
      name: request.name,
      image_url: imageUrl(request.object),
      min_disk: request.minDisk,
      ...(request.osVersion ? { os_version: request.osVersion } : {}),
      ...(request.description ? { description: request.description } : {}),
      ...(request.tags && request.tags.length > 0 ? { tags: [...request.tags] } : {}),
      ...(request.type ? { type: request.type } : {}),
      ...(request.architecture ? { architecture: request.architecture } : {}),
      ...(request.isConfig !== undefined ? { is_config: request.isConfig } : {}),
      ...(request.minRam !== undefined ? { min_ram: request.minRam } : {}),
      ...(request.maxRam !== undefined ? { max_ram: request.maxRam } : {}),
    };
    const res = await this.#call('POST', '/v2/cloudimages/action', signal, { body });
    return { jobId: this.#jobId(res, '/v2/cloudimages/action') };
  }

  /** POST /v2/cloudimages/quickimport/action: RAW (with its .mf bitmap) or ZVHD2, up to 1 TB. */
  async quickImport(request: QuickImportRequest, signal: AbortSignal): Promise<{ jobId: string }> {
    const body = {
      name: request.name,
      os_version: request.osVersion,
      image_url: imageUrl(request.object),
      min_disk: request.minDisk,
      ...(request.description ? { description: request.description } : {}),
      ...(request.tags && request.tags.length > 0 ? { tags: [...request.tags] } : {}),
      ...(request.type ? { type: request.type } : {}),
      ...(request.architecture ? { architecture: request.architecture } : {}),
    };
    const res = await this.#call('POST', '/v2/cloudimages/quickimport/action', signal, { body });
    return { jobId: this.#jobId(res, '/v2/cloudimages/quickimport/action') };
  }

  #jobId(res: HttpResponse, path: string): string {
    const jobId = this.#json<{ job_id?: unknown }>(res, path).job_id;
    if (typeof jobId !== 'string' || jobId === '') {
      throw new ImagedropError('ims/unexpected-response', 'IMS accepted the request but gave no job id: report it.', {
        httpStatus: res.status,
        detail: res.text.slice(0, 200),
      });
    }
    return jobId;
  }

  /**
   * A job's state: GET /v1/cloudimages/job/{id} (Huawei's current API, with process_percent), or
   * GET /v1/{project_id}/jobs/{id} where the endpoint lacks it (OTC documents only that one). Which
   * one an endpoint answers is remembered, so each poll costs one request.
   */
  async getJob(jobId: string, signal: AbortSignal): Promise<ImsJob> {
    const endpoint = this.session.imsEndpoint;
    const known = jobRoutes.get(endpoint);
    const progressPath = `/v1/cloudimages/job/${encodeURIComponent(jobId)}`;
    const projectPath = `/v1/${encodeURIComponent(this.session.projectId)}/jobs/${encodeURIComponent(jobId)}`;
    if (known !== 'project') {
      const res = await this.session.request({ method: 'GET', path: progressPath, signal });
      if (res.status === 200) {
        jobRoutes.set(endpoint, 'progress');
        return toJob(this.#json(res, progressPath), jobId, 'progress');
      }
      // A route this endpoint lacks answers 404/405/501 without an IMS code (the gateway's
      // APIGW.0101 "API does not exist"); an IMS answer (IMG.xxxx) is about the job itself.
      const { code } = parseImsErrorBody(res.text);
      const routeMissing = [404, 405, 501].includes(res.status) && !code?.startsWith('IMG.');
      if (!routeMissing || known === 'progress') throw this.#jobError(res, jobId);
    }
    const res = await this.session.request({ method: 'GET', path: projectPath, signal });
    if (res.status !== 200) throw this.#jobError(res, jobId);
    jobRoutes.set(endpoint, 'project');
    return toJob(this.#json(res, projectPath), jobId, 'project');
  }

  #jobError(res: HttpResponse, jobId: string): ImagedropError {
    if (res.status === 404) {
      return new ImagedropError(
        'ims/job-not-found',
        `IMS knows no job ${jobId}: it may belong to another project or region, or be too old to keep; check the image list for the result.`,
        { httpStatus: 404 },
      );
    }
    return this.#error(res);
  }

  /** GET /v2/cloudimages (every page, by marker): the project's images with IMS's own fields. */
  async listCloudImages(
    signal: AbortSignal,
    filters: ListCloudImagesFilters = {},
    onPage?: (images: readonly ImsImage[], page: number) => void,
  ): Promise<ImsImage[]> {
    const pageSize = filters.pageSize ?? 100;
    const type = filters.imagetype === undefined ? 'private' : filters.imagetype;
    const base: Record<string, string> = { ...(type ? { __imagetype: type } : {}), limit: String(pageSize) };
    if (filters.name) base.name = filters.name;
    if (filters.status) base.status = filters.status;
    if (filters.tag) base.tag = filters.tag;
    if (filters.id) base.id = filters.id;
    const images: ImsImage[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (let page = 1; ; page++) {
      const path = `/v2/cloudimages?${query({ ...base, ...(marker ? { marker } : {}) })}`;
      const batch = this.#json<{ images?: ImsImage[] }>(await this.#call('GET', path, signal), path).images ?? [];
      const fresh = batch.filter((i) => !seen.has(i.id));
      for (const image of fresh) seen.add(image.id);
      images.push(...fresh);
      onPage?.(fresh, page);
      if (batch.length < pageSize || fresh.length === 0) return images;
      marker = batch[batch.length - 1]!.id;
    }
  }

  /** GET /v1/cloudimages/os_version: the `__os_version` values this cloud takes, for the picker. */
  async listOsVersions(signal: AbortSignal): Promise<OsVersion[]> {
    const path = '/v1/cloudimages/os_version';
    const doc = this.#json<unknown>(await this.#call('GET', path, signal), path);
    const platforms = Array.isArray(doc) ? doc : ((doc as { body?: unknown })?.body ?? []);
    const out: OsVersion[] = [];
    for (const p of platforms as { platform?: string; version_list?: Record<string, unknown>[] }[]) {
      for (const v of p.version_list ?? []) {
        const osVersion = typeof v.os_version === 'string' ? v.os_version : null;
        if (!osVersion) continue;
        out.push({
          platform: typeof v.platform === 'string' ? v.platform : (p.platform ?? ''),
          osVersion,
          osBit: typeof v.os_bit === 'number' ? v.os_bit : Number(v.os_bit) || null,
          osType: typeof v.os_type === 'string' ? v.os_type : null,
        });
      }
    }
    return out;
  }

  /** GET /v1/cloudimages/quota: private images used and allowed (50 per region by default). */
  async getQuota(signal: AbortSignal): Promise<ImsQuota> {
    const path = '/v1/cloudimages/quota';
    const doc = this.#json<{
      quotas?: { resources?: { type?: string; used?: number; quota?: number; min?: number; max?: number }[] };
    }>(await this.#call('GET', path, signal), path);
    const image = doc.quotas?.resources?.find((r) => r.type === 'image');
    if (!image || typeof image.used !== 'number' || typeof image.quota !== 'number') {
      throw new ImagedropError('ims/unexpected-response', 'IMS answered the quota without an image quota: report it.');
    }
    return { used: image.used, quota: image.quota, min: image.min ?? null, max: image.max ?? null };
  }
}

export interface WaitForJobOptions {
  readonly signal: AbortSignal;
  /** Between polls; packer waits 60 s first, then 10 s: Imagedrop polls from the start. */
  readonly intervalMs?: number;
  /** With this, the wait grows by half after each poll, from intervalMs up to maxIntervalMs. */
  readonly maxIntervalMs?: number;
  /** Polls that fail with a retryable error (5xx, network) are tried again this many times in a row. */
  readonly maxTransientFailures?: number;
  readonly onUpdate?: (job: ImsJob) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Polls a job until SUCCESS (returned) or FAIL (thrown as one sentence from error_code and
 * fail_reason). A poll that fails with a retryable error is repeated with the same interval.
 */
export async function waitForJob(client: ImsClient, jobId: string, options: WaitForJobOptions): Promise<ImsJob> {
  let interval = options.intervalMs ?? 5_000;
  const grow = () => {
    if (options.maxIntervalMs) interval = Math.min(options.maxIntervalMs, Math.round(interval * 1.5));
  };
  const maxFailures = options.maxTransientFailures ?? 5;
  const sleep = options.sleep ?? sleepFor;
  let failures = 0;
  for (;;) {
    let job: ImsJob;
    try {
      job = await client.getJob(jobId, options.signal);
      failures = 0;
    } catch (e) {
      if (!(e instanceof ImagedropError) || !e.retryable || ++failures > maxFailures || options.signal.aborted) throw e;
      await sleep(interval, options.signal);
      continue;
    }
    options.onUpdate?.(job);
    if (job.status === 'SUCCESS') return job;
    if (job.status === 'FAIL') throw jobFailError(job);
    await sleep(interval, options.signal);
    grow();
  }
}

interface JobBody {
  job_id?: string;
  status?: string;
  job_type?: string;
  begin_time?: string;
  end_time?: string;
  error_code?: string | null;
  fail_reason?: string | null;
  entities?: {
    image_id?: string;
    image_name?: string;
    process_percent?: number | string;
    current_task?: string;
  } | null;
}

function toJob(body: JobBody, jobId: string, via: JobRoute): ImsJob {
  const status = body.status;
  if (status !== 'INIT' && status !== 'RUNNING' && status !== 'SUCCESS' && status !== 'FAIL') {
    throw new ImagedropError(
      'ims/unexpected-response',
      `IMS answered job ${jobId} with an unknown status '${status}'.`,
    );
  }
  const e = body.entities ?? {};
  const percent = e.process_percent === undefined || e.process_percent === null ? null : Number(e.process_percent);
  return {
    jobId: body.job_id ?? jobId,
    status,
    jobType: body.job_type ?? null,
    beginTime: body.begin_time || null,
    endTime: body.end_time || null,
    errorCode: body.error_code || null,
    failReason: body.fail_reason || null,
    imageId: e.image_id || null,
    imageName: e.image_name || null,
    processPercent: percent === null || Number.isNaN(percent) ? null : percent,
    currentTask: e.current_task || null,
    via,
  };
}

function query(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

function formatBytes(n: number): string {
  const gib = n / 1024 ** 3;
  return gib >= 1 ? `${Number(gib.toFixed(2))} GiB` : `${Number((n / 1024 ** 2).toFixed(1))} MiB`;
}

/**
 * One PUT through node:http (undici refuses an Expect header): the headers go first; the body
 * follows on "100 Continue", or after continueTimeoutMs without any answer, and never after a final
 * answer that came first (the server refused before reading).
 */
async function sendWithContinue(
  url: URL,
  body: Readable,
  options: {
    headers: Record<string, string>;
    signal: AbortSignal;
    continueTimeoutMs: number;
    tls: { cacertPath?: string; verify?: boolean };
  },
): Promise<HttpResponse> {
  if (options.signal.aborted) throw abortReason(options.signal, url.href, 'ims');
  const secure = url.protocol === 'https:';
  const ca = secure && options.tls.cacertPath ? await readCaFile(options.tls.cacertPath) : undefined;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let bodySent = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(continueTimer);
      options.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const request = (secure ? https : http).request(url, {
      method: 'PUT',
      headers: options.headers,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      ...(secure ? { ...(ca ? { ca } : {}), rejectUnauthorized: options.tls.verify !== false } : {}),
    });
    const sendBody = () => {
      if (bodySent || settled) return;
      bodySent = true;
      clearTimeout(continueTimer);
      body.once('error', (e) => {
        request.destroy(e);
        finish(() => reject(e));
      });
      body.pipe(request);
    };
    const continueTimer = setTimeout(sendBody, options.continueTimeoutMs);
    const onAbort = () => {
      request.destroy();
      finish(() => reject(abortReason(options.signal, url.href, 'ims')));
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    request.on('continue', sendBody);
    request.setTimeout(NATIVE_UPLOAD_RESPONSE_TIMEOUT_MS, () =>
      request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
    );
    request.on('response', (res) => {
      // A final answer before the body: the server refused without reading; the file stays unread,
      // and the connection (which still owes a body) is closed once the answer is in.
      const refusedEarly = !bodySent;
      if (refusedEarly) {
        clearTimeout(continueTimer);
        bodySent = true;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (refusedEarly) request.destroy();
        finish(() =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      res.on('error', (e) => finish(() => reject(networkError(e, url.href, 'ims'))));
    });
    request.on('error', (e) => finish(() => reject(networkError(e, url.href, 'ims'))));
    request.flushHeaders();
  });
}
