// What a real Glance never does, so MockAgent stands in: an image service that reports no
// checksum at all (Huawei IMS documents `checksum` as unavailable: the result must be "done, not
// verified", the image kept), one that reports only the md5 `checksum`, and one that kills an
// image while it is stored.
import { createHash } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resolveCloud } from '../openstack/cloud-config.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { Session } from '../openstack/session.ts';
import { CloudFacts } from '../targets/glance/cloud-facts.ts';
import { GlanceTarget } from '../targets/glance/target.ts';
import { UploadEngine } from './engine.ts';

const KEYSTONE = 'http://keystone.test:5000';
const IMS = 'http://ims.test';
let agent: MockAgent;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-mock-engine-'));
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agent
    .get(KEYSTONE)
    .intercept({ path: '/v3/auth/tokens', method: 'POST' })
    .reply(
      201,
      {
        token: {
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          user: { id: 'u', name: 'u', domain: { name: 'Default' } },
          project: { id: 'p', name: 'p', domain: { name: 'Default' } },
          roles: [{ name: 'member' }],
          catalog: [{ type: 'image', endpoints: [{ interface: 'public', region_id: 'R', url: IMS }] }],
        },
      },
      { headers: { 'x-subject-token': 'tok' } },
    )
    .persist();
});

afterEach(async () => {
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

/** An engine in front of a mocked image service whose GET answers `imageReply`. */
async function engineFor(imageReply: (id: string) => Record<string, unknown>, onPut?: () => Promise<void>) {
  const pool = agent.get(IMS);
  const state = { imageId: '' };
  pool
    .intercept({ path: '/v2/images', method: 'POST' })
    .reply(201, (opts) => {
      state.imageId = (JSON.parse(String(opts.body)) as { id: string }).id;
      return { id: state.imageId, status: 'queued' };
    })
    .persist();
  pool
    .intercept({ path: /\/v2\/images\/.*\/file/, method: 'PUT' })
    .reply(204, async (opts) => {
      // MockAgent does not read a streamed body itself: read it, as a server would.
      for await (const chunk of opts.body as AsyncIterable<Buffer>) void chunk;
      await onPut?.();
      return '';
    })
    .persist();
  pool
    .intercept({ path: /\/v2\/images\/[^/]+$/, method: 'GET' })
    .reply(200, () => imageReply(state.imageId))
    .persist();
  pool
    .intercept({ path: /\/v2\/images\/[^/]+$/, method: 'DELETE' })
    .reply(204, '')
    .persist();
  const session = await Session.open(
    resolveCloud(
      'mock',
      { auth: { auth_url: `${KEYSTONE}/v3`, username: 'u', password: 'p', project_name: 'p' } },
      't',
    ),
    AbortSignal.timeout(5000),
    Date.now,
    agent,
  );
  const facts = new CloudFacts(null);
  const target = new GlanceTarget({
    glance: new GlanceClient(session),
    facts,
    imageEndpoint: IMS,
    diskFormats: [],
    sizeLimit: 1 << 30,
  });
  const engine = new UploadEngine({
    context: () => ({
      key: 'k',
      name: 'mock',
      userName: 'u',
      targetKindFor: () => 'glance',
      target: () => target,
    }),
    inspect: async (file) => ({
      file,
      format: 'raw',
      subformat: 'none',
      virtualSize: 4096,
      size: 4096,
      safe: true,
      reasons: [],
      diskFormat: 'raw',
    }),
  });
  return { engine, facts, state };
}

it('an image service that reports no checksum: done, not verified, the image kept', async () => {
  const file = path.join(dir, 'disk.raw');
  await writeFile(file, Buffer.alloc(4096, 1));
  const { engine, state } = await engineFor((id) => ({
    id,
    status: 'active',
    size: 4096,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
  }));
  const [id] = engine.add([
    { path: file, name: 'disk', diskFormat: 'auto', containerFormat: 'bare', visibility: 'private' },
  ]);
  await engine.whenSettled();
  const s = engine.get(id!)!;
  expect(s.phase).toBe('done');
  expect(s.verified).toBe(false);
  expect(s.error).toMatchObject({ code: 'upload/unverified' });
  expect(s.error?.message).toMatch(/reports no checksum, so Imagedrop cannot verify it/);
  expect(s.imageId).toBe(state.imageId);
  // What went to the image service: the record, the data, reads. Never a DELETE.
  const methods = agent
    .getCallHistory()!
    .calls()
    .filter((c) => c.origin === IMS)
    .map((c) => c.method);
  expect(methods.slice(0, 2)).toEqual(['POST', 'PUT']);
  expect(methods).toContain('GET');
  expect(methods).not.toContain('DELETE');
  await engine.dispose();
});

it('an image service with only the md5 checksum: verified by md5, and the next upload computes md5 while it streams', async () => {
  const data = Buffer.alloc(4096, 7);
  const md5 = createHash('md5').update(data).digest('hex');
  const file = path.join(dir, 'disk.raw');
  await writeFile(file, data);
  let afterPut: (() => Promise<void>) | null = null;
  const { engine, facts } = await engineFor(
    (id) => ({ id, status: 'active', size: 4096, checksum: md5, os_hash_algo: null, os_hash_value: null }),
    async () => {
      await afterPut?.();
    },
  );
  const request = {
    path: file,
    name: 'disk',
    diskFormat: 'auto',
    containerFormat: 'bare',
    visibility: 'private',
  } as const;
  const [first] = engine.add([request]);
  await engine.whenSettled();
  expect(engine.get(first!)).toMatchObject({ phase: 'done', verified: true, error: null });
  expect(engine.get(first!)!.checksums).toMatchObject({ md5Local: md5, md5Server: md5, algorithm: null });
  expect(facts.algorithmsFor(IMS)).toEqual(['md5']); // learned: md5 is this service's only check
  // The file leaves the path once the data is in: verifying must not need it (md5 was taken while
  // it streamed; a second read would fail).
  afterPut = () => rename(file, `${file}.away`);
  const [second] = engine.add([request]);
  await engine.whenSettled();
  expect(engine.get(second!)).toMatchObject({ phase: 'done', verified: true, error: null });
  expect(engine.get(second!)!.checksums.md5Local).toBe(md5); // of what was sent, not of the file now
  await rename(`${file}.away`, file);
  // Another file (same size) at the path once the data is in: the image no longer equals the file
  // there, so it is not called verified (the change time tells); the image is kept.
  afterPut = () => writeFile(file, Buffer.alloc(4096, 8));
  const [third] = engine.add([request]);
  await engine.whenSettled();
  expect(engine.get(third!)).toMatchObject({ phase: 'failed', verified: false, error: { code: 'file/changed' } });
  expect(engine.get(third!)!.error?.detail).toMatch(/was kept/);
  await engine.dispose();
});

it('an image the service kills while storing it: failed with a sentence, and the record deleted', async () => {
  const file = path.join(dir, 'disk.raw');
  await writeFile(file, Buffer.alloc(4096, 1));
  const { engine, state } = await engineFor((id) => ({ id, status: 'killed', size: null }));
  const [id] = engine.add([
    { path: file, name: 'disk', diskFormat: 'auto', containerFormat: 'bare', visibility: 'private' },
  ]);
  await engine.whenSettled();
  const s = engine.get(id!)!;
  expect(s).toMatchObject({ phase: 'failed', verified: false, imageStatus: 'deleted', createdImage: false });
  expect(s.error?.code).toBe('upload/killed');
  expect(s.error?.message).toMatch(/could not store the data .*killed.*try the upload again/);
  const deletes = agent
    .getCallHistory()!
    .calls()
    .filter((c) => c.origin === IMS && c.method === 'DELETE')
    .map((c) => c.path);
  expect(deletes).toEqual([`/v2/images/${state.imageId}`]);
  await engine.dispose();
});
