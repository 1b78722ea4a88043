// Each step's state for the views, table by table: a step is done only when it ended.
import { describe, expect, it } from 'vitest';
import { TARGETS, stepViews, type StepRecords } from './targets.ts';
import { TARGET_KINDS, type StepState, type UploadPhase } from './upload.ts';

const done = (t: number) => ({ startedAt: t, endedAt: t + 1 });
const running = (t: number) => ({ startedAt: t, endedAt: null });

describe('stepViews', () => {
  it.each<[string, StepRecords, UploadPhase, StepState[]]>([
    ['a new job', {}, 'queued', ['pending', 'pending', 'pending', 'pending', 'pending', 'pending']],
    [
      'checking',
      { checked: running(1) },
      'checking',
      ['running', 'pending', 'pending', 'pending', 'pending', 'pending'],
    ],
    [
      'one second into the upload (the bug the first version had: started is not done)',
      { checked: done(1), created: done(3), uploading: running(5) },
      'uploading',
      ['done', 'done', 'running', 'pending', 'pending', 'pending'],
    ],
    [
      'paused',
      { checked: done(1), created: done(3), uploading: running(5) },
      'paused',
      ['done', 'done', 'paused', 'pending', 'pending', 'pending'],
    ],
    [
      'interrupted',
      { checked: done(1), created: done(3), uploading: running(5) },
      'interrupted',
      ['done', 'done', 'stopped', 'pending', 'pending', 'pending'],
    ],
    [
      'failed while uploading',
      { checked: done(1), created: done(3), uploading: running(5) },
      'failed',
      ['done', 'done', 'failed', 'pending', 'pending', 'pending'],
    ],
    [
      'failed between two steps (the check ended, the record could not be made)',
      { checked: done(1) },
      'failed',
      ['done', 'failed', 'pending', 'pending', 'pending', 'pending'],
    ],
    [
      'done, verified',
      { checked: done(1), created: done(3), uploading: done(5), saving: done(7), active: done(9), verified: done(9) },
      'done',
      ['done', 'done', 'done', 'done', 'done', 'done'],
    ],
    [
      'done, not verifiable',
      {
        checked: done(1),
        created: done(3),
        uploading: done(5),
        saving: done(7),
        active: done(9),
        verified: { startedAt: null, endedAt: null, skipped: true },
      },
      'done',
      ['done', 'done', 'done', 'done', 'done', 'skipped'],
    ],
    [
      'done after a restart that only verified (saving never seen)',
      { checked: done(1), created: done(3), uploading: done(5), active: done(9), verified: done(9) },
      'done',
      ['done', 'done', 'done', 'skipped', 'done', 'done'],
    ],
    [
      'cancelled while uploading',
      { checked: done(1), created: done(3), uploading: running(5) },
      'cancelled',
      ['done', 'done', 'stopped', 'pending', 'pending', 'pending'],
    ],
  ])('%s', (_what, records, phase, states) => {
    const views = stepViews('glance', records, phase);
    expect(views.map((v) => v.step)).toEqual(TARGETS.glance.steps);
    expect(views.map((v) => v.state)).toEqual(states);
  });

  it('follows each target kind’s own order, with percent and times', () => {
    const views = stepViews(
      'ims-register',
      {
        checked: done(1),
        uploading: done(3),
        created: done(5),
        registering: { startedAt: 7, endedAt: null, percent: 45 },
      },
      'verifying',
    );
    expect(views.map((v) => [v.step, v.state, v.percent])).toEqual([
      ['checked', 'done', null],
      ['uploading', 'done', null],
      ['created', 'done', null],
      ['registering', 'running', 45],
      ['active', 'pending', null],
      ['verified', 'pending', null],
    ]);
    expect(views[0]).toMatchObject({ startedAt: 1, endedAt: 2 });
  });

  it('every target kind starts with the check and ends active, then verified', () => {
    for (const kind of TARGET_KINDS) {
      const steps = TARGETS[kind].steps;
      expect([steps[0], steps.at(-2), steps.at(-1)]).toEqual(['checked', 'active', 'verified']);
      expect(steps).toContain('uploading');
    }
  });
});
