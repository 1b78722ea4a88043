// The HTTP layer under the Keystone and Glance clients: one shared undici Agent per TLS setting,
// an AbortSignal on every call, `Accept: application/json`, bodies always consumed, and every
// failure turned into one ImagedropError with a stable code (status table: status-errors.ts).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { ImagedropError } from '../errors.ts';

export type Service = 'keystone' | 'glance';

export interface TlsSettings {
  /** PEM file with the CA bundle that signs the cloud's certificates. */
  readonly cacertPath?: string;
  /** False only when a cloud's configuration says `verify: false`. */
  readonly verify?: boolean;
}

export const CONNECT_TIMEOUT_MS = 10_000;
export const API_HEADERS_TIMEOUT_MS = 60_000;
export const API_BODY_TIMEOUT_MS = 60_000;

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

/**
 * Reads a CA file, and only a regular one of at most MAX_CA_FILE_BYTES: opened non-blocking so a
 * FIFO cannot hold a thread, checked with fstat (the file opened, not the name) before any read,
 * and never read past the cap (a device such as /dev/zero has no end).
 */
export async function readCaFile(file: string): Promise<string> {
  const unreadable = (e: unknown) =>
    new ImagedropError(
      'config/unreadable',
      `The CA file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): check the cacert path.`,
      { detail: file, cause: e },
    );
  let handle: FileHandle;
  try {
    // O_NONBLOCK does not exist on Windows, where a path cannot name a FIFO or a device like this.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw unreadable(e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new ImagedropError(
        'config/unreadable',
        `The CA file ${file} is not a regular file (${info.isDirectory() ? 'a folder' : 'a device, pipe or socket'}): give the PEM file of the cloud's certificate authority.`,
        { detail: file },
      );
    }
    const tooBig = () =>
      new ImagedropError(
        'config/unreadable',
        `The CA file ${file} is larger than ${MAX_CA_FILE_BYTES >> 20} MiB, far more than a CA bundle: check that it is the PEM file of the cloud's certificate authority.`,
        { detail: file },
      );
    if (info.size > MAX_CA_FILE_BYTES) throw tooBig();
    // One byte more than the cap, in case the file grew since fstat.
    const buffer = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_CA_FILE_BYTES) throw tooBig();
    return buffer.toString('utf8', 0, length);
  } catch (e) {
    throw e instanceof ImagedropError ? e : unreadable(e);
  } finally {
    await handle.close();
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
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body as text (already read, so the connection is free). */
  readonly text: string;
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
    const text = await res.body.text();
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
      service === 'keystone' ? 'auth/unexpected-response' : 'glance/unexpected-response',
      `${serviceName(service)} at ${originOf(url)} answered with something that is not JSON: check that the URL points at the ${service === 'keystone' ? 'Keystone' : 'image service'} API.`,
      {
        httpStatus: res.status,
        detail: `HTTP ${res.status}, ${Array.isArray(type) ? type[0] : (type ?? 'no content type')}, ${Buffer.byteLength(res.text)} bytes`,
      },
    );
  }
}

/** The service's name at the start of a sentence: 'Keystone', 'The image service'. */
export function serviceName(service: Service): string {
  return service === 'keystone' ? 'Keystone' : 'The image service';
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
  if (has('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH')) {
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
