// The IMS clients against the IMS emulator, with the real Keystone, Glance and Swift behind it:
// IAM sign-in (password and AK/SK), every IMS call, the IMG errors the emulator answers, jobs that
// turn a real object into a real image, and tokens that expire.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseCloud } from '../openstack/cloud-config.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { ADMIN, glanceFor, randomFile, removeDir, tempDir } from '../testing/cloud.ts';
import { md5File, openHuawei, startTestEmulator, SwiftTestStore, writeHuaweiClouds } from '../testing/ims-cloud.ts';
import type { ImsEmulator } from '../testing/ims-emulator/index.ts';
import { forgetJobRoutes, ImsClient, rememberedJobRoute, uploadTag, waitForJob, type ImsJob } from './ims.ts';
import { HuaweiSession } from './session.ts';
import { signRequest } from './signer.ts';

const RUN = `t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const EXPIRED_AK = 'IMSEMULATOREXPIREDTEMPAK';

let emulator: ImsEmulator;
let dir: string;
let clouds: string;
let hw: HuaweiSession;
let ims: ImsClient;
let adminGlance: GlanceClient;
const swift = new SwiftTestStore();
const images = new Set<string>();
const objects: [string, string][] = [];

const signal = () => AbortSignal.timeout(60_000);
const name = (what: string) => `imagedrop-${RUN}-${what}`;
const key = (what: string) => `imagedrop-test/${RUN}/${what}`;

async function put(bucket: string, what: string, file: string): Promise<string> {
  const k = key(what);
  objects.push([bucket, k]);
  await swift.put(bucket, k, file);
  return k;
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitFor(jobId: string, updates: ImsJob[] = []): Promise<ImsJob> {
  return waitForJob(ims, jobId, {
    signal: AbortSignal.timeout(110_000),
    intervalMs: 100,
    onUpdate: (j) => updates.push(j),
  });
}

beforeAll(async () => {
  const backends = await import('../testing/ims-emulator/testcloud.ts').then((m) => m.testCloudBackends());
  emulator = await startTestEmulator({
    accessKeys: [
      ...backends.accessKeys!,
      {
        accessKey: EXPIRED_AK,
        secretKey: 'expired-secret',
        securityToken: 'expired-security-token',
        expiresAt: new Date(Date.now() - 60_000),
      },
    ],
  });
  dir = await tempDir('imagedrop-ims-');
  const wrong = emulator.accessKeys.find((k) => !k.securityToken)!;
  const temp = emulator.accessKeys.find((k) => k.securityToken && k.accessKey !== EXPIRED_AK)!;
  const cloud = (n: string, lines: string[]) =>
    [`  ${n}:`, '    auth:', `      auth_url: ${emulator.url}/v3`, ...lines].join('\n') + '\n';
  clouds = await writeHuaweiClouds(dir, emulator, {
    more:
      cloud('hw-wrong-sk', [
        `      project_name: ${emulator.region}`,
        `    region_name: ${emulator.region}`,
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
        `    ak: ${JSON.stringify(wrong.accessKey)}`,
        '    sk: not-the-secret',
      ]) +
      cloud('hw-wrong-sk-pid', [
        `      project_id: ${emulator.account.projects[emulator.region]}`,
        `    region_name: ${emulator.region}`,
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
        `    ak: ${JSON.stringify(wrong.accessKey)}`,
        '    sk: not-the-secret',
      ]) +
      cloud('hw-aksk-nowhere', [
        '      project_name: cn-north-9',
        '    region_name: cn-north-9',
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
        `    ak: ${JSON.stringify(wrong.accessKey)}`,
        `    sk: ${JSON.stringify(wrong.secretKey)}`,
      ]) +
      cloud('hw-temp-no-token', [
        `      project_name: ${emulator.region}`,
        `    region_name: ${emulator.region}`,
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
        `    ak: ${temp.accessKey}`,
        `    sk: ${temp.secretKey}`,
      ]) +
      cloud('hw-temp-expired', [
        `      project_name: ${emulator.region}`,
        `    region_name: ${emulator.region}`,
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
        `    ak: ${EXPIRED_AK}`,
        '    sk: expired-secret',
        '    security_token: expired-security-token',
      ]) +
      cloud('hw-bad-password', [
        `      username: ${emulator.account.user}`,
        '      password: not-the-password',
        `      user_domain_name: ${emulator.account.domain}`,
        `      project_name: ${emulator.region}`,
        `    region_name: ${emulator.region}`,
        '    image_service: ims',
      ]) +
      cloud('hw-other-region', [
        `      username: ${emulator.account.user}`,
        `      password: ${emulator.account.password}`,
        `      user_domain_name: ${emulator.account.domain}`,
        '      project_name: ap-southeast-1',
        '    region_name: ap-southeast-1',
        '    image_service: ims',
        `    image_endpoint_override: ${emulator.url}`,
      ]),
  });
  hw = await openHuawei(clouds, 'hw');
  ims = new ImsClient(hw);
  adminGlance = await glanceFor(ADMIN);
});

afterAll(async () => {
  for (const id of images) {
    try {
      await adminGlance.deleteImage(id, signal());
    } catch {
      // gone already
    }
  }
  for (const [bucket, k] of objects) await swift.delete(bucket, k).catch(() => undefined);
  await emulator?.close();
  if (dir) await removeDir(dir);
});

describe('IAM through the emulator', () => {
  it('signs in with the password: a long token, the project of the region, IMS and OBS from the catalog', async () => {
    const d = hw.details;
    expect(d.auth).toBe('token');
    expect(d.projectId).toBe(emulator.account.projects['cn-north-4']);
    expect(d.projectName).toBe('cn-north-4');
    expect(d.user?.name).toBe(emulator.account.user);
    expect(d.imsEndpoint).toEqual({ url: emulator.url, source: 'catalog' });
    expect(d.obsEndpoint).toEqual({ url: emulator.s3Endpoint, source: 'catalog' });
    // Huawei's tokens are KiBs long: the emulator's are 9,000 characters, carried both ways.
    expect((await hw.token(signal())).length).toBe(9_000);
    expect(d.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('carries a 60,000-character token (IAM documents up to 100,000) in both directions', async () => {
    const big = await startTestEmulator({ tokenLength: 60_000 });
    try {
      const sub = path.join(dir, 'big-token');
      await mkdir(sub);
      const file = await writeHuaweiClouds(sub, big);
      const session = await openHuawei(file, 'hw');
      expect((await session.token(signal())).length).toBe(60_000);
      expect((await new ImsClient(session).getQuota(signal())).quota).toBe(50);
    } finally {
      await big.close();
    }
  });

  it('refuses a wrong password in IAM’s name', async () => {
    await expect(openHuawei(clouds, 'hw-bad-password')).rejects.toMatchObject({
      code: 'auth/invalid-credentials',
      httpStatus: 401,
      message: expect.stringMatching(/^IAM refused the credentials/),
    });
  });

  it('answers ?nocatalog and GET /v3/auth/catalog as IAM does', async () => {
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: emulator.account.user,
              password: emulator.account.password,
              domain: { name: emulator.account.domain },
            },
          },
        },
        scope: { project: { name: 'cn-north-4' } },
      },
    };
    const res = await fetch(`${emulator.url}/v3/auth/tokens?nocatalog=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    const doc = (await res.json()) as { token: { catalog?: unknown; project: { name: string } } };
    expect(doc.token.catalog).toBeUndefined();
    expect(doc.token.project.name).toBe('cn-north-4');
    const catalog = await fetch(`${emulator.url}/v3/auth/catalog`, {
      headers: { 'x-auth-token': res.headers.get('x-subject-token')! },
    });
    const types = ((await catalog.json()) as { catalog: { type: string }[] }).catalog.map((c) => c.type);
    expect(types).toEqual(expect.arrayContaining(['image', 'object']));
  });

  it('signs in with an access key alone: the project id looked up with a signed GET /v3/projects', async () => {
    const before = emulator.requests.length;
    const session = await openHuawei(clouds, 'hw-aksk');
    expect(session.auth).toBe('access-key');
    expect(session.projectId).toBe(emulator.account.projects['cn-north-4']);
    expect(emulator.requests.slice(before)).toContainEqual({
      method: 'GET',
      path: '/v3/projects',
      status: 200,
      auth: 'access-key',
    });
    const quota = await new ImsClient(session).getQuota(signal());
    expect(quota.quota).toBe(emulator.limits.imageQuota);
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/v1/cloudimages/quota', status: 200, auth: 'access-key' });
  });

  it('an access key whose account has no project for the region says so', async () => {
    await expect(openHuawei(clouds, 'hw-aksk-nowhere')).rejects.toMatchObject({
      code: 'auth/project-not-found',
      message:
        "IAM has no project named 'cn-north-9' for the access key of cloud 'hw-aksk-nowhere': check region_name (or project_name), or set project_id.",
    });
  });

  it('a wrong secret key is refused by the signature check, at the project look-up or at the first IMS call', async () => {
    await expect(openHuawei(clouds, 'hw-wrong-sk')).rejects.toMatchObject({
      code: 'auth/access-key-rejected',
      message: expect.stringMatching(/check ak and sk of cloud 'hw-wrong-sk'/),
    });
    const session = await openHuawei(clouds, 'hw-wrong-sk-pid'); // project_id given: no look-up
    await expect(new ImsClient(session).getQuota(signal())).rejects.toMatchObject({
      code: 'auth/access-key-rejected',
      httpStatus: 401,
    });
  });

  it('a clock 20 minutes off is named as the clock, not as the key', async () => {
    await expect(openHuawei(clouds, 'hw-aksk', { now: () => Date.now() - 20 * 60_000 })).rejects.toMatchObject({
      code: 'auth/clock-skew',
      message: expect.stringMatching(/clock is more than 15 minutes off/),
    });
    // 10 minutes off is within the gateway's 15
    const session = await openHuawei(clouds, 'hw-aksk', { now: () => Date.now() - 10 * 60_000 });
    expect((await new ImsClient(session).getQuota(signal())).quota).toBeGreaterThan(0);
  });

  it('a temporary key works with its security token, and is refused without it or once expired', async () => {
    const temp = await openHuawei(clouds, 'hw-temp');
    expect((await new ImsClient(temp).listOsVersions(signal())).length).toBeGreaterThan(50);
    await expect(openHuawei(clouds, 'hw-temp-no-token')).rejects.toMatchObject({ code: 'auth/access-key-rejected' });
    await expect(openHuawei(clouds, 'hw-temp-expired')).rejects.toMatchObject({ code: 'auth/access-key-rejected' });
  });

  it('the gateway refuses a signed body over 12 MB with 413 before reading it, and the client never signs one', async () => {
    const keys = emulator.accessKeys[0]!;
    const headers = signRequest({
      method: 'POST',
      url: `${emulator.url}/v2/images`,
      unsignedPayload: { size: 1 },
      accessKey: keys.accessKey,
      secretKey: keys.secretKey,
      projectId: hw.projectId,
      date: new Date(),
    });
    const res = await fetch(`${emulator.url}/v2/images`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: Buffer.alloc(13 * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('APIGW.0201');
    // The native upload of an access-key-only cloud stops before any request: it needs a token.
    const aksk = new ImsClient(await openHuawei(clouds, 'hw-aksk'));
    const before = emulator.requests.length;
    await expect(
      aksk.uploadImageFile('any', Readable.from([Buffer.alloc(10)]), { size: 10, signal: signal() }),
    ).rejects.toMatchObject({ code: 'ims/needs-token', message: expect.stringMatching(/password/) });
    expect(emulator.requests.length).toBe(before);
  });

  it('a token for another region’s project is refused by this region’s IMS (IMG.0030)', async () => {
    const other = await openHuawei(clouds, 'hw-other-region');
    expect(other.projectName).toBe('ap-southeast-1');
    await expect(new ImsClient(other).getQuota(signal())).rejects.toMatchObject({
      code: 'ims/project-mismatch',
      message: expect.stringMatching(/IMG\.0030/),
    });
  });
});

describe('image records', () => {
  it('creates the metadata with only the fields IMS lists, and reads it back with IMS’s own fields', async () => {
    const tag = uploadTag(`${RUN}-meta`);
    const image = await ims.createImageMetadata(
      {
        name: name('meta'),
        osVersion: 'Ubuntu 18.04 server 64bit',
        diskFormat: 'zvhd2',
        minDisk: 2,
        tags: [tag],
      },
      signal(),
    );
    images.add(image.id);
    expect(image).toMatchObject({
      status: 'queued',
      disk_format: 'zvhd2',
      visibility: 'private',
      min_disk: 2,
      __os_version: 'Ubuntu 18.04 server 64bit',
      __platform: 'Ubuntu',
      __imagetype: 'private',
      __isregistered: 'true',
      owner: hw.projectId,
    });
    expect(image.tags).toEqual([tag]);
    expect(image.checksum).toBeUndefined(); // IMS does not report one
    // In the real Glance, with the format it can take
    const real = await adminGlance.getImage(image.id, signal());
    expect(real.disk_format).toBe('raw');
    expect(real.owner).toBe(hw.projectId);
    // found again by its tag (how a job finds its record after a crash)
    expect((await ims.findImagesByTag(tag, signal())).map((i) => i.id)).toEqual([image.id]);
    expect(await ims.findImagesByTag(uploadTag(`${RUN}-nothing`), signal())).toEqual([]);
    expect((await ims.getImage(image.id, signal())).disk_format).toBe('zvhd2');
  });

  it('lists the project’s images page by page (GET /v2/cloudimages), and deletes one', async () => {
    const made: string[] = [];
    for (const n of [1, 2, 3]) {
      const image = await ims.createImageMetadata(
        { name: name(`list-${n}`), osVersion: 'CentOS 7.6 64bit', diskFormat: 'qcow2', minDisk: 1 },
        signal(),
      );
      images.add(image.id);
      made.push(image.id);
    }
    const pages: number[] = [];
    const listed = await ims.listCloudImages(signal(), { pageSize: 2 }, (batch, page) => pages.push(page));
    expect(listed.map((i) => i.id)).toEqual(expect.arrayContaining(made));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(listed.map((i) => i.id)).size).toBe(listed.length);
    expect((await ims.listCloudImages(signal(), { name: name('list-2') })).map((i) => i.id)).toEqual([made[1]]);
    await ims.deleteImage(made[0]!, signal());
    await expect(ims.getImage(made[0]!, signal())).rejects.toMatchObject({
      code: 'ims/image-not-found',
      httpStatus: 404,
    });
  });

  it('lists the OS versions and the quota', async () => {
    const versions = await ims.listOsVersions(signal());
    expect(versions).toContainEqual({
      platform: 'Ubuntu',
      osVersion: 'Ubuntu 18.04 server 64bit',
      osBit: 64,
      osType: 'Linux',
    });
    expect(versions).toContainEqual(
      expect.objectContaining({ osVersion: 'Windows Server 2016 Standard 64bit', osType: 'Windows' }),
    );
    const quota = await ims.getQuota(signal());
    expect(quota.quota).toBe(50);
    expect(quota.used).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ name: ' leading space' }, 'ims/invalid-name', 'IMG.0003'],
    [{ name: 'x'.repeat(129) }, 'ims/invalid-name', 'IMG.0002'],
    [{ minDisk: 0 }, 'ims/invalid-min-disk', 'IMG.0055'],
    [{ minDisk: 2000 }, 'ims/invalid-min-disk', 'IMG.0055'],
    [{ osVersion: 'Plan 9 64bit' }, 'ims/invalid-os-version', 'IMG.0056'],
    [{ tags: ['bad tag=x'] }, 'ims/invalid-tag', 'IMG.0115'],
    [{ diskFormat: 'vmdk' }, 'ims/bad-request', 'IMG.0001'],
  ])('refuses metadata %j as %s (%s)', async (change, code, img) => {
    await expect(
      ims.createImageMetadata(
        { name: name('bad'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'raw', minDisk: 1, ...change } as never,
        signal(),
      ),
    ).rejects.toMatchObject({ code, httpStatus: 400, message: expect.stringContaining(img) });
  });

  it('refuses a record with a client-chosen id or a field IMS does not list (IMG.0001)', async () => {
    const res = await hw.request({
      method: 'POST',
      path: '/v2/images',
      body: JSON.stringify({
        id: '6f3a3c55-8a8a-4d1c-9a4a-1a1a1a1a1a1a',
        name: name('id'),
        disk_format: 'raw',
        imagedrop_job: 'x',
      }),
      signal: signal(),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'IMG.0001',
      message: expect.stringMatching(/id, imagedrop_job/),
    });
  });

  it('refuses a new record when the private image quota is used up (IMG.0015)', async () => {
    const quota = emulator.limits.imageQuota;
    emulator.limits.imageQuota = 0;
    try {
      await expect(
        ims.createImageMetadata(
          { name: name('quota'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'raw', minDisk: 1 },
          signal(),
        ),
      ).rejects.toMatchObject({ code: 'ims/quota-exceeded', message: expect.stringContaining('IMG.0015') });
    } finally {
      emulator.limits.imageQuota = quota;
    }
  });
});

describe('native upload (PUT /v2/images/{id}/file)', () => {
  it('sends the file with a token to active, and Glance holds exactly its bytes', async () => {
    const file = await randomFile(dir, 'native.raw', 3 * 1024 * 1024 + 17);
    const image = await ims.createImageMetadata(
      { name: name('native'), osVersion: 'Debian GNU/Linux 10.0.0 64bit', diskFormat: 'raw', minDisk: 1 },
      signal(),
    );
    images.add(image.id);
    await ims.uploadImageFile(image.id, createReadStream(file), { size: (await stat(file)).size, signal: signal() });
    const active = await until(
      () => ims.getImage(image.id, signal()),
      (i) => i.status === 'active',
    );
    expect(active.status).toBe('active');
    expect((await adminGlance.getImage(image.id, signal())).checksum).toBe(await md5File(file));
  });

  it('lets IMS refuse over its limit before a byte of the file is read (Expect: 100-continue)', async () => {
    const limit = emulator.limits.nativeLimit;
    emulator.limits.nativeLimit = 1024 * 1024;
    try {
      const image = await ims.createImageMetadata(
        { name: name('native-big'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'raw', minDisk: 1 },
        signal(),
      );
      images.add(image.id);
      let read = 0;
      const body = new Readable({
        read() {
          read += 65536;
          this.push(Buffer.alloc(65536));
        },
      });
      await expect(
        ims.uploadImageFile(image.id, body, { size: 2 * 1024 * 1024, signal: signal(), continueTimeoutMs: 30_000 }),
      ).rejects.toMatchObject({ code: 'ims/file-too-large', message: expect.stringContaining('IMG.0059') });
      expect(read).toBe(0);
      expect((await ims.getImage(image.id, signal())).status).toBe('queued');
    } finally {
      emulator.limits.nativeLimit = limit;
    }
  });

  it('refuses locally a file at or over the cloud’s ims_native_upload_limit', async () => {
    const config = await chooseCloud({ cloud: 'hw', env: { OS_CLIENT_CONFIG_FILE: clouds }, cwd: os.tmpdir() });
    const small = new ImsClient(await HuaweiSession.open({ ...config, nativeUploadLimit: 1000 }, signal()));
    const before = emulator.requests.length;
    await expect(
      small.uploadImageFile('x', Readable.from([Buffer.alloc(1000)]), { size: 1000, signal: signal() }),
    ).rejects.toMatchObject({ code: 'ims/file-too-large', message: expect.stringMatching(/register or create/) });
    expect(emulator.requests.length).toBe(before);
  });

  it('answers 409 for a record that already has its data', async () => {
    const file = await randomFile(dir, 'native-twice.raw', 200_000);
    const image = await ims.createImageMetadata(
      { name: name('native-twice'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'raw', minDisk: 1 },
      signal(),
    );
    images.add(image.id);
    await ims.uploadImageFile(image.id, createReadStream(file), { size: 200_000, signal: signal() });
    await until(
      () => ims.getImage(image.id, signal()),
      (i) => i.status === 'active',
    );
    await expect(
      ims.uploadImageFile(image.id, createReadStream(file), { size: 200_000, signal: signal() }),
    ).rejects.toMatchObject({ code: 'ims/conflict', httpStatus: 409 });
  });
});

describe('jobs: register and create from an object in the real Swift', () => {
  it('registers a record from a plain object: INIT, RUNNING with a rising percent, SUCCESS, active, same bytes', async () => {
    const file = await randomFile(dir, 'register.qcow2', 5 * 1024 * 1024 + 3);
    const k = await put('images', 'register.qcow2', file);
    const image = await ims.createImageMetadata(
      {
        name: name('register'),
        osVersion: 'Ubuntu 18.04 server 64bit',
        diskFormat: 'qcow2',
        minDisk: 1,
        tags: [uploadTag(`${RUN}-reg`)],
      },
      signal(),
    );
    images.add(image.id);
    emulator.setFaults({ jobBytesPerSecond: 8 * 1024 * 1024 }); // long enough to be seen RUNNING
    let job: ImsJob;
    const updates: ImsJob[] = [];
    try {
      const { jobId } = await ims.registerImage(image.id, { bucket: 'images', key: k }, signal());
      expect(jobId).toMatch(/^[0-9a-f]{32}$/);
      job = await waitFor(jobId, updates);
    } finally {
      emulator.setFaults({ jobBytesPerSecond: 0 });
    }
    expect(job.status).toBe('SUCCESS');
    expect(job.imageId).toBe(image.id);
    expect(job.jobType).toBe('imsNativeImportImageJob');
    expect(job.processPercent).toBe(1);
    const statuses = updates.map((u) => u.status);
    expect(statuses[0]).toBe('INIT');
    expect(statuses).toContain('RUNNING');
    const running = updates.filter((u) => u.status === 'RUNNING').map((u) => u.processPercent!);
    expect(running.some((p) => p > 0 && p < 1)).toBe(true);
    expect(running).toEqual([...running].sort((a, b) => a - b));
    expect(updates.some((u) => u.currentTask?.startsWith('ImportImageTask:'))).toBe(true);
    expect((await ims.getImage(image.id, signal())).status).toBe('active');
    expect((await adminGlance.getImage(image.id, signal())).checksum).toBe(await md5File(file));
  });

  it('creates a new image from a multipart (SLO) object, with the name, tag and min_disk asked for', async () => {
    const file = await randomFile(dir, 'create.vmdk', 3 * 1024 * 1024 + 5);
    const k = key('create.vmdk');
    objects.push(['images', k]);
    expect(await swift.putMultipart('images', k, file, 1024 * 1024)).toBe(4);
    const tag = uploadTag(`${RUN}-create`);
    const { jobId } = await ims.createImageFromObs(
      {
        name: name('create'),
        object: { bucket: 'images', key: k },
        minDisk: 40,
        osVersion: 'CentOS 7.6 64bit',
        tags: [tag],
      },
      signal(),
    );
    const job = await waitFor(jobId);
    expect(job.jobType).toBe('imsImportImageJob');
    images.add(job.imageId!);
    const image = await ims.getImage(job.imageId!, signal());
    expect(image).toMatchObject({
      status: 'active',
      name: name('create'),
      min_disk: 40,
      __os_version: 'CentOS 7.6 64bit',
    });
    expect(image.tags).toContain(tag);
    expect((await ims.findImagesByTag(tag, signal())).map((i) => i.id)).toEqual([job.imageId]);
    expect((await adminGlance.getImage(job.imageId!, signal())).checksum).toBe(await md5File(file));
  });

  it('a quick import of a RAW file needs its .mf bitmap next to it', async () => {
    const file = await randomFile(dir, 'quick.raw', 300_000);
    const k = await put('images', 'quick.raw', file);
    const first = await ims.quickImport(
      { name: name('quick'), object: { bucket: 'images', key: k }, osVersion: 'CentOS 7.6 64bit', minDisk: 1 },
      signal(),
    );
    await expect(waitFor(first.jobId)).rejects.toMatchObject({
      code: 'ims/object-unusable',
      message: expect.stringMatching(/IMG\.0057: The bitmap file .*quick\.mf/),
    });
    const mf = key('quick.mf');
    objects.push(['images', mf]);
    await swift.putBytes('images', mf, 'bitmap');
    const second = await ims.quickImport(
      { name: name('quick'), object: { bucket: 'images', key: k }, osVersion: 'CentOS 7.6 64bit', minDisk: 1 },
      signal(),
    );
    const job = await waitFor(second.jobId);
    images.add(job.imageId!);
    expect((await adminGlance.getImage(job.imageId!, signal())).checksum).toBe(await md5File(file));
  });

  it.each([
    ['a missing object', 'images', 'missing.qcow2', 'ims/object-unusable', 'IMG.0057'],
    ['a bucket in another region', 'images-other', 'other.qcow2', 'ims/bucket-wrong-region', 'IMG.0058'],
    ['a Cold bucket', 'images-cold', 'cold.qcow2', 'ims/object-unusable', 'IMG.0057'],
  ])('fails the job for %s, and the record shows killed', async (_what, bucket, what, code, img) => {
    const file = await randomFile(dir, what, 100_000);
    const k = what === 'missing.qcow2' ? key(what) : await put(bucket, what, file);
    const image = await ims.createImageMetadata(
      { name: name('fail'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'qcow2', minDisk: 1 },
      signal(),
    );
    images.add(image.id);
    const { jobId } = await ims.registerImage(image.id, { bucket, key: k }, signal());
    const err = await waitFor(jobId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, message: expect.stringContaining(img) });
    expect((err as Error).message).toMatch(/^The IMS job failed because .*: .+\.$/);
    expect((await ims.getImage(image.id, signal())).status).toBe('killed');
    // the record cannot be registered again; a retry makes a new one
    await expect(ims.registerImage(image.id, { bucket, key: k }, signal())).rejects.toMatchObject({
      code: 'ims/image-busy',
    });
  });

  it('fails a file over the import limit (IMG.0059), and reports a forced failure in its own words', async () => {
    const file = await randomFile(dir, 'limit.qcow2', 100_000);
    const k = await put('images', 'limit.qcow2', file);
    const limit = emulator.limits.maxImportBytes;
    emulator.limits.maxImportBytes = 50_000;
    try {
      const { jobId } = await ims.createImageFromObs(
        { name: name('limit'), object: { bucket: 'images', key: k }, minDisk: 40 },
        signal(),
      );
      await expect(waitFor(jobId)).rejects.toMatchObject({
        code: 'ims/file-too-large',
        message: expect.stringContaining('IMG.0059'),
      });
    } finally {
      emulator.limits.maxImportBytes = limit;
    }
    emulator.setFaults({ failJobs: [{ code: 'IMG.1075', reason: 'Failed to register the image file.' }] });
    const { jobId } = await ims.createImageFromObs(
      { name: name('forced'), object: { bucket: 'images', key: k }, minDisk: 40 },
      signal(),
    );
    await expect(waitFor(jobId)).rejects.toMatchObject({
      code: 'ims/register-failed',
      retryable: true,
      message:
        'The IMS job failed because IMS could not register the image file (IMG.1075: Failed to register the image file): check that the file is a complete disk image in the format given, then try again; if it keeps failing ask Huawei Cloud support with the job id.',
    });
  });

  it('fails the job when Glance refuses the data (the record deleted under it: IMG.1075)', async () => {
    const file = await randomFile(dir, 'refused.qcow2', 4 * 1024 * 1024);
    const k = await put('images', 'refused.qcow2', file);
    const image = await ims.createImageMetadata(
      { name: name('refused'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'qcow2', minDisk: 1 },
      signal(),
    );
    emulator.setFaults({ jobBytesPerSecond: 1024 * 1024 });
    try {
      const { jobId } = await ims.registerImage(image.id, { bucket: 'images', key: k }, signal());
      await until(
        () => ims.getJob(jobId, signal()),
        (j) => (j.processPercent ?? 0) > 0.05,
      );
      await adminGlance.deleteImage(image.id, signal()); // straight in Glance, under IMS's feet
      await expect(waitFor(jobId)).rejects.toMatchObject({
        code: 'ims/register-failed',
        message: expect.stringMatching(
          /IMG\.1075: Failed to register the image file: the image store refused the data \(HTTP (404|409|410)/,
        ),
      });
    } finally {
      emulator.setFaults({ jobBytesPerSecond: 0 });
    }
  });

  it.each([
    ['a key with a space', 'images', 'a b.qcow2', 'ims/object-key-invalid', 'IMG.0175'],
    ['a bucket that does not exist', 'no-such-bucket-ims', 'x.qcow2', 'ims/bucket-unusable', 'IMG.0069'],
    ['a bucket name IMS refuses', 'Bad_Bucket', 'x.qcow2', 'ims/bucket-unusable', 'IMG.0109'],
    ['no bucket', '', 'x.qcow2', 'ims/bucket-unusable', 'IMG.0068'],
  ])('refuses at once to register from %s', async (_what, bucket, k, code, img) => {
    const image = await ims.createImageMetadata(
      { name: name('sync'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'qcow2', minDisk: 1 },
      signal(),
    );
    images.add(image.id);
    await expect(ims.registerImage(image.id, { bucket, key: k }, signal())).rejects.toMatchObject({
      code,
      httpStatus: 400,
      message: expect.stringContaining(img),
    });
  });

  it('refuses at once a register of an unknown record (IMG.0027) and a create with min_disk under 40 (IMG.0055)', async () => {
    await expect(
      ims.registerImage('00000000-0000-4000-8000-000000000000', { bucket: 'images', key: 'x.qcow2' }, signal()),
    ).rejects.toMatchObject({ code: 'ims/image-not-found', message: expect.stringContaining('IMG.0027') });
    await expect(
      ims.createImageFromObs(
        { name: name('small'), object: { bucket: 'images', key: 'x.qcow2' }, minDisk: 20 },
        signal(),
      ),
    ).rejects.toMatchObject({ code: 'ims/invalid-min-disk', message: expect.stringContaining('IMG.0055') });
  });
});

describe('more of IMS’s refusals', () => {
  async function raw(method: 'POST' | 'GET' | 'DELETE', path: string, body?: unknown) {
    const res = await hw.request({
      method,
      path,
      signal: signal(),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, error: (JSON.parse(res.text || '{}') as { error?: { code: string } }).error };
  }

  it.each([
    [{ image_url: 'images:x.qcow2', min_disk: 40 }, 'IMG.0013'],
    [{ name: 'n', image_url: 'images:x.qcow2', min_disk: 40, type: 'VM' }, 'IMG.0024'],
    [{ name: 'n', image_url: 'images:x.qcow2', min_disk: 40, architecture: 'mips' }, 'IMG.0212'],
    [{ name: 'n', image_url: 'images:x.qcow2', min_disk: 40, description: 'a <b>' }, 'IMG.0054'],
    [{ name: 'n', image_url: 'images', min_disk: 40 }, 'IMG.0017'],
    [
      { name: 'n', image_url: 'images:x.qcow2', min_disk: 40, tags: ['a=b'], image_tags: [{ key: 'a', value: 'b' }] },
      'IMG.0001',
    ],
    [{ name: 'n', image_url: 'images:x.qcow2', min_disk: 40, is_quick_import: true }, 'IMG.0056'],
  ])('create %j → %s', async (body, code) => {
    expect(await raw('POST', '/v2/cloudimages/action', body)).toMatchObject({ status: 400, error: { code } });
  });

  it('an empty object key (IMG.0017), another project’s job path (IMG.0067), a record a job is filling (IMG.0090)', async () => {
    const image = await ims.createImageMetadata(
      { name: name('busy'), osVersion: 'CentOS 7.6 64bit', diskFormat: 'raw', minDisk: 1 },
      signal(),
    );
    images.add(image.id);
    await expect(ims.registerImage(image.id, { bucket: 'images', key: '' }, signal())).rejects.toMatchObject({
      code: 'ims/bad-request',
      message: expect.stringContaining('IMG.0017'),
    });
    const file = await randomFile(dir, 'busy.raw', 2 * 1024 * 1024);
    const k = await put('images', 'busy.raw', file);
    emulator.setFaults({ jobHoldMs: 2_000 });
    try {
      const { jobId } = await ims.registerImage(image.id, { bucket: 'images', key: k }, signal());
      await expect(ims.deleteImage(image.id, signal())).rejects.toMatchObject({
        code: 'ims/image-busy',
        retryable: true,
        message: expect.stringContaining('IMG.0090'),
      });
      const other = emulator.account.projects['ap-southeast-1'];
      expect(await raw('GET', `/v1/${other}/jobs/${jobId}`)).toMatchObject({
        status: 400,
        error: { code: 'IMG.0067' },
      });
      await waitFor(jobId);
    } finally {
      emulator.setFaults({ jobHoldMs: 0 });
    }
    await ims.deleteImage(image.id, signal());
    images.delete(image.id);
  });
});

describe('job polling', () => {
  async function quickJob(what: string): Promise<string> {
    const file = await randomFile(dir, `${what}.qcow2`, 100_000);
    const k = await put('images', `${what}.qcow2`, file);
    const { jobId } = await ims.createImageFromObs(
      { name: name(what), object: { bucket: 'images', key: k }, minDisk: 40 },
      signal(),
    );
    return jobId;
  }

  it('uses the progress API where the cloud has it, and remembers so', async () => {
    forgetJobRoutes();
    const jobId = await quickJob('poll-progress');
    const job = await waitFor(jobId);
    images.add(job.imageId!);
    expect(job.via).toBe('progress');
    expect(rememberedJobRoute(emulator.url)).toBe('progress');
    expect(emulator.requests.filter((r) => r.path.includes(`/jobs/${jobId}`))).toEqual([]);
  });

  it('falls back to GET /v1/{project_id}/jobs/{id} where the cloud lacks it (OTC), once per endpoint', async () => {
    forgetJobRoutes();
    emulator.setFaults({ progressJobApiDisabled: true });
    try {
      const jobId = await quickJob('poll-project');
      const before = emulator.requests.length;
      const first = await ims.getJob(jobId, signal());
      expect(first.via).toBe('project');
      expect(first.processPercent).toBeNull();
      expect(emulator.requests.slice(before).map((r) => `${r.status} ${r.path}`)).toEqual([
        `404 /v1/cloudimages/job/${jobId}`,
        `200 /v1/${hw.projectId}/jobs/${jobId}`,
      ]);
      expect(rememberedJobRoute(emulator.url)).toBe('project');
      const job = await waitFor(jobId);
      images.add(job.imageId!);
      expect(job.status).toBe('SUCCESS');
      expect(emulator.requests.slice(before + 2).filter((r) => r.path.startsWith('/v1/cloudimages/job/'))).toEqual([]);
    } finally {
      emulator.setFaults({ progressJobApiDisabled: false });
      forgetJobRoutes();
    }
  });

  it('rides out 5xx answers to polls, and names an unknown job', async () => {
    const jobId = await quickJob('poll-5xx');
    emulator.setFaults({ pollErrors: [503] });
    await expect(ims.getJob(jobId, signal())).rejects.toMatchObject({ code: 'ims/unavailable', retryable: true });
    emulator.setFaults({ pollErrors: [503, 500, 503] });
    const job = await waitFor(jobId);
    images.add(job.imageId!);
    expect(job.status).toBe('SUCCESS');
    expect(emulator.faults.pollErrors).toEqual([]);
    await expect(ims.getJob('0123456789abcdef0123456789abcdef', signal())).rejects.toMatchObject({
      code: 'ims/job-not-found',
    });
    // more failures in a row than allowed: the poll's own error, as it came
    emulator.setFaults({ pollErrors: [503, 503, 503] });
    await expect(
      waitForJob(ims, jobId, { signal: signal(), intervalMs: 50, maxTransientFailures: 2 }),
    ).rejects.toMatchObject({ code: 'ims/unavailable' });
    expect(emulator.faults.pollErrors).toEqual([]);
  });
});

describe('tokens that IAM no longer accepts', () => {
  it('a password session signs in again after a 401 and repeats the call', async () => {
    const session = await openHuawei(clouds, 'hw');
    const client = new ImsClient(session);
    const old = await session.token(signal());
    emulator.expireTokensNow();
    const before = emulator.requests.length;
    expect((await client.getQuota(signal())).quota).toBe(50);
    expect(emulator.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v1/cloudimages/quota 401',
      'POST /v3/auth/tokens 201',
      'GET /v1/cloudimages/quota 200',
    ]);
    expect(await session.token(signal())).not.toBe(old);
  });

  it('a revoked token gets IMS’s 401, and a token-only cloud says to sign in again', async () => {
    // A cloud configured with a token (auth_type: token) signs in with it and holds the token IAM gives back
    const session = await openHuawei(clouds, 'hw');
    const config = await chooseCloud({ cloud: 'hw', env: { OS_CLIENT_CONFIG_FILE: clouds }, cwd: os.tmpdir() });
    const tokenSession = await HuaweiSession.open(
      { ...config, auth: { type: 'token', token: await session.token(signal()) } },
      signal(),
    );
    const tokenOnly = new ImsClient(tokenSession);
    expect((await tokenOnly.getQuota(signal())).quota).toBe(50);
    const wrapped = await tokenSession.token(signal());
    const keystoneToken = wrapped.slice(wrapped.lastIndexOf('.') + 1);
    const tokenCloud = { ...config, auth: { type: 'token' as const, token: wrapped } };
    // Revoke it in the real Keystone (as a password change or IAM would)
    const { testCloudBackends } = await import('../testing/ims-emulator/testcloud.ts');
    const b = await testCloudBackends();
    const adminRes = await fetch(`${b.keystoneUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: b.admin.username, password: b.admin.password, domain: { name: b.admin.userDomainName } },
            },
          },
          scope: { project: { name: b.admin.projectName, domain: { name: b.admin.projectDomainName } } },
        },
      }),
    });
    const revoke = await fetch(`${b.keystoneUrl}/auth/tokens`, {
      method: 'DELETE',
      headers: { 'x-auth-token': adminRes.headers.get('x-subject-token')!, 'x-subject-token': keystoneToken },
    });
    expect(revoke.status).toBe(204);
    const res = await fetch(`${emulator.url}/v1/cloudimages/quota`, { headers: { 'x-auth-token': wrapped } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('The token must be updated');
    // A session that signed in with that token cannot get another one: it says to sign in again
    await expect(tokenOnly.getQuota(signal())).rejects.toMatchObject({
      code: 'auth/token-rejected',
      message: expect.stringMatching(/cannot renew itself: sign in again/),
    });
    // and signing in with the revoked token is refused by IAM itself
    await expect(HuaweiSession.open(tokenCloud, signal())).rejects.toMatchObject({
      code: 'auth/invalid-credentials',
      message: expect.stringMatching(/^IAM refused the token/),
    });
  });
});
