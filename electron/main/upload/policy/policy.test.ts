// The engine's policies, table by table: keep or delete after a failure, the resume plan from what
// the service holds, automatic retries, and what a restored job becomes. The integration tests
// against the real cloud then prove the wiring, not every branch.
import { describe, expect, it } from 'vitest';
import type { AppErrorCode } from '../../../../shared/errors.ts';
import type { UploadPhase } from '../../../../shared/upload.ts';
import { afterFailure, type FailureOutcome } from './failure.ts';
import { restoredJob } from './restore.ts';
import { resumePlanFor, type ServerView } from './resume.ts';
import { DEFAULT_RETRY, retryDelay, type RetryFacts } from './retry.ts';

describe('afterFailure', () => {
  const base = { hasRecord: true, ownsRecord: true, recordGone: false, badData: false };
  it.each<[UploadPhase, AppErrorCode, Partial<typeof base>, FailureOutcome]>([
    ['checking', 'file/not-found', { hasRecord: false, ownsRecord: false }, 'nothing'],
    ['creating', 'glance/quota-exceeded', {}, 'delete'],
    ['uploading', 'glance/too-large', {}, 'delete'],
    ['uploading', 'file/changed', {}, 'delete'],
    ['uploading', 'glance/gone', { recordGone: true }, 'forget'],
    ['uploading', 'glance/not-found', { recordGone: true, ownsRecord: false }, 'forget'],
    ['uploading', 'internal', {}, 'keep'],
    ['verifying', 'network/timeout', {}, 'keep'],
    ['verifying', 'file/changed', {}, 'keep'],
    ['verifying', 'upload/verify-timeout', {}, 'keep'],
    ['verifying', 'upload/integrity', {}, 'delete'],
    ['verifying', 'upload/killed', {}, 'delete'],
    ['verifying', 'ims/job-failed' as AppErrorCode, { badData: true }, 'delete'],
    ['verifying', 'upload/integrity', { ownsRecord: false }, 'nothing'],
    ['uploading', 'glance/conflict', { ownsRecord: false }, 'nothing'],
  ])('%s, %s, %o → %s', (phase, code, facts, outcome) => {
    expect(afterFailure({ ...base, ...facts, phase, code })).toBe(outcome);
  });
});

describe('resumePlanFor', () => {
  it.each<[ServerView, number, ReturnType<typeof resumePlanFor>]>([
    [{ kind: 'complete' }, 100, { kind: 'verify' }],
    [{ kind: 'stuck', status: 'saving' }, 100, { kind: 'recreate', imageStatus: 'saving' }],
    [{ kind: 'stuck', status: 'killed' }, 100, { kind: 'recreate', imageStatus: 'killed' }],
    [{ kind: 'stuck', status: 'unknown' }, 100, { kind: 'recreate', imageStatus: 'unknown' }],
    [{ kind: 'waiting', offset: 0 }, 100, { kind: 'restart' }],
    [{ kind: 'waiting', offset: 50 }, 100, { kind: 'continue', percent: 50 }],
    [{ kind: 'waiting', offset: 99_999 }, 100_000, { kind: 'continue', percent: 99 }],
    [{ kind: 'none' }, 100, { kind: 'restart' }],
  ])('%o of %i bytes → %o', (view, total, plan) => {
    expect(resumePlanFor(view, total)).toEqual(plan);
  });
});

describe('retryDelay', () => {
  const facts: RetryFacts = {
    retries: 0,
    firstFailureAt: 0,
    now: 0,
    plan: { kind: 'restart' },
    autoRecreate: false,
    heldByUser: false,
  };
  it.each<[string, Partial<RetryFacts>, number, number | null]>([
    ['first retry, no jitter', {}, 0, 500],
    ['first retry, full jitter', {}, 0.999_999, 1_000],
    ['third retry doubles twice', { retries: 2 }, 0, 2_000],
    ['capped at maxDelayMs', { retries: 4 }, 0.999_999, 16_000],
    ['the cap itself', { retries: 6 }, 0, null], // more than maxRetries
    ['after maxRetries', { retries: 5 }, 0, null],
    ['after maxTotalMs', { now: 10 * 60_000 }, 0, null],
    ['just before maxTotalMs', { now: 10 * 60_000 - 1 }, 0, 500],
    ['held by the user', { heldByUser: true }, 0, null],
    ['a stuck record without consent', { plan: { kind: 'recreate', imageStatus: 'saving' } }, 0, null],
    [
      'a stuck record with consent up front',
      { plan: { kind: 'recreate', imageStatus: 'saving' }, autoRecreate: true },
      0,
      500,
    ],
    ['continue plans retry', { plan: { kind: 'continue', percent: 40 } }, 0, 500],
  ])('%s', (_what, f, random, delay) => {
    expect(retryDelay({ ...facts, ...f }, DEFAULT_RETRY, random)).toBe(delay);
  });

  it('never waits longer than maxDelayMs', () => {
    for (let retries = 0; retries < 5; retries++) {
      expect(retryDelay({ ...facts, retries }, { ...DEFAULT_RETRY, maxDelayMs: 3_000 }, 0.999_999)).toBeLessThanOrEqual(
        3_000,
      );
    }
  });
});

describe('restoredJob', () => {
  const none = { kind: 'none' } as const;
  it.each<[UploadPhase, boolean, UploadPhase, string | null]>([
    ['queued', false, 'queued', null],
    ['queued', true, 'interrupted', 'This upload has not started: resume it to send the file.'],
    [
      'checking',
      false,
      'interrupted',
      'Imagedrop stopped while this upload was running: resume it to send the file again.',
    ],
    [
      'creating',
      false,
      'interrupted',
      'Imagedrop stopped while this upload was running: resume it to send the file again.',
    ],
    [
      'uploading',
      false,
      'interrupted',
      'Imagedrop stopped while this upload was running: resume it to send the file again.',
    ],
    [
      'paused',
      true,
      'interrupted',
      'Imagedrop stopped while this upload was running: resume it to send the file again.',
    ],
    [
      'verifying',
      false,
      'interrupted',
      'Imagedrop stopped while this upload was running: resume it to send the file again.',
    ],
    ['interrupted', false, 'interrupted', null],
    ['done', true, 'done', null],
    ['failed', false, 'failed', null],
    ['cancelled', false, 'cancelled', null],
  ])('%s (held: %s) → %s', (phase, held, expected, message) => {
    const r = restoredJob({ phase, resume: none, error: null }, held);
    expect(r.phase).toBe(expected);
    expect(r.error?.message ?? null).toBe(message);
    expect(r.resume).toEqual(expected === 'interrupted' && phase !== 'interrupted' ? { kind: 'restart' } : none);
  });

  it('keeps the error a running job already had', () => {
    const error = { code: 'network/reset' as const, message: 'broke', retryable: true };
    expect(restoredJob({ phase: 'uploading', resume: none, error }, false).error).toBe(error);
  });
});
