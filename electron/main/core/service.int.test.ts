// The core behind the IPC contract, against the real test cloud, called the way every transport
// calls it: through dispatchChannel, with raw (unvalidated) arguments.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGEDROP_PROPERTY } from '../../../shared/glance.ts';
import { INVOKE_CHANNELS, type DeleteOutcome, type ImageList, type InspectOutcome } from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';
import type { CloudEntry, SessionInfo } from '../../../shared/session.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  DEMO,
  GLANCE,
  KEYSTONE_URL,
  ageImage,
  cloudsYaml,
  deleteImages,
  glanceFor,
  randomFile,
  removeDir,
  tempDir,
  writeProxiedClouds,
} from '../testing/cloud.ts';
import { startFaultProxy } from '../testing/fault-proxy.ts';
import { dispatchChannel } from './dispatch.ts';
import { MemorySecretStore } from './remembered-connections.ts';
import { ImagedropCore, type PlatformServices } from './service.ts';

let dir: string;
let core: ImagedropCore;
let secrets: MemorySecretStore;
let admin: GlanceClient;
let demo: GlanceClient;
const created: { glance: GlanceClient; id: string }[] = [];

/** What the next CA-file dialog answers. */
let caPick: string | null = null;

const PLATFORM: PlatformServices = {
  pickFiles: async () => [],
  pickCaFile: async () => caPick,
  copyText: async () => {},
};

async function call<T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]): Promise<Result<T>> {
  return (await dispatchChannel(core.handlers, INVOKE_CHANNELS[channel], args)) as Result<T>;
}

/** A SecretStore on a system with no keychain. */
class NoKeychain extends MemorySecretStore {
  override isAvailable(): boolean {
    return false;
  }
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-core-');
  secrets = new MemorySecretStore();
  core = new ImagedropCore({
    dataDir: path.join(dir, 'data'),
    env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
    cwd: dir,
    secrets,
    platform: PLATFORM,
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
    expect(core.context?.session.details.user?.name).toBe('admin');
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
    for (const id of [ours.id, plain.id]) await ageImage(id, 30);
    const list = await call<ImageList>('listImages');
    expect(list.ok).toBe(true);
    if (!list.ok) return;
    const byId = new Map(list.value.images.map((i) => [i.id, i]));
    expect(byId.get(ours.id)).toMatchObject({ createdByImagedrop: true, ownedByProject: true, status: 'queued' });
    expect(byId.get(plain.id)).toMatchObject({ createdByImagedrop: false, ownedByProject: true, protected: true });
    expect(byId.has(theirs.id)).toBe(false); // another project's: not on this project's dashboard
    // Even an admin, who Glance would let delete anything, deletes only the project's own here.
    const del = await call<{ id: string; ok: boolean; error?: { message: string } }[]>(
      'deleteImages',
      [ours.id, plain.id, theirs.id],
      { stuckAfterMinutes: 10 },
    );
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

  it('deletes an image only if, read again, it is still stuck: not one updated recently, not an active one', async () => {
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const signal = () => AbortSignal.timeout(30_000);
    const stuck = await admin.createImage({ name: 'core-stuck', diskFormat: 'raw', containerFormat: 'bare' }, signal());
    const fresh = await admin.createImage({ name: 'core-fresh', diskFormat: 'raw', containerFormat: 'bare' }, signal());
    const active = await admin.createImage(
      { name: 'core-active', diskFormat: 'raw', containerFormat: 'bare' },
      signal(),
    );
    created.push(...[stuck, fresh, active].map((i) => ({ glance: admin, id: i.id })));
    // The dashboard listed all three as stuck a while ago; since then one was touched and one
    // became active.
    const data = await randomFile(dir, 'active.raw', 4096);
    await admin.uploadImageData(active.id, createReadStream(data), { size: 4096, signal: signal() });
    expect((await admin.getImage(active.id, signal())).status).toBe('active');
    for (const id of [stuck.id, active.id]) await ageImage(id, 30);

    const del = await call<DeleteOutcome[]>('deleteImages', [stuck.id, fresh.id, active.id], {
      stuckAfterMinutes: 10,
    });
    expect(del.ok).toBe(true);
    if (!del.ok) return;
    const outcome = new Map(del.value.map((o) => [o.id, o]));
    expect(outcome.get(stuck.id)).toEqual({ id: stuck.id, ok: true });
    expect(outcome.get(fresh.id)).toMatchObject({ ok: false, error: { code: 'dashboard/not-stuck' } });
    expect(outcome.get(active.id)).toMatchObject({ ok: false, error: { code: 'dashboard/not-stuck' } });
    const activeOutcome = outcome.get(active.id);
    if (activeOutcome && !activeOutcome.ok) expect(activeOutcome.error.message).toMatch(/active/);
    expect((await admin.getImage(fresh.id, signal())).status).toBe('queued');
    expect((await admin.getImage(active.id, signal())).status).toBe('active');
    await expect(admin.getImage(stuck.id, signal())).rejects.toMatchObject({ code: 'glance/not-found' });
  });

  it('never deletes an image an unfinished upload of this app sends into, however stuck it looks', async () => {
    // The upload's body is held at the proxy: Glance shows the image `saving` and, as while a
    // long or paused upload streams, leaves its updated_at alone.
    const proxy = await startFaultProxy(GLANCE);
    proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 2 << 20 } });
    const heldDir = path.join(dir, 'held');
    await mkdir(heldDir);
    const clouds = await writeProxiedClouds(heldDir, proxy.url);
    const other = new ImagedropCore({
      dataDir: path.join(dir, 'data-held'),
      env: { OS_CLIENT_CONFIG_FILE: clouds },
      cwd: dir,
      secrets: new MemorySecretStore(),
      platform: PLATFORM,
    });
    await other.init();
    const ask = <T>(channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) =>
      dispatchChannel(other.handlers, INVOKE_CHANNELS[channel], args) as Promise<Result<T>>;
    const signal = () => AbortSignal.timeout(30_000);
    try {
      expect((await ask('connect', { kind: 'cloud', cloud: ADMIN })).ok).toBe(true);
      const file = await randomFile(dir, 'held.raw', 16 << 20);
      other.grantPaths([file]);
      const started = await ask<string[]>('startUploads', [
        { path: file, name: 'core-held', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
      ]);
      expect(started.ok).toBe(true);
      await proxy.reached();
      const imageId = other.engine.list()[0]!.imageId!;
      created.push({ glance: admin, id: imageId });
      await expect.poll(async () => (await admin.getImage(imageId, signal())).status).toBe('saving');
      // Beside it, an image nothing uploads into, stuck the same way: that one goes.
      const idle = await admin.createImage({ name: 'core-idle', diskFormat: 'raw', containerFormat: 'bare' }, signal());
      created.push({ glance: admin, id: idle.id });
      for (const id of [imageId, idle.id]) await ageImage(id, 30);

      const list = await ask<ImageList>('listImages');
      const rows = new Map(list.ok ? list.value.images.map((i) => [i.id, i]) : []);
      expect(rows.get(imageId)).toMatchObject({ status: 'saving', uploadingHere: true });
      expect(rows.get(idle.id)).toMatchObject({ status: 'queued', uploadingHere: false });

      const del = await ask<DeleteOutcome[]>('deleteImages', [imageId, idle.id], { stuckAfterMinutes: 10 });
      expect(del.ok).toBe(true);
      if (!del.ok) return;
      expect(del.value[1]).toEqual({ id: idle.id, ok: true });
      const refused = del.value[0]!;
      expect(refused).toMatchObject({ id: imageId, ok: false, error: { code: 'dashboard/not-stuck' } });
      if (!refused.ok) {
        expect(refused.error.message).toBe(
          'Image core-held is being uploaded by Imagedrop (Glance does not update it while data arrives or the upload is paused): cancel that upload in the queue instead.',
        );
      }
      expect((await admin.getImage(imageId, signal())).status).toBe('saving');
      expect(other.engine.list()[0]!.phase).toBe('uploading');
    } finally {
      await other.engine.cancel('all').catch(() => {});
      proxy.release();
      await other.dispose();
      await proxy.close();
    }
  });

  it('a delete without the stuck threshold is refused as unreadable', async () => {
    const r = await call('deleteImages', ['some-id']);
    expect(r).toMatchObject({ ok: false, error: { code: 'ipc/invalid-request' } });
  });

  it('refuses a store the cloud does not have, before any image record is created', async () => {
    await call('connect', { kind: 'cloud', cloud: ADMIN });
    const file = await randomFile(dir, 'store.raw', 4096);
    core.grantPaths([file]);
    const before = core.engine.list().length;
    const r = await call('startUploads', [
      {
        path: file,
        name: 'core-nostore',
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
        store: 'nosuch',
      },
    ]);
    expect(r).toMatchObject({ ok: false, error: { code: 'preflight/unknown-store' } });
    if (!r.ok) expect(r.error.message).toMatch(/fast, slow/);
    expect(core.engine.list()).toHaveLength(before);
  });

  it('a typed-in connection names only a CA file chosen in the picker; a remembered one keeps its own', async () => {
    const ca = path.join(dir, 'lab-ca.pem');
    await copyFile('/etc/ssl/certs/ca-certificates.crt', ca);
    const manual = (cacertPath: string, extra: Record<string, unknown> = {}) => ({
      kind: 'manual',
      authUrl: KEYSTONE_URL,
      auth: { type: 'password', username: 'demo', password: 'imagedrop-demo-pass', projectName: 'demo' },
      cacertPath,
      remember: false,
      ...extra,
    });
    // Not chosen: refused before main opens it, whatever it is (a device would never end).
    for (const path of [ca, '/dev/zero', '/etc/shadow']) {
      const refused = await call('connect', manual(path));
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'ipc/path-not-granted',
          message: 'Imagedrop reads only a CA file you chose with "Choose…": choose the CA certificate file again.',
        },
      });
    }
    caPick = ca;
    try {
      expect(await call('pickCaFile')).toEqual({ ok: true, value: ca });
    } finally {
      caPick = null;
    }
    const r = await call<SessionInfo>('connect', manual(ca, { remember: true, label: 'with-ca' }));
    expect(r.ok && r.value.user.name).toBe('demo');
    // After a restart nothing is granted, and the remembered connection still uses its CA file.
    const restartDir = path.join(dir, 'data-restart');
    await mkdir(restartDir);
    await copyFile(path.join(dir, 'data', 'profiles.json'), path.join(restartDir, 'profiles.json'));
    const later = new ImagedropCore({
      dataDir: restartDir,
      env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
      cwd: dir,
      secrets,
      platform: PLATFORM,
    });
    await later.init();
    try {
      const again = (await dispatchChannel(later.handlers, INVOKE_CHANNELS.connect, [
        { kind: 'cloud', cloud: 'with-ca' },
      ])) as Result<SessionInfo>;
      expect(again.ok && again.value.user.name).toBe('demo');
      expect(later.context?.session.config.cacertPath).toBe(ca);
    } finally {
      await later.dispose();
      await call('forgetConnection', 'with-ca');
    }
  });

  it('forgets a remembered connection, with its stored secret', async () => {
    const remembered = await call<SessionInfo>('connect', {
      kind: 'manual',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: { type: 'password', username: 'demo', password: 'imagedrop-demo-pass', projectName: 'demo' },
      remember: true,
      label: 'forget-me',
    });
    expect(remembered.ok).toBe(true);
    expect(await secrets.load('profile:forget-me')).toBe('imagedrop-demo-pass');
    expect(await call('forgetConnection', 'forget-me')).toEqual({ ok: true, value: null });
    expect(await secrets.load('profile:forget-me')).toBeNull();
    const clouds = await call<CloudEntry[]>('listClouds');
    expect(clouds.ok && clouds.value.map((c) => c.name)).not.toContain('forget-me');
    expect(await readFile(path.join(dir, 'data', 'profiles.json'), 'utf8')).not.toContain('forget-me');
    expect(await call('forgetConnection', 'forget-me')).toMatchObject({
      ok: false,
      error: { code: 'config/cloud-not-found' },
    });
  });

  it('with no keychain: says so, and "remember" still connects, with a warning', async () => {
    const other = new ImagedropCore({
      dataDir: path.join(dir, 'data-no-keychain'),
      env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
      cwd: dir,
      secrets: new NoKeychain(),
      platform: PLATFORM,
    });
    await other.init();
    try {
      const ask = (channel: keyof typeof INVOKE_CHANNELS, ...args: unknown[]) =>
        dispatchChannel(other.handlers, INVOKE_CHANNELS[channel], args);
      expect(await ask('canRememberSecrets')).toEqual({ ok: true, value: false });
      const r = (await ask('connect', {
        kind: 'manual',
        authUrl: 'http://127.0.0.1:5000/v3',
        auth: { type: 'password', username: 'demo', password: 'imagedrop-demo-pass', projectName: 'demo' },
        remember: true,
        label: 'no-keychain',
      })) as Result<SessionInfo>;
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.user.name).toBe('demo');
      expect(r.value.warnings.join(' ')).toMatch(/not remembered.*no secure storage/i);
      expect(other.context?.session.details.user?.name).toBe('demo');
      const clouds = (await ask('listClouds')) as Result<CloudEntry[]>;
      expect(clouds.ok && clouds.value.map((c) => c.name)).not.toContain('no-keychain');
    } finally {
      await other.dispose();
    }
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
    ['deleteImages', [['a'], { stuckAfterMinutes: 10 }, 'extra']],
    ['deleteImages', [['a'], { stuckAfterMinutes: 0 }]],
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

describe('ImagedropCore, what earlier runs left behind', () => {
  it('on connect, deletes the record a cancelled job could not delete, and the job lets go of it', async () => {
    const work = await tempDir('imagedrop-core-leftover-');
    try {
      const record = await admin.createImage(
        { name: 'imagedrop-core-leftover', diskFormat: 'raw', containerFormat: 'bare' },
        AbortSignal.timeout(10_000),
      );
      created.push({ glance: admin, id: record.id });
      // The job log of a run whose cancel could not delete its record (the DELETEs kept failing).
      const { newJobState } = await import('../upload/job-state.ts');
      const { cloudKeyOf } = await import('./context.ts');
      const request = {
        path: path.join(work, 'gone.raw'),
        name: 'imagedrop-core-leftover',
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
      } as const;
      const job = {
        ...newJobState(
          'job-leftover',
          request,
          'glance',
          { key: cloudKeyOf(admin.session), name: ADMIN, userName: 'admin' },
          1,
        ),
        phase: 'cancelled' as const,
        image: { id: record.id, owned: true, status: 'queued' as const },
        leftover: `Image record ${record.id}`,
        error: { code: 'glance/server-error' as const, message: 'could not be deleted', retryable: true },
        targetState: { createUncertain: false, transport: null },
      };
      await mkdir(path.join(work, 'data'), { recursive: true });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(path.join(work, 'data', 'jobs.json'), JSON.stringify({ version: 2, savedAt: 1, jobs: [job] }));
      const second = new ImagedropCore({
        dataDir: path.join(work, 'data'),
        env: { OS_CLIENT_CONFIG_FILE: cloudsYaml() },
        cwd: work,
        secrets: new MemorySecretStore(),
        platform: PLATFORM,
      });
      await second.init();
      expect(second.engine.get('job-leftover')?.leftover).toBe(`Image record ${record.id}`);
      const connected = await dispatchChannel(second.handlers, INVOKE_CHANNELS.connect, [
        { kind: 'cloud', cloud: ADMIN },
      ]);
      expect(connected.ok).toBe(true);
      await expect.poll(() => second.engine.get('job-leftover')?.leftover ?? null, { timeout: 20_000 }).toBeNull();
      expect(second.engine.get('job-leftover')).toMatchObject({ phase: 'cancelled', error: null });
      await expect(admin.getImage(record.id, AbortSignal.timeout(10_000))).rejects.toMatchObject({
        code: 'glance/not-found',
      });
      await second.dispose();
    } finally {
      await removeDir(work);
    }
  });
});
