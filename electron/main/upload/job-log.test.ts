import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { UploadEngine } from './engine.ts';
import { JobLog } from './job-log.ts';
import { newJobState, type JobState } from './job-state.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-joblog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A job as the first version's log kept it (version 1: the UI snapshot and a few fields beside it). */
type V1Record = { snapshot: Record<string, unknown> } & Record<string, unknown>;

function record(id: string, phase: UploadSnapshot['phase'], extra: Record<string, unknown> = {}): V1Record {
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

/** Writes a log as the first version wrote it: every such log must still load. */
async function writeV1Log(file: string, records: readonly V1Record[]): Promise<void> {
  await writeFile(file, JSON.stringify({ version: 1, savedAt: 1_700_000_000_000, jobs: records }));
}

function state(id: string, phase: UploadSnapshot['phase'], extra: Partial<JobState> = {}): JobState {
  const request = {
    path: `/images/${id}.raw`,
    name: id,
    diskFormat: 'raw',
    containerFormat: 'bare',
    visibility: 'private',
  } as const;
  return {
    ...newJobState(id, request, 'glance', { key: 'http://k/v3|p', name: 'c', userName: 'u' }, 1_700_000_000_000),
    phase,
    image: { id: `img-${id}`, owned: true, status: 'saving' },
    steps: { checked: { startedAt: 1, endedAt: 2, percent: null } },
    targetState: { createUncertain: false, transport: null },
    ...extra,
  };
}

describe('JobLog', () => {
  it('round-trips records through an atomic write, leaving no temp files', async () => {
    const log = new JobLog(path.join(dir, 'jobs.json'));
    const records = [state('a', 'uploading'), state('b', 'done', { verified: true, verifiedBy: 'sha512' })];
    await log.save(() => records);
    expect(await new JobLog(path.join(dir, 'jobs.json')).load()).toEqual(records);
    expect(await readdir(dir)).toEqual(['jobs.json']);
  });

  it('coalesces saves: the latest content wins', async () => {
    const log = new JobLog(path.join(dir, 'jobs.json'));
    const saves = [1, 2, 3, 4, 5].map((n) => log.save(() => [state(`j${n}`, 'queued')]));
    await Promise.all(saves);
    await log.idle();
    expect((await log.load()).map((r) => r.id)).toEqual(['j5']);
  });

  it('reads a version 1 log as JobStates: the snapshot fields, the timeline as ended steps, the transport state', async () => {
    const file = path.join(dir, 'jobs.json');
    const now = 1_700_000_000_000;
    await writeV1Log(file, [
      {
        ...record('up', 'uploading', {
          timeline: { checked: now, created: now + 1, uploading: now + 2 },
          glanceStatus: 'saving',
        }),
        identity: { size: 10, mtimeMs: 5, ino: 7 },
        transport: { name: 'test-parts', state: { parts: 1 } },
      },
      record('cr', 'creating'),
      record('dn', 'done', {
        verified: true,
        timeline: {
          checked: now,
          created: now + 1,
          uploading: now + 2,
          saving: now + 3,
          active: now + 4,
          verified: now + 4,
        },
        checksums: { algorithm: 'sha512', local: 'ab', server: 'ab', md5Local: null, md5Server: 'cd' },
      }),
    ]);
    const [up, cr, dn] = await new JobLog(file).load();
    expect(up).toMatchObject({
      id: 'up',
      target: 'glance',
      phase: 'uploading',
      request: { path: '/images/up.raw' },
      image: { id: 'img-up', owned: true, status: 'saving' },
      bytesSent: 5,
      bytesTotal: 10,
      sentIdentity: { size: 10, mtimeMs: 5, ino: 7 },
      targetState: { createUncertain: false, transport: { name: 'test-parts', state: { parts: 1 } } },
      steps: {
        checked: { startedAt: now, endedAt: now },
        created: { startedAt: now + 1, endedAt: now + 1 },
        uploading: { startedAt: now + 2, endedAt: null },
      },
    });
    // Stopped while its record was being created: Glance may have committed it after all.
    expect(cr!.targetState).toEqual({ createUncertain: true, transport: null });
    expect(dn).toMatchObject({ verified: true, verifiedBy: 'sha512', finishedAt: now });
    expect(dn!.steps.uploading).toEqual({ startedAt: now + 2, endedAt: now + 3, percent: null });
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
    expect(loaded.map((j) => [j.id, j.phase, j.verified, j.image.id])).toEqual([['good', 'done', true, 'img-good']]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/1 of its 2 jobs could not be read.*the other jobs were kept.*img-bad/);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(dir, files[0]!), 'utf8')).toBe(content);
  });

  it('keeps the sound jobs of a version 2 log with one damaged job, and names the image record it knew', async () => {
    const file = path.join(dir, 'jobs.json');
    const good = state('good', 'done', { verified: true });
    const bad = { ...state('bad', 'uploading'), phase: 'lost' };
    await writeFile(file, JSON.stringify({ version: 2, savedAt: 1, jobs: [good, bad] }));
    const warnings: string[] = [];
    expect(await new JobLog(file, { onWarning: (m) => warnings.push(m) }).load()).toEqual([good]);
    expect(warnings[0]).toMatch(/1 of its 2 jobs could not be read.*the other jobs were kept.*img-bad/);
  });

  it('reads a log written before snapshots carried their cloud: the fields come back null', async () => {
    const file = path.join(dir, 'jobs.json');
    const { cloudKey: _k, cloudName: _n, ...older } = record('old', 'done').snapshot;
    const r = record('old', 'done');
    await writeFile(file, JSON.stringify({ version: 1, savedAt: 1, jobs: [{ ...r, snapshot: older }] }));
    const [loaded] = await new JobLog(file).load();
    // The record's own copy fills what the snapshot did not carry yet.
    expect(loaded!.cloudKey).toBe('http://k/v3|p');
    expect(loaded!.cloudName).toBe('c');
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
    await writeV1Log(file, [
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
    await writeV1Log(file, [
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
      jobLog: new JobLog(file, { onWarning: (m) => warnings.push(m) }),
    });
    await engine.restore();
    expect(engine.list()).toEqual([]);
    expect(warnings).toHaveLength(1);
    await engine.dispose();
  });
});
