import { describe, expect, it } from 'vitest';
import { MIB, makeSnapshot } from '../testing/fixtures.ts';
import { UPLOAD_PHASES } from '../../../shared/upload.ts';
import { chipTone, queueGroup, rowAbilities, selectQueueTotals } from './selectors.ts';
import type { AppState } from './types.ts';

const CLOUD = 'https://keystone.example.org:5000/v3|p1|RegionOne';

describe('rowAbilities', () => {
  it('Cancel asks first for a restored job whose image already holds every byte (resume plan verify)', () => {
    // The log was last written mid-way, so the snapshot's byte count is behind the server.
    const restored = makeSnapshot({
      phase: 'interrupted',
      resume: { kind: 'verify' },
      bytesSent: 200 * MIB,
      bytesTotal: 700 * MIB,
      imageStatus: 'active',
    });
    expect(rowAbilities(restored, CLOUD)).toMatchObject({ canCancel: true, cancelDeletesUpload: true });
  });

  it('Cancel asks nothing for an interrupted job that must send its bytes again', () => {
    const restart = makeSnapshot({ phase: 'interrupted', resume: { kind: 'restart' }, bytesSent: 200 * MIB });
    expect(rowAbilities(restart, CLOUD)).toMatchObject({ canCancel: true, cancelDeletesUpload: false });
  });

  it('Cancel never asks about an image Imagedrop did not create', () => {
    const notOurs = makeSnapshot({ phase: 'interrupted', resume: { kind: 'verify' }, createdImage: false });
    expect(rowAbilities(notOurs, CLOUD).cancelDeletesUpload).toBe(false);
  });
});

describe('retry or fix', () => {
  it('offers Retry only for an error that says retrying may work', () => {
    const failed = (retryable: boolean) =>
      makeSnapshot({
        phase: 'failed',
        error: { code: 'glance/quota-exceeded', message: 'x', retryable, httpStatus: 413 },
      });
    expect(rowAbilities(failed(false), CLOUD)).toMatchObject({ canRetry: false, needsFix: true });
    expect(rowAbilities(failed(true), CLOUD)).toMatchObject({ canRetry: true, needsFix: false });
    expect(rowAbilities(failed(true), 'elsewhere')).toMatchObject({
      canRetry: false,
      retryBlocked: true,
      needsFix: false,
    });
  });
});

describe('queue totals', () => {
  const at = (...jobs: ReturnType<typeof makeSnapshot>[]) =>
    ({
      uploads: Object.fromEntries(jobs.map((j) => [j.id, j])),
      uploadOrder: jobs.map((j) => j.id),
    }) as unknown as AppState;

  it('counts only done jobs as finished, and failed ones apart', () => {
    const t = selectQueueTotals(
      at(
        makeSnapshot({ id: 'd', phase: 'done' }),
        makeSnapshot({ id: 'f', phase: 'failed' }),
        makeSnapshot({ id: 'c', phase: 'cancelled' }),
        makeSnapshot({ id: 'u', phase: 'uploading' }),
      ),
    );
    expect([t.jobs, t.finished, t.failed]).toEqual([3, 1, 1]);
  });

  it('the ETA: estimating before the first speed, the time left once there is one, on hold when only paused jobs are left', () => {
    expect(selectQueueTotals(at(makeSnapshot({ id: 'q', phase: 'queued', bytesPerSecond: null }))).eta).toBe(
      'estimating',
    );
    expect(
      selectQueueTotals(at(makeSnapshot({ id: 'u', bytesSent: 100, bytesTotal: 1100, bytesPerSecond: 100 }))).eta,
    ).toBe(10);
    expect(selectQueueTotals(at(makeSnapshot({ id: 'p', phase: 'paused' }))).eta).toBe('held');
    expect(selectQueueTotals(at(makeSnapshot({ id: 'd', phase: 'done' }))).eta).toBe('none');
  });

  it('elapsed runs from the first start to the last end once nothing runs', () => {
    const t = selectQueueTotals(
      at(
        makeSnapshot({ id: 'a', phase: 'done', startedAt: 1000, finishedAt: 5000 }),
        makeSnapshot({ id: 'b', phase: 'failed', startedAt: 2000, finishedAt: 9000 }),
      ),
    );
    expect([t.firstStartedAt, t.lastEndedAt]).toEqual([1000, 9000]);
    const running = selectQueueTotals(
      at(
        makeSnapshot({ id: 'a', phase: 'done', startedAt: 1000, finishedAt: 5000 }),
        makeSnapshot({ id: 'u', startedAt: 3000 }),
      ),
    );
    expect(running.lastEndedAt).toBeNull();
  });
});

describe('queue groups and chips', () => {
  it('groups every phase into one tab, and colours killed images red', () => {
    expect(UPLOAD_PHASES.map(queueGroup)).toEqual([
      'waiting',
      'running',
      'running',
      'running',
      'paused',
      'paused',
      'running',
      'done',
      'failed',
      'cancelled',
    ]);
    expect(chipTone({ phase: 'interrupted', imageStatus: 'killed' })).toBe('bad');
    expect(chipTone({ phase: 'cancelled', imageStatus: 'killed' })).toBe('idle');
  });
});
