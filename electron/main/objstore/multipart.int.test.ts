// The resumable multipart uploader against the test cloud's real object store (Swift + s3api on
// 127.0.0.1:18080), with the fault proxy between them where the network has to misbehave. What the
// store holds is read back from the store itself (ListParts, ListMultipartUploads, HEAD), and what
// was sent from the proxy's request log.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomFile, removeDir, tempDir } from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { openFilePartSource, type FilePartSource } from '../testing/file-part-source.ts';
import {
  READER,
  TEST_PREFIX,
  cleanUp,
  loopbackAgent,
  objstoreEnv,
  s3ErrorXml,
  storeClient,
  storeOptions,
  uniqueKey,
  virtualHostClient,
} from '../testing/objstore.ts';
import type { ObjectStoreClient } from './client.ts';
import { KiB, MiB, OBS_LIMITS, compositeEtag } from './limits.ts';
import {
  abortUpload,
  deleteObject,
  listOrphans,
  uploadMultipart,
  type MultipartOptions,
  type MultipartRequest,
  type MultipartResult,
  type MultipartState,
  type PartSource,
} from './multipart.ts';

const BUCKET = 'images';
const FAST_RETRY = { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 };
const keys = new Set<string>();
const sources: FilePartSource[] = [];
let dir: string;
let proxy: FaultProxy;
let direct: ObjectStoreClient;
let viaProxy: ObjectStoreClient;

const signal = () => AbortSignal.timeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function key(name: string): string {
  const k = uniqueKey(name);
  keys.add(k);
  return k;
}

async function source(file: string): Promise<FilePartSource> {
  const s = await openFilePartSource(file);
  sources.push(s);
  return s;
}

/** The ETag S3 gives a file uploaded in parts of `partSize`: md5 of the part MD5s, then -n. */
async function localEtag(file: string, partSize: number): Promise<string> {
  const data = await readFile(file);
  const md5s = [];
  for (let at = 0; at < data.length; at += partSize)
    md5s.push(
      createHash('md5')
        .update(data.subarray(at, at + partSize))
        .digest(),
    );
  return compositeEtag(md5s);
}

/** Part numbers of the part uploads the proxy saw from request `from` on, in order. */
function partsSent(from: number): number[] {
  return proxy.requests
    .slice(from)
    .map((r) => /^PUT \S*[?&]partNumber=(\d+)&/.exec(r)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

interface Run {
  readonly promise: Promise<MultipartResult>;
  readonly states: MultipartState[];
  /** Progress as the uploader reported it: now, and the highest it ever was. */
  readonly progress: { now: number; max: number };
  /** How many requests the proxy had seen when the first state was saved. */
  readonly requestsAtFirstSave: number[];
  readonly controller: AbortController;
}

function start(
  o: Partial<MultipartRequest> & { source: PartSource & { identity?: MultipartRequest['identity'] }; key: string },
  options: MultipartOptions = {},
  onState?: (state: MultipartState) => void,
): Run {
  const states: MultipartState[] = [];
  const progress = { now: 0, max: 0 };
  const requestsAtFirstSave: number[] = [];
  const controller = new AbortController();
  const promise = uploadMultipart({
    client: viaProxy,
    bucket: BUCKET,
    identity: o.source.identity!,
    state: null,
    signal: controller.signal,
    ...o,
    saveState: async (s) => {
      if (states.length === 0) requestsAtFirstSave.push(proxy.requests.length);
      states.push(s);
      onState?.(s);
    },
    onProgress: (d) => {
      progress.now += d;
      progress.max = Math.max(progress.max, progress.now);
    },
    options: { retry: FAST_RETRY, ...options },
  });
  return { promise, states, progress, requestsAtFirstSave, controller };
}

/** The object's bytes, by the Swift API (the S3 client here has no GET). */
async function readObject(k: string): Promise<Buffer> {
  const env = objstoreEnv();
  const auth = await fetch(env.OBJSTORE_SWIFT_AUTH_URL, {
    headers: { 'x-auth-user': env.OBJSTORE_SWIFT_USER, 'x-auth-key': env.OBJSTORE_SWIFT_KEY },
  });
  await auth.arrayBuffer();
  const res = await fetch(
    `${env.OBJSTORE_SWIFT_STORAGE_URL}/${BUCKET}/${k.split('/').map(encodeURIComponent).join('/')}`,
    {
      headers: { 'x-auth-token': auth.headers.get('x-auth-token') ?? '' },
    },
  );
  return Buffer.from(await res.arrayBuffer());
}

function confirmedParts(state: MultipartState | undefined): number {
  return state ? state.partMd5s.filter((m) => m !== null).length : 0;
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; name?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; name?: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** The part numbers the store holds, once it has settled (parts whose bytes had all arrived before a pause or kill may land a moment later). */
async function settledParts(k: string, uploadId: string): Promise<number[]> {
  let stored: number[] = [];
  for (let same = 0; same < 5; await sleep(200)) {
    const now = (await direct.listParts(BUCKET, k, uploadId, signal())).map((p) => p.partNumber);
    same = now.length === stored.length ? same + 1 : 0;
    stored = now;
  }
  return stored;
}

/**
 * Starts an upload (2 parts in flight), and pauses it (aborts its signal) once `parts` parts are
 * confirmed and the next two are held by the proxy after their first KiB.
 */
async function uploadThenPause(
  file: string,
  k: string,
  parts: number,
  options: MultipartOptions,
): Promise<{ state: MultipartState; run: Run; settled: number }> {
  const src = await source(file);
  proxy.inject({
    match: new RegExp(`^PUT \\S*[?&]partNumber=(${parts + 1}|${parts + 2})&`),
    fault: { kind: 'hold', afterBytes: 1024 },
    times: 2,
  });
  proxy.resetReached();
  const run = start({ source: src, key: k }, { window: 2, saveIntervalMs: 0, ...options });
  await proxy.reached();
  await proxy.reached();
  run.controller.abort(new DOMException('Paused', 'AbortError'));
  expect(await rejection(run.promise)).toMatchObject({ name: 'AbortError' });
  const settled = Date.now();
  proxy.release();
  const state = run.states.at(-1)!;
  expect(confirmedParts(state)).toBe(parts);
  return { state, run, settled };
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-objstore-');
  proxy = await startFaultProxy({ host: '127.0.0.1', port: 18080 });
  direct = storeClient();
  viaProxy = storeClient({ endpoint: proxy.url });
});

beforeEach(() => {
  // A rule a failed test left behind must not hit the next one.
  proxy.release();
});

afterAll(async () => {
  for (const s of sources) await s.close();
  await cleanUp(direct, BUCKET, keys);
  await proxy.close();
  await removeDir(dir);
});

describe('an upload', () => {
  it('sends every part once with Content-MD5, saves the upload id first, and ends with the composite ETag', async () => {
    const file = await randomFile(dir, 'whole.img', 5 * MiB + 512 * KiB);
    const src = await source(file);
    const k = key('whole');
    const before = proxy.requests.length;
    const run = start({ source: src, key: k }, { partSize: MiB, window: 3 });
    const result = await run.promise;

    const expected = await localEtag(file, MiB);
    expect(result).toMatchObject({
      etag: expected,
      parts: 6,
      reusedParts: 0,
      sentParts: 6,
      bytesSent: src.size,
      bytesRetried: 0,
      notes: [],
    });
    expect((await direct.headObject(BUCKET, k, signal()))?.etag).toBe(expected);
    // The upload id was durable when only InitiateMultipartUpload had been sent.
    expect(run.requestsAtFirstSave[0]! - before).toBe(1);
    expect(run.states[0]).toMatchObject({
      bucket: BUCKET,
      key: k,
      partSize: MiB,
      file: src.identity,
      partMd5s: new Array(6).fill(null),
    });
    expect(run.states.at(-1)).toMatchObject({ completedEtag: expected });
    expect(run.states.at(-1)!.partMd5s.every((m) => /^[0-9a-f]{32}$/.test(m!))).toBe(true);
    expect(partsSent(before).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const partHeads = proxy.heads.slice(before).filter((h) => /partNumber=/.test(h));
    expect(partHeads.every((h) => /\r\ncontent-md5: [A-Za-z0-9+/]{22}==\r\n/.test(h))).toBe(true);
    expect(run.progress).toEqual({ now: src.size, max: src.size });
    // Each byte was read once.
    expect(src.bytesRead).toBe(src.size);
  });

  it.each([
    ['v2', 'path'],
    ['v4', 'virtual-host'],
    ['v2', 'virtual-host'],
  ] as const)('works with %s signatures, %s style', async (signature, addressing) => {
    const agent = loopbackAgent();
    try {
      const client =
        addressing === 'path'
          ? storeClient({ endpoint: proxy.url, signature })
          : virtualHostClient(agent, proxy.port, signature);
      const file = await randomFile(dir, `sig-${signature}-${addressing}.img`, 700 * KiB);
      const k = key(`sig-${signature}-${addressing}`);
      const result = await start({ source: await source(file), key: k, client }, { partSize: 300 * KiB }).promise;
      expect(result.etag).toBe(await localEtag(file, 300 * KiB));
      expect(result.parts).toBe(3);
    } finally {
      agent.destroy();
    }
  });

  it('streams parts larger than the memory budget: MD5 while sending, ETag checked after', async () => {
    const file = await randomFile(dir, 'streamed.img', 1300 * KiB);
    const k = key('streamed');
    const before = proxy.requests.length;
    const result = await start({ source: await source(file), key: k }, { partSize: 512 * KiB, memoryBudget: 256 * KiB })
      .promise;
    expect(result.etag).toBe(await localEtag(file, 512 * KiB));
    const partHeads = proxy.heads.slice(before).filter((h) => /partNumber=/.test(h));
    expect(partHeads).toHaveLength(3);
    expect(partHeads.some((h) => h.includes('content-md5'))).toBe(false);
  });
});

describe('faults on the wire: the part is sent again, the others are kept', () => {
  const PART = 512 * KiB;
  let file: string;
  let expected: string;
  beforeAll(async () => {
    file = await randomFile(dir, 'faults.img', 6 * PART);
    expected = await localEtag(file, PART);
  });

  async function withFault(name: string, rule: Parameters<FaultProxy['inject']>[0], options: MultipartOptions = {}) {
    const k = key(name);
    const before = proxy.requests.length;
    proxy.inject(rule);
    const run = start({ source: await source(file), key: k }, { partSize: PART, window: 3, ...options });
    const result = await run.promise;
    expect(result.etag).toBe(expected);
    expect((await direct.headObject(BUCKET, k, signal()))?.etag).toBe(expected);
    expect(run.progress.now).toBe(6 * PART);
    expect(run.progress.max).toBeLessThanOrEqual(6 * PART);
    return { result, sent: partsSent(before) };
  }

  it('a connection cut in the middle of a part', async () => {
    const { result, sent } = await withFault('cut', {
      match: /^PUT \S*[?&]partNumber=2&/,
      fault: { kind: 'cut', afterBytes: 200 * KiB },
    });
    expect(sent.filter((n) => n === 2)).toHaveLength(2);
    expect(sent.filter((n) => n !== 2).sort()).toEqual([1, 3, 4, 5, 6]);
    expect(result.bytesRetried).toBeGreaterThan(0);
    expect(result.sentParts).toBe(6);
  });

  it('503 SlowDown twice for one part', async () => {
    const { sent } = await withFault('slowdown', {
      match: /^PUT \S*[?&]partNumber=3&/,
      fault: {
        kind: 'answer',
        status: 503,
        drain: true,
        contentType: 'application/xml',
        body: s3ErrorXml('SlowDown', 'Please reduce your request rate.'),
      },
      times: 2,
    });
    expect(sent.filter((n) => n === 3)).toHaveLength(3);
  });

  it('500 InternalError', async () => {
    const { sent } = await withFault('internal', {
      match: /^PUT \S*[?&]partNumber=4&/,
      fault: {
        kind: 'answer',
        status: 500,
        drain: true,
        contentType: 'application/xml',
        body: s3ErrorXml('InternalError', 'We encountered an internal error.'),
      },
    });
    expect(sent.filter((n) => n === 4)).toHaveLength(2);
  });

  it('a stall: the part is cut after the stall timeout and sent again, without waiting out the stall', async () => {
    const started = Date.now();
    const { sent } = await withFault(
      'stall',
      { match: /^PUT \S*[?&]partNumber=2&/, fault: { kind: 'stall', afterBytes: 100 * KiB, ms: 30_000 } },
      { stallTimeoutMs: 1500 },
    );
    expect(sent.filter((n) => n === 2)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('bytes altered in flight: the store refuses the part (Content-MD5) and it is sent again', async () => {
    const { sent } = await withFault('corrupt', {
      match: /^PUT \S*[?&]partNumber=5&/,
      fault: { kind: 'corrupt', atByte: 1000 },
    });
    expect(sent.filter((n) => n === 5)).toHaveLength(2);
  });

  it('bytes altered in flight of a streamed part (no Content-MD5): the ETag differs, and it is sent again', async () => {
    const { sent } = await withFault(
      'corrupt-streamed',
      { match: /^PUT \S*[?&]partNumber=2&/, fault: { kind: 'corrupt', atByte: 1000 } },
      { memoryBudget: 256 * KiB },
    );
    expect(sent.filter((n) => n === 2)).toHaveLength(2);
  });

  it('a part that keeps failing: the upload rejects after the tries, and resuming sends only what is missing', async () => {
    const k = key('exhausted');
    const before = proxy.requests.length;
    proxy.inject({
      match: /^PUT \S*[?&]partNumber=2&/,
      fault: {
        kind: 'answer',
        status: 503,
        drain: true,
        contentType: 'application/xml',
        body: s3ErrorXml('SlowDown', 'Reduce your rate.'),
      },
      times: FAST_RETRY.attempts,
    });
    const run = start({ source: await source(file), key: k }, { partSize: PART, window: 1, saveIntervalMs: 0 });
    expect(await rejection(run.promise)).toMatchObject({ code: 'objstore/slow-down' });
    expect(partsSent(before)).toEqual([1, 2, 2, 2, 2]);
    const state = run.states.at(-1)!;
    expect(confirmedParts(state)).toBe(1);

    const resumedFrom = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART }).promise;
    expect(result).toMatchObject({ etag: expected, reusedParts: 1, sentParts: 5 });
    expect(partsSent(resumedFrom).sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('a refusal that retrying cannot fix rejects at once, keeping the parts already stored', async () => {
    const k = key('denied');
    proxy.inject({
      match: /^PUT \S*[?&]partNumber=3&/,
      fault: {
        kind: 'answer',
        status: 403,
        drain: true,
        contentType: 'application/xml',
        body: s3ErrorXml('AccessDenied', 'Access Denied.'),
      },
    });
    const run = start({ source: await source(file), key: k }, { partSize: PART, window: 1, saveIntervalMs: 0 });
    const e = await rejection(run.promise);
    expect(e).toMatchObject({ code: 'objstore/access-denied' });
    expect(e.message).toMatch(/images:uploader is not allowed to write objects to the bucket "images"/);
    const state = run.states.at(-1)!;
    const stored = await direct.listParts(BUCKET, k, state.uploadId, signal());
    expect(stored.map((p) => p.partNumber)).toEqual([1, 2]);

    const resumedFrom = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART }).promise;
    expect(result).toMatchObject({ etag: expected, reusedParts: 2, sentParts: 4 });
    expect(partsSent(resumedFrom).sort()).toEqual([3, 4, 5, 6]);
  });
});

describe('pause, resume, cancel', () => {
  const PART = 256 * KiB;
  let file: string;
  let expected: string;
  beforeAll(async () => {
    file = await randomFile(dir, 'pause.img', 6 * PART);
    expected = await localEtag(file, PART);
  });

  it('pause cuts the parts in flight: no byte more is sent, they never land, and resume sends only what is missing', async () => {
    // Parts larger than the socket buffers, so that a part in flight really is cut in the middle.
    const BIG = 16 * MiB;
    const big = await randomFile(dir, 'pause-big.img', 4 * BIG);
    const k = key('pause');
    const { state, run } = await uploadThenPause(big, k, 2, { partSize: BIG });
    // Progress fell back to the two confirmed parts, and nothing goes out after the pause settled.
    expect(run.progress.now).toBe(2 * BIG);
    const count = proxy.requests.length;
    await sleep(500);
    expect(proxy.requests.length).toBe(count);
    expect(run.progress.now).toBe(2 * BIG);
    expect(await settledParts(k, state.uploadId)).toEqual([1, 2]);

    const resumedFrom = proxy.requests.length;
    const src = await source(big);
    const resumed = start({ source: src, key: k, state }, { partSize: BIG });
    const result = await resumed.promise;
    expect(result).toMatchObject({
      etag: await localEtag(big, BIG),
      uploadId: state.uploadId,
      reusedParts: 2,
      sentParts: 2,
      notes: [],
    });
    expect(partsSent(resumedFrom).sort()).toEqual([3, 4]);
    // Kept parts were read again and hashed (the one second read), and count as progress.
    expect(src.bytesRead).toBe(src.size);
    expect(resumed.progress.now).toBe(src.size);
  });

  it('cancel: the multipart upload is aborted, nothing is listed and no object exists', async () => {
    const k = key('cancel');
    const { state } = await uploadThenPause(file, k, 2, { partSize: PART });
    expect((await listOrphans(direct, BUCKET, k)).map((u) => u.uploadId)).toEqual([state.uploadId]);
    await abortUpload(viaProxy, state);
    expect(await listOrphans(direct, BUCKET, k)).toEqual([]);
    expect(await direct.headObject(BUCKET, k, signal())).toBeNull();
    // Aborting twice is no error.
    await abortUpload(viaProxy, state);
  });

  it('cancel after completion deletes the object this upload made, and never one written since', async () => {
    const k = key('delete');
    const result = await start({ source: await source(file), key: k }, { partSize: PART }).promise;
    // Aborting a completed upload sends nothing and leaves the object whole.
    const before = proxy.requests.length;
    await abortUpload(viaProxy, result.state);
    expect(proxy.requests.length).toBe(before);
    expect((await direct.headObject(BUCKET, k, signal()))?.etag).toBe(expected);
    expect((await readObject(k)).equals(await readFile(file))).toBe(true);
    expect(await deleteObject(viaProxy, result.state)).toBe(true);
    expect(await direct.headObject(BUCKET, k, signal())).toBeNull();

    const again = await start({ source: await source(file), key: k }, { partSize: PART }).promise;
    // Someone writes another object under the same name.
    const other = randomBytes(1000);
    const id = await direct.initiateMultipartUpload(BUCKET, k, {}, signal());
    const etag = await direct.uploadPart(
      { bucket: BUCKET, key: k, uploadId: id, partNumber: 1, length: other.length, body: other },
      signal(),
    );
    await direct.completeMultipartUpload(BUCKET, k, id, [{ partNumber: 1, etag }], signal());
    expect(await deleteObject(viaProxy, again.state)).toBe(false);
    expect((await direct.headObject(BUCKET, k, signal()))?.size).toBe(1000);
  });

  it('a stored part that differs from the file (replaced out of band, or of the wrong size) is sent again', async () => {
    const k = key('tampered');
    const { state } = await uploadThenPause(file, k, 4, { partSize: PART });
    const junk = randomBytes(PART);
    await direct.uploadPart(
      { bucket: BUCKET, key: k, uploadId: state.uploadId, partNumber: 2, length: PART, body: junk },
      signal(),
    );
    await direct.uploadPart(
      { bucket: BUCKET, key: k, uploadId: state.uploadId, partNumber: 3, length: 1000, body: junk.subarray(0, 1000) },
      signal(),
    );
    const stored = await settledParts(k, state.uploadId);
    expect(stored).toEqual(expect.arrayContaining([1, 2, 3, 4]));

    const resumedFrom = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART }).promise;
    expect(result).toMatchObject({ etag: expected, reusedParts: stored.length - 2, sentParts: 8 - stored.length });
    expect(result.notes).toEqual([
      { kind: 'parts-replaced', message: '2 stored parts did not match the file and were sent again.' },
    ]);
    expect(partsSent(resumedFrom).sort()).toEqual([2, 3, 5, 6].filter((n) => n < 5 || !stored.includes(n)));
    expect((await direct.headObject(BUCKET, k, signal()))?.etag).toBe(expected);
  });

  it('a file changed since its parts were sent: the old upload is aborted and a new one started', async () => {
    const changing = await randomFile(dir, 'changing.img', 6 * PART);
    const k = key('changed');
    const { state } = await uploadThenPause(changing, k, 2, { partSize: PART });
    await writeFile(changing, randomBytes(6 * PART));
    const src = await source(changing);
    expect(src.identity).not.toEqual(state.file);

    const result = await start({ source: src, key: k, state }, { partSize: PART }).promise;
    expect(result.notes.map((n) => n.kind)).toEqual(['file-changed']);
    expect(result).toMatchObject({ etag: await localEtag(changing, PART), reusedParts: 0, sentParts: 6 });
    expect(result.uploadId).not.toBe(state.uploadId);
    await expect(direct.listParts(BUCKET, k, state.uploadId, signal())).rejects.toMatchObject({
      code: 'objstore/no-such-upload',
    });
  });

  it('an upload the store no longer has (aborted or expired) starts again cleanly and says so', async () => {
    const k = key('gone');
    const { state } = await uploadThenPause(file, k, 2, { partSize: PART });
    await direct.abortMultipartUpload(BUCKET, k, state.uploadId, signal());
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART }).promise;
    expect(result.notes).toEqual([
      {
        kind: 'upload-gone',
        message:
          'The object store no longer had the unfinished upload (it was aborted or expired): the file is sent again from the start.',
      },
    ]);
    expect(result).toMatchObject({ etag: expected, reusedParts: 0, sentParts: 6 });
  });

  it('an upload whose Complete answer was lost is recognised as complete, sending nothing', async () => {
    const k = key('lost-answer');
    const first = await start({ source: await source(file), key: k }, { partSize: PART }).promise;
    const { completedEtag: _, ...beforeComplete } = first.state;
    const from = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state: beforeComplete }, { partSize: PART })
      .promise;
    expect(result).toMatchObject({
      etag: expected,
      sentParts: 0,
      reusedParts: 6,
      notes: [{ kind: 'already-complete' }],
    });
    expect(proxy.requests.slice(from).filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '))).toEqual([]);
  });
});

describe('a process killed in the middle of an upload', () => {
  it('resumes from its saved state: parts the store holds are never sent again', async () => {
    const PART = 2 * MiB;
    const file = await randomFile(dir, 'killed.img', 24 * PART);
    const k = key('killed');
    const stateFile = path.join(dir, 'killed.state.json');
    const child = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, '../testing/objstore-upload-child.ts'),
        JSON.stringify({
          file,
          stateFile,
          bucket: BUCKET,
          key: k,
          store: storeOptions(),
          options: { partSize: PART, window: 4, saveIntervalMs: 0 },
        }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    let confirmedAtKill = 0;
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^state (\d+)$/.exec(line);
        if (m && Number(m[1]) >= 12 && confirmedAtKill === 0) {
          confirmedAtKill = Number(m[1]);
          child.kill('SIGKILL');
        }
      }
    });
    expect(await exited).toBe('SIGKILL');
    expect(confirmedAtKill).toBeGreaterThanOrEqual(12);

    const state = JSON.parse(await readFile(stateFile, 'utf8')) as MultipartState;
    // Parts whose bytes had all arrived are still being stored for a moment after the kill.
    const stored = await settledParts(k, state.uploadId);
    expect(stored.length).toBeGreaterThanOrEqual(confirmedAtKill);
    expect(stored.length).toBeLessThan(24);
    // Every part the state calls confirmed is stored.
    state.partMd5s.forEach((m, i) => {
      if (m) expect(stored).toContain(i + 1);
    });

    const resumedFrom = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART }).promise;
    const sent = partsSent(resumedFrom);
    expect(sent.filter((n) => stored.includes(n))).toEqual([]);
    expect(result).toMatchObject({
      etag: await localEtag(file, PART),
      reusedParts: stored.length,
      sentParts: 24 - stored.length,
      notes: [],
    });
    expect(sent.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1).filter((n) => !stored.includes(n)),
    );
  });
});

describe('more than 1,000 parts', () => {
  it('resumes through the pages of ListParts', async () => {
    const PART = 100 * KiB;
    const file = await randomFile(dir, 'many.img', 1100 * PART - 3000);
    const k = key('many');
    let paused = false;
    const src = await source(file);
    const run = start({ source: src, key: k }, { partSize: PART, window: 8, saveIntervalMs: 0 }, (s) => {
      if (!paused && confirmedParts(s) >= 1010) {
        paused = true;
        run.controller.abort(new DOMException('Paused', 'AbortError'));
      }
    });
    expect(await rejection(run.promise)).toMatchObject({ name: 'AbortError' });
    const state = run.states.at(-1)!;
    expect(confirmedParts(state)).toBeGreaterThanOrEqual(1010);

    const resumedFrom = proxy.requests.length;
    const result = await start({ source: await source(file), key: k, state }, { partSize: PART, window: 8 }).promise;
    expect(result.parts).toBe(1100);
    expect(result.reusedParts).toBeGreaterThanOrEqual(1010);
    expect(result.reusedParts + result.sentParts).toBe(1100);
    expect(result.etag).toBe(await localEtag(file, PART));
    const listings = proxy.requests.slice(resumedFrom).filter((r) => r.startsWith('GET ') && r.includes('uploadId='));
    expect(listings).toHaveLength(2);
    expect(listings[1]).toContain('part-number-marker=1000');
  }, 300_000); // 2,200 part requests and a Complete of 1,100 parts (Swift: 10-15 s) on a shared 2-core machine
});

describe('bad input: one sentence at or before the first request, nothing left behind', () => {
  let file: string;
  beforeAll(async () => {
    file = await randomFile(dir, 'bad.img', 300 * KiB);
  });

  async function refused(o: {
    client?: ObjectStoreClient;
    key?: string;
    bucket?: string;
    source?: PartSource & { identity?: MultipartRequest['identity'] };
    options?: MultipartOptions;
  }) {
    const k = o.key ?? key('bad');
    const src = o.source ?? (await source(file));
    const before = proxy.requests.length;
    const run = start(
      { source: src, key: k, ...(o.client ? { client: o.client } : {}), ...(o.bucket ? { bucket: o.bucket } : {}) },
      o.options ?? {},
    );
    const e = await rejection(run.promise);
    expect(run.states).toEqual([]);
    if (!o.bucket && e.code !== 'objstore/invalid-key') expect(await listOrphans(direct, BUCKET, k)).toEqual([]);
    return { e, requests: proxy.requests.length - before };
  }

  it('a bucket that does not exist', async () => {
    const { e, requests } = await refused({ bucket: 'no-such-bucket' });
    expect(e.code).toBe('objstore/no-such-bucket');
    expect(requests).toBe(1);
  });

  it('no permission to write', async () => {
    const { e, requests } = await refused({ client: storeClient({ endpoint: proxy.url, credentials: READER }) });
    expect(e).toMatchObject({
      code: 'objstore/access-denied',
      message: expect.stringContaining('images:reader is not allowed to write objects'),
    });
    expect(requests).toBe(1);
  });

  it('a wrong secret key', async () => {
    const { e, requests } = await refused({
      client: storeClient({
        endpoint: proxy.url,
        credentials: { accessKeyId: 'images:uploader', secretAccessKey: 'nope' },
      }),
    });
    expect(e.code).toBe('objstore/signature');
    expect(requests).toBe(1);
  });

  it('a wrong region', async () => {
    const { e, requests } = await refused({ client: storeClient({ endpoint: proxy.url, region: 'eu-west-0' }) });
    expect(e).toMatchObject({
      code: 'objstore/wrong-region',
      message: expect.stringContaining(`set the region to ${objstoreEnv().OBJSTORE_REGION}`),
    });
    expect(requests).toBe(1);
  });

  it.each([
    ['a space (IMS refuses it: IMG.0175)', `${TEST_PREFIX}my disk.img`],
    ['a control character', `${TEST_PREFIX}a\u0007b`],
    ['an empty name', ''],
    ['a name longer than 1,024 bytes', `${TEST_PREFIX}${'x'.repeat(1024)}`],
  ])('an object name with %s', async (_name, badKey) => {
    const { e, requests } = await refused({ key: badKey });
    expect(e.code).toBe('objstore/invalid-key');
    expect(requests).toBe(0);
  });

  it("a file over the store's limit (10,000 parts of 5 GiB)", async () => {
    const size = OBS_LIMITS.maxParts * OBS_LIMITS.maxPartSize + 1;
    const huge = {
      size,
      identity: { size, mtimeMs: 1, ctimeMs: 1, ino: 1 },
      read: () => Promise.reject(new Error('never read')),
    };
    const { e, requests } = await refused({ source: huge });
    expect(e).toMatchObject({ code: 'objstore/too-large' });
    expect(e.message).toBe(
      'The file is 50000 GiB, more than the object store takes in one object (10,000 parts of at most 5 GiB, 50000 GiB): split it, or use a smaller image format.',
    );
    expect(requests).toBe(0);
  });

  it.each([
    ['under the 100 KB minimum', 50 * KiB],
    ['over 5 GiB', 5 * 1024 * MiB + 1],
  ])('a part size %s', async (_name, partSize) => {
    const big = await randomFile(dir, 'bad-part.img', 1 * MiB);
    const { e, requests } = await refused({ source: await source(big), options: { partSize } });
    expect(e.code).toBe('objstore/bad-part-size');
    expect(requests).toBe(0);
  });

  it('a state that cannot be saved: the new upload is aborted again', async () => {
    const k = key('unsaved');
    const src = await source(file);
    const promise = uploadMultipart({
      client: viaProxy,
      bucket: BUCKET,
      key: k,
      source: src,
      identity: src.identity,
      state: null,
      saveState: () => Promise.reject(new Error('disk full')),
      signal: new AbortController().signal,
    });
    await expect(promise).rejects.toThrow('disk full');
    expect(await listOrphans(direct, BUCKET, k)).toEqual([]);
  });
});

describe('orphans', () => {
  it('lists the unfinished uploads under a prefix, and aborts them', async () => {
    const prefix = `${TEST_PREFIX}orphans-${randomBytes(3).toString('hex')}/`;
    const made = [];
    for (const name of ['a.img', 'b.img']) {
      keys.add(prefix + name);
      made.push({
        key: prefix + name,
        uploadId: await direct.initiateMultipartUpload(BUCKET, prefix + name, {}, signal()),
      });
    }
    const listed = await listOrphans(viaProxy, BUCKET, prefix);
    expect(listed.map((u) => ({ key: u.key, uploadId: u.uploadId }))).toEqual(made);
    expect(listed.every((u) => !Number.isNaN(Date.parse(u.initiated)))).toBe(true);
    for (const u of listed) await abortUpload(viaProxy, { bucket: BUCKET, ...u });
    expect(await listOrphans(viaProxy, BUCKET, prefix)).toEqual([]);
  });
});
