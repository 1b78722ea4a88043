// The IMS emulator's reader of the real object store: the test cloud's Swift (with s3api in front
// for the S3 clients), read through its own Swift API with tempauth, as IMS's backend reads OBS.
// An S3 bucket is a Swift container of the same name; a multipart object is an SLO, which a plain
// GET returns whole.
import http from 'node:http';
import type { Readable } from 'node:stream';

export interface SwiftCredentials {
  /** …/auth/v1.0 */
  readonly authUrl: string;
  /** tempauth's account:user */
  readonly user: string;
  readonly key: string;
}

export interface ObjectHead {
  readonly size: number;
  readonly etag: string | null;
  readonly contentType: string | null;
}

export class SwiftReader {
  readonly #credentials: SwiftCredentials;
  #auth: { token: string; storageUrl: string; at: number } | null = null;

  constructor(credentials: SwiftCredentials) {
    this.#credentials = credentials;
  }

  async #session(): Promise<{ token: string; storageUrl: string }> {
    // tempauth tokens live 24 h by default; renew hourly, and on any 401.
    if (this.#auth && Date.now() - this.#auth.at < 3_600_000) return this.#auth;
    const res = await fetch(this.#credentials.authUrl, {
      headers: { 'x-auth-user': this.#credentials.user, 'x-auth-key': this.#credentials.key },
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    const token = res.headers.get('x-auth-token');
    const storageUrl = res.headers.get('x-storage-url');
    if (!res.ok || !token || !storageUrl) throw new Error(`ims-emulator: Swift refused the sign-in (${res.status})`);
    this.#auth = { token, storageUrl, at: Date.now() };
    return this.#auth;
  }

  async #fetch(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const s = await this.#session();
      const res = await fetch(`${s.storageUrl}${path}`, {
        method,
        headers: { 'x-auth-token': s.token, ...headers },
        signal: AbortSignal.timeout(60_000),
      });
      if (res.status === 401 && attempt === 0) {
        await res.arrayBuffer();
        this.#auth = null;
        continue;
      }
      return res;
    }
  }

  static objectPath(bucket: string, key: string): string {
    return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** True when the container (bucket) exists. */
  async bucketExists(bucket: string): Promise<boolean> {
    const res = await this.#fetch('HEAD', `/${encodeURIComponent(bucket)}`);
    await res.arrayBuffer();
    if (res.status === 204 || res.status === 200) return true;
    if (res.status === 404) return false;
    throw new Error(`ims-emulator: Swift answered HEAD ${bucket} with ${res.status}`);
  }

  /** The object's size and ETag, or null when it does not exist. */
  async head(bucket: string, key: string): Promise<ObjectHead | null> {
    const res = await this.#fetch('HEAD', SwiftReader.objectPath(bucket, key));
    await res.arrayBuffer();
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`ims-emulator: Swift answered HEAD ${bucket}/${key} with ${res.status}`);
    return {
      size: Number(res.headers.get('content-length') ?? 0),
      etag: res.headers.get('etag'),
      contentType: res.headers.get('content-type'),
    };
  }

  /** The first `length` bytes (for sniffing the format), or fewer when the object is shorter. */
  async readRange(bucket: string, key: string, start: number, length: number): Promise<Buffer> {
    const res = await this.#fetch('GET', SwiftReader.objectPath(bucket, key), {
      range: `bytes=${start}-${start + length - 1}`,
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 206 && res.status !== 200)
      throw new Error(`ims-emulator: Swift range GET answered ${res.status}`);
    return body;
  }

  /** The whole object as a stream (node:http, so that a slow reader holds Swift back). */
  async stream(bucket: string, key: string): Promise<Readable> {
    const s = await this.#session();
    const url = new URL(`${s.storageUrl}${SwiftReader.objectPath(bucket, key)}`);
    return new Promise((resolve, reject) => {
      const req = http.get(url, { headers: { 'x-auth-token': s.token } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`ims-emulator: Swift GET ${bucket}/${key} answered ${res.statusCode}`));
          return;
        }
        resolve(res);
      });
      req.on('error', reject);
    });
  }
}
