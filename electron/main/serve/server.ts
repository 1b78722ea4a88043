// The web server of `imagedrop serve`: the built renderer, and the core behind it as a third
// transport of the one contract (shared/ipc.ts):
//
//   GET  /?secret=…     exchanges the printed secret for a session cookie, then 303 to /
//   GET  /, /assets/…   the renderer (signed in only), from memory (static.ts)
//   POST /api/<name>    one call: the JSON body is the argument list; dispatchChannel validates it
//                       exactly as the app's ipcMain handlers do, and the answer is its Result
//   GET  /api/events    the core's events, as server-sent events (events.ts)
//
// Every request first passes the Host check (guard.ts); calls and the event stream also the
// Origin and fetch-metadata checks; everything but the exchange needs the session cookie. Every
// answer carries the app's Content-Security-Policy and no CORS header.
import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import os from 'node:os';
import { RENDERER_CSP } from '../../../shared/csp.ts';
import type { AppErrorCode } from '../../../shared/errors.ts';
import { CHANNEL_PREFIX } from '../../../shared/ipc.ts';
import { dispatchChannel, methodForChannel, type InvokeHandlers } from '../core/dispatch.ts';
import { ImagedropError } from '../errors.ts';
import { SignIn, type SignInOptions } from './auth.ts';
import { EventStream, type EventSourceCore, type EventStreamOptions } from './events.ts';
import {
  allowedHostnames,
  certificateNames,
  isAllowedHost,
  isLoopbackAddress,
  isSameOrigin,
  isSameOriginFetch,
  isWildcardAddress,
  normalHostname,
  type Scheme,
} from './guard.ts';
import type { StaticFile } from './static.ts';

/** What the server needs of the core: its handlers and its events. */
export interface ServeCore extends EventSourceCore {
  readonly handlers: InvokeHandlers;
}

export interface TlsFiles {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface ServeServerOptions {
  readonly core: ServeCore;
  readonly renderer: ReadonlyMap<string, StaticFile>;
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsFiles;
  /** Tests: a fixed secret, a clock, other limits. */
  readonly signIn?: Omit<SignInOptions, 'tls'>;
  readonly events?: EventStreamOptions;
}

export interface ServeServer {
  /** The address to open, with its secret. */
  readonly url: string;
  /** scheme://host:port as printed (without the secret). */
  readonly origin: string;
  readonly port: number;
  readonly secret: string;
  readonly hostnames: ReadonlySet<string>;
  /** Stops accepting, ends the event streams, closes every connection. */
  close(): Promise<void>;
}

/** The largest call body: 1000 upload requests with their properties fit well inside. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** What every response says about itself; frame-ancestors only works as a header, so it is added here. */
export const SERVE_CSP = `${RENDERER_CSP}; frame-ancestors 'none'`;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': SERVE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};

/** A request path that carries an encoded `.`, `/`, `\` or NUL, a backslash, or a `.`/`..` segment. */
function isSuspiciousPath(pathname: string): boolean {
  if (/%(2e|2f|5c|00)/i.test(pathname) || pathname.includes('\\')) return true;
  return pathname.split('/').some((s) => s === '.' || s === '..');
}

/** True when the address is this machine's loopback (names resolved: every address must be). */
export async function isLoopbackHost(host: string): Promise<boolean> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return isLoopbackAddress(bare);
  if (bare.toLowerCase() === 'localhost') return true;
  try {
    const addresses = await lookup(bare, { all: true });
    return addresses.length > 0 && addresses.every((a) => isLoopbackAddress(a.address));
  } catch {
    return false;
  }
}

/** Refuses to listen beyond this machine without TLS: files and cloud sign-ins would cross the network in clear. */
export async function checkBind(host: string, tls: boolean): Promise<void> {
  if (tls || (await isLoopbackHost(host))) return;
  throw new ImagedropError(
    'serve/insecure-bind',
    `Imagedrop serves your files and cloud sign-ins, so it listens on ${host} only with TLS (--cert FILE --key FILE); or keep the default 127.0.0.1 and reach it through \`ssh -L\`.`,
  );
}

function listenError(e: unknown, host: string, port: number): ImagedropError {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new ImagedropError(
      'serve/bad-option',
      `Port ${port} is already in use on ${host}: choose another with --port, or --port 0 for a free one.`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ImagedropError('serve/bad-option', `${host} is not an address of this machine: check --host.`);
  }
  if (code === 'EACCES') {
    return new ImagedropError(
      'serve/bad-option',
      `Port ${port} needs more privileges than this user has: choose one above 1023, or --port 0.`,
    );
  }
  return new ImagedropError(
    'serve/bad-option',
    `Imagedrop could not listen on ${host}:${port} (${code ?? String(e)}).`,
  );
}

function urlHost(host: string, tlsNames: readonly string[]): string {
  if (isWildcardAddress(host)) return normalHostname(tlsNames.find((n) => isIP(n) === 0) ?? os.hostname());
  return normalHostname(host);
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const tls = options.tls !== undefined;
  const scheme: Scheme = tls ? 'https' : 'http';
  await checkBind(options.host, tls);
  let tlsNames: string[] = [];
  if (options.tls) {
    try {
      tlsNames = certificateNames(new X509Certificate(options.tls.cert).subjectAltName);
    } catch (e) {
      throw new ImagedropError('serve/bad-option', '--cert is not a PEM certificate: give the certificate file.', {
        detail: (e as Error).message,
      });
    }
  }
  const hostnames = allowedHostnames({ host: options.host, certificateNames: tlsNames });
  const signIn = new SignIn({ ...options.signIn, tls });
  const events = new EventStream(options.core, options.events);
  const { core, renderer } = options;

  function send(
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  function page(res: ServerResponse, status: number, title: string, sentence: string, headers = {}): void {
    const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    send(
      res,
      status,
      'text/html; charset=utf-8',
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Imagedrop: ${escape(title)}</title></head>` +
        `<body><main><h1>${escape(title)}</h1><p>${escape(sentence)}</p></main></body></html>\n`,
      headers,
    );
  }

  function refuse(res: ServerResponse, status: number, code: AppErrorCode, message: string, headers = {}): void {
    send(
      res,
      status,
      'application/json',
      JSON.stringify({ ok: false, error: { code, message, retryable: status === 429 } }),
      headers,
    );
  }

  async function readBody(req: IncomingMessage): Promise<Buffer | null> {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) return null;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function api(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const host = req.headers.host;
    const origin = req.headers.origin;
    if (!isSameOriginFetch(req.headers['sec-fetch-site'] as string | undefined)) {
      return refuse(
        res,
        403,
        'serve/forbidden',
        'Imagedrop answers only its own page: this request came from another site.',
      );
    }
    if (origin !== undefined && !isSameOrigin(origin, host, scheme)) {
      return refuse(res, 403, 'serve/forbidden', `Imagedrop answers only its own page, not ${origin}.`);
    }
    if (!signIn.isSignedIn(req.headers.cookie)) {
      return refuse(
        res,
        401,
        'serve/signed-out',
        'This page is not signed in to the Imagedrop server (it was restarted, or the browser forgot): open the address it printed again.',
      );
    }
    if (pathname === '/api/events') {
      if (req.method !== 'GET') return refuse(res, 405, 'serve/forbidden', 'The event stream is read with GET.');
      events.attach(res, req.headers['last-event-id'] as string | undefined);
      return;
    }
    if (req.method !== 'POST') {
      return refuse(res, 405, 'serve/forbidden', 'Calls are POST requests.', { Allow: 'POST' });
    }
    // A call changes state: the browser always sends Origin with a POST, so one without is not our page.
    if (origin === undefined) {
      return refuse(res, 403, 'serve/forbidden', 'Imagedrop answers only its own page: this call has no Origin.');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return refuse(res, 415, 'serve/forbidden', 'Calls carry their arguments as application/json.');
    }
    const channel = CHANNEL_PREFIX + pathname.slice('/api/'.length);
    if (!methodForChannel(channel)) {
      return refuse(res, 404, 'ipc/invalid-request', `Imagedrop has no call named ${pathname.slice(5)}.`);
    }
    const body = await readBody(req);
    if (body === null) {
      return refuse(res, 413, 'ipc/invalid-request', `A call may carry at most ${MAX_BODY_BYTES / 1024 / 1024} MiB.`);
    }
    let args: unknown;
    try {
      args = JSON.parse(body.toString('utf8'));
    } catch {
      args = undefined;
    }
    if (!Array.isArray(args)) {
      return refuse(res, 400, 'ipc/invalid-request', 'A call carries its arguments as a JSON array.');
    }
    const result = await dispatchChannel(core.handlers, channel, args);
    send(res, 200, 'application/json', JSON.stringify(result));
  }

  function exchange(res: ServerResponse, candidate: string): void {
    const outcome = signIn.exchange(candidate);
    if (outcome.ok) {
      // The secret leaves the address bar: the page is loaded again from / with the cookie.
      res.writeHead(303, {
        Location: '/',
        'Set-Cookie': signIn.setCookie(outcome.cookie),
        'Cache-Control': 'no-store',
      });
      res.end();
    } else if (outcome.reason === 'limited') {
      page(
        res,
        429,
        'Too many attempts',
        `Too many wrong secrets were tried: wait ${outcome.retryAfterSeconds} s, then open the address imagedrop serve printed.`,
        { 'Retry-After': String(outcome.retryAfterSeconds) },
      );
    } else {
      page(
        res,
        401,
        'Wrong secret',
        'This secret is not the one imagedrop serve printed: open the address it printed, as it is.',
      );
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (!isAllowedHost(req.headers.host, hostnames)) {
      return page(
        res,
        403,
        'Unknown address',
        'This Imagedrop server answers only to its own address: open the address it printed (through your SSH tunnel, 127.0.0.1 or localhost).',
      );
    }
    const raw = req.url ?? '';
    if (!raw.startsWith('/')) return page(res, 400, 'Bad request', 'Imagedrop could not read this address.');
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    if (isSuspiciousPath(pathname)) return page(res, 400, 'Bad request', 'Imagedrop serves no such address.');
    if (pathname.startsWith('/api/')) return api(req, res, pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return page(res, 405, 'Not allowed', 'Pages are read with GET.', { Allow: 'GET, HEAD' });
    }
    const secret = q < 0 ? null : new URLSearchParams(raw.slice(q + 1)).get('secret');
    if (pathname === '/' && secret !== null) return exchange(res, secret);
    if (!signIn.isSignedIn(req.headers.cookie)) {
      return page(
        res,
        401,
        'Not signed in',
        'Open the address imagedrop serve printed when it started: it carries the secret that signs this browser in (after a restart, the new one it printed).',
      );
    }
    const file = renderer.get(pathname === '/' ? '/index.html' : pathname);
    if (!file && pathname === '/favicon.ico') {
      res.writeHead(204, { 'Cache-Control': 'private, max-age=86400' });
      res.end();
      return;
    }
    if (!file) return page(res, 404, 'Not found', 'Imagedrop serves no such page.');
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, { ETag: file.etag });
      res.end();
      return;
    }
    send(res, 200, file.type, file.body, {
      ETag: file.etag,
      'Cache-Control': file.immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
    });
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) refuse(res, 500, 'internal', 'Imagedrop hit an unexpected problem; try again.');
      else res.destroy(e as Error);
    });
  };
  const server: Server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : http.createServer(onRequest);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, options.host, options.port)));
    server.listen(options.port, options.host.replace(/^\[|\]$/g, ''), () => resolve());
  }).catch((e: unknown) => {
    events.close();
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${scheme}://${urlHost(options.host, tlsNames)}:${port}`;
  return {
    url: `${origin}/?secret=${signIn.secret}`,
    origin,
    port,
    secret: signIn.secret,
    hostnames,
    close: async () => {
      events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
