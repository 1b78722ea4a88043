// imagedrop serve's defences, by real HTTP(S) requests against the real server (port 0) and a real
// core: sign-in by secret only, then a cookie; the Host header (DNS rebinding), the Origin and the
// fetch metadata of every call and of the event stream; no CORS; the app's CSP; the shared
// folders' bounds; TLS only beyond the loopback, and a self-signed certificate made by openssl here.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../../shared/csp.ts';
import type { HostDirectory } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import { resolveHostRoots } from '../core/host-files.ts';
import { MemorySecretStore } from '../core/remembered-connections.ts';
import { ImagedropCore } from '../core/service.ts';
import { ImagedropError } from '../errors.ts';
import { MAX_FAILURES } from './auth.ts';
import { startServeServer, type ServeServer, type ServeServerOptions } from './server.ts';
import { loadRenderer, type StaticFile } from './static.ts';

let dir: string;
let root: string;
let core: ImagedropCore;
let renderer: ReadonlyMap<string, StaticFile>;
const servers: ServeServer[] = [];

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Resolve as soon as the head arrives (the event stream never ends). */
  readonly headOnly?: boolean;
  readonly ca?: Buffer;
}

/** One raw request: every header exactly as given (Host included), the path sent as written. */
function request(server: ServeServer, pathAndQuery: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(server.origin);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: pathAndQuery,
        headers: { Host: url.host, ...options.headers },
        ...(options.ca ? { ca: options.ca, servername: 'localhost' } : {}),
      },
      (res) => {
        if (options.headOnly) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function start(overrides: Partial<ServeServerOptions> = {}): Promise<ServeServer> {
  const server = await startServeServer({ core, renderer, host: '127.0.0.1', port: 0, ...overrides });
  servers.push(server);
  return server;
}

/** Exchanges the secret; returns the Cookie header to send from then on. */
async function signIn(server: ServeServer, ca?: Buffer): Promise<string> {
  const reply = await request(server, `/?secret=${server.secret}`, ca ? { ca } : {});
  expect(reply.status).toBe(303);
  const cookie = String(reply.headers['set-cookie']?.[0] ?? '');
  return cookie.split(';')[0]!;
}

function call(
  server: ServeServer,
  name: string,
  args: unknown[],
  cookie: string,
  headers: Record<string, string> = {},
) {
  return request(server, `/api/${name}`, {
    method: 'POST',
    headers: {
      Origin: server.origin,
      'Content-Type': 'application/json',
      'Sec-Fetch-Site': 'same-origin',
      Cookie: cookie,
      ...headers,
    },
    body: JSON.stringify(args),
  });
}

function result<T>(reply: Reply): Result<T> {
  return JSON.parse(reply.body) as Result<T>;
}

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'imagedrop-serve-')));
  root = path.join(dir, 'images');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await mkdir(path.join(dir, 'private'));
  await writeFile(path.join(dir, 'private', 'key.pem'), 'secret');
  await writeFile(path.join(root, 'disk.raw'), Buffer.alloc(8192));
  await symlink(path.join(dir, 'private'), path.join(root, 'escape'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><title>x</title></head></html>');
  await writeFile(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  renderer = await loadRenderer(rendererDir);
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: path.join(dir, 'no-clouds.yaml') },
    cwd: dir,
    secrets: new MemorySecretStore(),
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
    hostRoots: await resolveHostRoots([root, '/dev'], dir),
  });
  await core.init();
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  await core.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('signing in', () => {
  it('without the secret: 401 for the page, the assets, every call and the event stream', async () => {
    const server = await start();
    expect((await request(server, '/')).status).toBe(401);
    expect((await request(server, '/assets/index-abc.js')).status).toBe(401);
    const listed = await call(server, 'list-clouds', [], '');
    expect(listed.status).toBe(401);
    expect(result(listed)).toMatchObject({ ok: false, error: { code: 'serve/signed-out' } });
    const forged = await call(server, 'list-clouds', [], 'imagedrop-0123456789ab=not-a-session');
    expect(forged.status).toBe(401);
    expect((await request(server, '/api/events', { headOnly: true })).status).toBe(401);
  });

  it('a wrong secret is refused; the right one gives an HttpOnly, SameSite=Strict cookie and leaves the address bar', async () => {
    const server = await start();
    const wrong = await request(server, '/?secret=guess');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await request(server, `/?secret=${server.secret}`);
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/');
    const cookie = right.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^imagedrop-[0-9a-f]{12}=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    // The cookie carries a session id, never the secret.
    expect(cookie).not.toContain(server.secret);
    const page = await request(server, '/', { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta name="imagedrop-transport" content="http" />');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('the secret printed is 256 random bits, new for every server', async () => {
    const a = await start();
    const b = await start();
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.secret).not.toBe(b.secret);
    expect(a.url).toBe(`http://127.0.0.1:${a.port}/?secret=${a.secret}`);
    // One server's cookie means nothing to the other.
    const cookie = await signIn(a);
    expect((await call(b, 'list-clouds', [], cookie)).status).toBe(401);
    expect((await call(a, 'list-clouds', [], cookie)).status).toBe(200);
  });

  it(`the exchange is rate-limited: after ${MAX_FAILURES} wrong secrets, even the right one waits`, async () => {
    let now = 1_000_000;
    const server = await start({ signIn: { now: () => now } });
    for (let i = 0; i < MAX_FAILURES; i += 1) expect((await request(server, `/?secret=wrong${i}`)).status).toBe(401);
    const limited = await request(server, `/?secret=${server.secret}`);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['set-cookie']).toBeUndefined();
    now += 30_000;
    expect((await request(server, `/?secret=${server.secret}`)).headers['retry-after']).toBe('30');
    now += 30_001;
    expect((await request(server, `/?secret=${server.secret}`)).status).toBe(303);
  });
});

describe('every answer', () => {
  it('carries the app CSP (plus frame-ancestors), no CORS header, even to a preflight', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const replies = [
      await request(server, '/'),
      await request(server, '/', { headers: { Cookie: cookie } }),
      await request(server, '/assets/index-abc.js', { headers: { Cookie: cookie } }),
      await call(server, 'list-clouds', [], cookie),
      await request(server, '/api/list-clouds', {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://evil.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
          Cookie: cookie,
        },
      }),
    ];
    for (const reply of replies) {
      expect(reply.headers['content-security-policy']).toBe(`${RENDERER_CSP}; frame-ancestors 'none'`);
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(replies[4]!.status).toBe(403);
    expect(replies[2]!.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(replies[2]!.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});

describe('who may talk to it', () => {
  it('refuses a Host header that is not its own (DNS rebinding), on every route', async () => {
    const server = await start();
    const cookie = await signIn(server);
    for (const host of [`evil.example:${server.port}`, 'evil.example', `127.0.0.1.nip.io:${server.port}`, 'a b']) {
      const headers = { Host: host, Cookie: cookie };
      expect((await request(server, '/', { headers })).status, host).toBe(403);
      expect((await request(server, `/?secret=${server.secret}`, { headers })).status, host).toBe(403);
      expect((await call(server, 'list-clouds', [], cookie, { Host: host })).status, host).toBe(403);
      expect((await request(server, '/api/events', { headers, headOnly: true })).status, host).toBe(403);
    }
    // No Host header at all (HTTP/1.0 allows it; Node refuses it for 1.1 itself).
    for (const version of ['1.0', '1.1']) {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () =>
          socket.end(`GET / HTTP/${version}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw.slice(0, 12), version).toMatch(/^HTTP\/1\.1 (400|403)$/);
    }
    // Through an SSH tunnel the port differs, and localhost is a name for the same machine.
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'localhost', `[::1]:${server.port}`]) {
      const ok = await request(server, '/', { headers: { Host: host, Cookie: cookie } });
      expect(ok.status, host).toBe(200);
    }
  });

  it('refuses a call from another origin (another site, or another port of this one)', async () => {
    const server = await start();
    const cookie = await signIn(server);
    for (const origin of ['http://evil.example', 'http://127.0.0.1:1', `https://127.0.0.1:${server.port}`, 'null']) {
      const reply = await call(server, 'list-clouds', [], cookie, { Origin: origin });
      expect(reply.status, origin).toBe(403);
      expect(result(reply), origin).toMatchObject({ ok: false, error: { code: 'serve/forbidden' } });
    }
    // Same origin seen through a tunnel: the Origin matches the Host the browser used.
    const tunnelled = await call(server, 'list-clouds', [], cookie, {
      Host: 'localhost:8080',
      Origin: 'http://localhost:8080',
    });
    expect(tunnelled.status).toBe(200);
  });

  it('refuses a cross-site request: no Origin, a form content type, or fetch metadata from another site', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const base = { Origin: server.origin, 'Content-Type': 'application/json', Cookie: cookie };
    const send = (headers: Record<string, string>) =>
      request(server, '/api/list-clouds', { method: 'POST', headers, body: '[]' });
    const { Origin: _origin, ...noOrigin } = base;
    expect((await send(noOrigin)).status).toBe(403);
    expect((await send({ ...base, 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await send({ ...base, 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await send({ ...base, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await send({ ...base, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await send({ ...base, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    // A call is a POST; a GET on a call is refused.
    expect((await request(server, '/api/list-clouds', { headers: { Cookie: cookie } })).status).toBe(405);
  });

  it('the event stream: only from this origin and signed in', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const open = (headers: Record<string, string>) =>
      request(server, '/api/events', { headers: { Cookie: cookie, ...headers }, headOnly: true });
    expect((await open({ Origin: 'http://evil.example' })).status).toBe(403);
    expect((await open({ Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await open({ 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await open({ 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    const ok = await open({ 'Sec-Fetch-Site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('answers a call through dispatchChannel: bad arguments are a Result, an unknown call a 404', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const bad = await call(server, 'list-host-directory', [42], cookie);
    expect(bad.status).toBe(200);
    expect(result(bad)).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
    expect((await call(server, 'no-such-call', [], cookie)).status).toBe(404);
    const notArray = await request(server, '/api/list-clouds', {
      method: 'POST',
      headers: { Origin: server.origin, 'Content-Type': 'application/json', Cookie: cookie },
      body: '{"a":1}',
    });
    expect(notArray.status).toBe(400);
    const huge = await request(server, '/api/list-clouds', {
      method: 'POST',
      headers: {
        Origin: server.origin,
        'Content-Type': 'application/json',
        Cookie: cookie,
        'Content-Length': String(64 * 1024 * 1024),
      },
    });
    expect(huge.status).toBe(413);
  });
});

describe('the shared folders, over HTTP', () => {
  it('lists a root with sizes and verdicts', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const roots = result<{ path: string }[]>(await call(server, 'list-host-roots', [], cookie));
    expect(roots).toEqual({
      ok: true,
      value: [
        { path: root, name: 'images' },
        { path: '/dev', name: 'dev' },
      ],
    });
    const listing = result<HostDirectory>(await call(server, 'list-host-directory', [root], cookie));
    expect(listing.ok && listing.value.entries.find((e) => e.name === 'disk.raw')).toMatchObject({
      kind: 'file',
      size: 8192,
      check: { ok: true, inspection: { format: 'raw', safe: true } },
    });
  });

  it.each([
    ['a folder outside the roots', () => path.join(dir, 'private'), 'file/outside-roots'],
    ['a path through ..', () => `${root}/../private`, 'file/outside-roots'],
    ['a symlink out of the root', () => path.join(root, 'escape'), 'file/outside-roots'],
    ['a percent-encoded ..', () => `${root}/%2e%2e/private`, 'file/outside-roots'],
    ['a doubly encoded ..', () => `${root}/%252e%252e/private`, 'file/not-found'],
  ])('refuses to list %s', async (_what, p, code) => {
    const server = await start();
    const cookie = await signIn(server);
    expect(result(await call(server, 'list-host-directory', [p()], cookie))).toMatchObject({
      ok: false,
      error: { code },
    });
  });

  it.each([
    ['a file outside the roots', () => path.join(dir, 'private', 'key.pem'), 'file/outside-roots'],
    ['a file through a symlink out', () => path.join(root, 'escape', 'key.pem'), 'file/outside-roots'],
    ['a file through ..', () => `${root}/sub/../../private/key.pem`, 'file/outside-roots'],
    ['an encoded path', () => `${root}/%2e%2e%2fprivate%2fkey.pem`, 'file/outside-roots'],
    ['a FIFO', () => path.join(root, 'fifo'), 'file/not-a-file'],
    ['a device file', () => '/dev/zero', 'file/not-a-file'],
  ])('refuses to choose %s, and grants nothing', async (_what, p, code) => {
    const server = await start();
    const cookie = await signIn(server);
    expect(result(await call(server, 'choose-host-files', [[p()]], cookie))).toMatchObject({
      ok: false,
      error: { code },
    });
    // Not granted: inspecting it is refused as a path the user never chose.
    expect(result(await call(server, 'inspect-files', [[p()]], cookie))).toMatchObject({
      ok: true,
      value: [{ ok: false, error: { code: 'ipc/path-not-granted' } }],
    });
  });

  it('a chosen file is granted as the picker grants: then it can be inspected', async () => {
    const server = await start();
    const cookie = await signIn(server);
    const file = path.join(root, 'sub', '..', 'disk.raw').replace('/sub/..', '');
    expect(result(await call(server, 'choose-host-files', [[file]], cookie))).toEqual({ ok: true, value: [file] });
    expect(result(await call(server, 'inspect-files', [[file]], cookie))).toMatchObject({
      ok: true,
      value: [{ ok: true, inspection: { format: 'raw' } }],
    });
  });

  it('static paths: encoded or dotted segments are refused before any lookup', async () => {
    const server = await start();
    const cookie = await signIn(server);
    for (const p of ['/%2e%2e/%2e%2e/etc/passwd', '/assets/../../etc/passwd', '/assets/%2fetc%2fpasswd', '/a\\b']) {
      expect((await request(server, p, { headers: { Cookie: cookie } })).status, p).toBe(400);
    }
    expect((await request(server, '/etc/passwd', { headers: { Cookie: cookie } })).status).toBe(404);
  });
});

describe('binding and TLS', () => {
  it('refuses a non-loopback address without TLS, with one sentence', async () => {
    for (const host of ['0.0.0.0', '::']) {
      const e = await startServeServer({ core, renderer, host, port: 0 }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ImagedropError);
      expect((e as ImagedropError).code).toBe('serve/insecure-bind');
      expect((e as ImagedropError).message).toMatch(/only with TLS \(--cert FILE --key FILE\).*ssh -L/);
    }
  });

  it('serves HTTPS with a self-signed certificate (openssl), binds 0.0.0.0 with it, and marks the cookie Secure', async () => {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,DNS:build01.example.org,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const ca = await readFile(cert);
    const server = await start({ host: '0.0.0.0', tls: { cert: ca, key: await readFile(key) } });
    expect(server.origin).toBe(`https://localhost:${server.port}`);
    expect(server.hostnames.has('build01.example.org')).toBe(true);
    const exchange = await request(server, `/?secret=${server.secret}`, { ca });
    expect(exchange.status).toBe(303);
    const setCookie = exchange.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^__Host-imagedrop-[0-9a-f]{12}=.+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    const cookie = setCookie.split(';')[0]!;
    const reply = await request(server, '/api/list-host-roots', {
      method: 'POST',
      ca,
      headers: { Origin: server.origin, 'Content-Type': 'application/json', Cookie: cookie },
      body: '[]',
    });
    expect(reply.status).toBe(200);
    // A name from the certificate is a name of this server.
    const byName = await request(server, '/', {
      ca,
      headers: { Host: `build01.example.org:${server.port}`, Cookie: cookie },
    });
    expect(byName.status).toBe(200);
    // Plain HTTP to the TLS port gets nothing.
    await expect(
      request({ ...server, origin: `http://localhost:${server.port}` } as ServeServer, '/'),
    ).rejects.toThrow();
  });
});
