// The core behind the IPC contract, against the real test cloud, called the way every transport
// calls it: through dispatchChannel, with raw (unvalidated) arguments.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGEDROP_PROPERTY } from '../../../shared/glance.ts';
import { INVOKE_CHANNELS, type ImageList, type InspectOutcome } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { ADMIN, DEMO, cloudsYaml, deleteImages, glanceFor, randomFile, removeDir, tempDir } from '../testing/cloud.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './profiles.ts';
import { ImagedropCore } from './service.ts';

let dir: string;
let core: ImagedropCore;
let secrets: MemorySecretStore;
let admin: GlanceClient;
let demo: GlanceClient;
const created: { glance: GlanceClient; id: string }[] = [];

async function call<T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]): Promise<Result<T>> {
  return (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-core-');
  secrets = new MemorySecretStore();
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
    cwd: dir,
    secrets,
    platform: { pickFiles: async () => [], copyText: async () => {} },
  });
  await core.init();
  admin = await glanceFor(ADMIN);
  demo = await glanceFor(DEMO);
});

afterAll(async () => {
  await core.dispose();
  for (const { glance, id } of created) await deleteImages(glance, [id]);
  await removeDir(dir);
});

describe('ImagedropCore', () => {
  it('lists the clouds of clouds.yaml', async () => {
    const r = await call<CloudEntry[]>('listClouds');
    expect(r.ok && r.value.map((c) => c.name)).toEqual([ADMIN, DEMO]);
  });

  it('connects by cloud name; the session info carries no token and no password', async () => {
    const r = await call<SessionInfo>('connect', { kind: 'cloud', cloud: ADMIN });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      cloud: ADMIN,
      user: { name: 'admin' },
      project: { name: 'admin' },
      region: 'RegionOne',
    });
    expect(r.value.capabilities.stores.map((s) => s.id)).toEqual(['fast', 'slow']);
    expect(r.value.capabilities.diskFormats).toContain('qcow2');
    const text = JSON.stringify(r.value);
    expect(text).not.toContain('imagedrop-admin-pass');
    expect(text).not.toContain(await core.context!.session.token(AbortSignal.timeout(10_000)));
  });

  it('a wrong password is refused with a sentence about the password, and the session stays as it was', async () => {
    const r = await call('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: { type: 'password', username: 'admin', password: 'nope', projectName: 'admin' },
      remember: false,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/password/);
    expect((await call<SessionInfo | null>('getSession')).ok).toBe(true);
    expect(core.context?.session.details.user.name).toBe('admin');
  });

  it('remembers a typed-in connection: the secret in the secret store only, and connects by its label', async () => {
    const r = await call<SessionInfo>('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: { type: 'password', username: 'demo', password: 'imagedrop-demo-pass', projectName: 'demo' },
      remember: true,
      label: 'my-demo',
    });
    expect(r.ok).toBe(true);
    const profiles = await readFile(path.join(dir, 'data', 'profiles.json'), 'utf8');
    expect(profiles).toContain('my-demo');
    expect(profiles).not.toContain('imagedrop-demo-pass');
    expect(await secrets.load('profile:my-demo')).toBe('imagedrop-demo-pass');
    const clouds = await call<CloudEntry[]>('listClouds');
    expect(clouds.ok && clouds.value.find((c) => c.name === 'my-demo')?.source).toBe('remembered');
    const again = await call<SessionInfo>('connect', { kind: 'cloud', cloud: 'my-demo' });
    expect(again.ok && again.value.user.name).toBe('demo');
  });

  it('lists the project images (who created each) and deletes only its own, unprotected ones', async () => {
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const ours = await admin.createImage(
      { name: 'core-ours', diskFormat: 'raw', containerFormat: 'bare', properties: { [IMAGEDROP_PROPERTY]: 'x' } },
      AbortSignal.timeout(10_000),
    );
    const plain = await admin.createImage(
      { name: 'core-plain', diskFormat: 'raw', containerFormat: 'bare', protected: true },
      AbortSignal.timeout(10_000),
    );
    const theirs = await demo.createImage(
      { name: 'core-theirs', diskFormat: 'raw', containerFormat: 'bare' },
      AbortSignal.timeout(10_000),
    );
    created.push({ glance: admin, id: ours.id }, { glance: admin, id: plain.id }, { glance: demo, id: theirs.id });
    const list = await call<ImageList>('listImages');
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    const byId = new Map(list.value.images.map((i) => [i.id, i]));
    expect(byId.get(ours.id)).toMatchObject({ createdByImagedrop: true, ownedByProject: true, status: 'queued' });
    expect(byId.get(plain.id)).toMatchObject({ createdByImagedrop: false, ownedByProject: true, protected: true });
    expect(byId.has(theirs.id)).toBe(false); // another project's: not on this project's dashboard
    // Even an admin, who Glance would let delete anything, deletes only the project's own here.
    const del = await call<{ id: string; ok: boolean; error?: { message: string } }[]>('deleteImages', [
      ours.id,
      plain.id,
      theirs.id,
    ]);
    expect(del.ok).toBe(true);
    if (!del.ok) return;
    expect(del.value.map((o) => [o.id, o.ok])).toEqual([
      [ours.id, true],
      [plain.id, false],
      [theirs.id, false],
    ]);
    expect(del.value[1]!.error!.message).toMatch(/protected/);
    expect(del.value[2]!.error!.message).toMatch(/belongs to another project/);
    expect((await demo.getImage(theirs.id, AbortSignal.timeout(10_000))).status).toBe('queued');
    await admin.updateImage(
      plain.id,
      [{ op: 'replace', path: '/protected', value: false }],
      AbortSignal.timeout(10_000),
    );
  });

  it('reads only files the user chose, dropped or opened: another path is refused', async () => {
    const secret = await randomFile(dir, 'secure.yaml', 100);
    const r = await call<InspectOutcome[]>('inspectFiles', [secret]);
    expect(r.ok && r.value[0]).toMatchObject({ ok: false, error: { code: 'ipc/path-not-granted' } });
    const up = await call('startUploads', [
      { path: secret, name: 'x', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    ]);
    expect(up).toMatchObject({ ok: false, error: { code: 'ipc/path-not-granted' } });
    expect(core.engine.list()).toEqual([]);
  });

  it('inspects files, each with its own outcome', async () => {
    const file = await randomFile(dir, 'a.raw', 4096);
    core.grantPaths([file, path.join(dir, 'missing.img')]); // as the shell does for a drop
    const r = await call<InspectOutcome[]>('inspectFiles', [file, path.join(dir, 'missing.img')]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]).toMatchObject({ ok: true, inspection: { format: 'raw', safe: true } });
    expect(r.value[1]).toMatchObject({ ok: false, error: { code: 'file/not-found' } });
  });

  it.each([
    ['startUploads', [[{ path: '/x', name: '' }]]],
    ['startUploads', ['not an array']],
    ['pauseUploads', [42]],
    ['connect', [{ kind: 'manual', authUrl: 'file:///etc/passwd', auth: {}, remember: false }]],
    ['inspectFiles', [[]]],
    ['deleteImages', [['a'], 'extra']],
  ] as [keyof typeof INVOKE_CHANNELS, unknown[]][])(
    'refuses a bad %s payload with a Result, never an exception',
    async (channel, args) => {
      const r = await call(channel, ...args);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('ipc/invalid-request');
    },
  );

  it('answers an unknown channel with an error Result', async () => {
    const r = await dispatchChannel(core.handlers, 'imagedrop:shell-exec', ['rm -rf /']);
    expect(r).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
  });
});
