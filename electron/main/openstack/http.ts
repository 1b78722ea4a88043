// The HTTP layer under the Keystone and Glance clients: one shared undici Agent per TLS setting,
// an AbortSignal on every call, `Accept: application/json`, bodies always consumed, and every
// failure turned into one ImagedropError with a stable code (status table: status-errors.ts).
import { Agent, request, type Dispatcher } from 'undici';
import { ImagedropError } from '../errors.ts';
import { readCappedFile } from './capped-file.ts';

/** Who answered: Keystone and Huawei's IAM (Keystone-compatible) sign in, Glance and IMS hold images. */
export type Service = 'keystone' | 'glance' | 'iam' | 'ims';

export interface TlsSettings {
  /** PEM file with the CA bundle that signs the cloud's certificates. */
  readonly cacertPath?: string;
  /** False only when a cloud's configuration says `verify: false`. */
  readonly verify?: boolean;
}

export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The largest answer read from Keystone or Glance: a token with a big catalog is a few hundred
 * KiB, an image record a few KiB. A listing page may ask for more (GlanceClient.listImages).
 */
export const MAX_RESPONSE_BYTES = 16 << 20;
export const API_HEADERS_TIMEOUT_MS = 60_000;
export const API_BODY_TIMEOUT_MS = 60_000;
export const MAX_RESPONSE_HEADER_BYTES = 256 * 1024;

const agents = new Map<string, Promise<Dispatcher>>();

/** The shared Agent for a TLS setting (one for the default, one per custom CA or verify:false). */
export function getDispatcher(tls: TlsSettings = {}): Promise<Dispatcher> {
  const key = `${tls.cacertPath ?? ''}|${tls.verify === false ? 'insecure' : 'verify'}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = makeAgent(tls);
    agents.set(key, agent);
    agent.catch(() => agents.delete(key));
  }
  return agent;
}

/** A CA bundle is a few hundred KiB at most (Mozilla's whole set is about 220 KiB). */
export const MAX_CA_FILE_BYTES = 1 << 20;

/** Reads a CA file: a regular file of at most MAX_CA_FILE_BYTES (capped-file.ts says how). */
export async function readCaFile(file: string): Promise<string> {
  const read = await readCappedFile(file, MAX_CA_FILE_BYTES);
  if (read.ok) return read.text;
  const { problem } = read;
  switch (problem.kind) {
    case 'unreadable':
      throw new ImagedropError(
        'config/unreadable',
        `The CA file ${file} cannot be read (${problem.error.code ?? 'error'}): check the cacert path.`,
        { detail: file, cause: problem.error },
      );
    case 'not-a-file':
      throw new ImagedropError(
        'config/unreadable',
        `The CA file ${file} is not a regular file (${problem.what}): give the PEM file of the cloud's certificate authority.`,
        { detail: file },
      );
    case 'too-large':
      throw new ImagedropError(
        'config/unreadable',
        `The CA file ${file} is larger than ${MAX_CA_FILE_BYTES >> 20} MiB, far more than a CA bundle: check that it is the PEM file of the cloud's certificate authority.`,
        { detail: file },
      );
  }
}

async function makeAgent(tls: TlsSettings): Promise<Dispatcher> {
  const ca = tls.cacertPath ? await readCaFile(tls.cacertPath) : undefined;
  return new Agent({
    connect: {
      timeout: CONNECT_TIMEOUT_MS,
      ...(ca === undefined ? {} : { ca }),
      ...(tls.verify === false ? { rejectUnauthorized: false } : {}),
    },
    keepAliveTimeout: 4_000,
    // Huawei IAM tokens run to several KiB (IAM documents up to 100,000 characters) and come in the
    // X-Subject-Token header: undici's 16 KiB default for a response's headers is too small for them.
    maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    headersTimeout: API_HEADERS_TIMEOUT_MS,
    bodyTimeout: API_BODY_TIMEOUT_MS,
  });
}

/** Closes every shared Agent (the CLI calls it before exiting so sockets do not hold the process). */
export async function closeDispatchers(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.allSettled(all.map(async (a) => (await a).close()));
}

export interface HttpRequestOptions {
  readonly method: Dispatcher.HttpMethod;
  readonly headers?: Record<string, string>;
  readonly body?: Dispatcher.DispatchOptions['body'];
  readonly signal: AbortSignal;
  readonly dispatcher: Dispatcher;
  readonly service: Service;
  readonly headersTimeout?: number;
  readonly bodyTimeout?: number;
  /** The most of the answer's body to read (MAX_RESPONSE_BYTES unless a listing needs more). */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body as text (already read, so the connection is free). */
  readonly text: string;
}

function tooLarge(url: string, service: Service, status: number, max: number, seen: string): ImagedropError {
  return new ImagedropError(
    service === 'keystone' ? 'auth/unexpected-response' : 'glance/unexpected-response',
    `${serviceName(service)} at ${originOf(url)} sent an answer larger than ${Math.round(max / (1 << 20))} MiB, far more than any it should send, so Imagedrop stopped reading it: check that the URL points at the ${service === 'keystone' ? 'Keystone' : 'image service'} API.`,
    { httpStatus: status, detail: seen },
  );
}

/**
 * Reads a body as text, streamed and never past `max` bytes: a Content-Length above it is refused
 * before a byte is read, and a body without one is cut off as soon as it passes the cap.
 */
export async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  headers: HttpResponse['headers'],
  url: string,
  service: Service,
  status: number,
  max: number,
): Promise<string> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    body.destroy();
    throw tooLarge(url, service, status, max, `Content-Length ${declared}`);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    if (length > max) {
      body.destroy();
      throw tooLarge(url, service, status, max, `more than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length).toString('utf8');
}

/** Sends one request and reads the whole response body. Network failures become ImagedropErrors. */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  if (options.signal.aborted) throw abortReason(options.signal, url, options.service);
  try {
    const res = await request(url, {
      method: options.method,
      headers: { accept: 'application/json', ...options.headers },
      body: options.body ?? null,
      signal: options.signal,
      dispatcher: options.dispatcher,
      ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
      ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: options.bodyTimeout }),
    });
    const max = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const text = await readCapped(res.body, res.headers, url, options.service, res.statusCode, max);
    return { status: res.statusCode, headers: res.headers, text };
  } catch (e) {
    if (options.signal.aborted) throw abortReason(options.signal, url, options.service);
    throw networkError(e, url, options.service);
  }
}

/** True for the reason `AbortSignal.timeout()` aborts with (a DOMException named TimeoutError). */
export function isTimeoutReason(reason: unknown): boolean {
  return (reason as { name?: unknown } | null)?.name === 'TimeoutError';
}

/**
 * The reason an AbortSignal carries, as something to throw. A deadline that ran out is a
 * network/timeout (retryable), like undici's own timeouts; a cancel stays what it is.
 */
export function abortReason(signal: AbortSignal, url?: string, service?: Service): unknown {
  const reason = signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
  return isTimeoutReason(reason) ? timeoutError(url, service, reason) : reason;
}

function timeoutError(
  url: string | undefined,
  service: Service | undefined,
  cause: unknown,
  detail = (cause as { message?: string } | null)?.message ?? 'TimeoutError',
): ImagedropError {
  const who = service ? serviceName(service) : 'The cloud';
  const where = url ? ` at ${originOf(url)}` : '';
  return new ImagedropError(
    'network/timeout',
    `${who}${where} did not answer in time: check your network, or try again later.`,
    { retryable: true, detail, cause },
  );
}

/**
 * Parses a JSON body, or says clearly that the server answered something else. The error names
 * what came back (status, type, length) but never its text: an auth URL or a catalog entry may
 * point anywhere, and its content must not come back through an error.
 */
export function parseJson<T>(res: HttpResponse, url: string, service: Service): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    const type = res.headers['content-type'];
    throw new ImagedropError(
      service === 'keystone' || service === 'iam'
        ? 'auth/unexpected-response'
        : service === 'ims'
          ? 'ims/unexpected-response'
          : 'glance/unexpected-response',
      `${serviceName(service)} at ${originOf(url)} answered with something that is not JSON: check that the URL points at the ${service === 'keystone' ? 'Keystone' : service === 'iam' ? 'IAM' : service === 'ims' ? 'IMS' : 'image service'} API.`,
      {
        httpStatus: res.status,
        detail: `HTTP ${res.status}, ${Array.isArray(type) ? type[0] : (type ?? 'no content type')}, ${Buffer.byteLength(res.text)} bytes`,
      },
    );
  }
}

/** The service's name at the start of a sentence: 'Keystone', 'The image service'. */
export function serviceName(service: Service): string {
  return { keystone: 'Keystone', iam: 'IAM', ims: 'IMS', glance: 'The image service' }[service];
}

/** The service's name inside a sentence: 'Keystone', 'the image service'. */
export function serviceNoun(service: Service): string {
  return service === 'keystone' ? 'Keystone' : 'the image service';
}

export function originOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The code of a request body that yielded more or fewer bytes than its Content-Length (expect-put.ts). */
export const BODY_LENGTH_MISMATCH = 'IMAGEDROP_BODY_LENGTH_MISMATCH';

/** Certificate problems: the handshake got far enough to see a certificate it cannot trust. */
const CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

/** The peer answered the TLS hello with something that is not TLS (plain HTTP, most often). */
const PLAINTEXT_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/** Every message in an error and its causes. */
function errorMessages(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 5) return [];
  const err = e as { message?: unknown; cause?: unknown };
  return [...(typeof err.message === 'string' ? [err.message] : []), ...errorMessages(err.cause, depth + 1)];
}

/** Every errno-like code in an error, its causes and its aggregated errors. */
function errorCodes(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 5) return [];
  const codes: string[] = [];
  const err = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof err.code === 'string') codes.push(err.code);
  if (err.cause) codes.push(...errorCodes(err.cause, depth + 1));
  if (Array.isArray(err.errors)) for (const inner of err.errors) codes.push(...errorCodes(inner, depth + 1));
  return codes;
}

/** Classifies a failure below HTTP (undici error codes, Node errnos, TLS) into one clear error. */
export function networkError(e: unknown, url: string, service: Service): ImagedropError {
  if (e instanceof ImagedropError) return e;
  const codes = errorCodes(e);
  const host = originOf(url);
  const name = serviceName(service);
  const noun = serviceNoun(service);
  const detail = codes.join(', ') || (e instanceof Error ? e.message : String(e));
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  const messages = errorMessages(e);
  const cert = codes.find((c) => CERT_CODES.has(c));
  if (cert) {
    return new ImagedropError(
      'network/tls',
      `The certificate of ${host} cannot be trusted (${cert}): give the cloud's CA file as cacert, or check the URL.`,
      { detail, cause: e },
    );
  }
  if (
    codes.some((c) => PLAINTEXT_CODES.has(c)) ||
    (has('EPROTO') && messages.some((m) => /wrong version number|packet length too long/i.test(m)))
  ) {
    return new ImagedropError(
      'network/tls',
      `${host} answered in plain text, not TLS: the URL should probably start with http:// instead of https://, unless a proxy on the way answers instead of the cloud.`,
      { detail, cause: e },
    );
  }
  if (messages.some((m) => m.includes('before secure TLS connection was established'))) {
    // A server without TLS on that port, a server that wants a client certificate, and a
    // middlebox that cuts TLS all look the same from here: name them all.
    return new ImagedropError(
      'network/tls',
      `${host} closed the connection during the TLS handshake: it may not speak HTTPS on this port (try http://), it may require a client certificate, or a proxy or firewall on the way may block it.`,
      { detail, cause: e },
    );
  }
  const tls = codes.find((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c === 'EPROTO');
  if (tls) {
    return new ImagedropError(
      'network/tls',
      `The TLS handshake with ${host} failed (${tls}): the server may require a client certificate, or share no TLS version or cipher with Imagedrop; check the URL, or ask the cloud's administrator.`,
      { detail, cause: e },
    );
  }
  if (has('ECONNREFUSED')) {
    return new ImagedropError(
      'network/refused',
      `Nothing answers at ${host}: check the URL, and that ${noun} is running.`,
      { retryable: true, detail, cause: e },
    );
  }
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) {
    return new ImagedropError(
      'network/dns',
      `The host name in ${host} cannot be resolved: check the URL and your network's DNS.`,
      { retryable: has('EAI_AGAIN'), detail, cause: e },
    );
  }
  if (
    has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT')
  ) {
    return timeoutError(url, service, e, detail);
  }
  if (has('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', BODY_LENGTH_MISMATCH)) {
    // undici stops a body that yields more or fewer bytes than its Content-Length: the file changed.
    return new ImagedropError(
      'file/changed',
      `The data sent to ${host} did not match the size announced for it: the file changed while it was being uploaded; wait until nothing writes to it, then upload it again.`,
      { detail, cause: e },
    );
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN')) {
    return new ImagedropError(
      'network/unreachable',
      `${host} cannot be reached from this machine: check your network or VPN.`,
      { retryable: true, detail, cause: e },
    );
  }
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED')) {
    // Over TLS 1.3, a server that wants a client certificate refuses it after the handshake,
    // and undici only sees the connection close before any answer.
    const silentTls = url.startsWith('https:') && (e as { socket?: { bytesRead?: number } }).socket?.bytesRead === 0;
    return new ImagedropError(
      'network/reset',
      silentTls
        ? `The connection to ${host} closed before ${noun} answered anything: try again; if it keeps happening, the server may require a TLS client certificate, which Imagedrop does not send.`
        : `The connection to ${host} broke before ${noun} answered: try again; if it keeps happening, check the network and any proxy on the way.`,
      { retryable: true, detail, cause: e },
    );
  }
  return new ImagedropError('network/unreachable', `${name} at ${host} could not be reached (${detail}).`, {
    retryable: true,
    detail,
    cause: e,
  });
}
