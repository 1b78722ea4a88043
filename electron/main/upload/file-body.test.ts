import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openForUpload } from '../files/identity.ts';
import { CHUNK_BYTES, createFileBody } from './file-body.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-body-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('createFileBody', () => {
  it('sends the whole file, or exactly the part asked for (a transport that sends parts)', async () => {
    const data = randomBytes(2 * CHUNK_BYTES + 333);
    const file = path.join(dir, 'disk.raw');
    await writeFile(file, data);
    const body = async (range?: { start: number; end: number }) => {
      const { handle, identity } = await openForUpload(file);
      const counted: number[] = [];
      let ended = 0;
      try {
        const bytes = await collect(
          createFileBody({
            path: file,
            handle,
            identity,
            hasher: null,
            onBytes: (n) => counted.push(n),
            gate: () => Promise.resolve(),
            onEnd: () => (ended += 1),
            ...(range ? { range } : {}),
          }),
        );
        return { bytes, counted: counted.reduce((a, b) => a + b, 0), ended };
      } finally {
        await handle.close();
      }
    };
    expect(await body()).toEqual({ bytes: data, counted: data.length, ended: 1 });
    const start = CHUNK_BYTES - 10;
    const end = 2 * CHUNK_BYTES + 5;
    expect(await body({ start, end })).toEqual({ bytes: data.subarray(start, end), counted: end - start, ended: 1 });
    await expect(body({ start: 5, end: data.length + 1 })).rejects.toThrow(/outside the file/);
    await expect(body({ start: 5, end: 5 })).rejects.toThrow(/outside the file/);
  });
});
