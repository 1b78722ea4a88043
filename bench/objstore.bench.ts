// Object-store benchmark: 2 GiB into the test cloud's loopback S3 store (Swift + s3api), three
// ways in the same run, each in its own process (its peak RSS its own), order alternating by round:
//   ours   uploadMultipart (electron/main/objstore): 16 MiB parts, 4 in flight, each part read once
//          with its MD5, sent with Content-MD5, its ETag compared; the composite ETag checked;
//   esdk   Huawei esdk-obs-nodejs `uploadFile`, the same part size and parallelism, checkpoint on,
//          no checks;
//   curl   one Swift-API PUT of the whole file (`curl -T`; not S3, not multipart: the ceiling).
// Targets: ours ≥ 1.0× esdk's throughput; ours' peak RSS ≤ 200 MB; and after a SIGKILL at 50 %,
// the resume sends no part the store holds and re-sends at most the parts that were in flight.
// Both Node contenders run as plain JavaScript bundles (dist/bench/, built first with vite, as the
// app and the CLI ship): the TypeScript sources would add ~35 MB and ~0.7 CPU-s of start-up.
// `node bench/objstore.bench.ts [rounds, default 3] [MiB, default 2048]`. Prints a markdown table,
// writes reports/bench/objstore.json, exits 1 when a target is missed.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { ObjectStoreClient } from '../electron/main/objstore/client.ts';
import { DEFAULT_PART_SIZE, compositeEtag } from '../electron/main/objstore/limits.ts';
import { DEFAULT_WINDOW, type MultipartState } from '../electron/main/objstore/multipart.ts';
import { readObjstoreEnv, type ObjstoreEnv } from '../electron/main/testing/cloud-setup.ts';
import { startFaultProxy, type FaultProxy } from '../electron/main/testing/fault-proxy.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = process.execPath;
const BUNDLES = path.join(ROOT, 'dist/bench');
const OURS = path.join(BUNDLES, 'objstore-upload-child.mjs');
const ESDK = path.join(BUNDLES, 'esdk-upload-child.mjs');
const ROUNDS = Number(process.argv[2] ?? 3);
const MiB = 1 << 20;
const SIZE = Number(process.argv[3] ?? 2048) * MiB;
const PART = DEFAULT_PART_SIZE;
const WINDOW = DEFAULT_WINDOW;
const BUCKET = 'images';
const PREFIX = 'imagedrop-bench/';
const ENV_FILE = path.join(
  process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud',
  'objstore/objstore.env',
);

interface Timed {
  seconds: number;
  maxRssKb: number;
  cpuSeconds: number;
  stdout: string;
}

/** Runs a command under GNU time: wall seconds, peak RSS and CPU seconds of the process. */
async function timed(cmd: string, args: string[]): Promise<Timed> {
  const out = path.join(tmp, `time-${Math.random()}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', async (code) => {
      try {
        const [e, m, u, s] = (await readFile(out, 'utf8')).trim().split(/\s+/).slice(-4).map(Number);
        if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`));
        resolve({ seconds: e!, maxRssKb: m!, cpuSeconds: u! + s!, stdout });
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Bundles the two upload children into plain JavaScript (esdk stays the npm package it is). */
async function bundleChildren(): Promise<void> {
  const node = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
  for (const [entry, out, external] of [
    ['electron/main/testing/objstore-upload-child.ts', OURS, []],
    ['bench/esdk-upload-child.ts', ESDK, ['esdk-obs-nodejs']],
  ] as const) {
    await build({
      root: ROOT,
      configFile: false,
      logLevel: 'warn',
      build: {
        outDir: BUNDLES,
        emptyOutDir: false,
        target: 'node22',
        ssr: path.join(ROOT, entry),
        minify: false,
        rollupOptions: {
          external: [...node, ...external],
          output: { format: 'es', entryFileNames: path.basename(out) },
        },
      },
      ssr: { noExternal: true },
    });
  }
}

async function settle(): Promise<void> {
  await run('sync');
  await new Promise((r) => setTimeout(r, 1000));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mibps = (s: number) => SIZE / MiB / s;

let tmp = '';
let env: ObjstoreEnv;
let client: ObjectStoreClient;
let expectedEtag = '';
const written = new Set<string>();

async function makeFile(): Promise<string> {
  const file = path.join(tmp, 'bench.raw');
  const h = await open(file, 'w');
  const md5s: Buffer[] = [];
  for (let at = 0; at < SIZE; at += PART) {
    const part = randomBytes(Math.min(PART, SIZE - at));
    md5s.push(createHash('md5').update(part).digest());
    await h.write(part);
  }
  await h.close();
  expectedEtag = compositeEtag(md5s);
  return file;
}

function storeConfig(endpoint = env.OBJSTORE_ENDPOINT) {
  return {
    endpoint,
    region: env.OBJSTORE_REGION,
    credentials: { accessKeyId: env.OBJSTORE_ACCESS_KEY, secretAccessKey: env.OBJSTORE_SECRET_KEY },
  };
}

function doneLine(stdout: string): { etag: string; seconds: number; sentParts: number; reusedParts: number } {
  const done = stdout.split('\n').find((l) => l.startsWith('done '));
  if (!done)
    throw new Error(
      `the upload child did not finish: ${stdout.split('\n').find((l) => l.startsWith('error ')) ?? stdout.slice(-300)}`,
    );
  return JSON.parse(done.slice(5)) as { etag: string; seconds: number; sentParts: number; reusedParts: number };
}

async function ours(file: string, round: number): Promise<Timed & { transfer: number }> {
  const key = `${PREFIX}ours-${round}`;
  written.add(key);
  const config = {
    file,
    stateFile: path.join(tmp, `ours-${round}.json`),
    bucket: BUCKET,
    key,
    store: storeConfig(),
    options: { partSize: PART, window: WINDOW },
  };
  const t = await timed(NODE, [OURS, JSON.stringify(config)]);
  const done = doneLine(t.stdout);
  if (done.etag !== expectedEtag) throw new Error(`ours: ETag ${done.etag}, expected ${expectedEtag}`);
  await client.deleteObject(BUCKET, key, AbortSignal.timeout(120_000));
  return { ...t, transfer: done.seconds };
}

async function esdk(file: string, round: number): Promise<Timed & { transfer: number }> {
  const key = `${PREFIX}esdk-${round}`;
  written.add(key);
  const config = {
    file,
    key,
    bucket: BUCKET,
    endpoint: env.OBJSTORE_ENDPOINT,
    accessKeyId: env.OBJSTORE_ACCESS_KEY,
    secretAccessKey: env.OBJSTORE_SECRET_KEY,
    partSize: PART,
    taskNum: WINDOW,
    checkpointFile: path.join(tmp, `esdk-${round}.checkpoint`),
  };
  const t = await timed(NODE, [ESDK, JSON.stringify(config)]);
  const r = JSON.parse(t.stdout.trim().split('\n').at(-1)!) as { status: number; etag?: string; seconds: number };
  if (r.status >= 300) throw new Error(`esdk uploadFile answered ${r.status}`);
  if (r.etag?.replaceAll('"', '') !== expectedEtag) throw new Error(`esdk: ETag ${r.etag}, expected ${expectedEtag}`);
  await client.deleteObject(BUCKET, key, AbortSignal.timeout(120_000));
  return { ...t, transfer: r.seconds };
}

async function swiftToken(): Promise<{ token: string; storageUrl: string }> {
  const res = await fetch(env.OBJSTORE_SWIFT_AUTH_URL, {
    headers: { 'x-auth-user': env.OBJSTORE_SWIFT_USER, 'x-auth-key': env.OBJSTORE_SWIFT_KEY },
  });
  await res.arrayBuffer();
  const token = res.headers.get('x-auth-token');
  if (!token) throw new Error(`Swift auth answered ${res.status}`);
  return { token, storageUrl: env.OBJSTORE_SWIFT_STORAGE_URL };
}

async function curl(file: string, round: number): Promise<Timed> {
  const key = `${PREFIX}curl-${round}`;
  written.add(key);
  const { token, storageUrl } = await swiftToken();
  const t = await timed('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-T',
    file,
    '-H',
    `X-Auth-Token: ${token}`,
    `${storageUrl}/${BUCKET}/${key}`,
  ]);
  if (t.stdout !== '201') throw new Error(`curl PUT answered ${t.stdout}`);
  await client.deleteObject(BUCKET, key, AbortSignal.timeout(120_000));
  return t;
}

/** K: SIGKILL at 50 %, then resume; what the resume sent, from the proxy's log. */
async function killAndResume(file: string): Promise<{
  stored: number;
  started: number;
  sentOnResume: number;
  resent: number;
  overlap: number;
  etagOk: boolean;
}> {
  const proxy: FaultProxy = await startFaultProxy({ host: '127.0.0.1', port: 18080 });
  const key = `${PREFIX}killed`;
  written.add(key);
  const stateFile = path.join(tmp, 'killed.json');
  const total = Math.ceil(SIZE / PART);
  const partsIn = (from: number, to = proxy.requests.length) =>
    new Set(
      proxy.requests
        .slice(from, to)
        .map((r) => /^PUT \S*[?&]partNumber=(\d+)&/.exec(r)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number),
    );
  try {
    const config = {
      file,
      stateFile,
      bucket: BUCKET,
      key,
      store: storeConfig(proxy.url),
      options: { partSize: PART, window: WINDOW, saveIntervalMs: 0 },
    };
    const child = spawn(NODE, [OURS, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const confirmed = [...buffer.matchAll(/^state (\d+)$/gm)].map((m) => Number(m[1])).at(-1) ?? 0;
      if (confirmed >= total / 2) child.kill('SIGKILL');
    });
    await exited;
    const killedAt = proxy.requests.length;
    const started = partsIn(0, killedAt);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as MultipartState;
    let stored: number[] = [];
    for (let same = 0; same < 5; await new Promise((r) => setTimeout(r, 200))) {
      const now = (await client.listParts(BUCKET, key, state.uploadId, AbortSignal.timeout(60_000))).map(
        (p) => p.partNumber,
      );
      same = now.length === stored.length ? same + 1 : 0;
      stored = now;
    }
    const resumedFrom = proxy.requests.length;
    const t = await timed(NODE, [OURS, JSON.stringify(config)]);
    const done = doneLine(t.stdout);
    const sent = partsIn(resumedFrom);
    await client.deleteObject(BUCKET, key, AbortSignal.timeout(120_000));
    return {
      stored: stored.length,
      started: started.size,
      sentOnResume: sent.size,
      resent: [...sent].filter((n) => started.has(n)).length,
      overlap: stored.filter((n) => sent.has(n)).length,
      etagOk: done.etag === expectedEtag && done.reusedParts === stored.length,
    };
  } finally {
    await proxy.close();
  }
}

interface Row {
  readonly bench: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean;
}

async function main(): Promise<void> {
  const up = await fetch('http://127.0.0.1:18080/healthcheck').then(
    (r) => r.ok,
    () => false,
  );
  if (!up) await run('bash', [path.join(ROOT, 'scripts/testcloud/up.sh')], { maxBuffer: 16 << 20 });
  env = await readObjstoreEnv(ENV_FILE);
  client = new ObjectStoreClient(storeConfig());
  process.stderr.write('bundling the upload children…\n');
  await bundleChildren();
  tmp = await mkdtemp('/var/tmp/imagedrop-bench-objstore-');
  const results = {
    ours: [] as (Timed & { transfer: number })[],
    esdk: [] as (Timed & { transfer: number })[],
    curl: [] as Timed[],
  };
  const rows: Row[] = [];
  let kill: Awaited<ReturnType<typeof killAndResume>> | undefined;
  try {
    process.stderr.write(`making a ${SIZE / MiB} MiB test file…\n`);
    const file = await makeFile();
    await readFile(file).catch(() => undefined); // into the page cache, for every contender alike
    await settle();
    const order = ['ours', 'esdk', 'curl'] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const turn = [...order.slice(round % 3), ...order.slice(0, round % 3)];
      for (const who of turn) {
        process.stderr.write(`round ${round + 1}/${ROUNDS}: ${who}…\n`);
        if (who === 'ours') results.ours.push(await ours(file, round));
        else if (who === 'esdk') results.esdk.push(await esdk(file, round));
        else results.curl.push(await curl(file, round));
        await settle();
      }
    }
    process.stderr.write('K: SIGKILL at 50 %, then resume…\n');
    kill = await killAndResume(file);
  } finally {
    for (const key of written) {
      for (const u of await client.listMultipartUploads(BUCKET, key, AbortSignal.timeout(60_000)).catch(() => [])) {
        await client.abortMultipartUpload(BUCKET, key, u.uploadId, AbortSignal.timeout(60_000)).catch(() => undefined);
      }
      await client.deleteObject(BUCKET, key, AbortSignal.timeout(60_000)).catch(() => undefined);
    }
    await rm(tmp, { recursive: true, force: true });
  }

  const oursT = median(results.ours.map((r) => r.transfer));
  const esdkT = median(results.esdk.map((r) => r.transfer));
  const curlT = median(results.curl.map((r) => r.seconds));
  const rssMb = (kb: number) => (kb * 1024) / 1e6;
  const oursRss = Math.max(...results.ours.map((r) => rssMb(r.maxRssKb)));
  const table = [
    `Object store, ${SIZE / MiB} MiB into the loopback Swift (s3api), ${PART / MiB} MiB parts, ${WINDOW} in flight; ${ROUNDS} rounds (${new Date().toISOString()})`,
    '',
    '| contender | MiB/s per round | median | client CPU s (median) | peak RSS MB (max) |',
    '|---|---|---|---|---|',
    `| Imagedrop uploadMultipart (MD5 per part, Content-MD5, ETag and composite checked) | ${results.ours.map((r) => mibps(r.transfer).toFixed(0)).join(', ')} | ${mibps(oursT).toFixed(0)} | ${median(results.ours.map((r) => r.cpuSeconds)).toFixed(2)} | ${oursRss.toFixed(0)} |`,
    `| esdk-obs-nodejs uploadFile (checkpoint on, no checks) | ${results.esdk.map((r) => mibps(r.transfer).toFixed(0)).join(', ')} | ${mibps(esdkT).toFixed(0)} | ${median(results.esdk.map((r) => r.cpuSeconds)).toFixed(2)} | ${Math.max(...results.esdk.map((r) => rssMb(r.maxRssKb))).toFixed(0)} |`,
    `| curl -T, one Swift-API PUT (not S3, no multipart) | ${results.curl.map((r) => mibps(r.seconds).toFixed(0)).join(', ')} | ${mibps(curlT).toFixed(0)} | ${median(results.curl.map((r) => r.cpuSeconds)).toFixed(2)} | ${Math.max(...results.curl.map((r) => rssMb(r.maxRssKb))).toFixed(0)} |`,
  ];
  const ratio = esdkT / oursT;
  rows.push({
    bench: 'throughput, Imagedrop ÷ esdk uploadFile (medians)',
    value: `${ratio.toFixed(2)}×`,
    target: '≥ 1.0×',
    pass: ratio >= 1.0,
  });
  rows.push({
    bench: 'peak RSS of the Imagedrop upload process',
    value: `${oursRss.toFixed(0)} MB`,
    target: '≤ 200 MB',
    pass: oursRss <= 200,
  });
  if (kill) {
    rows.push({
      bench: `SIGKILL at 50 %: ${kill.stored} parts stored, ${kill.started} had been started; the resume sent ${kill.sentOnResume}`,
      value: `${kill.overlap} stored parts re-sent, ${kill.resent} started parts re-sent, ETag ${kill.etagOk ? 'verified' : 'WRONG'}`,
      target: `0 stored re-sent, ≤ ${WINDOW} (the window) in flight re-sent`,
      pass: kill.overlap === 0 && kill.resent <= WINDOW && kill.etagOk,
    });
  }
  const lines = [
    ...table,
    '',
    '| check | result | target | |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.bench} | ${r.value} | ${r.target} | ${r.pass ? 'PASS' : 'FAIL'} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, 'reports/bench'), { recursive: true });
  writeFileSync(path.join(ROOT, 'reports/bench/objstore.json'), JSON.stringify({ results, kill, rows }, null, 1));
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

await main();
