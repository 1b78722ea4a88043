// Vitest global setup for the integration project: makes sure the local test cloud (a real
// Keystone + Glance on 127.0.0.1, scripts/testcloud/up.sh) runs, and tells the tests where its
// clouds.yaml is. Starting it when it is down is part of `npm test`.
import { execFile } from 'node:child_process';
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

export default async function setup(project: TestProject): Promise<void> {
  const dir = process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud';
  const up = (await reachable('http://127.0.0.1:5000/v3')) && (await reachable('http://127.0.0.1:9292/'));
  if (!up) {
    process.stderr.write('integration: the test cloud is not running; starting it (scripts/testcloud/up.sh)\n');
    const { stdout } = await run('bash', [path.join(root, 'scripts/testcloud/up.sh')], { maxBuffer: 16 << 20 });
    process.stderr.write(stdout.split('\n').slice(-2).join('\n'));
  }
  const clouds = path.join(dir, 'clouds.yaml');
  process.env.OS_CLIENT_CONFIG_FILE = clouds;
  project.provide('cloudsYaml', clouds);
  project.provide('testcloudDir', dir);
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloudsYaml: string;
    testcloudDir: string;
  }
}
