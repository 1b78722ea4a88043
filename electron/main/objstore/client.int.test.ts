// The S3 client against the test cloud's real object store (Swift + s3api, 127.0.0.1:18080):
// every call with AWS v4 and v2 signatures, path and virtual-host style, an access key with a
// colon, a security token header, and each refusal the server can be made to give, as one sentence.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import {
  READER,
  STORAGE_DOMAIN,
  cleanUp,
  loopbackAgent,
  objstoreEnv,
  storeClient,
  uniqueKey,
  virtualHostClient,
} from '../testing/objstore.ts';
import type { ObjectStoreClient } from './client.ts';
import { OBS_LIMITS, compositeEtag } from './limits.ts';
import type { SignatureVersion } from './signing.ts';

const BUCKET = 'images';
const keys = new Set<string>();
const signal = () => AbortSignal.timeout(60_000);
let proxy: FaultProxy;
const agent = loopbackAgent();

function key(name: string): string {
  const k = uniqueKey(name);
  keys.add(k);
  return k;
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; retryable: boolean };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: 18080 });
});

afterAll(async () => {
  await cleanUp(storeClient(), BUCKET, keys);
  await proxy.close();
  agent.destroy();
});

describe('every call a multipart upload needs', () => {
  const variants: [string, SignatureVersion, 'path' | 'virtual-host'][] = [
    ['v4, path style', 'v4', 'path'],
    ['v2, path style', 'v2', 'path'],
    ['v4, virtual-host style', 'v4', 'virtual-host'],
    ['v2, virtual-host style', 'v2', 'virtual-host'],
  ];
  it.each(variants)('%s, with the access key images:uploader (a colon in it)', async (_name, signature, addressing) => {
    const client =
      addressing === 'path'
        ? storeClient({ endpoint: proxy.url, signature })
        : virtualHostClient(agent, proxy.port, signature);
    const before = proxy.heads.length;
    const k = key(`calls-${signature}-${addressing}`);
    expect(objstoreEnv().OBJSTORE_ACCESS_KEY).toContain(':');

    expect(await client.headBucket(BUCKET, signal())).toEqual({});
    // The test store stands for OBS in cn-north-4 (its s3api location).
    expect(await client.bucketLocation(BUCKET, signal())).toBe(objstoreEnv().OBJSTORE_REGION);

    const uploadId = await client.initiateMultipartUpload(
      BUCKET,
      k,
      { contentType: 'application/x-qemu-disk' },
      signal(),
    );
    const parts = [randomBytes(100 * 1024), randomBytes(5000)];
    const md5s = parts.map((p) => createHash('md5').update(p).digest());
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      etags.push(
        await client.uploadPart(
          { bucket: BUCKET, key: k, uploadId, partNumber: i + 1, length: body.length, md5: md5s[i]!, body },
          signal(),
        ),
      );
    }
    expect(etags).toEqual(md5s.map((m) => m.toString('hex')));
    expect(await client.listParts(BUCKET, k, uploadId, signal())).toEqual([
      { partNumber: 1, etag: etags[0], size: 100 * 1024 },
      { partNumber: 2, etag: etags[1], size: 5000 },
    ]);
    expect((await client.listMultipartUploads(BUCKET, k, signal())).map((u) => [u.key, u.uploadId])).toEqual([
      [k, uploadId],
    ]);
    const etag = await client.completeMultipartUpload(
      BUCKET,
      k,
      uploadId,
      etags.map((e, i) => ({ partNumber: i + 1, etag: e })),
      signal(),
    );
    expect(etag).toBe(compositeEtag(md5s));
    expect(await client.headObject(BUCKET, k, signal())).toMatchObject({ size: 100 * 1024 + 5000, etag });
    await client.deleteObject(BUCKET, k, signal());
    expect(await client.headObject(BUCKET, k, signal())).toBeNull();

    // What went over the wire: the signature asked for, the bucket where it was asked for.
    const heads = proxy.heads.slice(before);
    expect(heads.length).toBe(11);
    for (const head of heads) {
      expect(head).toMatch(
        signature === 'v4'
          ? /\r\nauthorization: AWS4-HMAC-SHA256 Credential=images:uploader\//
          : /\r\nauthorization: AWS images:uploader:/,
      );
      if (signature === 'v4') expect(head).toContain('\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD');
      if (addressing === 'virtual-host') {
        expect(head).toContain(`\r\nhost: ${BUCKET}.${STORAGE_DOMAIN}:${proxy.port}`);
        expect(head).not.toMatch(/^\w+ \/images/);
      } else expect(head).toMatch(/^\w+ \/images/);
    }
    expect(heads.filter((h) => h.includes('partNumber=')).every((h) => /\r\ncontent-md5: /.test(h))).toBe(true);
  });

  it("signs a temporary key's security token into the request (v4 and v2)", async () => {
    for (const signature of ['v4', 'v2'] as const) {
      const before = proxy.heads.length;
      const env = objstoreEnv();
      const client = storeClient({
        endpoint: proxy.url,
        signature,
        credentials: {
          accessKeyId: env.OBJSTORE_ACCESS_KEY,
          secretAccessKey: env.OBJSTORE_SECRET_KEY,
          securityToken: 'temporary-token',
        },
      });
      // Swift's tempauth takes no tokens, but checks the signature over every header: a token
      // header left out of the signature, or signed wrongly, would fail it.
      expect(await client.headBucket(BUCKET, signal())).toEqual({});
      const head = proxy.heads[before]!;
      expect(head).toContain('\r\nx-amz-security-token: temporary-token');
      if (signature === 'v4') expect(head).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    }
  });

  it('pages ListParts (1,000 parts a page on S3 and OBS: here 2 a page)', async () => {
    const client = storeClient();
    const k = key('pages');
    const uploadId = await client.initiateMultipartUpload(BUCKET, k, {}, signal());
    for (let n = 1; n <= 5; n++) {
      const body = Buffer.alloc(100, n);
      await client.uploadPart({ bucket: BUCKET, key: k, uploadId, partNumber: n, length: 100, body }, signal());
    }
    const first = await client.listPartsPage(BUCKET, k, uploadId, 0, signal(), 2);
    expect(first.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(first.nextMarker).toBe(2);
    const last = await client.listPartsPage(BUCKET, k, uploadId, 4, signal(), 2);
    expect(last).toEqual({ parts: [expect.objectContaining({ partNumber: 5, size: 100 })], nextMarker: undefined });
    await client.abortMultipartUpload(BUCKET, k, uploadId, signal());
    // Gone: the listing says so, and aborting again is no error.
    await expect(client.listParts(BUCKET, k, uploadId, signal())).rejects.toMatchObject({
      code: 'objstore/no-such-upload',
    });
    await client.abortMultipartUpload(BUCKET, k, uploadId, signal());
  });
});

describe('refusals, each one sentence that says what to do', () => {
  let client: ObjectStoreClient;
  beforeAll(() => {
    client = storeClient();
  });

  it('a bucket that does not exist', async () => {
    const e = await rejection(client.initiateMultipartUpload('no-such-bucket-here', key('x'), {}, signal()));
    expect(e).toMatchObject({ code: 'objstore/no-such-bucket', retryable: false });
    expect(e.message).toBe(
      'The bucket "no-such-bucket-here" does not exist at 127.0.0.1:18080 for the access key images:uploader: check the bucket name, the endpoint and that the key belongs to the bucket\'s account.',
    );
    await expect(client.headBucket('no-such-bucket-here', signal())).rejects.toMatchObject({
      code: 'objstore/no-such-bucket',
    });
  });

  it("another account's bucket (Swift names buckets per account: 404, where OBS says 403)", async () => {
    const env = objstoreEnv();
    const other = storeClient({
      credentials: { accessKeyId: env.OBJSTORE_OTHER_ACCESS_KEY, secretAccessKey: env.OBJSTORE_OTHER_SECRET_KEY },
    });
    await expect(other.initiateMultipartUpload(BUCKET, key('x'), {}, signal())).rejects.toMatchObject({
      code: 'objstore/no-such-bucket',
      message: expect.stringContaining('for the access key other:stranger'),
    });
  });

  it('a key that may read the bucket but not write to it', async () => {
    const reader = storeClient({ credentials: READER });
    expect(await reader.headBucket(BUCKET, signal())).toEqual({});
    const e = await rejection(reader.initiateMultipartUpload(BUCKET, key('x'), {}, signal()));
    expect(e).toMatchObject({ code: 'objstore/access-denied', retryable: false });
    expect(e.message).toBe(
      'The access key images:reader is not allowed to write objects to the bucket "images": grant it that permission in the bucket\'s policy or ACL, or use another key.',
    );
  });

  it.each(['v4', 'v2'] as const)('a wrong secret key (%s)', async (signature) => {
    const bad = storeClient({ signature, credentials: { accessKeyId: 'images:uploader', secretAccessKey: 'wrong' } });
    const e = await rejection(bad.initiateMultipartUpload(BUCKET, key('x'), {}, signal()));
    expect(e).toMatchObject({ code: 'objstore/signature', retryable: false });
    expect(e.message).toBe(
      "127.0.0.1:18080 refused the request's signature: check the secret key that goes with the access key images:uploader.",
    );
    // HEAD answers carry no error document: the client asks again with a GET to name the cause.
    await expect(bad.headBucket(BUCKET, signal())).rejects.toMatchObject({ code: 'objstore/signature' });
  });

  it('the pre-flight bucket check: exists, readable, in the configured region', async () => {
    const region = objstoreEnv().OBJSTORE_REGION;
    expect(await client.checkBucket(BUCKET, signal())).toEqual({ region });
    expect(await storeClient({ credentials: READER }).checkBucket(BUCKET, signal())).toEqual({ region });
    // v2 does not sign the region: the check compares the bucket's location with it.
    const v2 = storeClient({ signature: 'v2', region: 'ap-southeast-1' });
    await expect(v2.checkBucket(BUCKET, signal())).rejects.toMatchObject({
      code: 'objstore/wrong-region',
      message: `The bucket "images" at 127.0.0.1:18080 is in region ${region}, not ap-southeast-1: set the region to ${region}.`,
    });
    await expect(client.checkBucket('no-such-bucket-here', signal())).rejects.toMatchObject({
      code: 'objstore/no-such-bucket',
    });
  });

  it('a wrong region (v4 signs it): the sentence names the region the store expects', async () => {
    const region = objstoreEnv().OBJSTORE_REGION;
    const bad = storeClient({ region: 'ap-southeast-1' });
    const e = await rejection(bad.initiateMultipartUpload(BUCKET, key('x'), {}, signal()));
    expect(e).toMatchObject({ code: 'objstore/wrong-region', retryable: false });
    expect(e.message).toBe(
      `The bucket "images" at 127.0.0.1:18080 is in region ${region}, not ap-southeast-1: set the region to ${region}.`,
    );
    await expect(bad.headBucket(BUCKET, signal())).rejects.toMatchObject({ code: 'objstore/wrong-region' });
  });

  it('an object name the store refuses (longer than Swift takes, past a raised local limit)', async () => {
    const lenient = storeClient({ limits: { ...OBS_LIMITS, maxKeyBytes: 4096 } });
    const k = uniqueKey(`long-${'x'.repeat(1100)}`); // nothing is created: not for clean-up
    const e = await rejection(lenient.initiateMultipartUpload(BUCKET, k, {}, signal()));
    expect(e).toMatchObject({ code: 'objstore/invalid-key', retryable: false });
    expect(e.message).toMatch(/refuses the object name "imagedrop-test\/long-x+…x+-[0-9a-f]{8}": use a shorter name/);
    expect(await client.listMultipartUploads(BUCKET, k, signal())).toEqual([]);
  });

  it('names refused locally never reach the store', async () => {
    const before = proxy.requests.length;
    const viaProxy = storeClient({ endpoint: proxy.url });
    await expect(viaProxy.initiateMultipartUpload(BUCKET, 'my disk.qcow2', {}, signal())).rejects.toMatchObject({
      code: 'objstore/invalid-key',
      message:
        'The object name "my disk.qcow2" contains a space or other white space, which Huawei IMS refuses (IMG.0175): use - or _ instead.',
    });
    await expect(viaProxy.headBucket('Images_Bucket', signal())).rejects.toMatchObject({
      code: 'objstore/invalid-bucket',
    });
    expect(proxy.requests.length).toBe(before);
  });

  it('nothing listens at the endpoint', async () => {
    const closed = await startFaultProxy({ host: '127.0.0.1', port: 18080 });
    const url = closed.url;
    await closed.close();
    await expect(storeClient({ endpoint: url }).headBucket(BUCKET, signal())).rejects.toMatchObject({
      code: 'network/refused',
      retryable: true,
    });
  });
});
