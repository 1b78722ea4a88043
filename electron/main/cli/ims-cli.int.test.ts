// The standalone IMS emulator (scripts/testcloud/ims-emulator.ts, the README's "try it") and the
// CLI's `auth` and `images` on the clouds.yaml it writes, as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cloudsYaml, removeDir, tempDir } from '../testing/cloud.ts';

const NODE = path.join(ROOT, 'node_modules/.bin/node');
const CLI = path.join(ROOT, 'electron/main/cli/index.ts');

let dir: string;
let clouds: string;
let emulator: ChildProcess;
let emulatorOut = '';

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      OS_CLIENT_CONFIG_FILE: clouds,
      IMAGEDROP_DATA_DIR: path.join(dir, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  dir = await tempDir('imagedrop-ims-cli-');
  clouds = path.join(dir, 'clouds.yaml');
  emulator = spawn(NODE, [path.join(ROOT, 'scripts/testcloud/ims-emulator.ts'), '--port', '0', '--clouds', clouds], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  emulator.stderr!.on('data', (d) => (emulatorOut += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${emulatorOut}`)), 60_000);
    emulator.stdout!.on('data', (d) => {
      emulatorOut += d;
      if (emulatorOut.includes(' in ') && emulatorOut.includes('clouds hw')) {
        clearTimeout(timer);
        resolve();
      }
    });
    emulator.on('exit', (code) => reject(new Error(`the emulator exited ${code}: ${emulatorOut}`)));
  });
});

afterAll(async () => {
  if (emulator && emulator.exitCode === null) {
    emulator.kill('SIGTERM');
    await new Promise((r) => emulator.once('exit', r));
  }
  if (dir) await removeDir(dir);
});

describe('the IMS emulator, standalone', () => {
  it('says where it listens, and writes clouds.yaml with a password, an access-key and a temporary-key cloud', async () => {
    expect(emulatorOut).toMatch(
      /^ims-emulator: listening on http:\/\/127\.0\.0\.1:\d+ \(region cn-north-4, account imagedrop-hw-account/m,
    );
    const yaml = await readFile(clouds, 'utf8');
    expect(yaml).toMatch(/^ {2}hw:$/m);
    expect(yaml).toMatch(/^ {2}hw-aksk:$/m);
    expect(yaml).toMatch(/^ {2}hw-temp:$/m);
    expect(yaml).toMatch(/^ {4}image_service: ims$/m);
  });
});

describe('cli auth and images on an IMS cloud', () => {
  it('auth signs in through IAM and names the image service, IMS and OBS, never the token', async () => {
    const r = await cli(['auth', '--cloud', 'hw']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^image service\s+IMS: image_service: ims in /m);
    expect(r.stdout).toMatch(/^signed in as\s+imagedrop-hw-user \(\w+\) in account imagedrop-hw-account$/m);
    expect(r.stdout).toMatch(/^project\s+cn-north-4 \(\w+\)$/m);
    expect(r.stdout).toMatch(/^IMS endpoint\s+http:\/\/127\.0\.0\.1:\d+ \(from the catalog\)$/m);
    expect(r.stdout).toMatch(/^OBS endpoint\s+http:\/\/127\.0\.0\.1:18080 \(from the catalog\)$/m);
    expect(r.stdout).toMatch(/^OS versions\s+\d{2,} offered$/m);
    expect(r.stdout).toMatch(/^OBS key\s+imag…er, from .*clouds\.yaml$/m); // the id shortened, never the secret
    expect(r.stdout).not.toMatch(/objstore-secret-key/);
    expect(r.stdout).not.toMatch(/MII/); // the emulator's tokens start like Huawei's
  });

  it('auth --json on an access-key-only cloud', async () => {
    const r = await cli(['auth', '--cloud', 'hw-aksk', '--json']);
    expect(r.code).toBe(0);
    const facts = JSON.parse(r.stdout);
    expect(facts).toMatchObject({
      auth: 'access-key',
      user: null,
      region: 'cn-north-4',
      project: { name: 'cn-north-4' },
      imsEndpoint: { source: 'override' },
      imageService: { kind: 'ims', inferred: false },
      accessKey: { temporary: false },
      tokenExpiresAt: null,
    });
    expect(facts.project.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('auth on a Glance cloud names Glance as the default', async () => {
    const r = await cli(['auth', '--cloud', 'imagedrop-admin'], { OS_CLIENT_CONFIG_FILE: cloudsYaml() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^image service\s+Glance: the default: nothing in the configuration names Huawei Cloud IMS$/m,
    );
  });

  it('images --json lists the IMS images of the project', async () => {
    const r = await cli(['images', '--cloud', 'hw', '--json']);
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    const table = await cli(['images', '--cloud', 'hw-temp']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+SIZE\s+FORMAT\s+OS VERSION\s+UPDATED$/m);
    expect(table.stderr).toMatch(/^\d+ images? in IMS$/m);
  });
});
