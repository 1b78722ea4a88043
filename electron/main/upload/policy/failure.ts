// What happens to a job's record after a failure, as a pure decision over plain facts. A record
// whose data may be good is kept (after every byte went in, only bad data is a reason to delete
// it; an internal error is Imagedrop's bug, never the user's loss); one someone else deleted is
// forgotten; anything else this app created is deleted, so nothing half-done stays behind.
import type { AppErrorCode } from '../../../../shared/errors.ts';
import type { UploadPhase } from '../../../../shared/upload.ts';

export interface FailureFacts {
  /** Where the job was when it failed. */
  readonly phase: UploadPhase;
  readonly code: AppErrorCode;
  /** The job knows a record on the server. */
  readonly hasRecord: boolean;
  /** This app created that record (only then may it delete it). */
  readonly ownsRecord: boolean;
  /** The target says the error means the record is gone already. */
  readonly recordGone: boolean;
  /** The target says the data the service holds is bad (besides the engine's own integrity codes). */
  readonly badData: boolean;
}

export type FailureOutcome = 'forget' | 'keep' | 'delete' | 'nothing';

/** Codes that say the stored data is not the file, whatever the image service. */
export const BAD_DATA_CODES: readonly AppErrorCode[] = ['upload/integrity', 'upload/killed'];

export function afterFailure(f: FailureFacts): FailureOutcome {
  if (!f.hasRecord) return 'nothing';
  if (f.recordGone) return 'forget';
  if (!f.ownsRecord) return 'nothing';
  if (f.code === 'internal') return 'keep';
  const bad = f.badData || BAD_DATA_CODES.includes(f.code);
  if (f.phase === 'verifying' && !bad) return 'keep';
  return 'delete';
}
