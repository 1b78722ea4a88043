// An IMS cloud typed into the Connect view (issue 11), against the IMS emulator over the real
// Keystone, Swift and Glance: with an IAM password, and with only an access key; remembered like
// other typed-in connections, with every secret in the SecretStore and none in profiles.json.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { CloudEntry, ImsManualRequest, SessionInfo } from '../../../shared/session.ts';
import { cloudsYaml, removeDir, tempDir } from '../testing/cloud.ts';
import { startTestEmulator } from '../testing/ims-cloud.ts';
import type { ImsEmulator } from '../testing/ims-emulator/index.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore, configFromManual } from './profiles.ts';
import { ImagedropCore } from './service.ts';

let dir: string;
let emulator: ImsEmulator;
let core: ImagedropCore;
let secrets: MemorySecretStore;

async function call<T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]): Promise<Result<T>> {
  return (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

function key() {
  const k = emulator.accessKeys.find((a) => !a.securityToken)!;
  return { accessKey: k.accessKey, secretKey: k.secretKey };
}

function withPassword(extra: Partial<ImsManualRequest> = {}): ImsManualRequest {
  const a = emulator.account;
  return {
    kind: 'manual',
    imageService: 'ims',
    authUrl: `${emulator.url}/v3`,
    auth: { type: 'password', username: a.user, password: a.password, accountName: a.domain },
    projectName: emulator.region,
    accessKeys: key(),
    obsBucket: 'images',
    remember: false,
    ...extra,
  };
}

function accessKeyOnly(extra: Partial<ImsManualRequest> = {}): ImsManualRequest {
  return {
    kind: 'manual',
    imageService: 'ims',
    authUrl: `${emulator.url}/v3`,
    auth: { type: 'access-key' },
    projectName: emulator.region,
    accessKeys: key(),
    obsBucket: 'images',
    // Without a token there is no catalog: the endpoints are given, as hw-aksk in clouds.yaml does.
    imageEndpointOverride: emulator.url,
    obsEndpointOverride: emulator.s3Endpoint,
    remember: false,
    ...extra,
  };
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-connect-ims-');
  emulator = await startTestEmulator();
  secrets = new MemorySecretStore();
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
    cwd: dir,
    secrets,
    platform: { pickFiles: async () => [], pickCaFile: async () => null, copyText: async () => {} },
  });
  await core.init();
}, 120_000);

afterAll(async () => {
  await core?.dispose();
  await emulator?.close();
  await removeDir(dir);
});

describe('configFromManual for an IMS cloud', () => {
  it('builds the config its clouds.yaml entry would: IAM scope in the account, region from the project', () => {
    const config = configFromManual(withPassword(), 'typed');
    expect(config.imageService).toMatchObject({ kind: 'ims', inferred: false });
    expect(config.auth).toMatchObject({ type: 'password', userDomainName: emulator.account.domain });
    expect(config.scope).toMatchObject({ projectName: emulator.region, projectInUserDomain: true });
    expect(config.regionName).toBe(emulator.region);
    expect(config.obsBucket).toBe('images');
    expect(config.accessKeys).toMatchObject({ accessKey: key().accessKey, secretKey: key().secretKey });
    expect(configFromManual(accessKeyOnly(), 'typed').auth).toEqual({ type: 'access-key' });
  });

  it('uses no access key from the environment: what was typed is what is used', () => {
    const { accessKeys: _none, ...request } = withPassword();
    expect(configFromManual(request, 'typed').accessKeys).toBeUndefined();
  });
});

describe('connecting to an IMS cloud typed into the Connect view', () => {
  it('with the IAM password: a token session, the kind and why, OBS ready with the bucket', async () => {
    const before = emulator.requests.length;
    const r = await call<SessionInfo>('connect', withPassword());
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.imageService).toMatchObject({ kind: 'ims', reason: expect.stringMatching(/Connect view/) });
    expect(r.value.user.name).toBe(emulator.account.user);
    expect(r.value.region).toBe(emulator.region);
    expect(r.value.ims).toMatchObject({ auth: 'token', objectStorage: true, bucket: 'images' });
    expect(core.context?.kind).toBe('ims');
    const calls = emulator.requests.slice(before);
    expect(calls.some((c) => c.auth === 'token')).toBe(true);
    expect(JSON.stringify(r.value)).not.toContain(emulator.account.password);
    expect(JSON.stringify(r.value)).not.toContain(key().secretKey);
  });

  it('with only an access key (no password): every IMS call signed with AK/SK', async () => {
    const before = emulator.requests.length;
    const r = await call<SessionInfo>('connect', accessKeyOnly());
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.ims).toMatchObject({ auth: 'access-key', objectStorage: true });
    expect(r.value.project.id).toBe(emulator.account.projects[emulator.region]);
    const calls = emulator.requests.slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.auth === 'access-key')).toBe(true);
  });

  it('a wrong secret key is refused by IMS, and the session stays the one before', async () => {
    const r = await call<SessionInfo>(
      'connect',
      accessKeyOnly({ accessKeys: { accessKey: key().accessKey, secretKey: 'not-the-secret' } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('auth/access-key-rejected');
    expect(core.context?.kind).toBe('ims');
  });

  it('refuses, before any request, an access-key connection without a key and one without a project', async () => {
    const before = emulator.requests.length;
    const { accessKeys: _none, ...noKey } = accessKeyOnly();
    const r1 = await call('connect', noKey);
    expect(r1).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
    if (!r1.ok) expect(r1.error.detail).toMatch(/access key/);
    const { projectName: _p, ...noProject } = withPassword();
    const r2 = await call('connect', noProject);
    expect(r2).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
    expect(emulator.requests.length).toBe(before);
  });

  it('remembers it: password, AK and SK in the secret store only; connects again by its label', async () => {
    const r = await call<SessionInfo>('connect', withPassword({ remember: true, label: 'hw-typed' }));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const profiles = await readFile(path.join(dir, 'data', 'profiles.json'), 'utf8');
    expect(profiles).toContain('hw-typed');
    expect(profiles).toContain('"imageService": "ims"');
    for (const secret of [emulator.account.password, key().secretKey, key().accessKey])
      expect(profiles).not.toContain(secret);
    expect(JSON.parse((await secrets.load('profile:hw-typed'))!)).toEqual({
      password: emulator.account.password,
      ...key(),
    });
    const clouds = await call<CloudEntry[]>('listClouds');
    expect(clouds.ok && clouds.value.find((c) => c.name === 'hw-typed')).toMatchObject({
      source: 'remembered',
      imageService: 'ims',
    });
    await call('disconnect');
    const again = await call<SessionInfo>('connect', { kind: 'cloud', cloud: 'hw-typed', remembered: true });
    expect(again.ok, JSON.stringify(again)).toBe(true);
    if (again.ok) expect(again.value.ims).toMatchObject({ auth: 'token', objectStorage: true, bucket: 'images' });
    expect((await call('forgetConnection', 'hw-typed')).ok).toBe(true);
    expect(await secrets.load('profile:hw-typed')).toBeNull();
  });

  it('remembers an access-key-only connection and connects again with AK/SK', async () => {
    const r = await call<SessionInfo>('connect', accessKeyOnly({ remember: true, label: 'hw-aksk-typed' }));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    await call('disconnect');
    const before = emulator.requests.length;
    const again = await call<SessionInfo>('connect', { kind: 'cloud', cloud: 'hw-aksk-typed', remembered: true });
    expect(again.ok, JSON.stringify(again)).toBe(true);
    if (again.ok) expect(again.value.ims?.auth).toBe('access-key');
    expect(emulator.requests.slice(before).every((c) => c.auth === 'access-key')).toBe(true);
    await call('forgetConnection', 'hw-aksk-typed');
  });
});
