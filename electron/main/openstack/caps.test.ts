// Size caps (issue 8, item 9): a clouds.yaml or secure.yaml is read only up to 1 MiB, like a CA
// file, and an answer from Keystone or Glance only up to 16 MiB, streamed: past the cap the read
// stops with a sentence, and nothing of the rest is buffered. Real files and real local servers.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCappedFile } from './capped-file.ts';
import { MAX_CONFIG_FILE_BYTES, chooseCloud } from './cloud-config.ts';
import { MAX_RESPONSE_BYTES, getDispatcher, httpRequest } from './http.ts';
import { authenticate } from './keystone.ts';

const run = promisify(execFile);
const MiB = 1 << 20;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-caps-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CLOUD =
  'clouds:\n  c:\n    auth:\n      auth_url: https://k.example.org/v3\n      username: u\n      password: p\n      project_name: x\n';

describe('config files are capped at 1 MiB', () => {
  it('reads a clouds.yaml of exactly 1 MiB', async () => {
    const file = path.join(dir, 'edge.yaml');
    await writeFile(file, CLOUD + '#'.repeat(MAX_CONFIG_FILE_BYTES - CLOUD.length - 1) + '\n');
    expect(MAX_CONFIG_FILE_BYTES).toBe(MiB);
    const c = await chooseCloud({ cloud: 'c', env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir });
    expect(c.authUrl).toBe('https://k.example.org/v3');
  });

  it.each([
    ['clouds.yaml', 'OS_CLIENT_CONFIG_FILE'],
    ['secure.yaml', 'OS_CLIENT_SECURE_FILE'],
  ])('refuses a %s of 50 MB at once, with a sentence, reading none of it', async (name, variable) => {
    const small = path.join(dir, 'small.yaml');
    await writeFile(small, CLOUD);
    const big = path.join(dir, `big-${name}`);
    await writeFile(big, CLOUD);
    await truncate(big, 50_000_000); // sparse: costs no disk
    const env = { OS_CLIENT_CONFIG_FILE: small, [variable]: big };
    const started = Date.now();
    await expect(chooseCloud({ cloud: 'c', env, cwd: dir })).rejects.toMatchObject({
      code: 'config/unreadable',
      message: `${big} is larger than 1 MiB, far more than a cloud configuration holds, so Imagedrop did not read it: check that it is the cloud configuration you meant.`,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it(
    'refuses a FIFO or a device named as clouds.yaml without waiting or reading for ever',
    { timeout: 5_000 },
    async () => {
      const fifo = path.join(dir, 'clouds.fifo');
      await run('mkfifo', [fifo]);
      await expect(chooseCloud({ cloud: 'c', env: { OS_CLIENT_CONFIG_FILE: fifo }, cwd: dir })).rejects.toMatchObject({
        code: 'config/unreadable',
        message: `${fifo} is not a regular file (a device, pipe or socket): it should be the YAML file of your clouds.`,
      });
      expect(await readCappedFile('/dev/zero', MiB)).toEqual({
        ok: false,
        problem: { kind: 'not-a-file', what: 'a device, pipe or socket' },
      });
    },
  );
});

/** A local "Keystone" whose token answer is `size` bytes (with or without a Content-Length). */
async function fatServer(size: number, withLength: boolean) {
  let written = 0;
  let finished = false;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(201, {
      'content-type': 'application/json',
      'x-subject-token': 'tok',
      ...(withLength ? { 'content-length': String(size) } : {}),
    });
    const piece = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace
    const pump = () => {
      while (written < size) {
        const n = Math.min(piece.length, size - written);
        written += n;
        if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) return void res.once('drain', pump);
      }
      finished = true;
      res.end();
    };
    res.on('close', () => undefined);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v3`,
    written: () => written,
    finished: () => finished,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const signIn = async (authUrl: string) =>
  authenticate({
    authUrl,
    method: { type: 'password', username: 'u', password: 'p' },
    scope: { projectName: 'x' },
    dispatcher: await getDispatcher(),
    signal: AbortSignal.timeout(60_000),
  });

describe('answers are capped at 16 MiB, streamed', () => {
  it('a 56 MB answer with its Content-Length is refused before its body is read', async () => {
    const server = await fatServer(56_000_000, true);
    try {
      const started = Date.now();
      await expect(signIn(server.url)).rejects.toMatchObject({
        code: 'auth/unexpected-response',
        httpStatus: 201,
        detail: 'Content-Length 56000000',
        message: `Keystone at ${new URL(server.url).host} sent an answer larger than 16 MiB, far more than any it should send, so Imagedrop stopped reading it: check that the URL points at the Keystone API.`,
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(server.finished()).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('a 56 MB answer without a Content-Length is cut off just past 16 MiB, not read whole', async () => {
    const server = await fatServer(56_000_000, false);
    try {
      const heapBefore = process.memoryUsage().arrayBuffers;
      await expect(signIn(server.url)).rejects.toMatchObject({
        code: 'auth/unexpected-response',
        detail: `more than ${MAX_RESPONSE_BYTES} bytes`,
      });
      // What reached the client is the cap plus what the sockets held, never the 56 MB.
      await new Promise((r) => setTimeout(r, 200));
      expect(server.finished()).toBe(false);
      expect(server.written()).toBeLessThan(MAX_RESPONSE_BYTES + 12 * MiB);
      expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(40 * MiB);
    } finally {
      await server.close();
    }
  });

  it('an answer under the cap is read whole', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(15 * MiB) });
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const res = await httpRequest(`http://127.0.0.1:${port}/`, {
        method: 'GET',
        signal: AbortSignal.timeout(30_000),
        dispatcher: await getDispatcher(),
        service: 'glance',
      });
      expect(res.text.length).toBe(body.length);
      // A listing may be given more room: the same answer refused under a smaller cap.
      await expect(
        httpRequest(`http://127.0.0.1:${port}/`, {
          method: 'GET',
          signal: AbortSignal.timeout(30_000),
          dispatcher: await getDispatcher(),
          service: 'glance',
          maxResponseBytes: MiB,
        }),
      ).rejects.toMatchObject({ code: 'glance/unexpected-response' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
