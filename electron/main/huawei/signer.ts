// APIG's "SDK-HMAC-SHA256" request signature, as Huawei Cloud's API gateway checks it on IMS and IAM
// calls made with an access key (AK/SK) instead of a token (ims.md §1.5):
//
//   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
//   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n HexSHA256(CanonicalRequest)
//   Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=Hex(HMAC-SHA256(SK, StringToSign))
//
// Pure functions over strings and bytes: no clock (the date is given), no network.
import { createHash, createHmac } from 'node:crypto';
import { ImagedropError } from '../errors.ts';

export const SDK_HMAC_SHA256 = 'SDK-HMAC-SHA256';
/** X-Sdk-Content-Sha256's value that leaves the body out of the signature (binary bodies). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/**
 * "AK/SK authentication supports API requests with a body not larger than 12 MB" (every Huawei
 * service's Authentication page). Read as 12,000,000 bytes, the smaller of the two readings of "MB".
 */
export const MAX_SIGNED_BODY_BYTES = 12_000_000;
/** The gateway refuses a request whose X-Sdk-Date is further than this from its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** Headers never signed: a proxy may rewrite them (Huawei's Go SDK leaves content-type out too). */
const UNSIGNED_HEADERS = new Set(['content-type', 'content-length', 'authorization', 'connection', 'expect']);

/** 2019-11-15T03:36:55.123Z → 20191115T033655Z */
export function sdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** 20191115T033655Z → the Date, or null when it is not in that form. */
export function parseSdkDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  // Date.UTC rolls month 13 over into the next year: only a date that writes back the same is one.
  return Number.isNaN(date.getTime()) || sdkDate(date) !== value ? null : date;
}

/** RFC 3986 percent-encoding of the UTF-8 bytes: only A–Z a–z 0–9 - _ . ~ stay as they are. */
export function escapeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Each path segment decoded, then encoded as RFC 3986 says, and always a '/' at the end (only for
 * signing: the request goes to the path as it is).
 */
export function canonicalUri(pathname: string): string {
  const uri = pathname
    .split('/')
    .map((segment) => escapeRfc3986(decode(segment)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** `?b=2&a=1&a=0` → `a=0&a=1&b=2`: keys sorted, a key's values sorted, both encoded; '' for none. */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  if (raw === '') return '';
  const pairs = raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return [decode(i < 0 ? p : p.slice(0, i)), i < 0 ? '' : decode(p.slice(i + 1))] as const;
    });
  // Sorted on the decoded text (as Huawei's SDKs sort), then encoded.
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${escapeRfc3986(k)}=${escapeRfc3986(v)}`).join('&');
}

/** `name:value\n` per signed header (names lower-case, values trimmed), in the signed order. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>, signed: readonly string[]): string {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return signed.map((name) => `${name}:${(lower.get(name) ?? '').trim()}\n`).join('');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalParts {
  readonly method: string;
  readonly pathname: string;
  /** The query as sent, with or without its '?'. */
  readonly search: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case header names, sorted. */
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
}

export function canonicalRequest(parts: CanonicalParts): string {
  return [
    parts.method.toUpperCase(),
    canonicalUri(parts.pathname),
    canonicalQuery(parts.search),
    canonicalHeaders(parts.headers, parts.signedHeaders),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(sdkDateValue: string, canonical: string): string {
  return `${SDK_HMAC_SHA256}\n${sdkDateValue}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 keyed with the secret key itself (no derived key, unlike AWS SigV4). */
export function signString(secretKey: string, text: string): string {
  return createHmac('sha256', secretKey).update(text).digest('hex');
}

export interface SignInput {
  readonly method: string;
  readonly url: string;
  /** Headers the request will carry (signed, except content-type and content-length). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The exact body bytes (JSON text), hashed into the signature. */
  readonly body?: string | Uint8Array | null;
  /** Leave the body out of the signature (X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD); its size still counts. */
  readonly unsignedPayload?: { readonly size: number };
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary keys' token: sent and signed as X-Security-Token. */
  readonly securityToken?: string;
  /** Sent and signed as X-Project-Id (IMS takes the project from it on AK/SK calls). */
  readonly projectId?: string;
  readonly date: Date;
}

function bodySize(body: string | Uint8Array | null | undefined): number {
  if (body === undefined || body === null) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/**
 * The headers to send: the given ones plus host, X-Sdk-Date, X-Project-Id, X-Security-Token,
 * X-Sdk-Content-Sha256 (for an unsigned payload) and Authorization. Refuses a body over 12 MB,
 * which the gateway would refuse anyway: such a request needs a token.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const size = input.unsignedPayload ? input.unsignedPayload.size : bodySize(input.body);
  if (size > MAX_SIGNED_BODY_BYTES) {
    throw new ImagedropError(
      'ims/needs-token',
      `This request carries ${size} bytes, and a request signed with an access key (AK/SK) may carry at most 12 MB: sign in with the IAM user's password (a token) for it.`,
      { detail: `${input.method} ${input.url}` },
    );
  }
  if (!input.accessKey || !input.secretKey) {
    throw new ImagedropError('config/missing-field', 'An access key needs both its id (ak) and its secret (sk).');
  }
  const url = new URL(input.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  headers['x-sdk-date'] = sdkDate(input.date);
  if (input.projectId) headers['x-project-id'] = input.projectId;
  if (input.securityToken) headers['x-security-token'] = input.securityToken;
  if (input.unsignedPayload) headers['x-sdk-content-sha256'] = UNSIGNED_PAYLOAD;
  const signedHeaders = Object.keys(headers)
    .filter((h) => !UNSIGNED_HEADERS.has(h) && !h.includes('_'))
    .sort();
  const payloadHash = input.unsignedPayload ? UNSIGNED_PAYLOAD : sha256Hex(input.body ?? '');
  const canonical = canonicalRequest({
    method: input.method,
    pathname: url.pathname,
    search: url.search,
    headers,
    signedHeaders,
    payloadHash,
  });
  const sig = signString(input.secretKey, stringToSign(headers['x-sdk-date'], canonical));
  headers.authorization = `${SDK_HMAC_SHA256} Access=${input.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`;
  // undici sets Host itself from the URL; sending it twice would be refused.
  delete headers.host;
  return headers;
}
