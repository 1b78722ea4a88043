// Helpers for tests against the test cloud's object store (Swift + s3api on 127.0.0.1:18080,
// scripts/testcloud/objstore.sh): its settings from the global setup, clients (direct, through a
// fault proxy, virtual-host style), unique keys, S3 error documents for the proxy to answer with,
// and clean-up of what a test left in the bucket.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { inject } from 'vitest';
import { ObjectStoreClient, type ObjectStoreOptions } from '../objstore/client.ts';
import type { SignatureVersion } from '../objstore/signing.ts';
// The types of what cloud-setup.ts provides to inject().
import type { ObjstoreEnv } from './cloud-setup.ts';

/** images:reader may read the bucket `images` (a Swift read ACL) but not write (objstore.sh). */
export const READER = { accessKeyId: 'images:reader', secretAccessKey: 'objstore-reader-key' };
/** s3api's storage_domain in objstore.sh: Host `images.objstore.imagedrop.test` is the bucket `images`. */
export const STORAGE_DOMAIN = 'objstore.imagedrop.test';
/** Where the tests' objects go, so clean-up never touches anything else. */
export const TEST_PREFIX = 'imagedrop-test/';

export function objstoreEnv(): ObjstoreEnv {
  return inject('objstore');
}

export function storeOptions(overrides: Partial<ObjectStoreOptions> = {}): ObjectStoreOptions {
  const env = objstoreEnv();
  return {
    endpoint: env.OBJSTORE_ENDPOINT,
    region: env.OBJSTORE_REGION,
    credentials: { accessKeyId: env.OBJSTORE_ACCESS_KEY, secretAccessKey: env.OBJSTORE_SECRET_KEY },
    ...overrides,
  };
}

export function storeClient(overrides: Partial<ObjectStoreOptions> = {}): ObjectStoreClient {
  return new ObjectStoreClient(storeOptions(overrides));
}

/** A keep-alive agent that connects every host name to 127.0.0.1 (there is no DNS for the vhost names offline). */
export function loopbackAgent(): http.Agent {
  class LoopbackAgent extends http.Agent {
    override createConnection(options: net.NetConnectOpts): net.Socket {
      return net.createConnection({ ...(options as net.TcpNetConnectOpts), host: '127.0.0.1' });
    }
  }
  return new LoopbackAgent({ keepAlive: true });
}

/** A client that names the bucket in the host (`images.objstore.imagedrop.test:PORT`), reaching `port`. */
export function virtualHostClient(agent: http.Agent, port: number, signature: SignatureVersion): ObjectStoreClient {
  return storeClient({
    endpoint: `http://${STORAGE_DOMAIN}:${port}`,
    addressing: 'virtual-host',
    signature,
    agent,
  });
}

export function uniqueKey(name: string): string {
  return `${TEST_PREFIX}${name}-${randomBytes(4).toString('hex')}`;
}

/** An S3 error document, as a store answers it. */
export function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>injected</RequestId></Error>`;
}

/**
 * Aborts every unfinished upload and deletes the objects of `keys` (ignoring what is gone), then
 * the parts Swift still keeps for them: an object written again under the same name leaves the
 * earlier object's parts in `<bucket>+segments` (S3 would drop them), so they go by the Swift API.
 */
export async function cleanUp(client: ObjectStoreClient, bucket: string, keys: Iterable<string>): Promise<void> {
  const signal = AbortSignal.timeout(60_000);
  const env = objstoreEnv();
  const auth = await fetch(env.OBJSTORE_SWIFT_AUTH_URL, {
    headers: { 'x-auth-user': env.OBJSTORE_SWIFT_USER, 'x-auth-key': env.OBJSTORE_SWIFT_KEY },
    signal,
  });
  await auth.arrayBuffer();
  const token = auth.headers.get('x-auth-token') ?? '';
  const segments = `${env.OBJSTORE_SWIFT_STORAGE_URL}/${bucket}+segments`;
  for (const key of keys) {
    for (const u of await client.listMultipartUploads(bucket, key, signal)) {
      if (u.key === key) await client.abortMultipartUpload(bucket, key, u.uploadId, signal);
    }
    await client.deleteObject(bucket, key, signal);
    const list = await fetch(`${segments}?prefix=${encodeURIComponent(`${key}/`)}`, {
      headers: { 'x-auth-token': token },
      signal,
    });
    const names =
      list.status === 200 ? (await list.text()).split('\n').filter(Boolean) : (await list.arrayBuffer(), []);
    for (const name of names) {
      const res = await fetch(`${segments}/${name.split('/').map(encodeURIComponent).join('/')}`, {
        method: 'DELETE',
        headers: { 'x-auth-token': token },
        signal,
      });
      await res.arrayBuffer();
    }
  }
}
