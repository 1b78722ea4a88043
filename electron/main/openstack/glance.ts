// The Glance v2 client: images (create, get, delete, list across pages), image data (PUT file,
// stage, import), stores, import methods, versions and the image schema. Every call takes an
// AbortSignal; every failure is an ImagedropError from the status table.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CreateImageRequest, GlanceImage, GlanceStore } from '../../../shared/glance.ts';
import type { ImageUsage } from '../../../shared/quota.ts';
import { ImagedropError } from '../errors.ts';
import { putWithExpectContinue } from './expect-put.ts';
import { MAX_RESPONSE_BYTES, httpRequest, parseJson, type HttpResponse } from './http.ts';
import type { Session } from './session.ts';
import { statusError } from './status-errors.ts';

/**
 * A page of the image list may hold up to 1000 records (api_limit_max), each with up to 128
 * properties: the one answer allowed past the usual cap.
 */
export const MAX_LIST_PAGE_BYTES = 4 * MAX_RESPONSE_BYTES;

/** Uploads wait this long for Glance's answer after the last byte (it writes the store first). */
export const UPLOAD_RESPONSE_TIMEOUT_MS = 15 * 60_000;

export interface ImageSchemaFacts {
  readonly diskFormats: readonly string[];
  readonly containerFormats: readonly string[];
}

export interface ImageDataOptions {
  /** The exact number of bytes the body yields. Sent as Content-Length and x-openstack-image-size. */
  readonly size: number;
  readonly store?: string;
  readonly signal: AbortSignal;
  /**
   * A dispatcher to send the PUT through, used as it is (without Expect). Without one, the PUT
   * has a connection of its own anyway (expect-put.ts), so a cut one never poisons the pool.
   */
  readonly dispatcher?: Dispatcher;
  /**
   * Send `Expect: 100-continue` and the body only once the server agrees (default true, when the
   * session uses the real network), so that a PUT the server refuses sends no byte of its body.
   * False sends headers and body at once, through undici.
   */
  readonly expectContinue?: boolean;
}

export interface VersionsDocument {
  readonly current: string | null;
  readonly versions: readonly { id: string; status: string }[];
}

export class GlanceClient {
  readonly session: Session;

  constructor(session: Session) {
    this.session = session;
  }

  url(path: string): string {
    return `${this.session.imageRoot}${path}`;
  }

  async #call(
    method: Dispatcher.HttpMethod,
    path: string,
    signal: AbortSignal,
    init: { body?: string; headers?: Record<string, string>; ok?: readonly number[]; maxResponseBytes?: number } = {},
  ): Promise<HttpResponse> {
    const url = path.startsWith('http') ? path : this.url(path);
    return this.session.withToken(signal, async (token) => {
      const res = await httpRequest(url, {
        method,
        headers: {
          'x-auth-token': token,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: init.body }),
        signal,
        dispatcher: this.session.dispatcher,
        service: 'glance',
        ...(init.maxResponseBytes === undefined ? {} : { maxResponseBytes: init.maxResponseBytes }),
      });
      if (!(init.ok ?? [200]).includes(res.status)) throw statusError('glance', res.status, res.text);
      return res;
    });
  }

  /** GET on the endpoint's root: the versions document (Glance answers 300 Multiple Choices). */
  async getVersions(signal: AbortSignal): Promise<VersionsDocument> {
    const url = `${this.session.imageRoot}/`;
    const res = await httpRequest(url, {
      method: 'GET',
      signal,
      dispatcher: this.session.dispatcher,
      service: 'glance',
    });
    if (res.status !== 300 && res.status !== 200) throw statusError('glance', res.status, res.text);
    const doc = parseJson<{ versions?: { id: string; status: string }[] }>(res, url, 'glance');
    const versions = doc.versions ?? [];
    if (!versions.some((v) => v.id.startsWith('v2'))) {
      throw new ImagedropError(
        'glance/unexpected-response',
        `The image service at ${this.session.imageEndpoint} offers no v2 API: Imagedrop needs Glance v2.`,
      );
    }
    return { current: versions.find((v) => v.status === 'CURRENT')?.id ?? null, versions };
  }

  async createImage(request: CreateImageRequest, signal: AbortSignal): Promise<GlanceImage> {
    return (await this.createImageDetailed(request, signal)).image;
  }

  /**
   * POST /v2/images, with the import methods the answer's `OpenStack-image-import-methods` header
   * names for this image (null when Glance sends none).
   */
  async createImageDetailed(
    request: CreateImageRequest,
    signal: AbortSignal,
  ): Promise<{ image: GlanceImage; importMethods: string[] | null }> {
    const body: Record<string, unknown> = { ...request.properties, name: request.name };
    if (request.id !== undefined) body.id = request.id;
    if (request.diskFormat !== undefined) body.disk_format = request.diskFormat;
    if (request.containerFormat !== undefined) body.container_format = request.containerFormat;
    if (request.visibility !== undefined) body.visibility = request.visibility;
    if (request.minDisk !== undefined) body.min_disk = request.minDisk;
    if (request.minRam !== undefined) body.min_ram = request.minRam;
    if (request.protected !== undefined) body.protected = request.protected;
    if (request.tags !== undefined) body.tags = request.tags;
    const res = await this.#call('POST', '/v2/images', signal, { body: JSON.stringify(body), ok: [201] });
    const header = res.headers['openstack-image-import-methods'];
    const methods = (Array.isArray(header) ? header.join(',') : header)
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    return { image: parseJson<GlanceImage>(res, this.url('/v2/images'), 'glance'), importMethods: methods ?? null };
  }

  /** PATCH with JSON-patch operations, e.g. [{ op: 'replace', path: '/protected', value: false }]. */
  async updateImage(
    id: string,
    operations: readonly { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown }[],
    signal: AbortSignal,
  ): Promise<GlanceImage> {
    const path = `/v2/images/${encodeURIComponent(id)}`;
    const res = await this.#call('PATCH', path, signal, {
      body: JSON.stringify(operations),
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    return parseJson<GlanceImage>(res, this.url(path), 'glance');
  }

  async getImage(id: string, signal: AbortSignal): Promise<GlanceImage> {
    const path = `/v2/images/${encodeURIComponent(id)}`;
    const res = await this.#call('GET', path, signal);
    return parseJson<GlanceImage>(res, this.url(path), 'glance');
  }

  /** Deletes an image. A 404 is an error here: callers that tolerate it check the code. */
  async deleteImage(id: string, signal: AbortSignal): Promise<void> {
    await this.#call('DELETE', `/v2/images/${encodeURIComponent(id)}`, signal, { ok: [204] });
  }

  /**
   * Every image matching the filters, across all pages. Glance sends `next` even when the next page
   * is empty, so this follows `next` until a page has none (or is empty).
   */
  async listImages(
    signal: AbortSignal,
    filters: {
      status?: string;
      owner?: string;
      limit?: number;
      /** Start after this image id (Glance answers 400 when it does not exist). */
      marker?: string;
      properties?: Readonly<Record<string, string>>;
    } = {},
    onPage?: (images: readonly GlanceImage[], page: number) => void,
  ): Promise<{ images: GlanceImage[]; pages: number }> {
    const query = new URLSearchParams();
    query.set('limit', String(filters.limit ?? 200));
    if (filters.status) query.set('status', filters.status);
    if (filters.owner) query.set('owner', filters.owner);
    if (filters.marker) query.set('marker', filters.marker);
    for (const [k, v] of Object.entries(filters.properties ?? {})) query.set(k, v);
    let path: string | null = `/v2/images?${query.toString()}`;
    const images: GlanceImage[] = [];
    const seen = new Set<string>();
    let pages = 0;
    while (path) {
      const res = await this.#call('GET', path, signal, { maxResponseBytes: MAX_LIST_PAGE_BYTES });
      const page: { images?: GlanceImage[]; next?: string } = parseJson(res, this.url(path), 'glance');
      pages += 1;
      const batch = (page.images ?? []).filter((i: GlanceImage) => !seen.has(i.id));
      for (const image of batch) seen.add(image.id);
      images.push(...batch);
      onPage?.(batch, pages);
      // `next` is relative to the API root ('/v2/images?...&marker=<id>').
      path = page.next && batch.length > 0 ? page.next : null;
    }
    return { images, pages };
  }

  /**
   * PUT /v2/images/{id}/file. The body is a stream of exactly `size` bytes, sent with a
   * Content-Length (never chunked: Glance takes a truncated chunked body as the whole image).
   * The token is fetched fresh, but a 401 is not retried here: the body cannot be replayed.
   */
  async uploadImageData(id: string, body: Readable, options: ImageDataOptions): Promise<void> {
    await this.#sendData(`/v2/images/${encodeURIComponent(id)}/file`, body, options);
  }

  /** PUT /v2/images/{id}/stage (interoperable import, glance-direct). */
  async stageImageData(id: string, body: Readable, options: ImageDataOptions): Promise<void> {
    await this.#sendData(`/v2/images/${encodeURIComponent(id)}/stage`, body, options);
  }

  async #sendData(path: string, body: Readable, options: ImageDataOptions): Promise<void> {
    if (!Number.isSafeInteger(options.size) || options.size <= 0) {
      // An empty PUT makes Glance mark the image active with 0 bytes: never send one.
      throw new ImagedropError('file/empty', 'The file is empty: there is nothing to upload.');
    }
    const token = await this.session.token(options.signal);
    const url = this.url(path);
    const headers = {
      'x-auth-token': token,
      'content-type': 'application/octet-stream',
      'content-length': String(options.size),
      'x-openstack-image-size': String(options.size),
      ...(options.store ? { 'x-image-meta-store': options.store } : {}),
    };
    const config = this.session.config;
    // Expect needs Node's own client (expect-put.ts): only where the session uses the real network
    // and no dispatcher was asked for (a MockAgent in tests is honoured, without Expect).
    const expectContinue = options.expectContinue !== false && !options.dispatcher && this.session.sharedAgent;
    const res = !expectContinue
      ? await httpRequest(url, {
          method: 'PUT',
          headers,
          body,
          signal: options.signal,
          dispatcher: options.dispatcher ?? this.session.dispatcher,
          service: 'glance',
          headersTimeout: UPLOAD_RESPONSE_TIMEOUT_MS,
          bodyTimeout: UPLOAD_RESPONSE_TIMEOUT_MS,
        })
      : await putWithExpectContinue(url, {
          headers,
          body,
          size: options.size,
          signal: options.signal,
          tls: { ...(config.cacertPath ? { cacertPath: config.cacertPath } : {}), verify: config.verify },
          service: 'glance',
          responseTimeoutMs: UPLOAD_RESPONSE_TIMEOUT_MS,
        });
    if (res.status !== 204 && res.status !== 200) throw statusError('glance', res.status, res.text);
  }

  /** POST /v2/images/{id}/import. */
  async importImage(
    id: string,
    method: { name: 'glance-direct' | 'web-download' | 'copy-image'; uri?: string },
    signal: AbortSignal,
    options: { stores?: readonly string[]; allStores?: boolean; allStoresMustSucceed?: boolean } = {},
  ): Promise<void> {
    const body = {
      method,
      ...(options.stores ? { stores: options.stores } : {}),
      ...(options.allStores ? { all_stores: true } : {}),
      ...(options.allStoresMustSucceed !== undefined ? { all_stores_must_succeed: options.allStoresMustSucceed } : {}),
    };
    await this.#call('POST', `/v2/images/${encodeURIComponent(id)}/import`, signal, {
      body: JSON.stringify(body),
      ok: [202],
    });
  }

  /** GET /v2/info/stores. A cloud without multi-store answers 404: that is "no store to choose". */
  async getStores(signal: AbortSignal): Promise<GlanceStore[]> {
    try {
      const res = await this.#call('GET', '/v2/info/stores', signal);
      const doc = parseJson<{ stores?: { id: string; description?: string; default?: boolean | string }[] }>(
        res,
        this.url('/v2/info/stores'),
        'glance',
      );
      return (doc.stores ?? []).map((s) => ({
        id: s.id,
        isDefault: s.default === true || s.default === 'true',
        ...(s.description ? { description: s.description } : {}),
      }));
    } catch (e) {
      if (e instanceof ImagedropError && (e.httpStatus === 404 || e.httpStatus === 410)) return [];
      throw e;
    }
  }

  /**
   * The project's image storage and quota. GET /v2/info/usage where the cloud answers it with
   * `image_size_total` (Keystone unified limits, in MiB); otherwise — Glance before Yoga answers
   * 404, and with unified limits off (its legacy user_storage_quota, as on Zed here) it answers
   * `{"usage": {}}` — the sum of the project's images as Glance counts them (size × copies, not
   * killed or deleted) against the cloud's configured image_storage_quota, if any. With
   * onlyAgainstLimit and no limit anywhere, the images are not summed (usedBytes 0: not read).
   */
  async getUsage(signal: AbortSignal, options: { readonly onlyAgainstLimit?: boolean } = {}): Promise<ImageUsage> {
    let reported: { usage?: { image_size_total?: { usage?: unknown; limit?: unknown } } } = {};
    try {
      const res = await this.#call('GET', '/v2/info/usage', signal);
      reported = parseJson(res, this.url('/v2/info/usage'), 'glance');
    } catch (e) {
      if (!(e instanceof ImagedropError && (e.httpStatus === 404 || e.httpStatus === 501))) throw e;
    }
    const total = reported.usage?.image_size_total;
    if (total && typeof total.usage === 'number' && typeof total.limit === 'number') {
      const MiB = 1 << 20;
      return {
        source: 'usage-api',
        usedBytes: total.usage * MiB,
        limitBytes: total.limit < 0 ? null : total.limit * MiB,
      };
    }
    const limitBytes = this.session.config.storageQuota ?? null;
    // A check against the quota needs no sum where there is no quota: the listing of every image
    // of the project (seconds on a large one) is spared before each upload.
    if (limitBytes === null && options.onlyAgainstLimit) return { source: 'image-sum', usedBytes: 0, limitBytes };
    const { images } = await this.listImages(signal, { owner: this.session.projectId });
    let used = 0;
    for (const image of images) {
      if (image.status === 'killed' || image.status === 'deleted' || !image.size) continue;
      const copies = image.stores ? image.stores.split(',').filter((s) => s.trim()).length : 1;
      used += image.size * Math.max(1, copies);
    }
    return { source: 'image-sum', usedBytes: used, limitBytes };
  }

  /** GET /v2/info/import: the import methods this cloud enables. */
  async getImportMethods(signal: AbortSignal): Promise<string[]> {
    try {
      const res = await this.#call('GET', '/v2/info/import', signal);
      const doc = parseJson<{ 'import-methods'?: { value?: string[] } }>(res, this.url('/v2/info/import'), 'glance');
      return doc['import-methods']?.value ?? [];
    } catch (e) {
      if (e instanceof ImagedropError && e.httpStatus === 404) return [];
      throw e;
    }
  }

  /** GET /v2/schemas/image: which disk_format and container_format values this cloud accepts. */
  async getImageSchema(signal: AbortSignal): Promise<ImageSchemaFacts> {
    const res = await this.#call('GET', '/v2/schemas/image', signal);
    const schema = parseJson<{ properties?: Record<string, { enum?: (string | null)[] }> }>(
      res,
      this.url('/v2/schemas/image'),
      'glance',
    );
    const values = (key: string) =>
      (schema.properties?.[key]?.enum ?? []).filter((v): v is string => typeof v === 'string');
    return { diskFormats: values('disk_format'), containerFormats: values('container_format') };
  }
}
