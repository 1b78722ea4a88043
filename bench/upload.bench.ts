// Upload benchmarks, each beside its competitor measured in the same run:
//   A  1 GiB to the real Glance: `cli upload` (create + upload + active + sha512 verified) against
//      `curl -T` into a pre-created image (no verification). Target: ≥ 0.95× curl's throughput.
//      Reported twice: the whole command, and the transfer alone (the command's wall time minus
//      its fixed cost, measured in the same run with a 1 KiB upload).
//   B  50 MiB end to end (auth, create, upload, active, verified): `cli upload` against
//      `openstack image create --file`. Target: at least 2× faster.
//   C  The client pipeline alone into a loopback server that discards the body, sha512 on.
//      Target ≥ 400 MB/s; `curl -T` into the same server is the ceiling.
//   D  Peak RSS of the upload process: 100 MiB (real Glance, and the discard server) and an 8 GiB
//      sparse file, both through the pipeline into the discard server and through the whole
//      `cli upload` into the real Glance (the test cloud's 1100 MiB cap and 4 GB quota are raised
//      for that one upload, then put back). Target ≤ 150 MB each.
// `node bench/upload.bench.ts [rounds, default 5]` — needs the test cloud (started when down). Prints a
// markdown table, writes reports/bench/upload.json, exits 1 when a target is missed.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatBytes } from '../shared/format.ts';
import { chooseCloud } from '../electron/main/openstack/cloud-config.ts';
import { GlanceClient } from '../electron/main/openstack/glance.ts';
import { closeDispatchers } from '../electron/main/openstack/http.ts';
import { Session } from '../electron/main/openstack/session.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = process.execPath;
// What `npm run cli` runs: the bundled CLI, rebuilt first when a source is newer.
const CLI = path.join(ROOT, 'scripts/cli.mjs');
const CLOUD = 'imagedrop-admin';
const CLOUDS_YAML = '/var/tmp/imagedrop-testcloud/clouds.yaml';
const ROUNDS = Number(process.argv[2] ?? 5);
const MiB = 1 << 20;
const GiB = 1 << 30;

interface Timed {
  seconds: number;
  maxRssKb: number;
  stdout: string;
  code: number;
}

/** Runs a command under GNU time: wall seconds and peak RSS of the process. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const out = path.join(tmp, `time-${Math.random()}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', async (code) => {
      try {
        const [e, m] = (await readFile(out, 'utf8')).trim().split(/\s+/).slice(-2);
        if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
        resolve({ seconds: Number(e), maxRssKb: Number(m), stdout, code: code ?? -1 });
      } catch (err) {
        reject(err);
      }
    });
  });
}

async function randomFile(name: string, size: number): Promise<string> {
  const file = path.join(tmp, name);
  const h = await open(file, 'w');
  for (let left = size; left > 0; left -= 8 * MiB) await h.write(randomBytes(Math.min(left, 8 * MiB)));
  await h.close();
  return file;
}

/**
 * Between runs: write back what the last upload left in the page cache and let the disk settle,
 * so no contender pays for the previous one's writeback.
 */
async function settle(): Promise<void> {
  await run('sync');
  await new Promise((r) => setTimeout(r, 1000));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (bytes: number, s: number) => bytes / s / 1e6;

let tmp = '';
let glance: GlanceClient;
const created = new Set<string>();

async function cliUpload(file: string): Promise<Timed & { imageId: string }> {
  const t = await timed(NODE, [CLI, 'upload', file, '--cloud', CLOUD, '--json'], {
    OS_CLIENT_CONFIG_FILE: CLOUDS_YAML,
    IMAGEDROP_DATA_DIR: path.join(tmp, 'data'),
  });
  const line = JSON.parse(t.stdout.trim().split('\n').at(-1)!) as { imageId: string; verified: boolean };
  if (!line.verified) throw new Error(`cli upload of ${file} was not verified`);
  created.add(line.imageId);
  await glance.deleteImage(line.imageId, AbortSignal.timeout(60_000));
  return { ...t, imageId: line.imageId };
}

async function curlPut(file: string, size: number): Promise<Timed> {
  const image = await glance.createImage(
    { name: 'bench-curl', diskFormat: 'raw', containerFormat: 'bare' },
    AbortSignal.timeout(30_000),
  );
  created.add(image.id);
  const token = await glance.session.token(AbortSignal.timeout(30_000));
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
    '-H',
    'Content-Type: application/octet-stream',
    '-H',
    `x-openstack-image-size: ${size}`,
    `${glance.session.imageRoot}/v2/images/${image.id}/file`,
  ]);
  if (t.stdout !== '204') throw new Error(`curl PUT answered ${t.stdout}`);
  await glance.deleteImage(image.id, AbortSignal.timeout(60_000));
  return t;
}

async function openstackCreate(file: string): Promise<Timed> {
  const t = await timed(
    'openstack',
    [
      '--os-cloud',
      CLOUD,
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      '--private',
      '-f',
      'value',
      '-c',
      'id',
      `bench-osc-${Date.now()}`,
    ],
    { OS_CLIENT_CONFIG_FILE: CLOUDS_YAML },
  );
  const id = t.stdout.trim();
  created.add(id);
  const image = await glance.getImage(id, AbortSignal.timeout(30_000));
  if (image.status !== 'active') throw new Error(`openstack image create left ${image.status}`);
  await glance.deleteImage(id, AbortSignal.timeout(60_000));
  return t;
}

/**
 * Runs `f` with the test cloud's image size cap and quota raised (glance-api restarts with them),
 * and puts the cloud back as the tests expect it afterwards, whatever happens.
 */
async function withRaisedCap<T>(f: () => Promise<T>): Promise<T> {
  const up = (env: NodeJS.ProcessEnv) =>
    run('bash', [path.join(ROOT, 'scripts/testcloud/up.sh')], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  await up({ IMAGEDROP_TESTCLOUD_SIZE_CAP: String(10 * GiB), IMAGEDROP_TESTCLOUD_QUOTA: '40GB' });
  try {
    return await f();
  } finally {
    await up({});
  }
}

async function discardServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(NODE, [path.join(ROOT, 'electron/main/testing/discard-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { port, stop: () => child.kill() };
}

interface Row {
  readonly bench: string;
  readonly ours: string;
  readonly competitor: string;
  readonly result: string;
  readonly target: string;
  readonly pass: boolean;
}

async function main(): Promise<void> {
  const up = await fetch('http://127.0.0.1:9292/').then(
    () => true,
    () => false,
  );
  if (!up) await run('bash', [path.join(ROOT, 'scripts/testcloud/up.sh')], { maxBuffer: 16 << 20 });
  tmp = await mkdtemp('/var/tmp/imagedrop-bench-');
  const session = await Session.open(
    await chooseCloud({ cloud: CLOUD, env: { OS_CLIENT_CONFIG_FILE: CLOUDS_YAML }, cwd: tmp }),
    AbortSignal.timeout(30_000),
  );
  glance = new GlanceClient(session);
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  try {
    process.stderr.write('making test files…\n');
    const big = await randomFile('1GiB.raw', GiB);
    const mid = await randomFile('100MiB.raw', 100 * MiB);
    const small = await randomFile('50MiB.raw', 50 * MiB);
    const tiny = await randomFile('1KiB.raw', 1024);
    const sparse = path.join(tmp, '8GiB-sparse.raw');
    await writeFile(sparse, '');
    await truncate(sparse, 8 * GiB);
    await readFile(big); // into the page cache, for every contender alike
    await settle(); // the test files' own writeback must not land on the first round

    // A — 1 GiB to the real Glance.
    process.stderr.write('A: 1 GiB, cli upload vs curl -T …\n');
    const a = { cli: [] as number[], curl: [] as number[], fixed: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      a.fixed.push((await cliUpload(tiny)).seconds);
      await settle();
      // Alternate who goes first, and settle the disk between runs.
      for (const contender of i % 2 === 0 ? ['curl', 'cli'] : ['cli', 'curl']) {
        if (contender === 'curl') a.curl.push((await curlPut(big, GiB)).seconds);
        else a.cli.push((await cliUpload(big)).seconds);
        await settle();
      }
    }
    const curlA = mbps(GiB, median(a.curl));
    const cliWhole = mbps(GiB, median(a.cli));
    const cliTransfer = mbps(GiB, median(a.cli) - median(a.fixed));
    raw.a = a;
    rows.push({
      bench: 'A 1 GiB → real Glance (whole command: auth, create, upload, active, sha512 verified)',
      ours: `${cliWhole.toFixed(0)} MB/s (${median(a.cli).toFixed(2)} s)`,
      competitor: `curl -T ${curlA.toFixed(0)} MB/s (${median(a.curl).toFixed(2)} s, PUT only, no check)`,
      result: `${(cliWhole / curlA).toFixed(2)}×`,
      target: '≥ 0.95×',
      pass: cliWhole / curlA >= 0.95,
    });
    rows.push({
      bench: `A 1 GiB → real Glance (transfer: minus the ${median(a.fixed).toFixed(2)} s fixed cost of a 1 KiB upload)`,
      ours: `${cliTransfer.toFixed(0)} MB/s`,
      competitor: `curl -T ${curlA.toFixed(0)} MB/s`,
      result: `${(cliTransfer / curlA).toFixed(2)}×`,
      target: '≥ 0.95×',
      pass: cliTransfer / curlA >= 0.95,
    });

    // B — 50 MiB end to end.
    process.stderr.write('B: 50 MiB end to end, cli upload vs openstack image create --file …\n');
    const b = { cli: [] as number[], osc: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const contender of i % 2 === 0 ? ['osc', 'cli'] : ['cli', 'osc']) {
        if (contender === 'osc') b.osc.push((await openstackCreate(small)).seconds);
        else b.cli.push((await cliUpload(small)).seconds);
        await settle();
      }
    }
    raw.b = b;
    const speedup = median(b.osc) / median(b.cli);
    rows.push({
      bench: 'B 50 MiB end to end (auth, create, upload, active, verified)',
      ours: `${median(b.cli).toFixed(2)} s`,
      competitor: `openstack image create --file ${median(b.osc).toFixed(2)} s`,
      result: `${speedup.toFixed(2)}× faster`,
      target: '≥ 2×',
      pass: speedup >= 2,
    });

    // C and D — the pipeline alone, into the discard server.
    process.stderr.write('C: client pipeline into a discard server …\n');
    const server = await discardServer();
    try {
      const pipe = async (file: string) => {
        const t = await timed(NODE, [path.join(ROOT, 'bench/pipeline-child.ts'), file, String(server.port), 'sha512']);
        const r = JSON.parse(t.stdout) as { status: number; bytes: number; seconds: number };
        if (r.status !== 204) throw new Error(`discard server answered ${r.status}`);
        return { ...r, maxRssKb: t.maxRssKb };
      };
      const curlDiscard = async (file: string) =>
        timed('curl', [
          '-sS',
          '-o',
          '/dev/null',
          '-T',
          file,
          '-H',
          'Content-Type: application/octet-stream',
          `http://127.0.0.1:${server.port}/`,
        ]);
      const c = { ours: [] as number[], curl: [] as number[] };
      for (let i = 0; i < ROUNDS; i++) {
        c.ours.push((await pipe(big)).seconds);
        c.curl.push((await curlDiscard(big)).seconds);
      }
      raw.c = c;
      const ours = mbps(GiB, median(c.ours));
      rows.push({
        bench: 'C client pipeline, 1 GiB into a discard server, sha512 on',
        ours: `${ours.toFixed(0)} MB/s`,
        competitor: `curl -T ${mbps(GiB, median(c.curl)).toFixed(0)} MB/s (ceiling, no hash)`,
        result: `${ours.toFixed(0)} MB/s`,
        target: '≥ 400 MB/s',
        pass: ours >= 400,
      });

      process.stderr.write('D: peak RSS …\n');
      const rss100Glance = (await cliUpload(mid)).maxRssKb;
      const rss100 = (await pipe(mid)).maxRssKb;
      const rss8g = (await pipe(sparse)).maxRssKb;
      const curlRss = (await curlDiscard(sparse)).maxRssKb;
      process.stderr.write('D: cli upload of 8 GiB (sparse) into the real Glance, its cap raised for this run …\n');
      const big8 = await withRaisedCap(() => cliUpload(sparse));
      const rss8gGlance = big8.maxRssKb;
      raw.d = { rss100Glance, rss100, rss8g, rss8gGlance, seconds8gGlance: big8.seconds, curlRss };
      const mb = (kb: number) => (kb * 1024) / 1e6;
      for (const [what, kb] of [
        ['D peak RSS, cli upload 100 MiB → real Glance (whole CLI process)', rss100Glance],
        [
          `D peak RSS, cli upload 8 GiB sparse → real Glance (whole CLI process, ${big8.seconds.toFixed(0)} s)`,
          rss8gGlance,
        ],
        ['D peak RSS, pipeline 100 MiB → discard server', rss100],
        ['D peak RSS, pipeline 8 GiB sparse → discard server', rss8g],
      ] as const) {
        rows.push({
          bench: what,
          ours: `${mb(kb).toFixed(0)} MB`,
          competitor: `curl -T 8 GiB ${mb(curlRss).toFixed(0)} MB`,
          result: `${mb(kb).toFixed(0)} MB`,
          target: '≤ 150 MB',
          pass: mb(kb) <= 150,
        });
      }
    } finally {
      server.stop();
    }
  } finally {
    for (const id of created) await glance.deleteImage(id, AbortSignal.timeout(30_000)).catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    await closeDispatchers();
  }

  const lines = [
    `Upload benchmarks (${ROUNDS} rounds each, medians; ${new Date().toISOString()})`,
    '',
    '| bench | Imagedrop | competitor (same run) | result | target | |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.bench} | ${r.ours} | ${r.competitor} | ${r.result} | ${r.target} | ${r.pass ? 'PASS' : 'FAIL'} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, 'reports/bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, 'reports/bench/upload.json'),
    JSON.stringify({ rows, raw, sizes: { big: formatBytes(GiB) } }, null, 1),
  );
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

await main();
