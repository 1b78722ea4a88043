// What a job read back from the job log becomes when Imagedrop starts: a pure decision. A job that
// was running lost its connection with the process, so it waits as interrupted (its target looks
// at the server later to make the plan true); a queued one that the caller holds waits too; the
// rest come back as they were.
import type { AppError } from '../../../../shared/errors.ts';
import { isFinished } from '../../../../shared/phases.ts';
import type { ResumePlan, UploadPhase } from '../../../../shared/upload.ts';

export interface Restored {
  readonly phase: UploadPhase;
  readonly resume: ResumePlan;
  readonly error: AppError | null;
}

export function restoredJob(saved: Restored, held: boolean): Restored {
  if (isFinished(saved.phase) || saved.phase === 'interrupted') return saved;
  if (saved.phase === 'queued') {
    if (!held) return saved;
    return {
      phase: 'interrupted',
      resume: { kind: 'restart' },
      error: {
        code: 'upload/interrupted',
        message: 'This upload has not started: resume it to send the file.',
        retryable: true,
      },
    };
  }
  return {
    phase: 'interrupted',
    resume: { kind: 'restart' },
    error: saved.error ?? {
      code: 'upload/interrupted',
      message: 'Imagedrop stopped while this upload was running: resume it to send the file again.',
      retryable: true,
    },
  };
}
