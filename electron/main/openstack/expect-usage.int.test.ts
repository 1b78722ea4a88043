// Issue 8, item 16, against the real Glance: a refused PUT sends no byte of its body (Expect:
// 100-continue, counted by the fault proxy), a normal one still uploads, and the project's usage
// and quota are read where Glance says them, and counted as Glance counts them where it does not.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkQuota } from '../../../shared/quota.ts';
import { ImagedropError } from '../errors.ts';
import {
  ADMIN,
  DEMO,
  GLANCE,
  KEYSTONE_URL,
  TESTCLOUD_DIR,
  deleteImages,
  glanceFor,
  openSession,
  randomFile,
  removeDir,
  tempDir,
} from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { parseQuota, resolveCloud } from './cloud-config.ts';
import { putWithExpectContinue } from './expect-put.ts';
import { GlanceClient } from './glance.ts';
import { getDispatcher, httpRequest } from './http.ts';
import { Session } from './session.ts';

const MiB = 1 << 20;
const signal = () => AbortSignal.timeout(60_000);
const PUT_FILE = /^PUT \/v2\/images\/[^/]+\/file/;

let dir: string;
let admin: GlanceClient;
let demo: GlanceClient;
let proxy: FaultProxy;
let adminViaProxy: GlanceClient;
let demoViaProxy: GlanceClient;
const created = new Set<string>();
const createdByDemo = new Set<string>();

beforeAll(async () => {
  dir = await tempDir('imagedrop-expect-');
  admin = await glanceFor(ADMIN);
  demo = await glanceFor(DEMO);
  proxy = await startFaultProxy(GLANCE);
  adminViaProxy = await glanceFor(ADMIN, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
  demoViaProxy = await glanceFor(DEMO, { OS_IMAGE_ENDPOINT_OVERRIDE: proxy.url });
});

afterAll(async () => {
  await proxy.close();
  await deleteImages(admin, created);
  await deleteImages(demo, createdByDemo);
  await removeDir(dir);
});

async function newImage(glance: GlanceClient, fields: Partial<Parameters<GlanceClient['createImage']>[0]> = {}) {
  const image = await glance.createImage(
    { name: 'imagedrop-expect', diskFormat: 'raw', containerFormat: 'bare', ...fields },
    signal(),
  );
  (glance === demo ? createdByDemo : created).add(image.id);
  return image;
}

async function failure(p: Promise<unknown>): Promise<ImagedropError> {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImagedropError);
  return e as ImagedropError;
}

/**
 * Runs one PUT through the proxy with a rule that changes nothing but counts the body bytes it
 * forwards; returns that count and the request's head.
 */
async function counted(run: () => Promise<unknown>): Promise<{ bytes: number; head: string; outcome: unknown }> {
  const before = proxy.forwarded.length;
  const heads = proxy.heads.length;
  proxy.inject({ match: PUT_FILE, fault: { kind: 'stall', afterBytes: Number.MAX_SAFE_INTEGER, ms: 0 } });
  const outcome = await run().then(
    (v) => v,
    (e: unknown) => e,
  );
  await new Promise((r) => setTimeout(r, 200)); // let anything still in flight reach the proxy
  expect(proxy.forwarded.length).toBe(before + 1);
  const head = proxy.heads.slice(heads).find((h) => PUT_FILE.test(h)) ?? '';
  return { bytes: proxy.forwarded[before]!, head, outcome };
}

/** Revokes a token before Glance has seen it (keystonemiddleware caches validations for 300 s). */
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

describe('Expect: 100-continue on the data PUT (issue 8, item 16)', () => {
  it('a normal upload sends the header, then the whole body, and is verified', async () => {
    const file = await randomFile(dir, 'expect-ok.raw', 8 * MiB);
    const image = await newImage(admin);
    const { bytes, head, outcome } = await counted(() =>
      adminViaProxy.uploadImageData(image.id, createReadStream(file), { size: 8 * MiB, signal: signal() }),
    );
    expect(outcome).toBeUndefined();
    expect(head).toMatch(/\r\nexpect: 100-continue\r\n/i);
    expect(head).toMatch(/\r\ncontent-length: 8388608\r\n/i);
    expect(bytes).toBe(8 * MiB);
    const stored = await admin.getImage(image.id, signal());
    expect(stored.status).toBe('active');
    expect(stored.os_hash_value).toBe(
      createHash('sha512')
        .update(await readFile(file))
        .digest('hex'),
    );
  });

  it.each([
    ['409, an image that already has data', 'glance/conflict', 409],
    ['404, an image that does not exist', 'glance/not-found', 404],
    ['403, a member into an admin’s public image', 'auth/forbidden', 403],
    ['400, an image without formats', 'glance/formats-not-set', 400],
    ['400, a store that does not exist', 'glance/unknown-store', 400],
    ['413, more than the project’s quota', 'glance/quota-exceeded', 413],
  ] as const)('%s: the answer comes before the body, and no byte of it is sent', async (what, code, status) => {
    const size = status === 413 ? 5 * 1024 ** 3 : 4 * MiB;
    const file = await randomFile(dir, `expect-${status}.raw`, Math.min(size, 4 * MiB));
    let id: string;
    let client = adminViaProxy;
    let store: string | undefined;
    if (what.startsWith('409')) {
      id = (await newImage(admin)).id;
      await admin.uploadImageData(id, createReadStream(file), { size: 4 * MiB, signal: signal() });
    } else if (what.startsWith('404')) {
      id = crypto.randomUUID();
    } else if (what.startsWith('403')) {
      id = (await newImage(admin, { visibility: 'public' })).id;
      client = demoViaProxy;
    } else if (what.includes('formats')) {
      id = (await newImage(admin, { diskFormat: undefined, containerFormat: undefined })).id;
    } else {
      id = (await newImage(admin)).id;
      if (what.includes('store')) store = 'nosuch';
    }
    // A body that would be `size` bytes long: the file, repeated (never read past what is sent).
    const body = () =>
      Readable.from(
        (async function* () {
          const chunk = await readFile(file);
          for (let sent = 0; sent < size; sent += chunk.length)
            yield chunk.subarray(0, Math.min(chunk.length, size - sent));
        })(),
      );
    const withExpect = await counted(() =>
      client.uploadImageData(id, body(), { size, signal: signal(), ...(store ? { store } : {}) }),
    );
    expect(withExpect.outcome).toBeInstanceOf(ImagedropError);
    expect({
      code: (withExpect.outcome as ImagedropError).code,
      status: (withExpect.outcome as ImagedropError).httpStatus,
    }).toEqual({
      code,
      status,
    });
    expect(withExpect.head).toMatch(/\r\nexpect: 100-continue\r\n/i);
    expect(withExpect.bytes).toBe(0);
    // The same PUT without Expect: what fits in the socket buffers is on its way before the answer.
    const without = await counted(() =>
      client.uploadImageData(id, body(), {
        size,
        signal: signal(),
        expectContinue: false,
        ...(store ? { store } : {}),
      }),
    );
    expect((without.outcome as ImagedropError).httpStatus).toBe(status);
    expect(without.bytes).toBeGreaterThan(0);
  });

  it('401, a revoked token: refused before the body too', async () => {
    const password = await openSession(DEMO);
    const session = await Session.open(
      resolveCloud(
        'token-only',
        {
          auth_type: 'v3token',
          auth: { auth_url: KEYSTONE_URL, token: await password.token(signal()), project_name: 'demo' },
          image_endpoint_override: proxy.url,
        },
        't',
      ),
      signal(),
    );
    const image = await newImage(demo);
    await revoke(await session.token(signal()));
    const file = await randomFile(dir, 'expect-401.raw', 4 * MiB);
    const { bytes, outcome } = await counted(() =>
      new GlanceClient(session).uploadImageData(image.id, createReadStream(file), { size: 4 * MiB, signal: signal() }),
    );
    expect(outcome).toMatchObject({ code: 'auth/token-rejected', httpStatus: 401 });
    expect(bytes).toBe(0);
  });

  it('415 (a Content-Type Glance does not take), through the same PUT', async () => {
    const image = await newImage(admin);
    const token = await adminViaProxy.session.token(signal());
    const { bytes, outcome } = await counted(() =>
      putWithExpectContinue(adminViaProxy.url(`/v2/images/${image.id}/file`), {
        headers: { 'x-auth-token': token, 'content-type': 'text/plain' },
        body: Readable.from([Buffer.alloc(MiB, 1)]),
        size: MiB,
        signal: signal(),
        tls: {},
        service: 'glance',
        responseTimeoutMs: 60_000,
      }),
    );
    expect(outcome).toMatchObject({ status: 415, bodyBytesSent: 0 });
    expect(bytes).toBe(0);
  });

  it('a server that ignores Expect (never says 100) still gets the body, after a short wait', async () => {
    let headAt = 0;
    let firstByteAt = 0;
    let received = 0;
    const server = net.createServer((socket) => {
      let head = '';
      socket.on('data', (d: Buffer) => {
        if (!headAt) {
          head += d.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          headAt = Date.now();
          received += Buffer.byteLength(head.slice(end + 4), 'latin1');
        } else {
          firstByteAt ||= Date.now();
          received += d.length;
        }
        if (received >= MiB) socket.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const res = await putWithExpectContinue(`http://127.0.0.1:${port}/v2/images/x/file`, {
        headers: { 'content-type': 'application/octet-stream' },
        body: Readable.from([Buffer.alloc(MiB, 2)]),
        size: MiB,
        signal: signal(),
        tls: {},
        service: 'glance',
        responseTimeoutMs: 60_000,
      });
      expect(res).toMatchObject({ status: 204, bodyBytesSent: MiB });
      expect(received).toBe(MiB);
      expect(firstByteAt - headAt).toBeGreaterThanOrEqual(900);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

/** Keystone's admin API, for a project of this test's own (its usage is then this test's alone). */
async function keystone(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, token: string, body?: unknown) {
  const res = await httpRequest(`${KEYSTONE_URL}${p}`, {
    method,
    headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: signal(),
    dispatcher: await getDispatcher(),
    service: 'keystone',
  });
  expect(res.status, res.text).toBeLessThan(300);
  return res.text ? (JSON.parse(res.text) as Record<string, never>) : {};
}

describe('the project’s usage and quota (issue 8, item 16)', () => {
  it('this Glance (Zed, legacy user_storage_quota) answers /v2/info/usage with an empty usage', async () => {
    const res = await httpRequest(admin.url('/v2/info/usage'), {
      method: 'GET',
      headers: { 'x-auth-token': await admin.session.token(signal()) },
      signal: signal(),
      dispatcher: admin.session.dispatcher,
      service: 'glance',
    });
    expect({ status: res.status, body: JSON.parse(res.text) as unknown }).toEqual({ status: 200, body: { usage: {} } });
  });

  it('falls back to the project’s images against the configured quota, and Glance agrees to the byte', async () => {
    // The quota this Glance enforces, as its config file says it, read the way the key is documented.
    const conf = await readFile(path.join(TESTCLOUD_DIR, 'glance-api.conf'), 'utf8');
    const quotaText = /^user_storage_quota\s*=\s*(\S+)/m.exec(conf)?.[1];
    expect(quotaText).toBeDefined();
    const quota = parseQuota(quotaText!)!;
    expect(quota).toBeGreaterThan(0);

    const adminToken = await admin.session.token(signal());
    const name = `imagedrop-usage-${Date.now()}`;
    const project = (await keystone('POST', '/projects', adminToken, { project: { name, domain_id: 'default' } }))
      .project as unknown as { id: string };
    try {
      // admin in that project: Glance lets only an admin copy an image into a second store.
      const roles = (await keystone('GET', '/roles?name=admin', adminToken)).roles as unknown as { id: string }[];
      const userId = admin.session.details.user.id;
      await keystone('PUT', `/projects/${project.id}/users/${userId}/roles/${roles[0]!.id}`, adminToken);
      const session = await Session.open(
        resolveCloud(
          'usage',
          {
            auth: {
              auth_url: KEYSTONE_URL,
              username: 'admin',
              password: 'imagedrop-admin-pass',
              project_name: name,
              user_domain_name: 'Default',
              project_domain_name: 'Default',
            },
            region_name: 'RegionOne',
            image_storage_quota: quotaText,
          },
          'test',
        ),
        signal(),
      );
      const glance = new GlanceClient(session);
      const mine: string[] = [];
      try {
        expect(await glance.getUsage(signal())).toEqual({ source: 'image-sum', usedBytes: 0, limitBytes: quota });
        // Two images with data (one copied into both stores: Glance counts each copy) and one without.
        const a = await randomFile(dir, 'usage-a.raw', 3 * MiB);
        const b = await randomFile(dir, 'usage-b.raw', 1 * MiB);
        for (const [file, size, store] of [
          [a, 3 * MiB, undefined],
          [b, 1 * MiB, 'slow'],
        ] as const) {
          const image = await glance.createImage({ name, diskFormat: 'raw', containerFormat: 'bare' }, signal());
          mine.push(image.id);
          await glance.uploadImageData(image.id, createReadStream(file), {
            size,
            signal: signal(),
            ...(store ? { store } : {}),
          });
        }
        await glance.importImage(mine[0]!, { name: 'copy-image' }, signal(), { stores: ['slow'] });
        let stores = '';
        for (let i = 0; i < 150 && stores !== 'fast,slow'; i++) {
          stores = (await glance.getImage(mine[0]!, signal())).stores ?? '';
          if (stores !== 'fast,slow') await new Promise((r) => setTimeout(r, 200));
        }
        expect(stores).toBe('fast,slow');
        const empty = await glance.createImage({ name, diskFormat: 'raw', containerFormat: 'bare' }, signal());
        mine.push(empty.id);
        const usage = await glance.getUsage(signal());
        expect(usage).toEqual({ source: 'image-sum', usedBytes: 2 * 3 * MiB + 1 * MiB, limitBytes: quota });

        // Glance's own reckoning: a PUT one byte over what is left is refused with "N bytes remaining".
        const left = quota - usage.usedBytes;
        expect(checkQuota(usage, left)).toMatchObject({ fits: true, leftBytes: left });
        const over = checkQuota(usage, left + 1);
        expect(over.fits).toBe(false);
        const e = await failure(
          glance.uploadImageData(empty.id, Readable.from([Buffer.alloc(1)]), { size: left + 1, signal: signal() }),
        );
        expect(e.code).toBe('glance/quota-exceeded');
        expect(e.serverMessage).toMatch(
          new RegExp(`The size of the data ${left + 1} will exceed the limit\\. ${left} bytes remaining\\.`),
        );
      } finally {
        await deleteImages(glance, mine);
      }
    } finally {
      await keystone('DELETE', `/projects/${project.id}`, adminToken);
    }
  });

  it('without a configured quota, the usage is known and the limit is not', async () => {
    const usage = await admin.getUsage(signal());
    expect(usage.source).toBe('image-sum');
    expect(usage.limitBytes).toBeNull();
    expect(usage.usedBytes).toBeGreaterThanOrEqual(0);
    expect(checkQuota(usage, 10 * 1024 ** 4)).toEqual({ fits: true, leftBytes: null });
  });
});
