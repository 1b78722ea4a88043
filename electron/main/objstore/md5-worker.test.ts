import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Md5Worker, sharedBuffer } from './md5-worker.ts';

describe('Md5Worker', () => {
  const worker = new Md5Worker();
  afterAll(() => worker.close());

  it('hashes pieces of shared buffers in order, several digests at once', async () => {
    const parts = [randomBytes(3 << 20), randomBytes(1), randomBytes(0), randomBytes(5 << 20)];
    const digests = parts.map((data) => {
      const shared = sharedBuffer(data.length);
      data.copy(shared);
      const job = worker.begin();
      for (let at = 0; at < shared.length; at += 1 << 20)
        job.update(shared.subarray(at, Math.min(shared.length, at + (1 << 20))));
      return job.digest();
    });
    expect((await Promise.all(digests)).map((d) => d.toString('hex'))).toEqual(
      parts.map((p) => createHash('md5').update(p).digest('hex')),
    );
  });

  it('refuses a buffer that is not shared memory (the worker could not see it)', () => {
    expect(() => worker.begin().update(Buffer.alloc(10))).toThrow(/shared buffers only/);
  });
});
