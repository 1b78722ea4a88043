// The Keystone and Glance clients' part of issue 8, against the real test cloud (through the fault
// proxy where a test must break a connection), and against plain local HTTP servers where the
// point is a server that is not Keystone.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagedropError } from '../errors.ts';
import { ADMIN, GLANCE, KEYSTONE_URL, deleteImages, glanceFor, openSession } from '../testing/cloud.ts';
import { startFaultProxy } from '../testing/fault-proxy.ts';
import { GlanceClient } from './glance.ts';
import { getDispatcher } from './http.ts';
import { authenticate } from './keystone.ts';

const signal = () => AbortSignal.timeout(60_000);

let admin: GlanceClient;
const created = new Set<string>();

beforeAll(async () => {
  admin = await glanceFor(ADMIN);
});

afterAll(async () => {
  await deleteImages(admin, created);
});

async function failure(p: Promise<unknown>): Promise<ImagedropError> {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImagedropError);
  return e as ImagedropError;
}

/** Python's own http.server, the plainest web server there is: it answers POST with 501. */
async function pythonHttpServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`python3 http.server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/v3`, child };
}

describe('Keystone sign-in answers (issue 8, item 8)', () => {
  it('a malformed token: Keystone answers 404 "Could not recognize Fernet token", which is a refused token', async () => {
    const e = await failure(
      authenticate({
        authUrl: KEYSTONE_URL,
        method: { type: 'token', token: 'not-a-fernet-token' },
        scope: { projectName: 'admin', projectDomainName: 'Default' },
        dispatcher: await getDispatcher(),
        signal: signal(),
      }),
    );
    expect(e.httpStatus).toBe(404);
    expect(e.serverMessage).toBe('Could not recognize Fernet token');
    expect(e.code).toBe('auth/invalid-credentials');
    expect(e.message).toBe(
      'Keystone refused the token: it is malformed, has expired or has been revoked; get a new one, or sign in with a password or an application credential.',
    );
  });

  it('a 404 on a password sign-in still means there is no Keystone v3 API at that URL', async () => {
    const e = await failure(
      authenticate({
        authUrl: 'http://127.0.0.1:5000/nothing-here',
        method: { type: 'password', username: 'admin', password: 'x', userDomainName: 'Default' },
        scope: { projectName: 'admin', projectDomainName: 'Default' },
        dispatcher: await getDispatcher(),
        signal: signal(),
      }),
    );
    expect(e.httpStatus).toBe(404);
    expect(e.message).toMatch(/^There is no Keystone v3 API at this auth URL/);
  });

  it('Python\'s http.server as the auth URL (501): not Keystone, not "try again later"', async () => {
    const server = await pythonHttpServer();
    try {
      const e = await failure(
        authenticate({
          authUrl: server.url,
          method: { type: 'password', username: 'admin', password: 'x' },
          scope: { projectName: 'admin' },
          dispatcher: await getDispatcher(),
          signal: signal(),
        }),
      );
      expect(e.httpStatus).toBe(501);
      expect(e.code).toBe('config/invalid');
      expect(e.retryable).toBe(false);
      expect(e.message).toBe(
        'The server at this auth URL is not Keystone (it does not take a sign-in there: HTTP 501): check the auth URL; it usually ends in /v3.',
      );
      expect(e.serverMessage).toBeUndefined(); // its HTML page is not Keystone's to quote
    } finally {
      server.child.kill();
    }
  });

  it('a web server that answers 405 to the POST: not Keystone either', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('Method Not Allowed');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const e = await failure(
        authenticate({
          authUrl: `http://127.0.0.1:${port}`,
          method: { type: 'password', username: 'admin', password: 'x' },
          scope: { projectName: 'admin' },
          dispatcher: await getDispatcher(),
          signal: signal(),
        }),
      );
      expect(e.httpStatus).toBe(405);
      expect(e.code).toBe('config/invalid');
      expect(e.message).toMatch(
        /^The server at this auth URL is not Keystone \(it does not take a sign-in there: HTTP 405\)/,
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("Glance's reason for a 400 is in the sentence (issue 8, item 12a)", () => {
  it('a 300-character name', async () => {
    const e = await failure(
      admin.createImage({ name: 'x'.repeat(300), diskFormat: 'raw', containerFormat: 'bare' }, signal()),
    );
    expect(e.httpStatus).toBe(400);
    expect(e.code).toBe('glance/bad-request');
    expect(e.message).toBe(
      `The image service refused the request as invalid (it said: name: '${'x'.repeat(24)}…' (300 characters) is too long): check the image settings.`,
    );
  });

  it('min_disk 1e20', async () => {
    const e = await failure(
      admin.createImage(
        { name: 'imagedrop-harden-min-disk', diskFormat: 'raw', containerFormat: 'bare', minDisk: 1e20 },
        signal(),
      ),
    );
    expect(e.httpStatus).toBe(400);
    expect(e.message).toBe(
      "The image service refused the request as invalid (it said: 'min_disk' value out of range, must not exceed 2147483647): check the image settings.",
    );
  });
});

describe('the wording of a broken connection (issue 8, item 12f)', () => {
  it('"broke before the image service answered", in lower case mid-sentence, with what to do', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const session = await openSession(ADMIN, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
      const glance = new GlanceClient(session);
      const image = await glance.createImage(
        { name: 'imagedrop-harden-cut', diskFormat: 'raw', containerFormat: 'bare' },
        signal(),
      );
      created.add(image.id);
      // The PATCH's body is cut at its first byte: the request reached nobody, and nothing answered.
      proxy.inject({ match: /^PATCH \/v2\/images\//, fault: { kind: 'cut', afterBytes: 0 } });
      const e = await failure(glance.updateImage(image.id, [{ op: 'add', path: '/purpose', value: 'cut' }], signal()));
      expect(e.code).toBe('network/reset');
      expect(e.message).toBe(
        `The connection to 127.0.0.1:${proxy.port} broke before the image service answered: try again; if it keeps happening, check the network and any proxy on the way.`,
      );
    } finally {
      await proxy.close();
    }
  });
});
