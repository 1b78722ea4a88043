// The pure transition table of an upload job. The engine moves jobs only through `nextPhase`;
// views use the `can*` predicates to enable their buttons. Illegal transitions throw.
import type { UploadPhase } from './upload.ts';

export type UploadEvent =
  | 'start' // a queue slot is free
  | 'checked' // file and image preflight passed; a record must be created
  | 'reuse' // preflight passed and the existing (queued) record takes the data
  | 'created' // POST /v2/images answered 201
  | 'pause'
  | 'resume'
  | 'connection-lost' // the connection broke (or the app restarted) before the job could finish
  | 'hold' // the job cannot go on without the user (for example consent to replace a stuck image)
  | 'uploaded' // PUT answered 204: Glance has every byte
  | 'verified' // active, and size and checksum match
  | 'fail'
  | 'cancel'
  | 'retry';

const TABLE: Readonly<Record<UploadPhase, Partial<Record<UploadEvent, UploadPhase>>>> = {
  queued: { start: 'checking', cancel: 'cancelled', fail: 'failed' },
  checking: {
    checked: 'creating',
    reuse: 'uploading',
    uploaded: 'verifying',
    'connection-lost': 'interrupted',
    hold: 'interrupted',
    fail: 'failed',
    cancel: 'cancelled',
  },
  creating: { created: 'uploading', fail: 'failed', cancel: 'cancelled', 'connection-lost': 'interrupted' },
  uploading: {
    pause: 'paused',
    uploaded: 'verifying',
    'connection-lost': 'interrupted',
    fail: 'failed',
    cancel: 'cancelled',
  },
  // `uploaded` from paused: the PUT's answer can arrive after a pause that came too late to hold anything.
  paused: {
    resume: 'uploading',
    uploaded: 'verifying',
    'connection-lost': 'interrupted',
    fail: 'failed',
    cancel: 'cancelled',
  },
  // A resumed job queues again, so the concurrency limit holds; 'checking' then looks at the image.
  interrupted: { resume: 'queued', fail: 'failed', cancel: 'cancelled' },
  verifying: { verified: 'done', fail: 'failed', cancel: 'cancelled', 'connection-lost': 'interrupted' },
  done: {},
  failed: { retry: 'queued', cancel: 'cancelled' },
  cancelled: {},
};

export class IllegalTransitionError extends Error {
  readonly code = 'internal';
  readonly phase: UploadPhase;
  readonly event: UploadEvent;
  constructor(phase: UploadPhase, event: UploadEvent) {
    super(`An upload cannot ${event} while it is ${phase}.`);
    this.phase = phase;
    this.event = event;
  }
}

/** The phase after `event`, or a thrown IllegalTransitionError. */
export function nextPhase(phase: UploadPhase, event: UploadEvent): UploadPhase {
  const next = TABLE[phase][event];
  if (next === undefined) throw new IllegalTransitionError(phase, event);
  return next;
}

export function canTransition(phase: UploadPhase, event: UploadEvent): boolean {
  return TABLE[phase][event] !== undefined;
}

export function isFinished(phase: UploadPhase): boolean {
  return phase === 'done' || phase === 'failed' || phase === 'cancelled';
}

/** Phases in which a job holds (or is about to hold) a queue slot. */
export function isActive(phase: UploadPhase): boolean {
  return (
    phase === 'checking' || phase === 'creating' || phase === 'uploading' || phase === 'paused' || phase === 'verifying'
  );
}

export function canPause(phase: UploadPhase): boolean {
  return canTransition(phase, 'pause');
}

export function canResume(phase: UploadPhase): boolean {
  return canTransition(phase, 'resume');
}

export function canCancel(phase: UploadPhase): boolean {
  return canTransition(phase, 'cancel');
}

export function canRetry(phase: UploadPhase): boolean {
  return canTransition(phase, 'retry') && phase === 'failed';
}
