// The image services and routes a job can run on, as every view needs to know them: which service
// it is and the steps of its lifecycle in order. The engine in main names none of them; each
// target (electron/main/targets/) declares its kind, and the views take the steps from here.
import type { LifecycleStep, LifecycleStepView, StepState, TargetKind, UploadPhase } from './upload.ts';

export type ImageService = 'glance' | 'ims';

export interface TargetDescription {
  readonly service: ImageService;
  /** The lifecycle steps of this route, in order. */
  readonly steps: readonly LifecycleStep[];
}

export const TARGETS: Readonly<Record<TargetKind, TargetDescription>> = {
  glance: { service: 'glance', steps: ['checked', 'created', 'uploading', 'saving', 'active', 'verified'] },
  'glance-import': {
    service: 'glance',
    steps: ['checked', 'created', 'uploading', 'staged', 'importing', 'active', 'verified'],
  },
  'ims-native': { service: 'ims', steps: ['checked', 'created', 'uploading', 'saving', 'active', 'verified'] },
  'ims-register': {
    service: 'ims',
    steps: ['checked', 'uploading', 'created', 'registering', 'active', 'verified'],
  },
  'ims-create': { service: 'ims', steps: ['checked', 'uploading', 'registering', 'active', 'verified'] },
  'ims-quick': { service: 'ims', steps: ['checked', 'uploading', 'registering', 'active', 'verified'] },
};

/** What is kept of one step: when it started and ended, and its own progress. */
export interface StepRecord {
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly percent?: number | null;
  /** The step does not apply to this run (e.g. nothing to verify against). */
  readonly skipped?: boolean;
}

export type StepRecords = Readonly<Partial<Record<LifecycleStep, StepRecord>>>;

/**
 * Each step's state for the views. A step is done only when it has ended (a start time alone
 * never makes it done); the one under way is running, paused, stopped (interrupted or cancelled)
 * or failed with the job; a finished job's steps that never ran are skipped.
 */
export function stepViews(kind: TargetKind, records: StepRecords, phase: UploadPhase): LifecycleStepView[] {
  const order = TARGETS[kind].steps;
  const anyRunning = order.some((step) => {
    const r = records[step];
    return r && !r.skipped && r.startedAt !== null && r.endedAt === null;
  });
  let failureShown = false;
  return order.map((step) => {
    const r = records[step];
    let state: StepState;
    if (r?.skipped) state = 'skipped';
    else if (r && r.endedAt !== null) state = 'done';
    else if (r && r.startedAt !== null) state = runningState(phase);
    else if (phase === 'done') state = 'skipped';
    else if (phase === 'failed' && !anyRunning && !failureShown) {
      // Failed between two steps: the first one that could not start is where it failed.
      state = 'failed';
      failureShown = true;
    } else state = 'pending';
    if (state === 'failed') failureShown = true;
    return {
      step,
      state,
      startedAt: r?.startedAt ?? null,
      endedAt: r?.endedAt ?? null,
      percent: r?.percent ?? null,
    };
  });
}

function runningState(phase: UploadPhase): StepState {
  switch (phase) {
    case 'paused':
      return 'paused';
    case 'interrupted':
    case 'cancelled':
      return 'stopped';
    case 'failed':
      return 'failed';
    case 'done':
      return 'done';
    default:
      return 'running';
  }
}
