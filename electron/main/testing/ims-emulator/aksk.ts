// The IMS emulator's check of APIG's SDK-HMAC-SHA256 signatures, written apart from the client's
// signer (huawei/signer.ts) on purpose: a mistake in one is not repeated in the other, and both are
// held to the documented test vector.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** "12 MB" at the gateway: read here as 12 MiB, the larger reading (the client keeps to 12,000,000). */
export const GATEWAY_BODY_LIMIT = 12 * 1024 * 1024;
export const GATEWAY_MAX_SKEW_MS = 15 * 60_000;

export interface AccessKeyEntry {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary keys only: the request must carry (and sign) X-Security-Token with this value. */
  readonly securityToken?: string;
  /** Temporary keys only. */
  readonly expiresAt?: Date;
}

export type VerifyResult =
  | { readonly ok: true; readonly key: AccessKeyEntry; readonly signedHeaders: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

const AUTH = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;

/** Percent-encoding of RFC 3986: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex). */
function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function unescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

function parseDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? null : t;
}

/** The canonical request the gateway rebuilds from what arrived. */
export function gatewayCanonicalRequest(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const search = q < 0 ? '' : rawUrl.slice(q + 1);
  let uri = path
    .split('/')
    .map((s) => rfc3986(unescape(s)))
    .join('/');
  if (!uri.endsWith('/')) uri += '/';
  const params = search
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [unescape(kv), ''] : [unescape(kv.slice(0, eq)), unescape(kv.slice(eq + 1))];
    })
    .sort((a, b) => (a[0]! === b[0]! ? (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0) : a[0]! < b[0]! ? -1 : 1))
    .map(([k, v]) => `${rfc3986(k!)}=${rfc3986(v!)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${header(headers, h).trim()}\n`).join('');
  return `${method.toUpperCase()}\n${uri}\n${params}\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

/**
 * Verifies a request's signature as the gateway does: the key is known (and, if temporary, not
 * expired and presented with its security token), X-Sdk-Date is signed and within 15 minutes of
 * `now`, and the signature matches the canonical request of what arrived.
 */
export function verifyAkSk(input: {
  method: string;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  keys: readonly AccessKeyEntry[];
  now: number;
}): VerifyResult {
  const fail = (message: string, status = 401): VerifyResult => ({
    ok: false,
    status,
    code: 'APIGW.0301',
    message: `Incorrect IAM authentication information: ${message}`,
  });
  const m = AUTH.exec(header(input.headers, 'authorization'));
  if (!m) return fail('the Authorization header is not an SDK-HMAC-SHA256 signature');
  const [, access, signedList, signature] = m;
  const signedHeaders = signedList!.split(';');
  const key = input.keys.find((k) => k.accessKey === access);
  if (!key) return fail(`the access key ${access} does not exist`);
  if (!signedHeaders.includes('x-sdk-date')) return fail('X-Sdk-Date is not among the signed headers');
  const dateText = header(input.headers, 'x-sdk-date');
  const date = parseDate(dateText);
  if (date === null) return fail(`X-Sdk-Date '${dateText}' is not of the form YYYYMMDDTHHMMSSZ`);
  if (Math.abs(input.now - date) > GATEWAY_MAX_SKEW_MS)
    return fail('the request time (X-Sdk-Date) is more than 15 minutes away from the server time');
  if (key.securityToken !== undefined) {
    if (key.expiresAt && key.expiresAt.getTime() <= input.now) return fail('the security token has expired');
    if (header(input.headers, 'x-security-token') !== key.securityToken || !signedHeaders.includes('x-security-token'))
      return fail('a temporary access key needs its X-Security-Token, signed');
  }
  const declared = header(input.headers, 'x-sdk-content-sha256');
  const payloadHash = declared === 'UNSIGNED-PAYLOAD' ? declared : sha256(input.body);
  const canonical = gatewayCanonicalRequest(input.method, input.rawUrl, input.headers, signedHeaders, payloadHash);
  const stringToSign = `SDK-HMAC-SHA256\n${dateText}\n${sha256(canonical)}`;
  const expected = createHmac('sha256', key.secretKey).update(stringToSign).digest();
  const given = Buffer.from(signature!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('verify aksk signature fail');
  return { ok: true, key, signedHeaders };
}
