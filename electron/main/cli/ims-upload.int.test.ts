// `cli upload --route register` of a 512 MiB raw image to the IMS emulator (on the real Keystone,
// Glance and Swift), killed once in the middle of the object upload and finished with `cli resume`:
// the store's own ListParts, read after the kill, names the parts that were stored, and none of them
// goes again; the image ends active holding the file, verified by the object's ETag. The times of
// each leg are printed for the benchmark notes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ROOT, glanceFor, randomFile, removeDir, tempDir } from '../testing/cloud.ts';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.ts';
import { startTestEmulator, writeHuaweiClouds } from '../testing/ims-cloud.ts';
import type { ImsEmulator } from '../testing/ims-emulator/index.ts';
import { objstoreEnv, storeClient } from '../testing/objstore.ts';

const NODE = path.join(ROOT, 'node_modules/.bin/node');
const CLI = path.join(ROOT, 'electron/main/cli/index.ts');
const MiB = 1 << 20;
const SIZE = 512 * MiB;
const PART = 16 * MiB;
const OS = 'Ubuntu 18.04 server 64bit';
const PART_PUT = /^PUT \/images\/[^ ]*\?partNumber=(\d+)/;

let emulator: ImsEmulator;
let proxy: FaultProxy;
let dir: string;
let clouds: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const store = new URL(objstoreEnv().OBJSTORE_ENDPOINT);
  proxy = await startFaultProxy({ host: store.hostname, port: Number(store.port) });
  dir = await tempDir('imagedrop-ims-cli-upload-');
  clouds = await writeHuaweiClouds(dir, emulator, { obsEndpoint: proxy.url });
});

afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
  await removeDir(dir);
});

function start(args: string[]) {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      OS_CLIENT_CONFIG_FILE: clouds,
      IMAGEDROP_DATA_DIR: path.join(dir, 'data'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

interface LoggedJob {
  id: string;
  targetState: {
    multipart: { uploadId: string; bucket: string; key: string; partMd5s: (string | null)[] } | null;
  } | null;
}

async function loggedJob(): Promise<LoggedJob | null> {
  const folder = path.join(dir, 'data', 'cli-jobs');
  const files = await readdir(folder).catch(() => [] as string[]);
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    try {
      const log = JSON.parse(await readFile(path.join(folder, f), 'utf8')) as { jobs: LoggedJob[] };
      if (log.jobs[0]) return log.jobs[0];
    } catch {
      // mid-rename: look again
    }
  }
  return null;
}

async function md5AndComposite(file: string): Promise<{ md5: string; etag: string }> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: MiB }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    part.update(chunk);
    inPart += chunk.length;
    if (inPart === PART) {
      parts.push(part.digest());
      part = createHash('md5');
      inPart = 0;
    }
  }
  if (inPart > 0) parts.push(part.digest());
  return {
    md5: whole.digest('hex'),
    etag: `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`,
  };
}

describe('cli upload --route register, killed mid-upload and resumed', () => {
  it('a 512 MiB raw image: only the parts the store lacks are sent again; active, and verified by ETag', async () => {
    const file = await randomFile(dir, 'disk-512.raw', SIZE);
    const expected = await md5AndComposite(file);
    const t0 = Date.now();
    const first = start(['upload', file, '--cloud', 'hw', '--route', 'register', '--os-version', OS, '--json']);
    // Kill it once the store has confirmed about half of the 32 parts.
    let job: LoggedJob | null;
    for (;;) {
      job = await loggedJob();
      const confirmed = job?.targetState?.multipart?.partMd5s.filter((m) => m !== null).length ?? 0;
      if (confirmed >= 14) break;
      if (Date.now() - t0 > 180_000)
        throw new Error(`no progress: ${(await Promise.race([first.done, Promise.resolve(null)]))?.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill('SIGKILL');
    await first.done;
    const killedAt = (Date.now() - t0) / 1000;
    const multipart = job!.targetState!.multipart!;
    // The store's own truth once it settled: which parts it holds.
    await new Promise((r) => setTimeout(r, 1_500));
    const stored = (
      await storeClient().listParts(multipart.bucket, multipart.key, multipart.uploadId, AbortSignal.timeout(30_000))
    ).map((p) => p.partNumber);
    expect(stored.length).toBeGreaterThanOrEqual(14);
    expect(stored.length).toBeLessThan(32);
    const before = proxy.requests.length;

    const t1 = Date.now();
    const resumed = await start(['resume', job!.id, '--json']).done;
    const resumeSeconds = (Date.now() - t1) / 1000;
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({
      route: 'register',
      status: 'active',
      verified: true,
      verifiedBy: 'etag',
      etag: expected.etag,
      bucket: 'images',
      object: multipart.key,
    });
    expect(typeof result.jobId).toBe('string');
    // Only what the store lacked went again.
    const resent = proxy.requests
      .slice(before)
      .map((r) => PART_PUT.exec(r)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    expect(resent.filter((n) => stored.includes(n))).toEqual([]);
    expect(new Set([...stored, ...resent]).size).toBe(32);
    // The image in the real Glance behind the emulator holds exactly the file.
    const image = await (await glanceFor(ADMIN)).getImage(result.imageId as string, AbortSignal.timeout(10_000));
    expect(image.checksum).toBe(expected.md5);
    await (await glanceFor(ADMIN)).deleteImage(image.id, AbortSignal.timeout(30_000));
    console.log(
      `ims register 512 MiB: killed at ${killedAt.toFixed(1)} s with ${stored.length}/32 parts stored; resume ${resumeSeconds.toFixed(1)} s sent ${resent.length} parts (none of the stored ones), registered and active.`,
    );
  }, 600_000);
});

describe('cli uploads: what OBS keeps until someone aborts it', () => {
  it('lists the unfinished uploads under imagedrop/, aborts one, and never one a CLI job or the app’s queue can still resume', async () => {
    const client = storeClient();
    const signal = () => AbortSignal.timeout(30_000);
    const orphanKey = `imagedrop/orphan-${Date.now()}/disk.raw`;
    const orphan = await client.initiateMultipartUpload('images', orphanKey, {}, signal());
    const heldKey = `imagedrop/held-${Date.now()}/disk.raw`;
    const held = await client.initiateMultipartUpload('images', heldKey, {}, signal());
    const appKey = `imagedrop/app-${Date.now()}/disk.raw`;
    const appHeld = await client.initiateMultipartUpload('images', appKey, {}, signal());
    // A CLI job log whose interrupted job still uses the second upload.
    const { newJobState } = await import('../upload/job-state.ts');
    const { JobLog } = await import('../upload/job-log.ts');
    const request = {
      path: '/images/disk.raw',
      name: 'x',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    } as const;
    const holding = (id: string, key: string, uploadId: string) => ({
      ...newJobState(id, request, 'ims-register', { key: null, name: 'hw', userName: null }, 1),
      phase: 'interrupted' as const,
      targetState: {
        route: 'register',
        multipart: {
          version: 1,
          bucket: 'images',
          key,
          uploadId,
          partSize: 1,
          file: { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1 },
          partMd5s: [],
        },
      },
    });
    const log = new JobLog(path.join(dir, 'data', 'cli-jobs', 'held.json'));
    await log.save(() => [holding('job-held', heldKey, held)]);
    await log.flush();
    // The app's own queue, in the same data folder: its paused job still uses the third upload.
    const appLog = new JobLog(path.join(dir, 'data', 'jobs.json'));
    await appLog.save(() => [holding('job-app', appKey, appHeld)]);
    await appLog.flush();
    try {
      const cli = (args: string[]) => start(args).done;
      const listed = await cli(['uploads', '--cloud', 'hw', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as { uploadId: string; key: string; job: string | null }[];
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ uploadId: orphan, key: orphanKey, job: null }),
          expect.objectContaining({ uploadId: held, key: heldKey, job: 'job-held' }),
          expect.objectContaining({ uploadId: appHeld, key: appKey, job: 'job-app' }),
        ]),
      );
      const refused = await cli(['uploads', 'abort', held, '--cloud', 'hw']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/job job-held can still resume it/);
      const refusedApp = await cli(['uploads', 'abort', appHeld, '--cloud', 'hw']);
      expect(refusedApp.code).toBe(1);
      expect(refusedApp.stderr).toMatch(/job job-app can still resume it/);
      const aborted = await cli(['uploads', 'abort', orphan, '--cloud', 'hw']);
      expect(aborted.code, aborted.stderr).toBe(0);
      const after = (await client.listMultipartUploads('images', 'imagedrop/', signal())).map((u) => u.uploadId);
      expect(after).not.toContain(orphan);
      expect(after).toContain(held);
      expect(after).toContain(appHeld);
    } finally {
      await client.abortMultipartUpload('images', appKey, appHeld, signal()).catch(() => {});
      await appLog.remove();
      await client.abortMultipartUpload('images', heldKey, held, signal()).catch(() => {});
      await client.abortMultipartUpload('images', orphanKey, orphan, signal()).catch(() => {});
      await log.remove();
    }
  });
});
