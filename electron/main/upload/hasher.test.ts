import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentity } from '../files/identity.ts';
import { hashFile } from './file-source.ts';
import { createStreamHasher } from './hasher.ts';

describe('createStreamHasher', () => {
  it('gives the same digests as node:crypto, across ring wrap-arounds', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123);
    const hasher = createStreamHasher(['sha512', 'md5'], 1024 * 1024); // a small ring: many wraps
    for (let i = 0; i < data.length; i += 300_000) {
      const chunk = data.subarray(i, i + 300_000);
      await hasher.whenReady(chunk.length);
      hasher.update(chunk);
    }
    expect(await hasher.digest()).toEqual({
      sha512: createHash('sha512').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
    });
  });

  it('refuses a chunk the ring cannot hold rather than overwrite unhashed bytes', async () => {
    const hasher = createStreamHasher(['sha512'], 1024);
    expect(() => hasher.update(new Uint8Array(2048))).toThrow(/overflowed/);
    await expect(hasher.whenReady(4096)).rejects.toThrow(/larger than the hashing ring/);
    hasher.dispose();
  });

  it('keeps the process alive while a digest is owed (nothing else holds the event loop)', () => {
    // A child whose only pending work is the digest: it must print it, not exit early.
    const script = `
      import { createStreamHasher } from ${JSON.stringify(path.join(import.meta.dirname, 'hasher.ts'))};
      const h = createStreamHasher(['sha256']);
      h.update(new TextEncoder().encode('abc'));
      console.log((await h.digest()).sha256);`;
    const node = path.resolve(import.meta.dirname, '../../../node_modules/.bin/node');
    const r = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(createHash('sha256').update('abc').digest('hex'));
  });
});

describe('hashFile', () => {
  async function fileWith(data: Buffer): Promise<{ dir: string; file: string }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-hashfile-'));
    const file = path.join(dir, 'disk.raw');
    await writeFile(file, data);
    return { dir, file };
  }

  it('keeps the process alive while it re-hashes a file larger than the ring (nothing else holds the event loop)', async () => {
    // The CLI's resume of a job whose 204 was lost re-hashes the file with nothing else pending:
    // a reader waiting for ring space must keep Node alive, or it exits 13 mid-file.
    const data = randomBytes(1024 * 1024);
    const { dir, file } = await fileWith(Buffer.alloc(0));
    try {
      for (let i = 0; i < 64; i++) await writeFile(file, data, { flag: 'a' });
      const script = `
        import { hashFile } from ${JSON.stringify(path.join(import.meta.dirname, 'file-source.ts'))};
        console.log(await hashFile(${JSON.stringify(file)}, 'sha256'));`;
      const node = path.resolve(import.meta.dirname, '../../../node_modules/.bin/node');
      const r = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      const expected = createHash('sha256');
      for (let i = 0; i < 64; i++) expected.update(data);
      expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: expected.digest('hex') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the file again in the worker and gives node:crypto’s digest', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const { dir, file } = await fileWith(data);
    try {
      expect(await hashFile(file, 'sha512')).toBe(createHash('sha512').update(data).digest('hex'));
      expect(await hashFile(file, 'md5', { sent: await fileIdentity(file) })).toBe(
        createHash('md5').update(data).digest('hex'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not the one sent: another file put in its place with the same size and mtime', async () => {
    const data = randomBytes(64 * 1024);
    const { dir, file } = await fileWith(data);
    try {
      const sent = await fileIdentity(file);
      const other = path.join(dir, 'other.raw');
      await writeFile(other, Buffer.alloc(data.length, 1));
      await utimes(other, sent.mtimeMs / 1000, sent.mtimeMs / 1000);
      await rename(other, file); // `cp -p`-like: same size, same mtime, another inode
      await expect(hashFile(file, 'sha512', { sent })).rejects.toMatchObject({
        code: 'file/changed',
        message: expect.stringMatching(/another file was put in its place after it was sent/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when its signal aborts, before it starts and in the middle of the file', async () => {
    const { dir, file } = await fileWith(Buffer.alloc(0));
    await truncate(file, 1024 * 1024 * 1024); // sparse: quick to make, ~2 s to hash
    try {
      await expect(hashFile(file, 'sha512', { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow(
        'early',
      );
      // 50 ms into a 1 GiB file: had the abort not stopped the reading, the digest would come back.
      const controller = new AbortController();
      const hashing = hashFile(file, 'sha512', { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop')), 50);
      await expect(hashing).rejects.toThrow('stop');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
