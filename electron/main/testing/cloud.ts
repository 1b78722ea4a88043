// Helpers for tests against the real test cloud: sessions for its two users, clouds.yaml files
// that route the image API through a fault proxy, test files, and clean-up of created images.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, rm, writeFile, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { chooseCloud } from '../openstack/cloud-config.ts';
import { GlanceClient } from '../openstack/glance.ts';
import { Session } from '../openstack/session.ts';
// The types of what cloud-setup.ts provides to inject(), wherever this file is compiled from.
import type {} from './cloud-setup.ts';

export const ADMIN = 'imagedrop-admin';
export const DEMO = 'imagedrop-demo';
export const GLANCE = { host: '127.0.0.1', port: 9292 };
export const KEYSTONE_URL = 'http://127.0.0.1:5000/v3';
export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Where scripts/testcloud keeps the test cloud's state (its databases among it). */
export const TESTCLOUD_DIR = process.env.IMAGEDROP_TESTCLOUD_DIR ?? '/var/tmp/imagedrop-testcloud';

const run = promisify(execFile);

export function cloudsYaml(): string {
  return inject('cloudsYaml');
}

export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { OS_CLIENT_CONFIG_FILE: cloudsYaml(), ...extra };
}

export async function openSession(cloud = ADMIN, extra: Record<string, string> = {}): Promise<Session> {
  const config = await chooseCloud({ cloud, env: env(extra), cwd: os.tmpdir() });
  return Session.open(config, AbortSignal.timeout(30_000));
}

export async function glanceFor(cloud = ADMIN, extra: Record<string, string> = {}): Promise<GlanceClient> {
  return new GlanceClient(await openSession(cloud, extra));
}

/** A clouds.yaml with the test cloud's users, whose image API goes through `imageEndpoint`. */
export async function writeProxiedClouds(dir: string, imageEndpoint: string): Promise<string> {
  const file = path.join(dir, 'clouds.yaml');
  const cloud = (user: string, pass: string, project: string) => `
    auth:
      auth_url: ${KEYSTONE_URL}
      username: ${user}
      password: ${pass}
      project_name: ${project}
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    image_endpoint_override: ${imageEndpoint}`;
  await writeFile(
    file,
    `clouds:\n  ${ADMIN}:${cloud('admin', 'imagedrop-admin-pass', 'admin')}\n  ${DEMO}:${cloud('demo', 'imagedrop-demo-pass', 'demo')}\n`,
  );
  return file;
}

export async function tempDir(prefix = 'imagedrop-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A file of `size` random bytes (written in 4 MiB pieces). */
export async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const file = path.join(dir, name);
  const handle = await open(file, 'w');
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, 4 << 20);
      await handle.write(randomBytes(n));
      left -= n;
    }
  } finally {
    await handle.close();
  }
  return file;
}

/** A sparse file of `size` bytes (reads as zeros; takes no disk). */
export async function sparseFile(dir: string, name: string, size: number): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '');
  await truncate(file, size);
  return file;
}

/** Deletes images by id, ignoring the ones already gone. */
export async function deleteImages(glance: GlanceClient, ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    try {
      await glance.deleteImage(id, AbortSignal.timeout(30_000));
    } catch {
      // already gone
    }
  }
}

/**
 * Makes Glance's record say nothing happened to the image for `minutes`: the test cloud's Glance
 * keeps its records in SQLite, and `updated_at` is all the dashboard judges "stuck" by. (Its
 * threshold is at least 1 minute; this spares a test that wait.)
 */
export async function ageImage(
  id: string,
  minutes: number,
  db = path.join(TESTCLOUD_DIR, 'glance', 'glance.sqlite'),
): Promise<void> {
  const script = [
    'import sqlite3, sys, datetime',
    'c = sqlite3.connect(sys.argv[1], timeout=30)',
    't = datetime.datetime.utcnow() - datetime.timedelta(minutes=float(sys.argv[3]))',
    "n = c.execute('UPDATE images SET updated_at = ? WHERE id = ?', (t.strftime('%Y-%m-%d %H:%M:%S.%f'), sys.argv[2])).rowcount",
    'c.commit()',
    'sys.exit(0 if n == 1 else 3)',
  ].join('\n');
  await run('python3', ['-c', script, db, id, String(minutes)]);
}

export async function glanceKill(): Promise<void> {
  await run('bash', [path.join(ROOT, 'scripts/testcloud/glance.sh'), 'kill']);
}

export async function glanceStart(): Promise<void> {
  await run('bash', [path.join(ROOT, 'scripts/testcloud/glance.sh'), 'start'], { maxBuffer: 8 << 20 });
}
