// The core's edges from issue 8 (items 11 and 15), called the way the renderer calls it: through
// dispatchChannel with raw arguments, against the real Keystone and Glance, and against plain
// local HTTP servers where the point is a server that is not Keystone.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import { ADMIN, DEMO, cloudsYaml, removeDir, tempDir } from '../testing/cloud.ts';
import { startLanForwarder } from '../testing/lan-forwarder.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './remembered-connections.ts';
import { ImagedropCore, type PlatformServices } from './service.ts';

const PLATFORM: PlatformServices = {
  pickFiles: async () => [],
  pickCaFile: async () => null,
  copyText: async () => {},
};
const SECRET = 'INTERNAL-SECRET-7f3a';

let dir: string;
const cores: ImagedropCore[] = [];

async function newCore(name: string, secrets = new MemorySecretStore()) {
  const core = new ImagedropCore({
    dataDir: path.join(dir, name),
    env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
    cwd: dir,
    secrets,
    platform: PLATFORM,
  });
  await core.init();
  cores.push(core);
  const call = async <T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) =>
    (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
  return { core, call, secrets };
}

const demoAuth = { type: 'password', username: 'demo', password: 'imagedrop-demo-pass', projectName: 'demo' };

/** A plain HTTP server (not Keystone) that answers every request with `status` and `body`. */
async function plainServer(
  status: number,
  body: string,
  type = 'text/html',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/v3`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The real Keystone, reached at this machine's non-loopback address. */
async function keystoneOnLan(): Promise<{ url: string; close(): Promise<void> }> {
  const lan = await startLanForwarder({ host: '127.0.0.1', port: 5000 });
  return { url: `${lan.origin}/v3`, close: () => lan.close() };
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-core-harden-');
});

afterAll(async () => {
  for (const c of cores) await c.dispose();
  await removeDir(dir);
});

describe('a connect call cannot be used to read another server (issue 8, item 15)', () => {
  it('refuses an auth URL with a query, a fragment or a user name, before any request', async () => {
    const { call } = await newCore('data-url');
    for (const authUrl of [
      'http://127.0.0.1:5000/v3?next=http://169.254.169.254/',
      'http://127.0.0.1:5000/v3#x',
      'http://admin:pw@127.0.0.1:5000/v3',
    ]) {
      const r = await call('connect', { kind: 'manual', authUrl, auth: demoAuth, remember: false });
      expect(r).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
      if (!r.ok) expect(r.error.detail).toMatch(/the auth URL (has a query or a fragment|has a user name or password)/);
    }
  });

  it.each([
    ['a 404 page', 404, `<html><body>${SECRET}</body></html>`, 'text/html', 'config/invalid'],
    ['a 200 that is not JSON', 200, `metadata: ${SECRET}`, 'text/plain', 'auth/unexpected-response'],
    [
      'a 400 in JSON of another shape',
      400,
      JSON.stringify({ message: SECRET, code: 400 }),
      'application/json',
      'config/invalid',
    ],
    [
      'a 401 in JSON of another shape',
      401,
      JSON.stringify({ detail: SECRET }),
      'application/json',
      'auth/invalid-credentials',
    ],
    ['a 500 page', 500, SECRET, 'text/plain', 'auth/unavailable'],
  ])('%s from a server that is not Keystone: no text of it in the error', async (_what, status, body, type, code) => {
    const { call } = await newCore(`data-leak-${status}`);
    const server = await plainServer(status, body, type);
    try {
      const r = await call('connect', { kind: 'manual', authUrl: server.url, auth: demoAuth, remember: false });
      expect(r).toMatchObject({ ok: false, error: { code } });
      expect(JSON.stringify(r)).not.toContain(SECRET);
      expect(JSON.stringify(r)).not.toContain(SECRET.slice(0, 12));
    } finally {
      await server.close();
    }
  });

  it("the real Keystone's own words still come back", async () => {
    const { call } = await newCore('data-keystone-words');
    const r = await call('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: { ...demoAuth, password: 'wrong' },
      remember: false,
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'auth/invalid-credentials', serverMessage: 'The request you have made requires authentication.' },
    });
  });
});

describe('remembered connections and clouds.yaml stay apart (issue 8, item 15)', () => {
  it('refuses to remember a connection under the name of a clouds.yaml cloud, and says so', async () => {
    const { call, secrets } = await newCore('data-clash');
    const r = await call<SessionInfo>('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: demoAuth,
      remember: true,
      label: ADMIN,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.user.name).toBe('demo');
    expect(r.value.warnings).toContain(
      `Connected, but not remembered: A cloud in clouds.yaml (or the environment) is already named '${ADMIN}': remember this connection under another label.`,
    );
    expect(await secrets.load(`profile:${ADMIN}`)).toBeNull();
    const again = await call<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN });
    expect(again.ok && again.value.user.name).toBe('admin');
  });

  it('a remembered connection that shares a name (from before) is reached only when the request says so', async () => {
    const data = path.join(dir, 'data-legacy');
    await mkdir(data, { recursive: true });
    // profiles.json from an older version: the remembered 'imagedrop-demo' signs in as admin.
    await writeFile(
      path.join(data, 'profiles.json'),
      JSON.stringify([
        {
          label: DEMO,
          authUrl: 'http://127.0.0.1:5000/v3',
          authType: 'password',
          username: 'admin',
          projectName: 'admin',
        },
      ]),
    );
    const secrets = new MemorySecretStore();
    await secrets.save(`profile:${DEMO}`, 'imagedrop-admin-pass');
    const { call } = await newCore('data-legacy', secrets);
    const plain = await call<SessionInfo>('connect', { kind: 'cloud', cloud: DEMO });
    expect(plain.ok && plain.value.user.name).toBe('demo'); // clouds.yaml's, not the remembered one
    const remembered = await call<SessionInfo>('connect', { kind: 'cloud', cloud: DEMO, remembered: true });
    expect(remembered.ok && remembered.value.user.name).toBe('admin');
    const clouds = await call<CloudEntry[]>('listClouds');
    expect(clouds.ok && clouds.value.filter((c) => c.name === DEMO).map((c) => c.source)).toEqual([
      cloudsYaml(),
      'remembered',
    ]);
  });

  it('a remembered connection that does not exist is an error, not a clouds.yaml cloud', async () => {
    const { call } = await newCore('data-missing');
    expect(await call('connect', { kind: 'cloud', cloud: ADMIN, remembered: true })).toMatchObject({
      ok: false,
      error: { code: 'config/cloud-not-found' },
    });
  });

  it('a failed write of the remembered connections says "not remembered" and keeps nothing', async () => {
    const { call, secrets } = await newCore('data-unwritable');
    // A folder where profiles.json should be: the atomic rename over it fails.
    await mkdir(path.join(dir, 'data-unwritable', 'profiles.json', 'x'), { recursive: true });
    const r = await call<SessionInfo>('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: demoAuth,
      remember: true,
      label: 'my-unwritable',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.warnings.join('\n')).toMatch(
      /^Connected, but not remembered: Imagedrop could not write .*profiles\.json \(EISDIR: a folder is in the way of the file\): make its folder writable, or set IMAGEDROP_DATA_DIR to a folder you can write\.$/m,
    );
    expect(await secrets.load('profile:my-unwritable')).toBeNull();
    const clouds = await call<CloudEntry[]>('listClouds');
    expect(clouds.ok && clouds.value.map((c) => c.name)).not.toContain('my-unwritable');
  });
});

describe('a sign-in over plain http:// to another machine is warned about (issue 8, item 11)', () => {
  it('SessionInfo.warnings says it for a typed-in connection to a non-loopback host; loopback gets none', async () => {
    const { call } = await newCore('data-http');
    const lan = await keystoneOnLan();
    try {
      const r = await call<SessionInfo>('connect', {
        kind: 'manual',
        authUrl: lan.url,
        auth: demoAuth,
        remember: false,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const host = new URL(lan.url).hostname;
      expect(r.value.warnings).toContain(
        `The auth URL uses plain http:// to ${host}: your password and then your token would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.`,
      );
    } finally {
      await lan.close();
    }
    const local = await call<SessionInfo>('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: demoAuth,
      remember: false,
    });
    expect(local.ok && local.value.warnings).toEqual([]);
  });

  it('a clouds.yaml cloud over plain http:// to another machine: in its list entry and in the session', async () => {
    const lan = await keystoneOnLan();
    try {
      const file = path.join(dir, 'lan-clouds.yaml');
      await writeFile(
        file,
        `clouds:\n  lan:\n    auth:\n      auth_url: ${lan.url}\n      username: demo\n      password: imagedrop-demo-pass\n      project_name: demo\n      user_domain_name: Default\n      project_domain_name: Default\n`,
      );
      const core = new ImagedropCore({
        dataDir: path.join(dir, 'data-lan'),
        env: { OS_CLIENT_CONFIG_FILE: file },
        cwd: dir,
        secrets: new MemorySecretStore(),
        platform: PLATFORM,
      });
      await core.init();
      cores.push(core);
      const call = async <T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) =>
        (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
      const clouds = await call<CloudEntry[]>('listClouds');
      expect(clouds.ok && clouds.value[0]!.warnings.join(' ')).toMatch(
        /^Cloud 'lan': The auth URL uses plain http:\/\//,
      );
      const r = await call<SessionInfo>('connect', { kind: 'cloud', cloud: 'lan' });
      expect(r.ok && r.value.warnings.join(' ')).toMatch(/^Cloud 'lan': The auth URL uses plain http:\/\//);
      expect(await readFile(file, 'utf8')).toContain(lan.url);
    } finally {
      await lan.close();
    }
  });
});
