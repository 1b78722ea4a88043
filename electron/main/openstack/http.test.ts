// The CA file read under getDispatcher: only a regular file of at most 1 MiB is read, and neither
// a FIFO nor a device can hold a thread or fill memory.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CA_FILE_BYTES, getDispatcher, readCaFile } from './http.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-http-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('the CA file', () => {
  it('reads a regular file whole', async () => {
    const file = path.join(dir, 'ca.pem');
    await writeFile(file, PEM);
    expect(await readCaFile(file)).toBe(PEM);
    await expect(getDispatcher({ cacertPath: file })).resolves.toBeDefined();
  });

  it('refuses a FIFO at once, without waiting for a writer', { timeout: 5_000 }, async () => {
    const fifo = path.join(dir, 'ca.fifo');
    await run('mkfifo', [fifo]);
    await expect(getDispatcher({ cacertPath: fifo })).rejects.toMatchObject({
      code: 'config/unreadable',
      message: `The CA file ${fifo} is not a regular file (a device, pipe or socket): give the PEM file of the cloud's certificate authority.`,
    });
  });

  it('refuses a device such as /dev/zero instead of reading it without end', async () => {
    await expect(readCaFile('/dev/zero')).rejects.toMatchObject({
      code: 'config/unreadable',
      message: expect.stringMatching(/^The CA file \/dev\/zero is not a regular file/),
    });
  });

  it('refuses a folder', async () => {
    await expect(readCaFile(dir)).rejects.toMatchObject({
      code: 'config/unreadable',
      message: expect.stringMatching(/is not a regular file \(a folder\)/),
    });
  });

  it('refuses a file larger than 1 MiB, and takes one of exactly 1 MiB', async () => {
    expect(MAX_CA_FILE_BYTES).toBe(1024 * 1024);
    const big = path.join(dir, 'big.pem');
    await writeFile(big, '');
    await truncate(big, MAX_CA_FILE_BYTES + 1);
    await expect(getDispatcher({ cacertPath: big })).rejects.toMatchObject({
      code: 'config/unreadable',
      message: `The CA file ${big} is larger than 1 MiB, far more than a CA bundle: check that it is the PEM file of the cloud's certificate authority.`,
    });
    const edge = path.join(dir, 'edge.pem');
    await writeFile(edge, '');
    await truncate(edge, MAX_CA_FILE_BYTES);
    expect((await readCaFile(edge)).length).toBe(MAX_CA_FILE_BYTES);
  });

  it('names the error code of a file that cannot be opened', async () => {
    const missing = path.join(dir, 'missing.pem');
    await expect(readCaFile(missing)).rejects.toMatchObject({
      code: 'config/unreadable',
      message: `The CA file ${missing} cannot be read (ENOENT): check the cacert path.`,
    });
  });
});
