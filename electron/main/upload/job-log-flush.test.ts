// JobLog.flush(): what the engine awaits before it creates an image record. It resolves only when
// the log is on disk, and rejects with 'joblog/unwritable' (a sentence naming the folder and what
// to do) when the save failed or hung. Real files, the real /proc; only the hung disk is simulated.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImagedropError } from '../errors.ts';
import { JOB_LOG_VERSION, JobLog } from './job-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-joblog-flush-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<ImagedropError> {
  const e = await p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImagedropError);
  return e as ImagedropError;
}

describe('JobLog.flush', () => {
  it('resolves once what was saved is on disk', async () => {
    const log = new JobLog(path.join(dir, 'data', 'cli-jobs', 'run.json'));
    void log.save(() => []);
    await log.flush(5_000);
    expect(JSON.parse(await readFile(log.file, 'utf8'))).toMatchObject({ version: JOB_LOG_VERSION, jobs: [] });
  });

  it('resolves at once when nothing was saved yet', async () => {
    await new JobLog(path.join(dir, 'nothing.json')).flush(1);
  });

  it('rejects with joblog/unwritable naming the folder when the data folder is a regular file', async () => {
    const data = path.join(dir, 'data');
    await writeFile(data, 'not a folder');
    const warnings: string[] = [];
    const log = new JobLog(path.join(data, 'cli-jobs', 'run.json'), { onWarning: (m) => warnings.push(m) });
    await log.save(() => []); // never rejects: the engine does not await it
    const e = await rejection(log.flush(5_000));
    expect(e.code).toBe('joblog/unwritable');
    expect(e.message).toBe(
      `Imagedrop cannot save its job log in ${path.join(data, 'cli-jobs')} (ENOTDIR: part of that path is a file, not a folder), so it creates no image record it could lose track of: make that folder writable, or set IMAGEDROP_DATA_DIR to a folder you can write.`,
    );
    expect(warnings).toHaveLength(1);
  });

  it('rejects at once for IMAGEDROP_DATA_DIR=/proc/1 (a folder nothing can be created in), not after a hang', async () => {
    const log = new JobLog('/proc/1/cli-jobs/run.json');
    void log.save(() => []);
    const started = Date.now();
    const e = await rejection(log.flush(10_000));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(e.code).toBe('joblog/unwritable');
    expect(e.message).toMatch(
      /^Imagedrop cannot save its job log in \/proc\/1\/cli-jobs \(ENOENT: the folder cannot be created there\)/,
    );
  });

  it('rejects when the save has not finished by the deadline (a hung disk)', async () => {
    const hung = new Promise<void>(() => {});
    const log = new JobLog(path.join(dir, 'run.json'), { write: () => hung });
    void log.save(() => []);
    const started = Date.now();
    const e = await rejection(log.flush(200));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(e.code).toBe('joblog/unwritable');
    expect(e.message).toMatch(/\(saving it did not finish within 0\.2 s; the disk or network share may hang\)/);
  });

  it('resolves again once a later save reached the disk after a failed one', async () => {
    let fail = true;
    const log = new JobLog(path.join(dir, 'run.json'), {
      write: async (file, data) => {
        if (fail) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        await writeFile(file, data);
      },
    });
    void log.save(() => []);
    expect((await rejection(log.flush(5_000))).message).toMatch(/\(ENOSPC: the disk is full\)/);
    fail = false;
    void log.save(() => []);
    await log.flush(5_000);
  });

  it('warns once per distinct failure, not once per save', async () => {
    const warnings: string[] = [];
    const data = path.join(dir, 'data');
    await writeFile(data, 'x');
    const log = new JobLog(path.join(data, 'run.json'), { onWarning: (m) => warnings.push(m) });
    for (let i = 0; i < 5; i++) await log.save(() => []);
    expect(warnings).toEqual([
      `The upload queue could not be saved to ${log.file} (ENOTDIR: part of that path is a file, not a folder).`,
    ]);
  });
});

describe('JobLog.remove', () => {
  it('removes the log, and a missing one is no error', async () => {
    const log = new JobLog(path.join(dir, 'run.json'));
    await log.save(() => []);
    await log.remove();
    await log.remove();
    await expect(readFile(log.file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects with a sentence (not an unexpected problem) when its folder became a file', async () => {
    const data = path.join(dir, 'data');
    await writeFile(data, 'x');
    const e = await rejection(new JobLog(path.join(data, 'run.json')).remove());
    expect(e.code).toBe('joblog/unwritable');
    expect(e.message).toMatch(
      /could not be removed \(ENOTDIR: part of that path is a file, not a folder\): its jobs are finished, so delete it yourself\.$/,
    );
  });
});
