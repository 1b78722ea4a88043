import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobLog } from '../upload/job-log.ts';
import { newJobState } from '../upload/job-state.ts';
import { multipartUploadId, uploadsHeldBy, uploadsHeldByCliLogs, uploadsHeldByLogs } from './multipart-uploads.ts';

const request = {
  path: '/i/d.raw',
  name: 'd',
  diskFormat: 'raw',
  containerFormat: 'bare',
  visibility: 'private',
} as const;
const multipart = (uploadId: string) => ({ multipart: { version: 1, bucket: 'b', key: 'k', uploadId } });

describe('which multipart uploads a job holds', () => {
  it('reads the upload id from an object-storage target state, and nothing from others', () => {
    expect(multipartUploadId(multipart('u1'))).toBe('u1');
    expect(multipartUploadId({ multipart: null })).toBeNull();
    expect(multipartUploadId(null)).toBeNull();
    expect(multipartUploadId({ glance: { imageId: 'x' } })).toBeNull();
    expect(
      uploadsHeldBy([
        { id: 'j1', targetState: multipart('u1') },
        { id: 'j2', targetState: null },
      ]),
    ).toEqual(new Map([['u1', 'j1']]));
  });

  it("reads the CLI's job logs: unfinished jobs and ones with a leftover hold theirs, finished ones do not", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-held-'));
    try {
      const job = (id: string, phase: 'interrupted' | 'done', leftover: string | null) => ({
        ...newJobState(id, request, 'ims-register', { key: null, name: 'hw', userName: null }, 1),
        phase,
        leftover,
        targetState: multipart(`up-${id}`),
      });
      const log = new JobLog(path.join(dir, 'run.json'));
      await log.save(() => [job('a', 'interrupted', null), job('b', 'done', null), job('c', 'done', 'an object')]);
      await log.flush();
      expect(await uploadsHeldByCliLogs(dir)).toEqual(
        new Map([
          ['up-a', 'a'],
          ['up-c', 'c'],
        ]),
      );
      expect(await uploadsHeldByCliLogs(path.join(dir, 'missing'))).toEqual(new Map());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('only reads the logs: a damaged one is left where it is, and no upload is called free while it cannot be read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-held-'));
    try {
      const damaged = path.join(dir, 'run.json');
      await writeFile(damaged, '{"version": 2, "jobs": [');
      await expect(uploadsHeldByCliLogs(dir)).rejects.toMatchObject({ code: 'joblog/unreadable' });
      // The owner of the log (a CLI run, the app) still finds it as it left it.
      expect(await readdir(dir)).toEqual(['run.json']);
      expect(await readFile(damaged, 'utf8')).toBe('{"version": 2, "jobs": [');
      // A missing log holds nothing (the app's queue before the app first ran).
      expect(await uploadsHeldByLogs([path.join(dir, 'jobs.json')])).toEqual(new Map());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
