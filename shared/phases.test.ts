import { describe, expect, it } from 'vitest';
import {
  canCancel,
  canPause,
  canResume,
  canRetry,
  canTransition,
  isFinished,
  nextPhase,
  type UploadEvent,
} from './phases.ts';
import { UPLOAD_PHASES, type UploadPhase } from './upload.ts';

const LEGAL: [UploadPhase, UploadEvent, UploadPhase][] = [
  ['queued', 'start', 'checking'],
  ['checking', 'checked', 'creating'],
  ['checking', 'reuse', 'uploading'],
  ['checking', 'uploaded', 'verifying'],
  ['creating', 'created', 'uploading'],
  ['uploading', 'pause', 'paused'],
  ['paused', 'resume', 'uploading'],
  ['paused', 'uploaded', 'verifying'],
  ['uploading', 'connection-lost', 'interrupted'],
  ['paused', 'connection-lost', 'interrupted'],
  ['interrupted', 'resume', 'queued'],
  ['checking', 'connection-lost', 'interrupted'],
  ['checking', 'hold', 'interrupted'],
  ['uploading', 'uploaded', 'verifying'],
  ['verifying', 'verified', 'done'],
  ['verifying', 'fail', 'failed'],
  ['failed', 'retry', 'queued'],
  ['uploading', 'cancel', 'cancelled'],
  ['interrupted', 'cancel', 'cancelled'],
];

describe('nextPhase', () => {
  it.each(LEGAL)('%s + %s → %s', (phase, event, next) => {
    expect(nextPhase(phase, event)).toBe(next);
  });

  it.each([
    ['done', 'cancel'],
    ['done', 'retry'],
    ['cancelled', 'resume'],
    ['queued', 'pause'],
    ['verifying', 'pause'],
    ['paused', 'pause'],
    ['uploading', 'resume'],
    ['failed', 'resume'],
  ] as [UploadPhase, UploadEvent][])('throws for %s + %s', (phase, event) => {
    expect(() => nextPhase(phase, event)).toThrow(`An upload cannot ${event} while it is ${phase}.`);
  });

  it('finished phases accept nothing but a retry of a failure', () => {
    for (const phase of UPLOAD_PHASES.filter(isFinished)) {
      const events: UploadEvent[] = ['start', 'pause', 'resume', 'connection-lost', 'uploaded', 'verified'];
      for (const e of events) expect(canTransition(phase, e)).toBe(false);
    }
  });

  it('the predicates match the table', () => {
    expect(UPLOAD_PHASES.filter(canPause)).toEqual(['uploading']);
    expect(UPLOAD_PHASES.filter(canResume)).toEqual(['paused', 'interrupted']);
    expect(UPLOAD_PHASES.filter(canRetry)).toEqual(['failed']);
    expect(UPLOAD_PHASES.filter(canCancel)).toEqual([
      'queued',
      'checking',
      'creating',
      'uploading',
      'paused',
      'interrupted',
      'verifying',
      'failed',
    ]);
  });
});
