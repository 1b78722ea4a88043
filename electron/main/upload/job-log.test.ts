import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { CloudFacts } from './cloud-facts.ts';
import { UploadEngine } from './engine.ts';
import { JobLog, type JobRecord } from './job-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-joblog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(id: string, phase: UploadSnapshot['phase'], extra: Partial<UploadSnapshot> = {}): JobRecord {
  const now = 1_700_000_000_000;
  return {
    snapshot: {
      id,
      file: `/images/${id}.raw`,
      fileName: `${id}.raw`,
      imageName: id,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
      store: null,
      cloudKey: 'http://k/v3|p',
      cloudName: 'c',
      format: 'raw',
      virtualSize: 10,
      phase,
      imageId: `img-${id}`,
      createdImage: true,
      glanceStatus: 'saving',
      bytesSent: 5,
      bytesTotal: 10,
      bytesPerSecond: 100,
      etaSeconds: 1,
      attempt: 1,
      retryAt: null,
      resume: { kind: 'none' },
      error: null,
      timeline: { checked: now, created: now + 1 },
      checksums: { algorithm: null, local: null, server: null, md5Local: null, md5Server: null },
      verified: false,
      createdAt: now,
      updatedAt: now,
      ...extra,
    },
    request: { path: `/images/${id}.raw`, name: id, diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' },
    cloudKey: 'http://k/v3|p',
    cloudName: 'c',
    digests: null,
  };
}

describe('JobLog', () => {
  it('round-trips records through an atomic write, leaving no temp files', async () => {
    const log = new JobLog(path.join(dir, 'jobs.json'));
    const records = [record('a', 'uploading'), record('b', 'done', { verified: true })];
    await log.save(() => records);
    expect(await new JobLog(path.join(dir, 'jobs.json')).load()).toEqual(records);
    expect(await readdir(dir)).toEqual(['jobs.json']);
  });

  it('coalesces saves: the latest content wins', async () => {
    const log = new JobLog(path.join(dir, 'jobs.json'));
    const saves = [1, 2, 3, 4, 5].map((n) => log.save(() => [record(`j${n}`, 'queued')]));
    await Promise.all(saves);
    await log.idle();
    expect((await log.load()).map((r) => r.snapshot.id)).toEqual(['j5']);
  });

  it.each([
    ['not JSON', '{"version": 1, "jobs": [tru'],
    ['the wrong shape', JSON.stringify({ version: 1, savedAt: 1, jobs: [{ snapshot: { id: 'x' } }] })],
    ['another version', JSON.stringify({ version: 99, savedAt: 1, jobs: [] })],
  ])('a log that is %s is set aside with a warning, and the queue starts empty', async (_what, content) => {
    const file = path.join(dir, 'jobs.json');
    await writeFile(file, content);
    const warnings: string[] = [];
    const loaded = await new JobLog(file, { onWarning: (m) => warnings.push(m) }).load();
    expect(loaded).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/The saved upload queue was damaged .*moved to .*jobs\.json\.corrupt-.*starts empty/);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^jobs\.json\.corrupt-/);
    expect(await readFile(path.join(dir, files[0]!), 'utf8')).toBe(content); // nothing lost
  });

  it('keeps the sound jobs of a log with one damaged job, sets the file aside, and names the lost record', async () => {
    const file = path.join(dir, 'jobs.json');
    const good = record('good', 'done', { verified: true });
    const bad = { ...record('bad', 'uploading'), request: { path: 42 } };
    const content = JSON.stringify({ version: 1, savedAt: 1, jobs: [good, bad] });
    await writeFile(file, content);
    const warnings: string[] = [];
    const loaded = await new JobLog(file, { onWarning: (m) => warnings.push(m) }).load();
    expect(loaded).toEqual([good]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/1 of its 2 jobs could not be read.*the other jobs were kept.*img-bad/);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(dir, files[0]!), 'utf8')).toBe(content);
  });

  it('reads a log written before snapshots carried their cloud: the fields come back null', async () => {
    const file = path.join(dir, 'jobs.json');
    const { cloudKey: _k, cloudName: _n, ...older } = record('old', 'done').snapshot;
    const r = record('old', 'done');
    await writeFile(file, JSON.stringify({ version: 1, savedAt: 1, jobs: [{ ...r, snapshot: older }] }));
    const [loaded] = await new JobLog(file).load();
    expect(loaded!.snapshot.cloudKey).toBeNull();
    expect(loaded!.snapshot.cloudName).toBeNull();
    expect(loaded!.cloudKey).toBe('http://k/v3|p');
  });

  it('a log that cannot be read (a folder in its place) is set aside, not overwritten later', async () => {
    const file = path.join(dir, 'jobs.json');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(file);
    const warnings: string[] = [];
    expect(await new JobLog(file, { onWarning: (m) => warnings.push(m) }).load()).toEqual([]);
    expect(warnings[0]).toMatch(/cannot be read.*moved to/);
    expect((await readdir(dir))[0]).toMatch(/^jobs\.json\.corrupt-/);
  });
});

describe('UploadEngine.restore', () => {
  it('brings the queue back: running jobs as interrupted, the rest as they were', async () => {
    const file = path.join(dir, 'jobs.json');
    await new JobLog(file).save(() => [
      record('q', 'queued'),
      record('u', 'uploading'),
      record('p', 'paused'),
      record('v', 'verifying'),
      record('d', 'done', { verified: true }),
      record('f', 'failed', { error: { code: 'glance/conflict', message: 'x', retryable: false } }),
    ]);
    const engine = new UploadEngine({
      context: () => null,
      inspect: async () => {
        throw new Error('not used');
      },
      cloudFacts: new CloudFacts(null),
      jobLog: new JobLog(file),
    });
    const batches: (readonly UploadSnapshot[])[] = [];
    engine.onDidChange((b) => batches.push(b));
    await engine.restore();
    const phases = Object.fromEntries(engine.list().map((s) => [s.id, s.phase]));
    expect(phases).toEqual({
      q: 'queued',
      u: 'interrupted',
      p: 'interrupted',
      v: 'interrupted',
      d: 'done',
      f: 'failed',
    });
    const u = engine.get('u')!;
    expect(u.resume).toEqual({ kind: 'restart' });
    expect(u.error?.code).toBe('upload/interrupted');
    expect(u.bytesPerSecond).toBeNull();
    expect(
      batches
        .flat()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['d', 'f', 'p', 'q', 'u', 'v']);
    await engine.dispose();
  });

  it('a command on several named jobs passes over those that moved on; on one named job it says why', async () => {
    const file = path.join(dir, 'jobs.json');
    await new JobLog(file).save(() => [
      record('d', 'done', { verified: true }),
      record('i', 'interrupted', { imageId: null, createdImage: false }),
      record('f', 'failed', {
        imageId: null,
        createdImage: false,
        error: { code: 'glance/unavailable', message: 'x', retryable: true },
      }),
    ]);
    const engine = new UploadEngine({
      context: () => null,
      inspect: async () => {
        throw new Error('not used');
      },
      cloudFacts: new CloudFacts(null),
      jobLog: new JobLog(file),
    });
    await engine.restore();
    await expect(engine.cancel(['d'])).rejects.toThrow(/cannot cancel while it is done/);
    await engine.cancel(['d', 'i', 'gone-meanwhile']);
    expect(engine.get('d')!.phase).toBe('done');
    expect(engine.get('i')!.phase).toBe('cancelled');
    expect(() => engine.resume(['f'])).toThrow(/cannot resume while it is failed/);
    await engine.dispose();
  });

  it('starts even when the log is damaged', async () => {
    const file = path.join(dir, 'jobs.json');
    await writeFile(file, '\u0000\u0000garbage');
    const warnings: string[] = [];
    const engine = new UploadEngine({
      context: () => null,
      inspect: async () => {
        throw new Error('not used');
      },
      cloudFacts: new CloudFacts(null),
      jobLog: new JobLog(file, { onWarning: (m) => warnings.push(m) }),
    });
    await engine.restore();
    expect(engine.list()).toEqual([]);
    expect(warnings).toHaveLength(1);
    await engine.dispose();
  });
});
