// The Keystone and Glance clients against the real test cloud (Keystone + Glance on 127.0.0.1).
// Every error status the real server can produce is produced by it here; only 500/503 (which it
// cannot be made to answer on demand) use undici's MockAgent, in glance-mock.test.ts.
import { createReadStream } from 'node:fs';
import { execFile } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GlanceImage } from '../../../shared/glance.ts';
import { ImagedropError } from '../errors.ts';
import {
  ADMIN,
  DEMO,
  KEYSTONE_URL,
  deleteImages,
  env,
  glanceFor,
  openSession,
  randomFile,
  removeDir,
  GLANCE,
  sparseFile,
  tempDir,
} from '../testing/cloud.ts';
import { startFaultProxy } from '../testing/fault-proxy.ts';
import { chooseCloud, resolveCloud } from './cloud-config.ts';
import { GlanceClient } from './glance.ts';
import { getDispatcher, httpRequest } from './http.ts';
import { authenticate } from './keystone.ts';
import { preflightUpload } from './preflight.ts';
import { Session } from './session.ts';
import { statusError } from './status-errors.ts';

const run = promisify(execFile);
const signal = () => AbortSignal.timeout(60_000);

let dir: string;
let admin: GlanceClient;
let demo: GlanceClient;
const created = new Set<string>();
const createdByDemo = new Set<string>();

async function newImage(glance: GlanceClient, fields: Partial<Parameters<GlanceClient['createImage']>[0]> = {}) {
  const image = await glance.createImage(
    { name: 'imagedrop-test', diskFormat: 'raw', containerFormat: 'bare', ...fields },
    signal(),
  );
  (glance === demo ? createdByDemo : created).add(image.id);
  return image;
}

async function expectError(p: Promise<unknown>, code: string, status?: number): Promise<ImagedropError> {
  const e = await p.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImagedropError);
  const err = e as ImagedropError;
  expect({ code: err.code, status: err.httpStatus }).toEqual({ code, status });
  return err;
}

/** The shared Agent, counting the sign-ins (POST /v3/auth/tokens) that go through it. */
async function countingDispatcher(): Promise<{ dispatcher: Dispatcher; signIns: () => number }> {
  let n = 0;
  const dispatcher = (await getDispatcher()).compose((dispatch) => (opts, handler) => {
    if (opts.method === 'POST' && String(opts.path).endsWith('/auth/tokens')) n += 1;
    return dispatch(opts, handler);
  });
  return { dispatcher, signIns: () => n };
}

/** A session of the demo user whose sign-ins are counted; `now` is its clock. */
async function countedSession(now: () => number = Date.now) {
  const { dispatcher, signIns } = await countingDispatcher();
  const config = await chooseCloud({ cloud: DEMO, env: env(), cwd: dir });
  const session = await Session.open(config, signal(), now, dispatcher);
  return { session, signIns };
}

/**
 * Revokes a token in Keystone (DELETE /v3/auth/tokens). keystonemiddleware in glance-api caches a
 * validation for up to 300 s, so only a token Glance has never seen is refused at once: the tests
 * revoke tokens before their first use against Glance.
 */
async function revoke(token: string): Promise<void> {
  const res = await httpRequest(`${KEYSTONE_URL}/auth/tokens`, {
    method: 'DELETE',
    headers: { 'x-auth-token': token, 'x-subject-token': token },
    signal: signal(),
    dispatcher: await getDispatcher(),
    service: 'keystone',
  });
  expect(res.status).toBe(204);
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

beforeAll(async () => {
  dir = await tempDir();
  admin = await glanceFor(ADMIN);
  demo = await glanceFor(DEMO);
});

afterAll(async () => {
  await deleteImages(admin, created);
  await deleteImages(demo, createdByDemo);
  await removeDir(dir);
});

describe('Keystone v3', () => {
  it('signs in with a password (user and project by name, with domains) and reads token, expiry and catalog', async () => {
    const session = await openSession(ADMIN);
    const d = session.details;
    expect(d.user.name).toBe('admin');
    expect(d.project.name).toBe('admin');
    expect(d.project.domain).toBe('Default');
    expect(d.roles).toContain('admin');
    expect(d.region).toBe('RegionOne');
    expect(d.imageEndpoint).toBe('http://127.0.0.1:9292');
    expect(d.expiresAt.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    const token = await session.token(signal());
    expect(token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    // The token is never part of what a session shows.
    expect(JSON.stringify(d)).not.toContain(token);
  });

  it('signs in with user and project by id', async () => {
    const known = (await openSession(DEMO)).details;
    const config = resolveCloud(
      'by-id',
      {
        auth: {
          auth_url: KEYSTONE_URL,
          user_id: known.user.id,
          password: 'imagedrop-demo-pass',
          project_id: known.project.id,
        },
      },
      'test',
    );
    const session = await Session.open(config, signal());
    expect(session.details.user.name).toBe('demo');
    expect(session.details.project.name).toBe('demo');
    expect([...session.details.roles].sort()).toEqual(['member', 'reader']); // Keystone gives no order
  });

  it('signs in with an application credential, by id + secret and by name + user', async () => {
    const session = await openSession(DEMO);
    const token = await session.token(signal());
    const userId = session.details.user.id;
    const name = `imagedrop-test-${Date.now()}`;
    const dispatcher = await getDispatcher();
    const res = await httpRequest(`${KEYSTONE_URL}/users/${userId}/application_credentials`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ application_credential: { name } }),
      signal: signal(),
      dispatcher,
      service: 'keystone',
    });
    expect(res.status).toBe(201);
    const cred = (JSON.parse(res.text) as { application_credential: { id: string; secret: string } })
      .application_credential;
    try {
      const byId = await Session.open(
        resolveCloud(
          'ac',
          {
            auth: {
              auth_url: KEYSTONE_URL,
              application_credential_id: cred.id,
              application_credential_secret: cred.secret,
            },
          },
          't',
        ),
        signal(),
      );
      expect(byId.details.project.name).toBe('demo');
      const byName = await Session.open(
        resolveCloud(
          'ac2',
          {
            auth_type: 'v3applicationcredential',
            auth: {
              auth_url: KEYSTONE_URL,
              application_credential_name: name,
              username: 'demo',
              user_domain_name: 'Default',
              application_credential_secret: cred.secret,
            },
          },
          't',
        ),
        signal(),
      );
      expect(byName.details.user.name).toBe('demo');
      const wrong = resolveCloud(
        'ac3',
        { auth: { auth_url: KEYSTONE_URL, application_credential_id: cred.id, application_credential_secret: 'nope' } },
        't',
      );
      const e = await expectError(Session.open(wrong, signal()), 'auth/invalid-credentials', 401);
      expect(e.message).toMatch(/application credential/);
    } finally {
      await httpRequest(`${KEYSTONE_URL}/users/${userId}/application_credentials/${cred.id}`, {
        method: 'DELETE',
        headers: { 'x-auth-token': token },
        signal: signal(),
        dispatcher,
        service: 'keystone',
      });
    }
  });

  it('signs in with an existing token, scoped to the project', async () => {
    const first = await openSession(ADMIN);
    const token = await first.token(signal());
    const config = resolveCloud(
      'tok',
      { auth_type: 'v3token', auth: { auth_url: KEYSTONE_URL, token, project_name: 'admin' } },
      't',
    );
    const session = await Session.open(config, signal());
    expect(session.details.project.name).toBe('admin');
    // A token cannot renew itself: after a 401 it asks the user to sign in again.
    const refused = await expectError(session.renew(signal()), 'auth/token-rejected', undefined);
    expect(refused.message).toMatch(
      /^The token for cloud 'tok' was refused \(revoked or expired\), and a token cannot renew itself/,
    );
  });

  it('a token session uses its token until it has actually expired, then asks to sign in again', async () => {
    const token = await (await openSession(DEMO)).token(signal());
    let fakeNow = Date.now();
    const session = await Session.open(
      resolveCloud('tok', { auth_type: 'token', auth: { auth_url: KEYSTONE_URL, token, project_name: 'demo' } }, 't'),
      signal(),
      () => fakeNow,
    );
    const scoped = await session.token(signal());
    const expiresAt = session.details.expiresAt.getTime();
    fakeNow = expiresAt - 60_000; // inside the renew margin, but still valid
    expect(await session.token(signal())).toBe(scoped);
    const images = await new GlanceClient(session).listImages(signal(), { owner: session.projectId, limit: 1 });
    expect(images.pages).toBeGreaterThanOrEqual(1); // the real Glance still takes it
    fakeNow = expiresAt;
    const e = await expectError(session.token(signal()), 'auth/token-rejected', undefined);
    expect(e.message).toMatch(/^The token for cloud 'tok' has expired, and a token cannot renew itself: sign in again/);
  });

  it('a wrong password is an invalid-credentials error, without the password in it', async () => {
    const config = await chooseCloud({ cloud: ADMIN, env: env({ OS_PASSWORD: 'wrong-password-42' }), cwd: dir });
    const e = await expectError(Session.open(config, signal()), 'auth/invalid-credentials', 401);
    expect(e.message).toMatch(/password/);
    expect(JSON.stringify(e)).not.toContain('wrong-password-42');
    expect(e.message).not.toContain('wrong-password-42');
  });

  it('authenticates again shortly before the token expires', async () => {
    const base = await chooseCloud({ cloud: DEMO, env: env(), cwd: dir });
    let fakeNow = Date.now();
    const session = await Session.open(base, signal(), () => fakeNow);
    const first = await session.token(signal());
    expect(await session.token(signal())).toBe(first);
    fakeNow = session.details.expiresAt.getTime() - 60_000; // one minute left
    await new Promise((r) => setTimeout(r, 1100)); // a new Fernet token needs a new second
    const renewed = await session.token(signal());
    expect(renewed).not.toBe(first);
  });

  it('keeps a one-hour token until 5 minutes are left (min of 5 min and half its life)', async () => {
    let fakeNow = Date.now();
    const { session, signIns } = await countedSession(() => fakeNow);
    const d = session.details;
    const first = await session.token(signal());
    fakeNow = d.expiresAt.getTime() - 5 * 60_000 - 1000;
    expect(await session.token(signal())).toBe(first);
    expect(signIns()).toBe(1);
    fakeNow = d.expiresAt.getTime() - 5 * 60_000 + 1000;
    expect(await session.token(signal())).not.toBe(first);
    expect(signIns()).toBe(2);
  });

  it('on a 401 it first retries with the token another call has just renewed, without signing in again', async () => {
    const { session, signIns } = await countedSession();
    const glance = new GlanceClient(session);
    const sent: string[] = [];
    const statuses: number[] = [];
    await session.withToken(signal(), async (token) => {
      sent.push(token);
      if (sent.length === 1) {
        await session.renew(signal()); // another call signs in again meanwhile…
        await revoke(token); // …and the old token stops working (Glance has never seen it)
      }
      const res = await httpRequest(glance.url('/v2/images?limit=1'), {
        method: 'GET',
        headers: { 'x-auth-token': token },
        signal: signal(),
        dispatcher: session.dispatcher,
        service: 'glance',
      });
      statuses.push(res.status);
      if (res.status !== 200) throw statusError('glance', res.status, res.text);
    });
    expect(statuses).toEqual([401, 200]);
    expect(sent[1]).not.toBe(sent[0]);
    expect(sent[1]).toBe(await session.token(signal()));
    expect(signIns()).toBe(2); // the first sign-in and the other call's renewal: none for the 401
  });

  it('authenticates again once when the image service answers 401', async () => {
    const session = await openSession(DEMO);
    const glance = new GlanceClient(session);
    const statuses: number[] = [];
    let calls = 0;
    const result = await session.withToken(signal(), async (token) => {
      calls += 1;
      // The first attempt sends a broken token: the real Glance answers 401.
      const res = await httpRequest(glance.url('/v2/images?limit=1'), {
        method: 'GET',
        headers: { 'x-auth-token': calls === 1 ? `${token}broken` : token },
        signal: signal(),
        dispatcher: session.dispatcher,
        service: 'glance',
      });
      statuses.push(res.status);
      if (res.status !== 200) throw statusError('glance', res.status, res.text);
      return res.status;
    });
    expect(statuses).toEqual([401, 200]);
    expect(result).toBe(200);
  });

  it('a dead endpoint, an unknown host and a non-Keystone URL each say what is wrong', async () => {
    const dispatcher = await getDispatcher();
    const method = { type: 'password' as const, username: 'u', password: 'p' };
    const scope = { projectName: 'x' };
    await expectError(
      authenticate({ authUrl: 'http://127.0.0.1:1/v3', method, scope, dispatcher, signal: signal() }),
      'network/refused',
      undefined,
    );
    const dns = await expectError(
      authenticate({
        authUrl: 'http://keystone.imagedrop.invalid:5000/v3',
        method,
        scope,
        dispatcher,
        signal: signal(),
      }),
      'network/dns',
      undefined,
    );
    expect(dns.message).toMatch(/cannot be resolved/);
    // Glance's port is no Keystone: it answers its 300 versions document to /v3/auth/tokens.
    const notKeystone = await expectError(
      authenticate({ authUrl: 'http://127.0.0.1:9292/v3', method, scope, dispatcher, signal: signal() }),
      'config/invalid',
      300,
    );
    expect(notKeystone.message).toMatch(/no Keystone v3 API at this auth URL/);
  });

  it("a server that never answers is network/timeout when only the call's own AbortSignal.timeout runs out", async () => {
    // No headersTimeout override: the caller's deadline (core/service.ts uses 60 s, undici's own
    // headersTimeout is 60 s too) fires first, with a DOMException named TimeoutError.
    const silent = await silentServer();
    try {
      const e = await expectError(
        httpRequest(`${silent.url}/v3`, {
          method: 'GET',
          signal: AbortSignal.timeout(300),
          dispatcher: await getDispatcher(),
          service: 'keystone',
        }),
        'network/timeout',
        undefined,
      );
      expect(e.retryable).toBe(true);
      expect(e.message).toBe(
        `Keystone at ${new URL(silent.url).host} did not answer in time: check your network, or try again later.`,
      );
      // The same through the Glance client, with the image API on the silent server.
      const session = await openSession(DEMO, { OS_IMAGE_ENDPOINT_OVERRIDE: silent.url });
      const g = await expectError(
        new GlanceClient(session).listImages(AbortSignal.timeout(300)),
        'network/timeout',
        undefined,
      );
      expect(g.message).toMatch(/^The image service at 127\.0\.0\.1:\d+ did not answer in time/);
    } finally {
      silent.close();
    }
  });

  it('a renewal that Keystone never answers is network/timeout for the caller', async () => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: 5000 });
    try {
      let fakeNow = Date.now();
      const config = resolveCloud(
        'held',
        {
          auth: {
            auth_url: `${proxy.url}/v3`,
            username: 'demo',
            password: 'imagedrop-demo-pass',
            project_name: 'demo',
            user_domain_name: 'Default',
            project_domain_name: 'Default',
          },
        },
        't',
      );
      const session = await Session.open(config, signal(), () => fakeNow);
      proxy.inject({ match: /^POST \/v3\/auth\/tokens/, fault: { kind: 'hold', afterBytes: 0 } });
      fakeNow = session.details.expiresAt.getTime() - 60_000;
      const e = await expectError(session.token(AbortSignal.timeout(500)), 'network/timeout', undefined);
      expect(e.retryable).toBe(true);
      expect(e.message).toMatch(/^Keystone at 127\.0\.0\.1:\d+ did not answer in time/);
    } finally {
      proxy.release();
      await proxy.close();
    }
  });

  it('a server that never answers times out (undici headersTimeout)', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const e = await expectError(
        httpRequest(`http://127.0.0.1:${port}/v3`, {
          method: 'GET',
          signal: signal(),
          dispatcher: await getDispatcher(),
          service: 'keystone',
          headersTimeout: 300,
        }),
        'network/timeout',
        undefined,
      );
      expect(e.retryable).toBe(true);
    } finally {
      silent.close();
    }
  });
});

describe('TLS (a real HTTPS server on loopback with a self-signed certificate)', () => {
  let server: https.Server;
  let port: number;
  let certFile: string;

  beforeAll(async () => {
    certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    server = https.createServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"nothing here","code":404}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(() => {
    server?.close();
  });

  const method = { type: 'password' as const, username: 'u', password: 'p' };

  it('an untrusted certificate is a TLS error that says to give the CA file', async () => {
    const e = await expectError(
      authenticate({
        authUrl: `https://127.0.0.1:${port}/v3`,
        method,
        scope: { projectName: 'x' },
        dispatcher: await getDispatcher(),
        signal: signal(),
      }),
      'network/tls',
      undefined,
    );
    expect(e.message).toMatch(
      /certificate of 127\.0\.0\.1:\d+ cannot be trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\).*cacert/,
    );
  });

  it('with that certificate as cacert the handshake succeeds', async () => {
    const dispatcher = await getDispatcher({ cacertPath: certFile });
    // TLS is fine now; the HTTP answer (404) is what comes back.
    await expectError(
      authenticate({
        authUrl: `https://127.0.0.1:${port}/v3`,
        method,
        scope: { projectName: 'x' },
        dispatcher,
        signal: signal(),
      }),
      'config/invalid',
      404,
    );
  });

  it('verify: false skips the check (and the cloud config warns about it)', async () => {
    const dispatcher = await getDispatcher({ verify: false });
    await expectError(
      authenticate({
        authUrl: `https://127.0.0.1:${port}/v3`,
        method,
        scope: { projectName: 'x' },
        dispatcher,
        signal: signal(),
      }),
      'config/invalid',
      404,
    );
  });

  const signIn = async (url: string, dispatcher?: Dispatcher) =>
    authenticate({
      authUrl: url,
      method,
      scope: { projectName: 'x' },
      dispatcher: dispatcher ?? (await getDispatcher()),
      signal: signal(),
    });

  it('https to a plain-http port that answers in plain text says http:// is likely', async () => {
    // glance-api answers the TLS hello with an HTTP error page (OpenSSL: wrong version number).
    const e = await expectError(signIn('https://127.0.0.1:9292/v3'), 'network/tls', undefined);
    expect(e.message).toBe(
      '127.0.0.1:9292 answered in plain text, not TLS: the URL should probably start with http:// instead of https://, unless a proxy on the way answers instead of the cloud.',
    );
  });

  it('a server that hangs up during the handshake gets a hedged sentence, not a diagnosis', async () => {
    // uwsgi (Keystone) hangs up on a TLS hello; an mTLS server or a middlebox can look the same.
    const e = await expectError(signIn('https://127.0.0.1:5000/v3'), 'network/tls', undefined);
    expect(e.message).toBe(
      '127.0.0.1:5000 closed the connection during the TLS handshake: it may not speak HTTPS on this port (try http://), it may require a client certificate, or a proxy or firewall on the way may block it.',
    );
  });

  it('a server that requires a client certificate is not called plain HTTP (TLS 1.2 and 1.3)', async () => {
    const key = await readFile(path.join(dir, 'key.pem'));
    const cert = await readFile(certFile);
    const dispatcher = await getDispatcher({ cacertPath: certFile });
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const mtls = https.createServer({ key, cert, ca: cert, requestCert: true, rejectUnauthorized: true, maxVersion });
      await new Promise<void>((r) => mtls.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(mtls.address() as net.AddressInfo).port}/v3`;
      try {
        const e = (await signIn(url, dispatcher).catch((x: unknown) => x)) as ImagedropError;
        expect(e).toBeInstanceOf(ImagedropError);
        expect(e.message).not.toMatch(/plain text|http:\/\//);
        if (maxVersion === 'TLSv1.2') {
          // The server's handshake_failure alert arrives during the handshake.
          expect(e.code).toBe('network/tls');
          expect(e.message).toMatch(
            /TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_.*\): the server may require a client certificate/,
          );
        } else {
          // TLS 1.3: the refusal comes after the handshake; undici only sees the connection close.
          expect(e.code).toBe('network/reset');
          expect(e.message).toMatch(/closed before Keystone answered anything: .*may require a TLS client certificate/);
        }
      } finally {
        mtls.close();
      }
    }
  });

  it('an unreadable CA file is named', async () => {
    await expectError(getDispatcher({ cacertPath: path.join(dir, 'missing-ca.pem') }), 'config/unreadable', undefined);
  });
});

describe('Glance v2 client', () => {
  it('reads the versions document from the endpoint root', async () => {
    const v = await admin.getVersions(signal());
    expect(v.current).toMatch(/^v2\.\d+$/);
    expect(v.versions.some((x) => x.id === 'v2.0')).toBe(true);
  });

  it('creates an image with every field, gets it, and deletes it (a second delete is 404)', async () => {
    const image = await newImage(admin, {
      name: 'imagedrop-all-fields',
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'private',
      minDisk: 3,
      minRam: 512,
      protected: true,
      tags: ['imagedrop', 'test'],
      properties: { os_distro: 'ubuntu', hw_disk_bus: 'virtio' },
    });
    expect(image.status).toBe('queued');
    const got = await admin.getImage(image.id, signal());
    expect(got).toMatchObject({
      name: 'imagedrop-all-fields',
      disk_format: 'qcow2',
      container_format: 'bare',
      visibility: 'private',
      min_disk: 3,
      min_ram: 512,
      protected: true,
      os_distro: 'ubuntu',
      hw_disk_bus: 'virtio',
    });
    expect([...got.tags].sort()).toEqual(['imagedrop', 'test']);
    // Protected images cannot be deleted until unprotected.
    await expectError(admin.deleteImage(image.id, signal()), 'auth/forbidden', 403);
    await admin.updateImage(image.id, [{ op: 'replace', path: '/protected', value: false }], signal());
    await admin.deleteImage(image.id, signal());
    await expectError(admin.getImage(image.id, signal()), 'glance/not-found', 404);
    await expectError(admin.deleteImage(image.id, signal()), 'glance/not-found', 404);
  });

  it('takes a client-chosen image id', async () => {
    const id = crypto.randomUUID();
    const image = await newImage(admin, { id });
    expect(image.id).toBe(id);
  });

  it('lists every image across pages, following next until it is absent', async () => {
    const tag = `page-${Date.now()}`;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await newImage(admin, { name: `imagedrop-page-${i}`, tags: [tag] })).id);
    const pagesSeen: number[] = [];
    const { images, pages } = await admin.listImages(signal(), { status: 'queued', limit: 2 }, (batch) =>
      pagesSeen.push(batch.length),
    );
    for (const id of ids) expect(images.map((i) => i.id)).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pagesSeen.slice(0, -1).every((n) => n === 2)).toBe(true);
    // No duplicates across pages.
    expect(new Set(images.map((i) => i.id)).size).toBe(images.length);
  });

  it('follows next through a full last page to the empty page that ends the list', async () => {
    const session = await openSession(DEMO);
    const glance = new GlanceClient(session);
    const mine = await glance.listImages(signal(), { owner: session.projectId, status: 'queued' });
    const before = mine.images.length;
    // Make the count a multiple of the page size: Glance then sends `next` on the full last page.
    const pageSize = 2;
    const extra = before % pageSize === 0 ? pageSize : pageSize - (before % pageSize);
    for (let i = 0; i < extra; i++) await newImage(demo, { name: `imagedrop-full-page-${i}` });
    const pageSizes: number[] = [];
    const { images } = await glance.listImages(
      signal(),
      { owner: session.projectId, status: 'queued', limit: pageSize },
      (b) => pageSizes.push(b.length),
    );
    expect(images.length).toBe(before + extra);
    expect(pageSizes.at(-1)).toBe(0); // the empty page after the full last one
    expect(pageSizes.slice(0, -1).every((n) => n === pageSize)).toBe(true);
  });

  it('uploads data with Content-Length and x-openstack-image-size, into a chosen store', async () => {
    const file = await randomFile(dir, 'slow.raw', 3 << 20);
    const image = await newImage(admin);
    await admin.uploadImageData(image.id, createReadStream(file), { size: 3 << 20, store: 'slow', signal: signal() });
    const after = await admin.getImage(image.id, signal());
    expect(after.status).toBe('active');
    expect(after.size).toBe(3 << 20);
    expect(after.stores).toBe('slow');
    expect(after.os_hash_algo).toBe('sha512');
  });

  it('refuses to send an empty body (Glance would make a 0-byte active image)', async () => {
    const image = await newImage(admin);
    await expectError(
      admin.uploadImageData(image.id, createReadStream('/dev/null'), { size: 0, signal: signal() }),
      'file/empty',
      undefined,
    );
    expect((await admin.getImage(image.id, signal())).status).toBe('queued');
  });

  it('reads stores, import methods and the image schema', async () => {
    const stores = await admin.getStores(signal());
    expect(stores).toEqual([
      { id: 'fast', isDefault: true, description: expect.any(String) },
      { id: 'slow', isDefault: false, description: expect.any(String) },
    ]);
    expect(await admin.getImportMethods(signal())).toEqual(['glance-direct', 'web-download', 'copy-image']);
    const schema = await admin.getImageSchema(signal());
    expect(schema.diskFormats).toEqual(expect.arrayContaining(['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso']));
    expect(schema.diskFormats).not.toContain('qed');
    expect(schema.containerFormats).toContain('bare');
  });

  it('stages data and imports it with glance-direct', async () => {
    const file = await randomFile(dir, 'staged.raw', 2 << 20);
    const image = await newImage(admin);
    await admin.stageImageData(image.id, createReadStream(file), { size: 2 << 20, signal: signal() });
    expect((await admin.getImage(image.id, signal())).status).toBe('uploading');
    await admin.importImage(image.id, { name: 'glance-direct' }, signal(), { stores: ['slow'] });
    let after: GlanceImage;
    const until = Date.now() + 30_000;
    do {
      await new Promise((r) => setTimeout(r, 200));
      after = await admin.getImage(image.id, signal());
    } while (after.status !== 'active' && Date.now() < until);
    expect(after.status).toBe('active');
    expect(after.size).toBe(2 << 20);
    expect(after.stores).toBe('slow');
  });
});

describe("the Glance client's own calls on a real 401 (a revoked token)", () => {
  it.each(['getImage', 'listImages'] as const)(
    '%s signs in again once and succeeds when the session token was revoked',
    async (call) => {
      const image = await newImage(demo, { name: `imagedrop-401-${call}` });
      const { session, signIns } = await countedSession();
      const glance = new GlanceClient(session);
      const revoked = await session.token(signal());
      await revoke(revoked); // before Glance has ever seen it, so its validation cache cannot hide it
      if (call === 'getImage') {
        expect((await glance.getImage(image.id, signal())).id).toBe(image.id);
      } else {
        const { images } = await glance.listImages(signal(), { owner: session.projectId });
        expect(images.map((i) => i.id)).toContain(image.id);
      }
      expect(signIns()).toBe(2); // the first sign-in, and exactly one after the 401
      expect(await session.token(signal())).not.toBe(revoked);
    },
  );

  it('a token-only session whose token was revoked ends in auth/token-rejected', async () => {
    const password = await openSession(DEMO);
    const { dispatcher, signIns } = await countingDispatcher();
    const session = await Session.open(
      resolveCloud(
        'tok-revoked',
        {
          auth_type: 'v3token',
          auth: { auth_url: KEYSTONE_URL, token: await password.token(signal()), project_name: 'demo' },
        },
        't',
      ),
      signal(),
      Date.now,
      dispatcher,
    );
    await revoke(await session.token(signal()));
    const e = await expectError(new GlanceClient(session).listImages(signal()), 'auth/token-rejected', undefined);
    expect(e.message).toBe(
      "The token for cloud 'tok-revoked' was refused (revoked or expired), and a token cannot renew itself: sign in again with a password or an application credential.",
    );
    expect(signIns()).toBe(1); // no attempt to sign in with the refused token again
  });
});

describe('every error status the real image service can produce', () => {
  it('400: data before disk_format and container_format are set', async () => {
    const image = await newImage(admin, { diskFormat: undefined, containerFormat: undefined });
    const e = await expectError(
      admin.uploadImageData(image.id, createReadStream(await randomFile(dir, 'f400.raw', 1024)), {
        size: 1024,
        signal: signal(),
      }),
      'glance/formats-not-set',
      400,
    );
    expect(e.serverMessage).toBe('Properties disk_format, container_format must be set prior to saving data.');
    expect(e.message).toBe('The image has no disk format or container format yet: set both before uploading its data.');
  });

  it('400: a list that continues from an image that does not exist (marker)', async () => {
    const e = await expectError(admin.listImages(signal(), { marker: crypto.randomUUID() }), 'glance/bad-request', 400);
    expect(e.serverMessage).toMatch(/^No image found with ID [0-9a-f-]{36}$/);
    expect(e.message).toBe(
      'The image list could not go on: the image it was continuing from no longer exists (deleted meanwhile); list the images again.',
    );
    expect(e.retryable).toBe(true);
  });

  it('a body shorter than its Content-Length (the file shrank mid-upload) is file/changed', async () => {
    const image = await newImage(admin);
    const e = await expectError(
      admin.uploadImageData(image.id, Readable.from([Buffer.alloc(1000, 1)]), { size: 4096, signal: signal() }),
      'file/changed',
      undefined,
    );
    expect(e.message).toMatch(
      /^The data sent to 127\.0\.0\.1:9292 did not match the size announced for it: the file changed/,
    );
    expect(e.detail).toContain('IMAGEDROP_BODY_LENGTH_MISMATCH'); // counted by expect-put.ts
    // Glance saw a client that went away: the image waits for data again.
    let status = '';
    for (let i = 0; i < 50 && status !== 'queued'; i++) {
      status = (await admin.getImage(image.id, signal())).status;
      if (status !== 'queued') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('queued');
  });

  it('400: an unknown store', async () => {
    const image = await newImage(admin);
    await expectError(
      admin.uploadImageData(image.id, createReadStream(await randomFile(dir, 'f400s.raw', 1024)), {
        size: 1024,
        store: 'nosuch',
        signal: signal(),
      }),
      'glance/unknown-store',
      400,
    );
  });

  it('401: a token the image service does not accept', async () => {
    const res = await httpRequest(admin.url('/v2/images'), {
      method: 'GET',
      headers: { 'x-auth-token': 'not-a-token' },
      signal: signal(),
      dispatcher: await getDispatcher(),
      service: 'glance',
    });
    expect(res.status).toBe(401);
    const e = statusError('glance', res.status, res.text);
    expect(e.code).toBe('auth/token-rejected');
    expect(e.message).toMatch(/sign in again/);
  });

  it("403: a member uploads into an admin's public image, and a member creates a public image", async () => {
    const image = await newImage(admin, { visibility: 'public' });
    const e = await expectError(
      demo.uploadImageData(image.id, createReadStream(await randomFile(dir, 'f403.raw', 1024)), {
        size: 1024,
        signal: signal(),
      }),
      'auth/forbidden',
      403,
    );
    expect(e.serverMessage).toMatch(/Not allowed to upload image data/);
    const pub = await expectError(newImage(demo, { visibility: 'public' }), 'auth/forbidden', 403);
    expect(pub.message).toMatch(/Only an administrator may make images public/);
  });

  it('404: an image that does not exist, and one the member cannot see', async () => {
    await expectError(admin.getImage(crypto.randomUUID(), signal()), 'glance/not-found', 404);
    const hidden = await newImage(admin, { visibility: 'private' });
    await expectError(demo.getImage(hidden.id, signal()), 'glance/not-found', 404);
  });

  it('409: data for an image that already has data', async () => {
    const file = await randomFile(dir, 'f409.raw', 4096);
    const image = await newImage(admin);
    await admin.uploadImageData(image.id, createReadStream(file), { size: 4096, signal: signal() });
    const e = await expectError(
      admin.uploadImageData(image.id, createReadStream(file), { size: 4096, signal: signal() }),
      'glance/conflict',
      409,
    );
    expect(e.message).toBe('The image is not waiting for data: it already has data, or another upload is running.');
  });

  it('410: the image deleted while its data was being uploaded', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const glance = await glanceFor(ADMIN, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
      const file = await randomFile(dir, 'f410.raw', 8 << 20);
      const image = await newImage(admin);
      proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 4 << 20 } });
      const upload = glance.uploadImageData(image.id, createReadStream(file), { size: 8 << 20, signal: signal() });
      upload.catch(() => {}); // Glance may answer before expectError below attaches its handler
      await proxy.reached();
      // The proxy has forwarded the bytes, but Glance may not have read the request yet: delete
      // only once it is saving, or the PUT meets a deleted image (409) instead of losing it (410).
      for (let i = 0; i < 100 && (await admin.getImage(image.id, signal())).status !== 'saving'; i++)
        await new Promise((r) => setTimeout(r, 50));
      await admin.deleteImage(image.id, signal());
      proxy.release();
      const e = await expectError(upload, 'glance/gone', 410);
      expect(e.message).toMatch(/deleted while its data was being uploaded/);
    } finally {
      await proxy.close();
    }
  });

  it('413: more than the project storage quota, refused before the body', async () => {
    const file = await sparseFile(dir, 'over-quota.raw', 5 * 1024 ** 3);
    const image = await newImage(admin);
    const started = Date.now();
    const e = await expectError(
      admin.uploadImageData(image.id, createReadStream(file), { size: 5 * 1024 ** 3, signal: signal() }),
      'glance/quota-exceeded',
      413,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(e.message).toMatch(/quota/);
    expect((await admin.getImage(image.id, signal())).status).toBe('queued');
  });

  it('413: more than image_size_cap, after streaming up to the cap', async () => {
    const size = 1153433600 + (16 << 20); // the cap + 16 MiB
    const file = await sparseFile(dir, 'over-cap.raw', size);
    const image = await newImage(admin);
    const e = await expectError(
      admin.uploadImageData(image.id, createReadStream(file), { size, signal: signal() }),
      'glance/too-large',
      413,
    );
    expect(e.message).toMatch(/larger than the image service accepts/);
    expect((await admin.getImage(image.id, signal())).status).toBe('queued');
  });

  it('415: a body that is not application/octet-stream', async () => {
    const image = await newImage(admin);
    const session = await openSession(ADMIN);
    const res = await httpRequest(admin.url(`/v2/images/${image.id}/file`), {
      method: 'PUT',
      headers: { 'x-auth-token': await session.token(signal()), 'content-type': 'text/plain' },
      body: 'hello',
      signal: signal(),
      dispatcher: session.dispatcher,
      service: 'glance',
    });
    expect(res.status).toBe(415);
    const e = statusError('glance', res.status, res.text);
    expect(e.code).toBe('glance/unsupported-media-type');
    expect(e.serverMessage).toBe('The request media type text/plain is not supported by this server.');
  });
});

describe('preflight', () => {
  it('passes for a queued image with formats set and an existing store', async () => {
    const file = await randomFile(dir, 'pre.raw', 1024);
    const image = await newImage(admin);
    const got = await preflightUpload(admin, {
      imageId: image.id,
      path: file,
      sizeLimit: 1 << 20,
      store: 'slow',
      signal: signal(),
    });
    expect(got.id).toBe(image.id);
  });

  it('names each problem before a byte is sent', async () => {
    const file = await randomFile(dir, 'pre2.raw', 4096);
    const empty = await sparseFile(dir, 'empty.raw', 0);
    const queued = await newImage(admin);
    const noFormats = await newImage(admin, { diskFormat: undefined, containerFormat: undefined });
    const active = await newImage(admin);
    await admin.uploadImageData(active.id, createReadStream(file), { size: 4096, signal: signal() });
    const base = { path: file, sizeLimit: 1 << 20, signal: signal() };
    await expectError(preflightUpload(admin, { ...base, imageId: crypto.randomUUID() }), 'glance/not-found', 404);
    const notQueued = await expectError(
      preflightUpload(admin, { ...base, imageId: active.id }),
      'preflight/image-not-queued',
      undefined,
    );
    expect(notQueued.message).toMatch(/is active, not queued/);
    await expectError(preflightUpload(admin, { ...base, imageId: noFormats.id }), 'glance/formats-not-set', undefined);
    await expectError(preflightUpload(admin, { ...base, imageId: queued.id, path: empty }), 'file/empty', undefined);
    const big = await expectError(
      preflightUpload(admin, { ...base, imageId: queued.id, sizeLimit: 1000 }),
      'file/too-large',
      undefined,
    );
    expect(big.message).toMatch(/this cloud takes only files smaller than 1000 B/);
    await expectError(
      preflightUpload(admin, { ...base, imageId: queued.id, path: path.join(dir, 'nope.raw') }),
      'file/not-found',
      undefined,
    );
    await expectError(preflightUpload(admin, { ...base, imageId: queued.id, path: dir }), 'file/not-a-file', undefined);
    const store = await expectError(
      preflightUpload(admin, { ...base, imageId: queued.id, store: 'nosuch' }),
      'preflight/unknown-store',
      undefined,
    );
    expect(store.message).toMatch(/choose one of fast, slow/);
  });
});
