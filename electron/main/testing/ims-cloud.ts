// Helpers for tests against the IMS emulator and the real servers behind it: an emulator on an
// ephemeral port, clouds.yaml files for it, sessions, and objects put into (and removed from) the
// real Swift through its own API (plain objects, and multipart ones as s3api writes them: an SLO).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseCloud } from '../openstack/cloud-config.ts';
import { HuaweiSession, type OpenOptions } from '../huawei/session.ts';
import { huaweiCloudsYaml, type HuaweiCloudsOptions } from './ims-emulator/clouds.ts';
import { startImsEmulator, type ImsEmulator, type ImsEmulatorOptions } from './ims-emulator/index.ts';
import { SwiftReader } from './ims-emulator/swift.ts';
import { testCloudBackends } from './ims-emulator/testcloud.ts';

export async function startTestEmulator(overrides: Partial<ImsEmulatorOptions> = {}): Promise<ImsEmulator> {
  const backends = await testCloudBackends();
  return startImsEmulator({ ...backends, jobInitMs: 150, ...overrides });
}

/** Writes the emulator's clouds (hw, hw-aksk, hw-temp) plus `more` raw YAML entries; returns the file. */
export async function writeHuaweiClouds(
  dir: string,
  emulator: ImsEmulator,
  options: HuaweiCloudsOptions & { more?: string } = {},
): Promise<string> {
  const file = path.join(dir, 'clouds.yaml');
  await writeFile(file, huaweiCloudsYaml(emulator, options) + (options.more ?? ''));
  return file;
}

export async function openHuawei(cloudsFile: string, cloud: string, options: OpenOptions = {}): Promise<HuaweiSession> {
  const config = await chooseCloud({ cloud, env: { OS_CLIENT_CONFIG_FILE: cloudsFile }, cwd: os.tmpdir() });
  return HuaweiSession.open(config, AbortSignal.timeout(60_000), options);
}

export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The real Swift behind the object store, through its own API with the tempauth user. */
export class SwiftTestStore {
  readonly #auth: Promise<{ token: string; storageUrl: string }>;

  constructor() {
    this.#auth = testCloudBackends().then(async (b) => {
      const res = await fetch(b.swift!.authUrl, {
        headers: { 'x-auth-user': b.swift!.user, 'x-auth-key': b.swift!.key },
      });
      await res.arrayBuffer();
      return { token: res.headers.get('x-auth-token')!, storageUrl: res.headers.get('x-storage-url')! };
    });
  }

  async #fetch(method: string, p: string, init: { body?: Buffer | string; headers?: Record<string, string> } = {}) {
    const a = await this.#auth;
    const res = await fetch(`${a.storageUrl}${p}`, {
      method,
      headers: { 'x-auth-token': a.token, ...init.headers },
      // Buffers here are never views of a SharedArrayBuffer (the DOM's BodyInit, in the e2e tsconfig, wants that said).
      ...(init.body === undefined ? {} : { body: init.body as Uint8Array<ArrayBuffer> | string }),
    });
    const text = await res.text();
    if (res.status >= 300 && !(method === 'DELETE' && res.status === 404))
      throw new Error(`Swift ${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, headers: res.headers, text };
  }

  /** One PUT of the whole file (a plain object). */
  async put(bucket: string, key: string, file: string): Promise<void> {
    await this.#fetch('PUT', SwiftReader.objectPath(bucket, key), { body: await readFile(file) });
  }

  /**
   * The object as an S3 multipart upload leaves it in Swift: segments in `<bucket>+segments` and a
   * static large object manifest under the key. A plain GET returns the whole file.
   */
  async putMultipart(bucket: string, key: string, file: string, partSize: number): Promise<number> {
    const size = (await stat(file)).size;
    const handle = await open(file, 'r');
    const segments: { path: string; etag: string; size_bytes: number }[] = [];
    await this.#fetch('PUT', `/${encodeURIComponent(bucket + '+segments')}`);
    try {
      for (let offset = 0, n = 1; offset < size; offset += partSize, n++) {
        const length = Math.min(partSize, size - offset);
        const part = Buffer.alloc(length);
        await handle.read(part, 0, length, offset);
        const segPath = `/${bucket}+segments/${key}/test-upload/${n}`;
        await this.#fetch('PUT', SwiftReader.objectPath(`${bucket}+segments`, `${key}/test-upload/${n}`), {
          body: part,
        });
        segments.push({ path: segPath, etag: createHash('md5').update(part).digest('hex'), size_bytes: length });
      }
    } finally {
      await handle.close();
    }
    await this.#fetch('PUT', `${SwiftReader.objectPath(bucket, key)}?multipart-manifest=put`, {
      body: JSON.stringify(segments),
      headers: { 'content-type': 'application/json' },
    });
    return segments.length;
  }

  async putBytes(bucket: string, key: string, body: Buffer | string): Promise<void> {
    await this.#fetch('PUT', SwiftReader.objectPath(bucket, key), { body });
  }

  /** Deletes an object (and a manifest's segments); a missing one is fine. */
  async delete(bucket: string, key: string): Promise<void> {
    const head = await this.#fetch('HEAD', SwiftReader.objectPath(bucket, key)).catch(() => null);
    const slo = head?.headers.get('x-static-large-object') === 'True';
    await this.#fetch('DELETE', `${SwiftReader.objectPath(bucket, key)}${slo ? '?multipart-manifest=delete' : ''}`);
  }
}
