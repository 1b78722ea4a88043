// The CLI's edges from the fault and bad-input audit (issue 8), run as users run it (a child
// process of `scripts/cli.mjs`) against the real test cloud, through the fault proxy where the
// test must act at a chosen moment of an upload.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, link, mkdir, readdir, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GlanceClient } from '../openstack/glance.ts';
import { JobLog } from '../upload/job-log.ts';
import { newJobState, type JobState } from '../upload/job-state.ts';
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
import { startLanForwarder } from '../testing/lan-forwarder.ts';

const NODE = path.join(ROOT, 'node_modules/.bin/node');
const CLI = path.join(ROOT, 'scripts/cli.mjs');
const MiB = 1 << 20;
const PUT_FILE = /^PUT \/v2\/images\/[^/]+\/file/;

let dir: string;
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
      IMAGEDROP_DATA_DIR: path.join(dir, 'data'),
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

/**
 * Images of the admin project with this exact name (none should exist after a refused run); any
 * found is deleted after the tests, so that a failing test leaves nothing behind.
 */
async function imagesNamed(name: string): Promise<string[]> {
  const { images } = await glance.listImages(AbortSignal.timeout(30_000), { owner: glance.session.projectId });
  const ids = images.filter((i) => i.name === name).map((i) => i.id);
  for (const id of ids) created.add(id);
  return ids;
}

/** Any C0 control but the newline that ends each line, DEL, or a C1 control. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** What a hostile name carries: an OSC window title, clear screen, colour, and a C1 CSI. */
const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1A\x7f';
const HOSTILE_SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x9b1A\\x7f';

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

beforeAll(async () => {
  dir = await tempDir('imagedrop-cli-harden-');
  glance = await glanceFor(ADMIN);
  await cli(['help']); // builds the bundle when a source changed, so no test sees that line
});

afterAll(async () => {
  await deleteImages(glance, created);
  await removeDir(dir);
});

describe('the CLI job log (issue 8, items 7 and 10)', () => {
  it('a data folder that is a regular file stops the upload before any record, with one sentence', async () => {
    const data = path.join(dir, 'data-is-a-file');
    await writeFile(data, 'not a folder');
    const file = await randomFile(dir, 'joblog-file.raw', 64 * 1024);
    const name = `imagedrop-harden-joblog-${Date.now()}`;
    const r = await cli(['upload', file, '--cloud', ADMIN, '--name', name], { IMAGEDROP_DATA_DIR: data });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `Imagedrop cannot save its job log in ${path.join(data, 'cli-jobs')} (ENOTDIR: part of that path is a file, not a folder), so it creates no image record it could lose track of: make that folder writable, or set IMAGEDROP_DATA_DIR to a folder you can write.\n`,
    );
    expect(await imagesNamed(name)).toEqual([]);
  });

  it('IMAGEDROP_DATA_DIR=/proc/1 fails at once with the same sentence, instead of hanging before the create', async () => {
    const file = await randomFile(dir, 'joblog-proc.raw', 64 * 1024);
    const name = `imagedrop-harden-proc-${Date.now()}`;
    const started = Date.now();
    const r = await cli(['upload', file, '--cloud', ADMIN, '--name', name], { IMAGEDROP_DATA_DIR: '/proc/1' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Imagedrop cannot save its job log in \/proc\/1\/cli-jobs \(ENOENT: the folder cannot be created there\), so it creates no image record/,
    );
    expect(await imagesNamed(name)).toEqual([]);
  });

  it('creates the data folder and cli-jobs/ as 0700, and leaves an existing folder as it was', async () => {
    const fresh = path.join(dir, 'fresh', 'data');
    const file = await randomFile(dir, 'private.raw', 64 * 1024);
    const r = await cli(['upload', file, '--cloud', ADMIN, '--json'], { IMAGEDROP_DATA_DIR: fresh });
    const [line] = jsonLines(r.stdout);
    if (typeof line?.imageId === 'string') created.add(line.imageId);
    expect(r.code, r.stderr).toBe(0);
    expect(await modeOf(fresh)).toBe(0o700);
    expect(await modeOf(path.join(fresh, 'cli-jobs'))).toBe(0o700);
    expect(await modeOf(path.join(dir, 'fresh'))).toBe(0o700);

    const existing = path.join(dir, 'existing');
    await mkdir(existing);
    await chmod(existing, 0o755);
    const again = await cli(['upload', file, '--cloud', ADMIN, '--json'], { IMAGEDROP_DATA_DIR: existing });
    const [second] = jsonLines(again.stdout);
    if (typeof second?.imageId === 'string') created.add(second.imageId);
    expect(again.code, again.stderr).toBe(0);
    expect(await modeOf(existing)).toBe(0o755);
    expect(await modeOf(path.join(existing, 'cli-jobs'))).toBe(0o700);
  });

  it('a log folder that turned into a file during a verified upload: a warning, and exit 0', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const clouds = await writeProxiedClouds(dir, proxy.url);
      const data = path.join(dir, 'data-swapped');
      const file = await randomFile(dir, 'swapped.raw', 4 * MiB);
      proxy.inject({ match: PUT_FILE, fault: { kind: 'hold', afterBytes: 1 * MiB } });
      const { done } = start(['upload', file, '--cloud', ADMIN, '--json'], {
        OS_CLIENT_CONFIG_FILE: clouds,
        IMAGEDROP_DATA_DIR: data,
      });
      await proxy.reached();
      const jobs = path.join(data, 'cli-jobs');
      // The run's log (a save in flight may add its temp file beside it).
      expect((await readdir(jobs)).filter((f) => !f.startsWith('.'))).toHaveLength(1);
      await rename(jobs, path.join(data, 'cli-jobs.moved'));
      await writeFile(jobs, 'a file where the folder was');
      proxy.release();
      const r = await done;
      const [line] = jsonLines(r.stdout);
      if (typeof line?.imageId === 'string') created.add(line.imageId);
      expect(line).toMatchObject({ status: 'active', verified: true });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /^warning: The finished job log .* could not be removed \(ENOTDIR: part of that path is a file, not a folder\): its jobs are finished, so delete it yourself\.$/m,
      );
      expect(r.stderr).not.toMatch(/unexpected problem/);
      await rm(jobs, { force: true });
    } finally {
      await proxy.close();
    }
  });
});

describe('terminal escape injection (issue 8, item 6)', () => {
  it('images: a name with ESC and C1 sequences, made in the real Glance, is shown escaped; --json keeps it exact', async () => {
    const name = `imagedrop-harden-esc${HOSTILE}`;
    const image = await glance.createImage(
      { name, diskFormat: 'raw', containerFormat: 'bare' },
      AbortSignal.timeout(30_000),
    );
    created.add(image.id);
    expect(image.name).toBe(name); // Glance keeps the control characters as given
    const human = await cli(['images', '--cloud', ADMIN, '--status', 'queued']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout + human.stderr).not.toMatch(RAW_CONTROL);
    const row = human.stdout.split('\n').find((l) => l.startsWith(image.id));
    expect(row).toContain(`imagedrop-harden-esc${HOSTILE_SHOWN}`);
    const json = await cli(['images', '--cloud', ADMIN, '--status', 'queued', '--json']);
    const listed = (JSON.parse(json.stdout) as { id: string; name: string }[]).find((i) => i.id === image.id);
    expect(listed?.name).toBe(name);
  });

  it('a file name with control characters: inspect, progress lines, the per-file error and the result line are escaped', async () => {
    const hostile = path.join(dir, `evil${HOSTILE}\nfake.qcow2`);
    await writeFile(hostile, Buffer.alloc(64 * 1024, 7)); // raw bytes under a .qcow2 name: not safe
    const shownName = `evil${HOSTILE_SHOWN}\\x0afake.qcow2`;

    const inspected = await cli(['inspect', hostile]);
    expect(inspected.code).toBe(1);
    expect(inspected.stdout + inspected.stderr).not.toMatch(RAW_CONTROL);
    expect(inspected.stdout).toContain(shownName);
    const inspectedJson = await cli(['inspect', hostile, '--json']);
    expect(JSON.parse(inspectedJson.stdout)).toMatchObject({ file: hostile });

    const refused = await cli(['upload', hostile, '--cloud', ADMIN]);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).not.toMatch(RAW_CONTROL);
    expect(refused.stderr).toMatch(new RegExp(`^${shownName.replace(/[\\[\]().*+?^$|{}]/g, '\\$&')}: `, 'm'));

    const good = path.join(dir, `good${HOSTILE}\n.raw`);
    await randomFile(dir, path.basename(good), 256 * 1024);
    const uploaded = await cli(['upload', good, '--cloud', ADMIN, '--name', 'imagedrop-harden-goodname']);
    const id = /image ([0-9a-f-]{36}) active/.exec(uploaded.stdout)?.[1];
    if (id) created.add(id);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout + uploaded.stderr).not.toMatch(RAW_CONTROL);
    expect(uploaded.stdout).toContain(`good${HOSTILE_SHOWN}\\x0a.raw: image ${id} active, sha512 verified`);
    expect(uploaded.stderr).toContain(`good${HOSTILE_SHOWN}\\x0a.raw: creating`); // a plain progress line
  });

  it('jobs: a job log naming a hostile file is listed escaped, and exactly with --json', async () => {
    const data = path.join(dir, 'data-jobs');
    const file = `/images/evil${HOSTILE}.raw`;
    const now = Date.now();
    const request = {
      path: file,
      name: 'x',
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    } as const;
    const record: JobState = {
      ...newJobState('job-hostile', request, 'glance', { key: null, name: `cloud${HOSTILE}`, userName: null }, now),
      phase: 'interrupted',
      resume: { kind: 'restart' },
    };
    const log = new JobLog(path.join(data, 'cli-jobs', 'hostile.json'));
    await log.save(() => [record]);
    await log.flush();
    const listed = await cli(['jobs'], { IMAGEDROP_DATA_DIR: data });
    expect(listed.code).toBe(0);
    expect(listed.stdout + listed.stderr).not.toMatch(RAW_CONTROL);
    expect(listed.stdout).toContain(`cloud${HOSTILE_SHOWN}`);
    expect(listed.stdout).toContain(`/images/evil${HOSTILE_SHOWN}.raw`);
    const json = await cli(['jobs', '--json'], { IMAGEDROP_DATA_DIR: data });
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ file, cloud: `cloud${HOSTILE}` })]);
  });

  it('warnings and errors naming a hostile cloud are escaped too', async () => {
    const clouds = path.join(dir, 'hostile-clouds.yaml');
    const cloudName = `evil${HOSTILE}`;
    await writeFile(
      clouds,
      JSON.stringify({
        clouds: {
          [cloudName]: {
            auth: {
              auth_url: 'http://127.0.0.1:5000/v3',
              username: 'admin',
              password: 'wrong-password',
              project_name: 'admin',
            },
            verify: false,
          },
        },
      }),
    );
    const r = await cli(['auth', '--cloud', cloudName], { OS_CLIENT_CONFIG_FILE: clouds });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain(`warning: TLS certificate checks are off for cloud 'evil${HOSTILE_SHOWN}'`);
    expect(r.stderr).toMatch(/Keystone refused the credentials/);
  });
});

describe('sign-in warnings and refusals on the CLI (issue 8, items 8 and 11)', () => {
  const openrc = (authUrl: string) => ({
    OS_CLIENT_CONFIG_FILE: path.join(dir, 'none.yaml'),
    OS_AUTH_URL: authUrl,
    OS_USERNAME: 'demo',
    OS_PASSWORD: 'imagedrop-demo-pass',
    OS_PROJECT_NAME: 'demo',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
  });

  it('a password over plain http:// to a host that is not loopback: a warning on stderr, before the sign-in', async () => {
    const lan = await startLanForwarder({ host: '127.0.0.1', port: 5000 });
    try {
      const r = await cli(['auth', '--json'], openrc(`${lan.origin}/v3`));
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ user: { name: 'demo' } });
      expect(r.stderr).toBe(
        `warning: Cloud 'envvars': The auth URL uses plain http:// to ${lan.host}: your password and then your token would cross the network unencrypted, readable by anyone on the way; use https:// if the cloud offers it.\n`,
      );
    } finally {
      await lan.close();
    }
    const local = await cli(['auth', '--json'], openrc('http://127.0.0.1:5000/v3'));
    expect(local.code).toBe(0);
    expect(local.stderr).toBe('');
  });

  it('a malformed OS_TOKEN is a refused token, not "no Keystone at this URL"', async () => {
    const r = await cli(['auth'], {
      OS_CLIENT_CONFIG_FILE: path.join(dir, 'none.yaml'),
      OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
      OS_TOKEN: 'garbage',
      OS_PROJECT_NAME: 'admin',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Keystone refused the token: it is malformed, has expired or has been revoked; get a new one, or sign in with a password or an application credential.\n',
    );
  });
});

describe('upload options and files checked before signing in (issue 8, item 12b, 12c)', () => {
  // A cloud that does not exist: a check that ran after choosing the cloud would say so instead.
  const NO_CLOUD = ['--cloud', 'no-such-cloud'];

  it.each([
    [
      'a 300-character --name',
      ['--name', 'x'.repeat(300)],
      '--name is 300 characters long; at most 255 are allowed: give a shorter one.',
    ],
    [
      '--min-disk 1e20',
      ['--min-disk', '1e20'],
      '--min-disk 100000000000000000000 is more than the 1000000 allowed: give a smaller number.',
    ],
    [
      '--min-ram 200000000',
      ['--min-ram', '200000000'],
      '--min-ram 200000000 is more than the 100000000 allowed: give a smaller number.',
    ],
    [
      'a 70,000-character --property value',
      ['--property', `k=${'v'.repeat(70_000)}`],
      '--property is 70000 characters long; at most 65535 are allowed: give a shorter one.',
    ],
    ['an empty --tag', ['--tag', ''], '--tag must not be empty.'],
  ])('%s is refused with the app’s own schema, before the cloud is even chosen', async (_what, args, sentence) => {
    const file = await randomFile(dir, 'options.raw', 4096);
    const r = await cli(['upload', file, ...NO_CLOUD, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${sentence}\n`);
  });

  it('the same file named twice, as ./a, a, a symlink or a hard link, is refused: no two images of one file', async () => {
    const file = await randomFile(dir, 'twice.raw', 4096);
    await symlink(file, path.join(dir, 'twice-link.raw'));
    await link(file, path.join(dir, 'twice-hard.raw'));
    for (const [a, b] of [
      ['twice.raw', './twice.raw'],
      ['twice.raw', 'twice-link.raw'],
      ['twice-hard.raw', 'twice.raw'],
      ['twice.raw', file],
      ['twice.raw', 'twice.raw'],
    ] as const) {
      const r = await cli(['upload', a, b, ...NO_CLOUD]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        a === b
          ? `${a} is named twice: name each file once (each name would become its own image).\n`
          : `${a} and ${b} are the same file: name each file once (each name would become its own image).\n`,
      );
    }
    const other = await randomFile(dir, 'other.raw', 4096);
    const r = await cli(['upload', 'twice.raw', other, ...NO_CLOUD]);
    expect(r.stderr).toMatch(/There is no cloud named 'no-such-cloud'/); // two files: past the check
  });
});

describe("the project's quota (issue 12: refused before a byte, as in the app)", () => {
  it('an upload that cannot fit image_storage_quota is refused with the numbers, and Glance sees no create', async () => {
    const proxy = await startFaultProxy(GLANCE);
    try {
      const sub = path.join(dir, 'quota');
      await mkdir(sub, { recursive: true });
      const clouds = await writeProxiedClouds(sub, proxy.url);
      const { readFile } = await import('node:fs/promises');
      await writeFile(
        clouds,
        (await readFile(clouds, 'utf8')).replaceAll(
          /(image_endpoint_override: .*)/g,
          '$1\n    image_storage_quota: 1KB',
        ),
      );
      const file = await randomFile(dir, 'over-quota.raw', 64 * 1024);
      const name = `imagedrop-cli-over-quota-${Date.now()}`;
      const r = await cli(['upload', file, '--cloud', ADMIN, '--name', name], { OS_CLIENT_CONFIG_FILE: clouds });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/quota/);
      expect(r.stderr).toMatch(/64(\.0+)? KiB/);
      expect(proxy.requests.filter((q) => q.startsWith('POST /v2/images') || PUT_FILE.test(q))).toEqual([]);
      expect(await imagesNamed(name)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('inspect --cloud and the size limit (issue 8, item 12d, 12e)', () => {
  it('a format the cloud does not accept: "safe, but this cloud will not take it", with why', async () => {
    const qed = path.join(dir, 'cloud.qed');
    await new Promise((resolve) => spawn('qemu-img', ['create', '-q', '-f', 'qed', qed, '64M']).on('close', resolve));
    const r = await cli(['inspect', qed, '--cloud', ADMIN]);
    expect(r.code).toBe(1);
    const [head, reason] = r.stdout.split('\n');
    expect(head).toMatch(/: qed, virtual 64\.0 MiB, file .*: safe, but this cloud will not take it, disk_format qed$/);
    expect(reason).toMatch(
      /^ {2}format-not-accepted: QED is not accepted by this cloud; convert it with `qemu-img convert/,
    );
  });

  it('a file over the cloud’s limit: the same words, and the upload refuses it with the same numbers', async () => {
    const file = await randomFile(dir, 'over-limit.raw', 2 * MiB);
    const limit = { OS_IMAGE_SIZE_LIMIT: '1MiB' };
    const r = await cli(['inspect', file, '--cloud', ADMIN], limit);
    expect(r.code).toBe(1);
    const why =
      'is 2.00 MiB, and this cloud takes only files smaller than 1.00 MiB (1,048,576 bytes, its image_size_limit): convert it to a smaller format (qcow2), or raise image_size_limit for the cloud if its administrator allows it.';
    expect(r.stdout).toBe(
      `${file}: raw (none), virtual 2.00 MiB, file 2.00 MiB: safe, but this cloud will not take it, disk_format raw\n  over-size-limit: The file ${why}\n`,
    );
    const json = await cli(['inspect', file, '--cloud', ADMIN, '--json'], limit);
    expect(JSON.parse(json.stdout)).toMatchObject({ safe: false, reasons: [{ code: 'over-size-limit' }] });
    const up = await cli(['upload', file, '--cloud', ADMIN, '--json'], limit);
    expect(up.code).toBe(1);
    expect(JSON.parse(up.stdout)).toMatchObject({
      imageId: null,
      status: 'failed',
      error: { code: 'file/too-large', message: `${file} ${why}` },
    });
  });

  it('a file of exactly 128 GiB does not pass a limit of "smaller than 128 GiB"; one byte less does', async () => {
    const at = path.join(dir, 'at-limit.raw');
    const under = path.join(dir, 'under-limit.raw');
    for (const [file, size] of [
      [at, 128 * 1024 ** 3],
      [under, 128 * 1024 ** 3 - 1],
    ] as const) {
      await writeFile(file, '');
      await truncate(file, size); // sparse: no disk used
    }
    const atLimit = await cli(['inspect', at, '--cloud', ADMIN]);
    expect(atLimit.code).toBe(1);
    expect(atLimit.stdout).toMatch(
      /: safe, but this cloud will not take it, disk_format raw\n {2}over-size-limit: The file is 128 GiB, and this cloud takes only files smaller than 128 GiB \(137,438,953,472 bytes/,
    );
    const underLimit = await cli(['inspect', under, '--cloud', ADMIN]);
    expect(underLimit.code, underLimit.stdout).toBe(0);
    expect(underLimit.stdout).toMatch(/: safe, disk_format raw\n$/);
    const up = await cli(['upload', at, '--cloud', ADMIN, '--json']);
    expect(up.code).toBe(1);
    expect(JSON.parse(up.stdout)).toMatchObject({ imageId: null, error: { code: 'file/too-large' } });
  });
});
