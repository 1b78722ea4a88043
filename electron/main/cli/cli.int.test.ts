// The CLI as users run it (`node electron/main/cli/index.ts …`, what `npm run cli` does), as a
// child process against the real test cloud: exit codes, one clear sentence on stderr, --json
// shapes, Ctrl-C, and a process killed mid-upload whose job log lets `resume` finish the job.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGEDROP_PROPERTY } from '../../../shared/glance.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import {
  ADMIN,
  GLANCE,
  ROOT,
  cloudsYaml,
  deleteImages,
  glanceFor,
  randomFile,
  removeDir,
  tempDir,
  writeProxiedClouds,
} from '../testing/cloud.ts';
import { startFaultProxy } from '../testing/fault-proxy.ts';

const NODE = path.join(ROOT, 'node_modules/.bin/node');
// What `npm run cli` runs: the bundled CLI, rebuilt first when a source is newer.
const CLI = path.join(ROOT, 'scripts/cli.mjs');
const MiB = 1 << 20;

let dir: string;
let dataDir: string;
let glance: GlanceClient;
const created = new Set<string>();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      OS_CLIENT_CONFIG_FILE: cloudsYaml(),
      IMAGEDROP_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return start(args, env).done;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-cli-');
  dataDir = path.join(dir, 'data');
  glance = await glanceFor(ADMIN);
});

afterAll(async () => {
  await deleteImages(glance, created);
  await removeDir(dir);
});

describe('cli auth and images', () => {
  it('auth prints the user, project, region and image endpoint, never the token', async () => {
    const r = await cli(['auth', '--cloud', ADMIN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^user\s+admin \(/m);
    expect(r.stdout).toMatch(/^project\s+admin \(/m);
    expect(r.stdout).toMatch(/^region\s+RegionOne$/m);
    expect(r.stdout).toMatch(/^image endpoint\s+http:\/\/127\.0\.0\.1:9292 \(public, API v2\.\d+\)$/m);
    expect(r.stdout).toMatch(/^token\s+hidden; expires /m);
    expect(r.stdout + r.stderr).not.toMatch(/gAAAA/); // Fernet tokens start like this
    const j = await cli(['auth', '--json'], { OS_CLOUD: ADMIN });
    expect(JSON.parse(j.stdout)).toMatchObject({ cloud: ADMIN, user: { name: 'admin' }, region: 'RegionOne' });
  });

  it('chooses the cloud from plain OS_* variables, as an openrc sets them', async () => {
    const r = await cli(['auth', '--json'], {
      OS_CLIENT_CONFIG_FILE: path.join(dir, 'none.yaml'),
      OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'imagedrop-demo-pass',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cloud: 'envvars', user: { name: 'demo' }, project: { name: 'demo' } });
  });

  it('images --json lists every image of the project across pages, with --status', async () => {
    const image = await glance.createImage(
      { name: 'imagedrop-cli-list', diskFormat: 'raw', containerFormat: 'bare' },
      AbortSignal.timeout(10_000),
    );
    created.add(image.id);
    const r = await cli(['images', '--cloud', ADMIN, '--json', '--status', 'queued']);
    expect(r.code).toBe(0);
    const images = JSON.parse(r.stdout) as { id: string; status: string }[];
    expect(images.map((i) => i.id)).toContain(image.id);
    expect(images.every((i) => i.status === 'queued')).toBe(true);
    const bad = await cli(['images', '--cloud', ADMIN, '--status', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status bogus is not an image status/);
  });

  it('images follows next across pages: with --page-size 2 it lists what one big page lists', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const image = await glance.createImage(
        { name: `imagedrop-cli-page-${i}`, diskFormat: 'raw', containerFormat: 'bare' },
        AbortSignal.timeout(10_000),
      );
      created.add(image.id);
      mine.push(image.id);
    }
    const ids = (r: Run) => (JSON.parse(r.stdout) as { id: string }[]).map((i) => i.id).sort();
    const args = ['images', '--cloud', ADMIN, '--json', '--status', 'queued'];
    const paged = await cli([...args, '--page-size', '2']);
    const whole = await cli([...args, '--page-size', '1000']);
    expect(paged.code).toBe(0);
    expect(whole.code).toBe(0);
    // At least 3 images at 2 per page: only following `next` can list them all.
    expect(ids(paged).length).toBeGreaterThanOrEqual(3);
    expect(ids(paged)).toEqual(ids(whole));
    expect(ids(paged)).toEqual(expect.arrayContaining(mine));
    const bad = await cli(['images', '--cloud', ADMIN, '--page-size', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('--page-size 0 is not a page size: give a whole number from 1 to 1000.\n');
  });

  it.each([
    ['no cloud chosen', ['images'], {}, /^No cloud chosen: pass --cloud NAME or set OS_CLOUD \(.*\)\.\n$/],
    [
      'an unknown cloud',
      ['images', '--cloud', 'nope'],
      {},
      /^There is no cloud named 'nope' in .*clouds\.yaml; it has imagedrop-admin, imagedrop-demo\.\n$/,
    ],
    [
      'a wrong password',
      ['auth', '--cloud', ADMIN],
      { OS_PASSWORD: 'wrong' },
      /^Keystone refused the credentials: check the user name, password, domains and project\.\n$/,
    ],
    [
      'a dead endpoint',
      ['auth', '--cloud', ADMIN],
      { OS_AUTH_URL: 'http://127.0.0.1:1/v3' },
      /^Nothing answers at 127\.0\.0\.1:1: check the URL, and that Keystone is running\.\n$/,
    ],
    ['an unknown command', ['frobnicate'], {}, /^Unknown command 'frobnicate'\./],
  ])('%s: non-zero exit, one clear sentence on stderr', async (_what, args, env, sentence) => {
    const r = await cli(args, env as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(sentence);
    expect(r.stdout).toBe('');
  });
});

describe('cli upload', () => {
  it('--json prints one object per image: created, uploaded, active, verified', async () => {
    const a = await randomFile(dir, 'one.raw', 3 * MiB);
    const b = await randomFile(dir, 'two.raw', 2 * MiB);
    const r = await cli([
      'upload',
      a,
      b,
      '--cloud',
      ADMIN,
      '--json',
      '--property',
      'os_distro=cirros',
      '--min-disk',
      '1',
    ]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(2);
    for (const [i, file] of [a, b].entries()) {
      const line = lines[i]!;
      created.add(line.imageId as string);
      expect(Object.keys(line)).toEqual([
        'file',
        'imageId',
        'status',
        'size',
        'checksum',
        'os_hash_algo',
        'os_hash_value',
        'verified',
        'seconds',
      ]);
      const bytes = await readFile(file);
      expect(line).toMatchObject({
        file,
        status: 'active',
        size: bytes.length,
        checksum: createHash('md5').update(bytes).digest('hex'),
        os_hash_algo: 'sha512',
        os_hash_value: createHash('sha512').update(bytes).digest('hex'),
        verified: true,
      });
      expect(line.seconds).toBeGreaterThan(0);
      const image = await glance.getImage(line.imageId as string, AbortSignal.timeout(10_000));
      expect(image).toMatchObject({ status: 'active', os_distro: 'cirros', min_disk: 1, visibility: 'private' });
    }
    // Without a terminal, progress goes to stderr as plain lines.
    expect(r.stderr).toMatch(/one\.raw: checking/);
    // Finished runs leave no job log behind.
    expect(await readdir(path.join(dataDir, 'cli-jobs')).catch(() => [])).toEqual([]);
  });

  it('on a terminal, draws a progress bar with speed and ETA', async () => {
    const file = await randomFile(dir, 'tty.raw', 8 * MiB);
    // `script` gives the CLI a pseudo-terminal.
    const child = spawn('script', ['-qec', `${NODE} ${CLI} upload ${file} --cloud ${ADMIN}`, '/dev/null'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        OS_CLIENT_CONFIG_FILE: cloudsYaml(),
        IMAGEDROP_DATA_DIR: dataDir,
        COLUMNS: '120',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(out).toContain('\u001b[2K'); // lines are redrawn in place
    expect(out).toMatch(/tty\.raw\s+\[#{24}\] active, verified \(sha512 match\)/);
    const id = /image ([0-9a-f-]{36}) active/.exec(out)?.[1];
    expect(id).toBeDefined();
    created.add(id!);
  });

  it('an unsafe file: exit 1, the reason on stderr, and no image record', async () => {
    const text = path.join(dir, 'notes.qcow2');
    await writeFile(text, 'this is not a disk image\n'.repeat(100));
    const r = await cli(['upload', text, '--cloud', ADMIN, '--json']);
    expect(r.code).toBe(1);
    const [line] = jsonLines(r.stdout);
    expect(line).toMatchObject({ imageId: null, status: 'failed', verified: false, error: { code: 'inspect/unsafe' } });
    expect(r.stderr).toMatch(/notes\.qcow2: .*\.qcow2/);
  });

  it('bad usage exits 2 with the usage', async () => {
    const r = await cli(['upload', '--cloud', ADMIN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Name at least one FILE to upload/);
    const r2 = await cli(['upload', 'a', 'b', '--name', 'x', '--cloud', ADMIN]);
    expect(r2.stderr).toMatch(/--name names one image/);
  });

  it('Ctrl-C cancels cleanly, deleting the record it created', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const clouds = await writeProxiedClouds(dir, proxy.url);
      const file = await randomFile(dir, 'interrupt.raw', 24 * MiB);
      proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 4 * MiB } });
      const { child, done } = start(['upload', file, '--cloud', ADMIN], { OS_CLIENT_CONFIG_FILE: clouds });
      await proxy.reached();
      child.kill('SIGINT');
      const r = await done;
      expect(r.stderr, r.stderr).not.toMatch(/could not be deleted|connect to it/);
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/Cancelled: every image record this run created was deleted\./);
      const id = /\/v2\/images\/([0-9a-f-]{36})\/file/.exec(proxy.requests.find((x) => x.startsWith('PUT')) ?? '')?.[1];
      expect(id).toBeDefined();
      await expect(glance.getImage(id!, AbortSignal.timeout(10_000))).rejects.toMatchObject({
        code: 'glance/not-found',
      });
    } finally {
      await proxy.close();
    }
  });

  it('Ctrl-C whose DELETE keeps failing keeps the job: `cli jobs` names the record, and `cli resume` deletes it later', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const clouds = await writeProxiedClouds(dir, proxy.url);
      const file = await randomFile(dir, 'interrupt-undeletable.raw', 24 * MiB);
      proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 4 * MiB } });
      proxy.inject({ match: /^DELETE \/v2\/images\//, fault: { kind: 'answer', status: 500 }, times: 100 });
      const { child, done } = start(['upload', file, '--cloud', ADMIN], { OS_CLIENT_CONFIG_FILE: clouds });
      await proxy.reached();
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(130);
      const imageId = /\/v2\/images\/([0-9a-f-]{36})\/file/.exec(
        proxy.requests.find((x) => x.startsWith('PUT')) ?? '',
      )?.[1];
      expect(imageId).toBeDefined();
      created.add(imageId!);
      expect(r.stderr).toMatch(new RegExp(`its image record ${imageId} could not be deleted`));
      expect(r.stderr).toMatch(/`cli jobs` keeps them, and `cli resume [0-9a-f-]{36}` deletes them/);
      // The job log keeps the job, and `cli jobs` names what it left.
      const listed = JSON.parse((await cli(['jobs', '--json'])).stdout) as {
        id: string;
        phase: string;
        leftover: string;
      }[];
      expect(listed).toEqual([
        expect.objectContaining({ phase: 'cancelled', imageId, leftover: `Image record ${imageId}` }),
      ]);
      // Still there (Glance may show `saving` for a moment after the aborted PUT).
      expect(['queued', 'saving']).toContain((await glance.getImage(imageId!, AbortSignal.timeout(10_000))).status);
      // Once the image service lets it (straight to Glance now), `resume` deletes it and the log goes.
      const again = await cli(['resume', listed[0]!.id]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/cancelled; what it had left on the server was deleted/);
      await expect(glance.getImage(imageId!, AbortSignal.timeout(10_000))).rejects.toMatchObject({
        code: 'glance/not-found',
      });
      expect(await readdir(path.join(dataDir, 'cli-jobs'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a process killed mid-upload leaves a job log from which `resume` finishes the job', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const clouds = await writeProxiedClouds(dir, proxy.url);
      const file = await randomFile(dir, 'killed-process.raw', 24 * MiB);
      proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 8 * MiB } });
      const { child, done } = start(['upload', file, '--cloud', ADMIN], { OS_CLIENT_CONFIG_FILE: clouds });
      await proxy.reached();
      await new Promise((r) => setTimeout(r, 300)); // past the log write that follows the phase change
      child.kill('SIGKILL');
      await done;
      proxy.release();
      // The log survived: valid, with the job where it stood.
      const logs = await readdir(path.join(dataDir, 'cli-jobs'));
      expect(logs).toHaveLength(1);
      const log = JSON.parse(await readFile(path.join(dataDir, 'cli-jobs', logs[0]!), 'utf8')) as {
        jobs: { id: string; phase: string; image: { id: string }; request: { path: string } }[];
      };
      const job = { ...log.jobs[0]!, imageId: log.jobs[0]!.image.id };
      expect(job).toMatchObject({ phase: 'uploading', request: { path: file } });
      created.add(job.imageId);
      // `jobs` shows it as `resume` will find it: interrupted, to be sent again (not "uploading").
      const listed = await cli(['jobs', '--json']);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ id: job.id, phase: 'interrupted', resume: 'restart', imageId: job.imageId }),
      ]);
      // Resume (straight to Glance now): again from byte 0, to the same image, verified.
      const r = await cli(['resume', job.id, '--json']);
      expect(r.code).toBe(0);
      const [line] = jsonLines(r.stdout);
      const bytes = await readFile(file);
      expect(line).toMatchObject({
        imageId: job.imageId,
        status: 'active',
        verified: true,
        os_hash_value: createHash('sha512').update(bytes).digest('hex'),
      });
      const image = await glance.getImage(job.imageId, AbortSignal.timeout(10_000));
      expect(image[IMAGEDROP_PROPERTY]).toBe(job.id);
      expect(await readdir(path.join(dataDir, 'cli-jobs'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('cli upload --import and images copy (the interoperable import)', () => {
  it('stages and imports into every store, says each store in --json, then copy-image adds none twice', async () => {
    const file = await randomFile(dir, 'import-all.raw', 3 * MiB);
    const r = await cli(['upload', file, '--cloud', ADMIN, '--import', '--all-stores', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [line] = jsonLines(r.stdout);
    expect(line).toMatchObject({
      status: 'active',
      verified: true,
      stores: [
        { store: 'fast', state: 'done' },
        { store: 'slow', state: 'done' },
      ],
    });
    const id = (line as { imageId: string }).imageId;
    created.add(id);
    const image = await glance.getImage(id, AbortSignal.timeout(10_000));
    expect((image.stores ?? '').split(',').sort()).toEqual(['fast', 'slow']);
    const again = await cli(['images', 'copy', id, '--stores', 'slow', '--cloud', ADMIN]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already in slow: there is nothing to copy/);
    const wrong = await cli(['upload', file, '--cloud', ADMIN, '--stores', 'slow']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/go with --import/);
  });

  it('images copy IMAGE --stores: copy-image to the second store, its outcome per store', async () => {
    const file = await randomFile(dir, 'copy-cli.raw', 2 * MiB);
    const up = await cli(['upload', file, '--cloud', ADMIN, '--store', 'fast', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const id = (jsonLines(up.stdout)[0] as { imageId: string }).imageId;
    created.add(id);
    const r = await cli(['images', 'copy', id, '--stores', 'slow', '--cloud', ADMIN, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ imageId: id, stores: [{ store: 'slow', state: 'done' }] });
    const image = await glance.getImage(id, AbortSignal.timeout(10_000));
    expect((image.stores ?? '').split(',').sort()).toEqual(['fast', 'slow']);
  });
});

describe('cli resume, with more than one job in a log', () => {
  it('resumes only the named job; the others stay in the log, unstarted, until their own resume', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const clouds = await writeProxiedClouds(dir, proxy.url);
      const first = await randomFile(dir, 'pair-1.raw', 12 * MiB);
      const second = await randomFile(dir, 'pair-2.raw', 3 * MiB);
      proxy.inject({ match: /^PUT \/v2\/images\/[^/]+\/file/, fault: { kind: 'hold', afterBytes: 4 * MiB } });
      const { child, done } = start(['upload', first, second, '--cloud', ADMIN, '--concurrency', '1'], {
        OS_CLIENT_CONFIG_FILE: clouds,
      });
      await proxy.reached();
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      await done;
      proxy.release();
      const listed = JSON.parse((await cli(['jobs', '--json'])).stdout) as {
        id: string;
        file: string;
        phase: string;
        imageId: string | null;
      }[];
      const a = listed.find((j) => j.file === first)!;
      const b = listed.find((j) => j.file === second)!;
      expect([a.phase, b.phase]).toEqual(['interrupted', 'queued']);
      if (a.imageId) created.add(a.imageId);
      const r = await cli(['resume', a.id, '--json']);
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ file: first, verified: true })]);
      // The other job was neither started nor forgotten.
      const after = JSON.parse((await cli(['jobs', '--json'])).stdout) as {
        id: string;
        phase: string;
        imageId: string | null;
      }[];
      expect(after.find((j) => j.id === b.id)).toMatchObject({ imageId: null });
      expect(after.find((j) => j.id === a.id)?.phase).toBe('done');
      const r2 = await cli(['resume', b.id, '--json']);
      expect(r2.code).toBe(0);
      const [line] = jsonLines(r2.stdout);
      expect(line).toMatchObject({ file: second, verified: true });
      created.add(line!.imageId as string);
      expect(await readdir(path.join(dataDir, 'cli-jobs'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('cli inspect', () => {
  it('--json per file, exit 1 when one is not safe, --cloud checks the accepted formats', async () => {
    const raw = await randomFile(dir, 'fine.raw', MiB);
    const r = await cli(['inspect', raw, '--json']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toEqual({
      file: raw,
      format: 'raw',
      subformat: 'none',
      virtualSize: MiB,
      size: MiB,
      safe: true,
      reasons: [],
      diskFormat: 'raw',
    });
    const qed = path.join(dir, 'old.qed');
    await new Promise((resolve) => spawn('qemu-img', ['create', '-q', '-f', 'qed', qed, '64M']).on('close', resolve));
    const local = await cli(['inspect', qed, '--json']);
    expect(local.code).toBe(0);
    const withCloud = await cli(['inspect', qed, raw, '--json', '--cloud', ADMIN]);
    expect(withCloud.code).toBe(1);
    const [q, f] = jsonLines(withCloud.stdout);
    expect(q).toMatchObject({ format: 'qed', safe: false, reasons: [{ code: 'format-not-accepted' }] });
    expect((q!.reasons as { message: string }[])[0]!.message).toMatch(/qemu-img convert .*-O qcow2/);
    expect(f).toMatchObject({ format: 'raw', safe: true });
  });
});
