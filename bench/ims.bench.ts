// IMS routes, end to end through the CLI, against the IMS emulator on the test cloud's real Keystone,
// Glance and Swift: 512 MiB of random data through register, create and native (each to `active`),
// beside, in the same run, what Huawei's own tooling does (packer's post-processor: one PUT of the
// whole object, then IMS's create, then polling the job; no part checks, no resume), timed the same
// way. Prints a table and writes reports/bench/ims.json. `node bench/ims.bench.ts [MiB]`.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chooseCloud } from '../electron/main/openstack/cloud-config.ts';
import { HuaweiSession } from '../electron/main/huawei/session.ts';
import { ImsClient, waitForJob } from '../electron/main/huawei/ims.ts';
import { GlanceClient } from '../electron/main/openstack/glance.ts';
import { Session } from '../electron/main/openstack/session.ts';
import { startImsEmulator } from '../electron/main/testing/ims-emulator/index.ts';
import { testCloudBackends } from '../electron/main/testing/ims-emulator/testcloud.ts';
import { huaweiCloudsYaml } from '../electron/main/testing/ims-emulator/clouds.ts';
import { closeDispatchers } from '../electron/main/openstack/http.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MiB = 1 << 20;
const SIZE = Number(process.argv[2] ?? 512) * MiB;
const OS = 'Ubuntu 18.04 server 64bit';

async function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; rssMb: number; stdout: string }> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`);
  const rss = Number(stderr.trim().split('\n').at(-1));
  return { seconds: (performance.now() - started) / 1000, rssMb: Math.round(rss / 1024), stdout };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-ims-bench-'));
const file = path.join(dir, 'disk.raw');
{
  const handle = await open(file, 'w');
  const chunk = randomBytes(4 * MiB);
  for (let at = 0; at < SIZE; at += chunk.length)
    await handle.write(chunk.subarray(0, Math.min(chunk.length, SIZE - at)));
  await handle.close();
}
const backends = await testCloudBackends();
const emulator = await startImsEmulator({ ...backends, jobInitMs: 150 });
const clouds = path.join(dir, 'clouds.yaml');
await writeFile(clouds, huaweiCloudsYaml(emulator, { extra: { ims_native_upload_limit: '4GiB' } }));
const env = { ...process.env, OS_CLIENT_CONFIG_FILE: clouds, IMAGEDROP_DATA_DIR: path.join(dir, 'data') };
await mkdir(path.join(dir, 'data'), { recursive: true });
const config = await chooseCloud({ cloud: 'hw', env: { OS_CLIENT_CONFIG_FILE: clouds }, cwd: dir });
const adminConfig = await chooseCloud({
  cloud: 'imagedrop-admin',
  env: {
    OS_CLIENT_CONFIG_FILE: path.join(
      process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud',
      'clouds.yaml',
    ),
  },
  cwd: dir,
});
const glance = new GlanceClient(await Session.open(adminConfig, AbortSignal.timeout(60_000)));

// The CLI's bundle is built once before anything is timed.
await timed(path.join(ROOT, 'node_modules/.bin/node'), [path.join(ROOT, 'scripts/cli.mjs'), 'help'], env);

const rows: { contender: string; seconds: number; mibPerSecond: number; rssMb: number | null; checks: string }[] = [];
const created: string[] = [];
try {
  for (const route of ['register', 'create', 'native'] as const) {
    const r = await timed(
      path.join(ROOT, 'node_modules/.bin/node'),
      [
        path.join(ROOT, 'scripts/cli.mjs'),
        'upload',
        file,
        '--cloud',
        'hw',
        '--route',
        route,
        '--os-version',
        OS,
        '--min-disk',
        '40',
        '--json',
      ],
      env,
    );
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      imageId: string;
      verified: boolean;
      verifiedBy: string | null;
    };
    created.push(line.imageId);
    rows.push({
      contender: `Imagedrop cli upload --route ${route}`,
      seconds: r.seconds,
      mibPerSecond: SIZE / MiB / r.seconds,
      rssMb: r.rssMb,
      checks:
        route === 'native' ? 'none (IMS reports no checksum)' : `parts by MD5, object by ETag (${line.verifiedBy})`,
    });
  }
  // packer's huaweicloud-import post-processor: one PUT of the whole object, then create, then the job.
  const session = await HuaweiSession.open(config, AbortSignal.timeout(60_000));
  const ims = new ImsClient(session);
  const key = `bench/${Date.now()}/disk.raw`;
  const store = await swift();
  const started = performance.now();
  const put = await timed(
    'curl',
    ['-sS', '-f', '-T', file, '-H', `x-auth-token: ${store.token}`, `${store.storageUrl}/images/${key}`],
    env,
  );
  const { jobId } = await ims.createImageFromObs(
    { name: `imagedrop-bench-packer-${Date.now()}`, object: { bucket: 'images', key }, minDisk: 40, osVersion: OS },
    AbortSignal.timeout(60_000),
  );
  // Polled as Imagedrop polls (500 ms growing to 5 s): the comparison is of what happens between.
  const job = await waitForJob(ims, jobId, {
    signal: AbortSignal.timeout(30 * 60_000),
    intervalMs: 500,
    maxIntervalMs: 5_000,
  });
  const seconds = (performance.now() - started) / 1000;
  if (job.imageId) created.push(job.imageId);
  rows.push({
    contender: 'packer-style: one PUT of the object (curl -T), create, poll the job',
    seconds,
    mibPerSecond: SIZE / MiB / seconds,
    rssMb: put.rssMb,
    checks: 'none',
  });
  await fetch(`${store.storageUrl}/images/${key}`, { method: 'DELETE', headers: { 'x-auth-token': store.token } });
} finally {
  for (const id of created) await glance.deleteImage(id, AbortSignal.timeout(60_000)).catch(() => {});
  await emulator.close();
  await closeDispatchers();
  await rm(dir, { recursive: true, force: true });
}

async function swift(): Promise<{ token: string; storageUrl: string }> {
  const res = await fetch(backends.swift!.authUrl, {
    headers: { 'x-auth-user': backends.swift!.user, 'x-auth-key': backends.swift!.key },
  });
  await res.arrayBuffer();
  return { token: res.headers.get('x-auth-token')!, storageUrl: res.headers.get('x-storage-url')! };
}

process.stdout.write(
  `${SIZE / MiB} MiB of random data to active, through the IMS emulator (real Keystone, Glance, Swift):\n\n`,
);
process.stdout.write('| contender | seconds | MiB/s | peak RSS | checks |\n|---|---|---|---|---|\n');
for (const r of rows) {
  process.stdout.write(
    `| ${r.contender} | ${r.seconds.toFixed(1)} | ${r.mibPerSecond.toFixed(0)} | ${r.rssMb ?? '—'} MB | ${r.checks} |\n`,
  );
}
await mkdir(path.join(ROOT, 'reports/bench'), { recursive: true });
await writeFile(
  path.join(ROOT, 'reports/bench/ims.json'),
  JSON.stringify({ sizeBytes: SIZE, at: new Date().toISOString(), rows }, null, 1),
);
