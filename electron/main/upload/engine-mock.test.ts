// What a real Glance never does, so MockAgent stands in: an image service that reports no
// checksum at all (Huawei IMS documents `checksum` as unavailable). The result must be "done,
// not verified", with the image kept: never called verified, never deleted as a mismatch.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Inspection } from '../../../shared/inspect.ts';
import { resolveCloud } from '../openstack/cloud-config.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { Session } from '../openstack/session.ts';
import { CloudFacts } from './cloud-facts.ts';
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

it('an image service that reports no checksum: done, not verified, the image kept', async () => {
  const file = path.join(dir, 'disk.raw');
  await writeFile(file, Buffer.alloc(4096, 1));
  const pool = agent.get(IMS);
  let imageId = '';
  pool.intercept({ path: '/v2/images', method: 'POST' }).reply(201, (opts) => {
    imageId = (JSON.parse(String(opts.body)) as { id: string }).id;
    return { id: imageId, status: 'queued' };
  });
  pool.intercept({ path: /\/v2\/images\/.*\/file/, method: 'PUT' }).reply(204, '');
  pool
    .intercept({ path: /\/v2\/images\/[^/]+$/, method: 'GET' })
    .reply(200, () => ({
      id: imageId,
      status: 'active',
      size: 4096,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
    }))
    .persist();
  const session = await Session.open(
    resolveCloud('ims', { auth: { auth_url: `${KEYSTONE}/v3`, username: 'u', password: 'p', project_name: 'p' } }, 't'),
    AbortSignal.timeout(5000),
    Date.now,
    agent,
  );
  const inspection: Inspection = {
    file,
    format: 'raw',
    subformat: 'none',
    virtualSize: 4096,
    size: 4096,
    safe: true,
    reasons: [],
    diskFormat: 'raw',
  };
  const engine = new UploadEngine({
    context: () => ({
      glance: new GlanceClient(session),
      cloudKey: 'k',
      cloudName: 'ims',
      imageEndpoint: IMS,
      diskFormats: [],
      sizeLimit: 1 << 30,
    }),
    inspect: async () => inspection,
    cloudFacts: new CloudFacts(null),
  });
  const [id] = engine.add([
    { path: file, name: 'disk', diskFormat: 'auto', containerFormat: 'bare', visibility: 'private' },
  ]);
  await engine.whenSettled();
  const s = engine.get(id!)!;
  expect(s.phase).toBe('done');
  expect(s.verified).toBe(false);
  expect(s.error).toMatchObject({ code: 'upload/unverified' });
  expect(s.error?.message).toMatch(/reports no checksum, so Imagedrop cannot verify it/);
  expect(s.imageId).toBe(imageId);
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
