// Request signatures the S3 ecosystem uses, for header-signed requests:
//   v4   AWS Signature Version 4 with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (the mode Huawei OBS
//        documents for non-streaming V4), signed by the `aws4` package;
//   v2   AWS Signature Version 2 (`AWS ak:sig`, HMAC-SHA1, `x-amz-*` headers);
//   obs  Huawei OBS's own (`OBS ak:sig`, the v2 form with `x-obs-*` headers).
// No maintained package signs v2 or OBS as a function (esdk-obs-nodejs does it inside its client
// only), so those two are here; the unit tests check them against esdk's own signer.
// Temporary keys add their security token as a signed header (x-amz-security-token /
// x-obs-security-token). An access key may contain a colon (Swift's `account:user`): it is never split.
import { createHmac } from 'node:crypto';
import aws4 from 'aws4';

export type SignatureVersion = 'v4' | 'v2' | 'obs';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The security token of temporary keys (STS / Huawei IAM temporary AK/SK). */
  readonly securityToken?: string;
}

export interface RequestToSign {
  readonly method: string;
  /** The Host header: `host[:port]`, with the bucket in front for virtual-host style. */
  readonly host: string;
  /** The path as sent, already URI-encoded: `/bucket/key` (path style) or `/key` (virtual-host). */
  readonly path: string;
  /** The query as sent, URI-encoded, without `?` (`''` for none). */
  readonly query: string;
  /** Headers with lower-case names; signing adds to them. */
  readonly headers: Record<string, string>;
  /** The bucket when it is in the host (virtual-host style), for v2/OBS's canonical resource. */
  readonly virtualHostBucket?: string;
}

/** What each v2-form flavour names its headers. */
const V2_FLAVOURS = {
  v2: { authPrefix: 'AWS', headerPrefix: 'x-amz-', tokenHeader: 'x-amz-security-token' },
  obs: { authPrefix: 'OBS', headerPrefix: 'x-obs-', tokenHeader: 'x-obs-security-token' },
} as const;

/**
 * The query parameters that are part of the v2/OBS canonical resource (sub-resources); every other
 * parameter (prefix, max-parts, part-number-marker …) is not signed. The S3 list, plus OBS's own.
 */
const SUB_RESOURCES = new Set(
  [
    'acl',
    'append',
    'cors',
    'delete',
    'encryption',
    'lifecycle',
    'location',
    'logging',
    'metadata',
    'notification',
    'partnumber',
    'policy',
    'position',
    'quota',
    'replication',
    'requestpayment',
    'response-cache-control',
    'response-content-disposition',
    'response-content-encoding',
    'response-content-language',
    'response-content-type',
    'response-expires',
    'restore',
    'storageclass',
    'storageinfo',
    'storagepolicy',
    'tagging',
    'torrent',
    'uploadid',
    'uploads',
    'versionid',
    'versioning',
    'versions',
    'website',
  ].map((p) => p.toLowerCase()),
);

/** The v2/OBS canonical resource: `/bucket/key` plus the sorted, decoded sub-resources. */
export function v2CanonicalResource(request: Pick<RequestToSign, 'path' | 'query' | 'virtualHostBucket'>): string {
  let resource = request.virtualHostBucket ? `/${request.virtualHostBucket}${request.path}` : request.path;
  if (request.query) {
    const kept = request.query
      .split('&')
      .sort()
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
        const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
        return { name, value };
      })
      .filter(({ name }) => SUB_RESOURCES.has(name.toLowerCase()))
      .map(({ name, value }) => (value ? `${name}=${value}` : name));
    if (kept.length) resource += `?${kept.join('&')}`;
  }
  return resource;
}

/**
 * The v2/OBS string to sign: METHOD, Content-MD5, Content-Type, Date, the sorted `x-amz-*` /
 * `x-obs-*` headers as `name:value`, then the canonical resource.
 */
export function v2StringToSign(request: RequestToSign, flavour: 'v2' | 'obs'): string {
  const { headerPrefix } = V2_FLAVOURS[flavour];
  const h = request.headers;
  const own = Object.keys(h)
    .filter((name) => name.startsWith(headerPrefix))
    .sort()
    .map((name) => `${name}:${h[name]!.trim()}\n`)
    .join('');
  return (
    `${request.method}\n${h['content-md5'] ?? ''}\n${h['content-type'] ?? ''}\n${h.date ?? ''}\n` +
    own +
    v2CanonicalResource(request)
  );
}

/**
 * Signs in place: adds `host`, the date (v2/OBS: a `date` already set is kept), the token header of
 * temporary keys, and `authorization`.
 * v4 signs the payload as UNSIGNED-PAYLOAD unless `payloadHash` is given (tests use AWS's examples).
 */
export function signRequest(
  request: RequestToSign,
  credentials: Credentials,
  version: SignatureVersion,
  region: string,
  now: Date = new Date(),
  options: { readonly payloadHash?: string } = {},
): void {
  const headers = request.headers;
  headers.host = request.host;
  if (version === 'v4') {
    headers['x-amz-content-sha256'] = options.payloadHash ?? 'UNSIGNED-PAYLOAD';
    headers['x-amz-date'] = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
    if (credentials.securityToken) headers['x-amz-security-token'] = credentials.securityToken;
    const signed = aws4.sign(
      {
        host: request.host,
        method: request.method,
        path: request.query ? `${request.path}?${request.query}` : request.path,
        service: 's3',
        region,
        headers,
      },
      { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    );
    headers.authorization = String(signed.headers!.Authorization);
    delete headers.Authorization;
    return;
  }
  const flavour = V2_FLAVOURS[version];
  headers.date ??= now.toUTCString();
  if (credentials.securityToken) headers[flavour.tokenHeader] = credentials.securityToken;
  const signature = createHmac('sha1', credentials.secretAccessKey)
    .update(v2StringToSign(request, version))
    .digest('base64');
  headers.authorization = `${flavour.authPrefix} ${credentials.accessKeyId}:${signature}`;
}

/** S3's URI encoding of an object key: every byte but the unreserved characters and `/`. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** One query value, URI-encoded the way SigV4 expects (RFC 3986). */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
