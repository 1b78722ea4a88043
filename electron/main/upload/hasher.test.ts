import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
