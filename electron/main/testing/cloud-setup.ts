// Vitest global setup for the integration project: makes sure the local test cloud (a real
// Keystone + Glance on 127.0.0.1, and the S3 object store on 127.0.0.1:18080,
// scripts/testcloud/up.sh) runs, and tells the tests where its clouds.yaml is and what the object
// store's settings are (objstore/objstore.env). Starting it when it is down is part of `npm test`.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/** The object store's settings, as scripts/testcloud/objstore.sh writes them (VAR=value lines). */
export interface ObjstoreEnv {
  OBJSTORE_ENDPOINT: string;
  OBJSTORE_REGION: string;
  OBJSTORE_BUCKET: string;
  OBJSTORE_ACCESS_KEY: string;
  OBJSTORE_SECRET_KEY: string;
  OBJSTORE_OTHER_ACCESS_KEY: string;
  OBJSTORE_OTHER_SECRET_KEY: string;
  OBJSTORE_SWIFT_AUTH_URL: string;
  OBJSTORE_SWIFT_USER: string;
  OBJSTORE_SWIFT_KEY: string;
  OBJSTORE_SWIFT_STORAGE_URL: string;
}
const OBJSTORE_KEYS = [
  'OBJSTORE_ENDPOINT',
  'OBJSTORE_REGION',
  'OBJSTORE_BUCKET',
  'OBJSTORE_ACCESS_KEY',
  'OBJSTORE_SECRET_KEY',
  'OBJSTORE_OTHER_ACCESS_KEY',
  'OBJSTORE_OTHER_SECRET_KEY',
  'OBJSTORE_SWIFT_AUTH_URL',
  'OBJSTORE_SWIFT_USER',
  'OBJSTORE_SWIFT_KEY',
  'OBJSTORE_SWIFT_STORAGE_URL',
] as const satisfies readonly (keyof ObjstoreEnv)[];

export async function readObjstoreEnv(file: string): Promise<ObjstoreEnv> {
  const values = new Map<string, string>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) values.set(m[1]!, m[2]!);
  }
  const missing = OBJSTORE_KEYS.filter((k) => !values.get(k));
  if (missing.length) throw new Error(`${file} lacks ${missing.join(', ')}: run scripts/testcloud/up.sh`);
  return Object.fromEntries(OBJSTORE_KEYS.map((k) => [k, values.get(k)!])) as unknown as ObjstoreEnv;
}

export default async function setup(project: TestProject): Promise<void> {
  const dir = process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud';
  const up =
    (await reachable('http://127.0.0.1:5000/v3')) &&
    (await reachable('http://127.0.0.1:9292/')) &&
    (await reachable('http://127.0.0.1:18080/healthcheck'));
  if (!up) {
    process.stderr.write('integration: the test cloud is not running; starting it (scripts/testcloud/up.sh)\n');
    const { stdout } = await run('bash', [path.join(root, 'scripts/testcloud/up.sh')], { maxBuffer: 16 << 20 });
    process.stderr.write(stdout.split('\n').slice(-2).join('\n'));
  }
  const clouds = path.join(dir, 'clouds.yaml');
  process.env.OS_CLIENT_CONFIG_FILE = clouds;
  project.provide('cloudsYaml', clouds);
  project.provide('testcloudDir', dir);
  const objstoreEnvFile = path.join(dir, 'objstore', 'objstore.env');
  const objstore = await readObjstoreEnv(objstoreEnvFile);
  for (const [k, v] of Object.entries(objstore)) process.env[k] = v;
  project.provide('objstore', objstore);
  project.provide('objstoreEnvFile', objstoreEnvFile);
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloudsYaml: string;
    testcloudDir: string;
    /** The object store's objstore.env, parsed (the same values are also in process.env). */
    objstore: ObjstoreEnv;
    objstoreEnvFile: string;
  }
}
