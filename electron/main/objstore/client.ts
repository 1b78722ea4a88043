// A lean S3 client for the calls a resumable multipart upload needs, on Node's own HTTP client
// (http1.ts says why not undici): each call is one request with an AbortSignal, signed with v4, v2 or
// OBS's own signature, path or virtual-host style, its body always read, and every failure one
// ImagedropError (errors.ts). Works against Huawei OBS, AWS S3 and other S3-compatible stores (the
// tests run it against OpenStack Swift's s3api on loopback).
import type http from 'node:http';
import { isIP } from 'node:net';
import { ImagedropError } from '../errors.ts';
import { networkFailure, parseS3Error, s3Error, type Operation, type RequestContext } from './errors.ts';
import { defaultAgent, sendHttp } from './http1.ts';
import { OBS_LIMITS, bareEtag, checkBucketName, checkObjectKey, type StoreLimits } from './limits.ts';
import { encodeKey, encodeQueryValue, signRequest, type Credentials, type SignatureVersion } from './signing.ts';
import { children, escapeXml, parseXml, text } from './xml.ts';

export type Addressing = 'path' | 'virtual-host';

export interface ObjectStoreOptions {
  /** `https://obs.cn-north-4.myhuaweicloud.com`, `http://127.0.0.1:18080`, … (no bucket in it). */
  readonly endpoint: string;
  /** The region the bucket lives in (signed into v4 requests; compared with the bucket's location). */
  readonly region: string;
  readonly credentials: Credentials;
  /** Default 'v4' (UNSIGNED-PAYLOAD), which AWS, OBS and most S3-compatible stores accept. */
  readonly signature?: SignatureVersion;
  /** Default: path style for an IP address or localhost endpoint, else virtual-host style. */
  readonly addressing?: Addressing;
  /**
   * Default: a shared keep-alive agent for the endpoint's scheme. An `https.Agent({ ca })` for a
   * private CA; tests pass one that connects every host name to 127.0.0.1.
   */
  readonly agent?: http.Agent;
  /** Default: OBS's (10,000 parts of 100 KB – 5 GB). */
  readonly limits?: StoreLimits;
  /** How long to wait for a response's headers once the request is sent (default 60 s). */
  readonly headersTimeoutMs?: number;
}

export interface BucketFacts {
  /** The bucket's location (region), when the store says. */
  readonly region?: string;
  /** The bucket's default storage class, when the store says (OBS: STANDARD, WARM, COLD). */
  readonly storageClass?: string;
}

export interface StoredPart {
  readonly partNumber: number;
  /** Bare hex, lower case, no quotes. */
  readonly etag: string;
  readonly size: number;
}

export interface MultipartUploadInfo {
  readonly key: string;
  readonly uploadId: string;
  /** ISO 8601, as the store says. */
  readonly initiated: string;
}

export interface ObjectFacts {
  readonly size: number;
  /** Bare, without quotes. */
  readonly etag: string;
  readonly storageClass?: string;
  readonly lastModified?: string;
}

export interface UploadPartInput {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly partNumber: number;
  readonly length: number;
  /** The MD5 of the body, sent as Content-MD5 (the store refuses the part when it differs). */
  readonly md5?: Buffer;
  readonly body: Buffer | AsyncIterable<Uint8Array>;
}

export interface InitiateOptions {
  readonly contentType?: string;
  /** User metadata, sent as x-amz-meta-* / x-obs-meta-*. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
/** CompleteMultipartUpload of many parts can take minutes; stores send blanks meanwhile. */
const COMPLETE_TIMEOUT_MS = 15 * 60_000;

interface SendOptions {
  readonly operation: Operation;
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly bucket: string;
  readonly key?: string;
  /** Query parameters in order; a null value is a bare name (`?uploads`). */
  readonly query?: readonly (readonly [string, string | null])[];
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | AsyncIterable<Uint8Array>;
  readonly signal: AbortSignal;
  readonly uploadId?: string;
  readonly partNumber?: number;
  readonly headersTimeout?: number;
  readonly bodyTimeout?: number;
  /** Statuses that are an answer, not an error (e.g. 404 for HEAD object). */
  readonly accept?: readonly number[];
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export class ObjectStoreClient {
  readonly endpoint: URL;
  readonly region: string;
  readonly signature: SignatureVersion;
  readonly addressing: Addressing;
  readonly limits: StoreLimits;
  readonly #credentials: Credentials;
  readonly #agent: http.Agent;
  readonly #headersTimeout: number;

  constructor(options: ObjectStoreOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new ImagedropError(
        'objstore/config',
        `The object store endpoint "${options.endpoint}" is not a URL: give it as https://host[:port].`,
      );
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username) {
      throw new ImagedropError(
        'objstore/config',
        `The object store endpoint "${options.endpoint}" must be a plain http:// or https:// address, without a query or user name.`,
      );
    }
    if (!options.credentials.accessKeyId || !options.credentials.secretAccessKey) {
      throw new ImagedropError(
        'objstore/config',
        'The object store needs an access key and a secret key (ak and sk): give both.',
      );
    }
    if (!options.region) {
      throw new ImagedropError(
        'objstore/config',
        "The object store needs a region (the bucket's, e.g. cn-north-4): give one.",
      );
    }
    this.endpoint = url;
    this.region = options.region;
    this.signature = options.signature ?? 'v4';
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    this.addressing =
      options.addressing ?? (isIP(hostname) !== 0 || hostname === 'localhost' ? 'path' : 'virtual-host');
    this.limits = options.limits ?? OBS_LIMITS;
    this.#credentials = options.credentials;
    this.#agent = options.agent ?? defaultAgent(url.protocol);
    this.#headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  }

  get accessKeyId(): string {
    return this.#credentials.accessKeyId;
  }

  /** The endpoint's host as configured (for messages). */
  get host(): string {
    return this.endpoint.host;
  }

  // --- bucket -------------------------------------------------------------------------------

  /**
   * HEAD bucket: proves the bucket exists and the key may read it, and reads its region and default
   * storage class where the store says (OBS: x-obs-bucket-location, x-obs-storage-class; AWS:
   * x-amz-bucket-region). HEAD answers carry no error document: prefer bucketLocation() first.
   */
  async headBucket(bucket: string, signal: AbortSignal): Promise<BucketFacts> {
    checkBucketName(bucket);
    let res: Answer;
    try {
      res = await this.#send({ operation: 'head-bucket', method: 'HEAD', bucket, signal });
    } catch (e) {
      // A refusal without a body (wrong secret, wrong region, no permission look alike): the same
      // question as a GET brings the error document that names the cause.
      const status = (e as { httpStatus?: unknown } | null)?.httpStatus;
      if (status === 400 || status === 403) await this.bucketLocation(bucket, signal);
      throw e;
    }
    const region =
      header(res.headers, 'x-obs-bucket-location') ??
      header(res.headers, 'x-amz-bucket-region') ??
      header(res.headers, 'bucket-location');
    const storageClass =
      header(res.headers, 'x-obs-storage-class') ??
      header(res.headers, 'x-default-storage-class') ??
      header(res.headers, 'x-amz-storage-class');
    return { ...(region ? { region } : {}), ...(storageClass ? { storageClass } : {}) };
  }

  /** GET ?location: the bucket's region ('' where the store says the default, as AWS does for us-east-1). */
  async bucketLocation(bucket: string, signal: AbortSignal): Promise<string> {
    checkBucketName(bucket);
    const res = await this.#send({
      operation: 'bucket-location',
      method: 'GET',
      bucket,
      query: [['location', null]],
      signal,
    });
    const node = parseXml(res.text, 'LocationConstraint') ?? parseXml(res.text, 'CreateBucketConfiguration');
    if (!node) throw this.#unexpected('bucket-location', bucket, res);
    return (text(node, '#text') ?? text(node, 'LocationConstraint') ?? text(node, 'Location') ?? '').trim();
  }

  /**
   * The pre-flight check of a bucket before anything is written: it exists, this key may read it,
   * and it is in the configured region (with v2/OBS signatures a wrong region is not refused by the
   * signature, so it is compared here). Resolves with its region and, where the store says, its
   * default storage class. An empty location is AWS's (and Swift's) way of saying us-east-1.
   */
  async checkBucket(bucket: string, signal: AbortSignal): Promise<Required<Pick<BucketFacts, 'region'>> & BucketFacts> {
    const location = (await this.bucketLocation(bucket, signal)) || 'us-east-1';
    const facts = await this.headBucket(bucket, signal);
    if (location !== this.region) {
      throw new ImagedropError(
        'objstore/wrong-region',
        `The bucket "${bucket}" at ${this.host} is in region ${location}, not ${this.region}: set the region to ${location}.`,
        { detail: `location ${location}` },
      );
    }
    return { ...facts, region: location };
  }

  // --- multipart ------------------------------------------------------------------------------

  async initiateMultipartUpload(
    bucket: string,
    key: string,
    options: InitiateOptions,
    signal: AbortSignal,
  ): Promise<string> {
    this.#checkNames(bucket, key);
    const headers: Record<string, string> = {};
    if (options.contentType) headers['content-type'] = options.contentType;
    const metaPrefix = this.signature === 'obs' ? 'x-obs-meta-' : 'x-amz-meta-';
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      headers[metaPrefix + name.toLowerCase()] = encodeURIComponent(value);
    }
    const res = await this.#send({
      operation: 'initiate',
      method: 'POST',
      bucket,
      key,
      query: [['uploads', null]],
      headers,
      signal,
    });
    const uploadId = text(parseXml(res.text, 'InitiateMultipartUploadResult'), 'UploadId');
    if (!uploadId) throw this.#unexpected('initiate', bucket, res, key);
    return uploadId;
  }

  /** Sends one part; resolves with its ETag (bare hex). Content-MD5 when `md5` is given. */
  async uploadPart(input: UploadPartInput, signal: AbortSignal, headersTimeout?: number): Promise<string> {
    const headers: Record<string, string> = { 'content-length': String(input.length) };
    if (input.md5) headers['content-md5'] = input.md5.toString('base64');
    const res = await this.#send({
      operation: 'upload-part',
      method: 'PUT',
      bucket: input.bucket,
      key: input.key,
      uploadId: input.uploadId,
      partNumber: input.partNumber,
      query: [
        ['partNumber', String(input.partNumber)],
        ['uploadId', input.uploadId],
      ],
      headers,
      body: input.body,
      signal,
      ...(headersTimeout === undefined ? {} : { headersTimeout }),
    });
    const etag = header(res.headers, 'etag');
    if (!etag) throw this.#unexpected('upload-part', input.bucket, res, input.key);
    return bareEtag(etag);
  }

  /** One page of ListParts (max 1,000 parts on S3 and OBS), from after `marker`. */
  async listPartsPage(
    bucket: string,
    key: string,
    uploadId: string,
    marker: number,
    signal: AbortSignal,
    maxParts?: number,
  ): Promise<{ parts: StoredPart[]; nextMarker: number | undefined }> {
    const query: [string, string | null][] = [];
    if (maxParts !== undefined) query.push(['max-parts', String(maxParts)]);
    if (marker > 0) query.push(['part-number-marker', String(marker)]);
    query.push(['uploadId', uploadId]);
    const res = await this.#send({ operation: 'list-parts', method: 'GET', bucket, key, uploadId, query, signal });
    const node = parseXml(res.text, 'ListPartsResult');
    if (!node) throw this.#unexpected('list-parts', bucket, res, key);
    const parts = children(node, 'Part').map((p) => {
      const partNumber = Number(text(p, 'PartNumber'));
      const size = Number(text(p, 'Size'));
      const etag = text(p, 'ETag');
      if (!Number.isSafeInteger(partNumber) || !Number.isSafeInteger(size) || !etag)
        throw this.#unexpected('list-parts', bucket, res, key);
      return { partNumber, size, etag: bareEtag(etag) };
    });
    const truncated = text(node, 'IsTruncated') === 'true';
    const next = Number(text(node, 'NextPartNumberMarker') ?? parts.at(-1)?.partNumber ?? 0);
    if (truncated && !(next > marker)) throw this.#unexpected('list-parts', bucket, res, key);
    return { parts, nextMarker: truncated ? next : undefined };
  }

  /** Every stored part of an upload, following the pages. */
  async listParts(bucket: string, key: string, uploadId: string, signal: AbortSignal): Promise<StoredPart[]> {
    const all: StoredPart[] = [];
    let marker: number | undefined = 0;
    while (marker !== undefined) {
      const page: Awaited<ReturnType<ObjectStoreClient['listPartsPage']>> = await this.listPartsPage(
        bucket,
        key,
        uploadId,
        marker,
        signal,
      );
      all.push(...page.parts);
      marker = page.nextMarker;
    }
    return all;
  }

  /** Assembles the object; resolves with its ETag (bare: `hex-n`). */
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
    signal: AbortSignal,
  ): Promise<string> {
    const xml =
      '<CompleteMultipartUpload>' +
      parts
        .map(
          (p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${escapeXml(bareEtag(p.etag))}"</ETag></Part>`,
        )
        .join('') +
      '</CompleteMultipartUpload>';
    const body = Buffer.from(xml);
    const res = await this.#send({
      operation: 'complete',
      method: 'POST',
      bucket,
      key,
      uploadId,
      query: [['uploadId', uploadId]],
      headers: { 'content-type': 'application/xml', 'content-length': String(body.length) },
      body,
      signal,
      headersTimeout: COMPLETE_TIMEOUT_MS,
      bodyTimeout: COMPLETE_TIMEOUT_MS,
    });
    // S3 answers 200 at once and keeps the connection alive with blanks while it assembles the
    // object; a failure then comes as an error document in that 200 body.
    const error = parseS3Error(res.text);
    if (error) throw s3Error(500, error, this.#context('complete', bucket, key, uploadId));
    const etag = text(parseXml(res.text, 'CompleteMultipartUploadResult'), 'ETag');
    if (!etag) throw this.#unexpected('complete', bucket, res, key);
    return bareEtag(etag);
  }

  /** Aborts an upload; an upload that is already gone counts as aborted. */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string, signal: AbortSignal): Promise<void> {
    await this.#send({
      operation: 'abort',
      method: 'DELETE',
      bucket,
      key,
      uploadId,
      query: [['uploadId', uploadId]],
      signal,
      accept: [404],
    });
  }

  /** Unfinished multipart uploads whose key starts with `prefix`, every page. */
  async listMultipartUploads(bucket: string, prefix: string, signal: AbortSignal): Promise<MultipartUploadInfo[]> {
    checkBucketName(bucket);
    const all: MultipartUploadInfo[] = [];
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const query: [string, string | null][] = [];
      if (keyMarker) query.push(['key-marker', keyMarker]);
      if (prefix) query.push(['prefix', prefix]);
      if (uploadIdMarker) query.push(['upload-id-marker', uploadIdMarker]);
      query.push(['uploads', null]);
      const res = await this.#send({ operation: 'list-uploads', method: 'GET', bucket, query, signal });
      const node = parseXml(res.text, 'ListMultipartUploadsResult');
      if (!node) throw this.#unexpected('list-uploads', bucket, res);
      for (const u of children(node, 'Upload')) {
        const key = text(u, 'Key');
        const uploadId = text(u, 'UploadId');
        if (key === undefined || !uploadId) throw this.#unexpected('list-uploads', bucket, res);
        all.push({ key, uploadId, initiated: text(u, 'Initiated') ?? '' });
      }
      if (text(node, 'IsTruncated') !== 'true') return all;
      const nextKey = text(node, 'NextKeyMarker') ?? '';
      const nextId = text(node, 'NextUploadIdMarker') ?? '';
      if (nextKey === keyMarker && nextId === uploadIdMarker) throw this.#unexpected('list-uploads', bucket, res);
      keyMarker = nextKey;
      uploadIdMarker = nextId;
    }
  }

  // --- objects ----------------------------------------------------------------------------------

  /** The object's size and ETag, or null when there is no such object. */
  async headObject(bucket: string, key: string, signal: AbortSignal): Promise<ObjectFacts | null> {
    this.#checkNames(bucket, key);
    const res = await this.#send({ operation: 'head-object', method: 'HEAD', bucket, key, signal, accept: [404] });
    if (res.status === 404) return null;
    const etag = header(res.headers, 'etag');
    const size = Number(header(res.headers, 'content-length'));
    if (!etag || !Number.isSafeInteger(size)) throw this.#unexpected('head-object', bucket, res, key);
    const storageClass = header(res.headers, 'x-obs-storage-class') ?? header(res.headers, 'x-amz-storage-class');
    const lastModified = header(res.headers, 'last-modified');
    return {
      size,
      etag: bareEtag(etag),
      ...(storageClass ? { storageClass } : {}),
      ...(lastModified ? { lastModified } : {}),
    };
  }

  /** Deletes an object; one that does not exist counts as deleted (S3 answers 204 either way). */
  async deleteObject(bucket: string, key: string, signal: AbortSignal): Promise<void> {
    this.#checkNames(bucket, key);
    await this.#send({ operation: 'delete-object', method: 'DELETE', bucket, key, signal, accept: [404] });
  }

  // --- the one request path ---------------------------------------------------------------------

  #checkNames(bucket: string, key: string): void {
    checkBucketName(bucket);
    checkObjectKey(key, this.limits);
  }

  #context(operation: Operation, bucket: string, key?: string, uploadId?: string, partNumber?: number): RequestContext {
    return {
      operation,
      host: this.host,
      bucket,
      accessKeyId: this.#credentials.accessKeyId,
      region: this.region,
      ...(key === undefined ? {} : { key }),
      ...(uploadId === undefined ? {} : { uploadId }),
      ...(partNumber === undefined ? {} : { partNumber }),
    };
  }

  #unexpected(operation: Operation, bucket: string, res: Answer, key?: string): ImagedropError {
    return new ImagedropError(
      'objstore/unexpected-response',
      `${this.host} answered the ${operation} request for ${key === undefined ? `the bucket "${bucket}"` : `"${key}"`} with something that is not the S3 answer: check that the endpoint is an S3-compatible object store.`,
      { httpStatus: res.status, detail: res.text.slice(0, 300) },
    );
  }

  /** The URL and Host for a request, path or virtual-host style. */
  #target(bucket: string, key: string | undefined): { url: string; host: string; path: string; vhost?: string } {
    const encodedKey = key === undefined ? '' : encodeKey(key);
    if (this.addressing === 'virtual-host') {
      const host = `${bucket}.${this.endpoint.host}`;
      const path = `/${encodedKey}`;
      return { url: `${this.endpoint.protocol}//${host}${path}`, host, path, vhost: bucket };
    }
    const base = this.endpoint.pathname.replace(/\/+$/, '');
    const path = `${base}/${bucket}${key === undefined ? '' : `/${encodedKey}`}`;
    return { url: `${this.endpoint.origin}${path}`, host: this.endpoint.host, path };
  }

  async #send(o: SendOptions): Promise<Answer> {
    const ctx = this.#context(o.operation, o.bucket, o.key, o.uploadId, o.partNumber);
    const target = this.#target(o.bucket, o.key);
    const query = (o.query ?? [])
      .map(([name, value]) => (value === null ? name : `${name}=${encodeQueryValue(value)}`))
      .join('&');
    const headers: Record<string, string> = { ...o.headers };
    // A POST or PUT without a body says so (Node would otherwise send it chunked).
    if (o.body === undefined && (o.method === 'POST' || o.method === 'PUT')) headers['content-length'] ??= '0';
    signRequest(
      {
        method: o.method,
        host: target.host,
        path: target.path,
        query,
        headers,
        ...(target.vhost === undefined ? {} : { virtualHostBucket: target.vhost }),
      },
      this.#credentials,
      this.signature,
      this.region,
    );
    if (o.signal.aborted) throw o.signal.reason;
    let answer: Answer;
    try {
      answer = await sendHttp(query ? `${target.url}?${query}` : target.url, {
        method: o.method,
        headers,
        body: o.body ?? null,
        signal: o.signal,
        agent: this.#agent,
        headersTimeoutMs: o.headersTimeout ?? this.#headersTimeout,
        bodyTimeoutMs: o.bodyTimeout ?? this.#headersTimeout,
      });
    } catch (e) {
      if (o.signal.aborted) throw o.signal.reason;
      throw networkFailure(e, ctx);
    }
    if (answer.status < 300 || o.accept?.includes(answer.status)) return answer;
    throw s3Error(answer.status, parseS3Error(answer.text), ctx, answer.headers);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
