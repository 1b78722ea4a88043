// Whether a broken job is retried on its own, and after how long: a pure decision. A job the user
// held paused waits for the user; one whose record needs replacing waits for consent unless it was
// given up front; otherwise retries are bounded in number and in time, with "equal jitter"
// exponential backoff.
import type { ResumePlan } from '../../../../shared/upload.ts';

export interface RetryPolicy {
  /** Automatic attempts after the first failure. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No automatic retry starts later than this after the first failure of a run. */
  readonly maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalMs: 10 * 60_000,
};

export interface RetryFacts {
  /** Automatic retries already made in this run. */
  readonly retries: number;
  readonly firstFailureAt: number;
  readonly now: number;
  readonly plan: ResumePlan;
  /** Consent given up front to replace stuck records (the CLI's --recreate-stuck). */
  readonly autoRecreate: boolean;
  /** The connection broke while the user held the job paused. */
  readonly heldByUser: boolean;
}

/** The delay before the next automatic retry, or null when the job waits for the user. `random` is in [0, 1). */
export function retryDelay(f: RetryFacts, policy: RetryPolicy, random: number): number | null {
  if (f.heldByUser) return null;
  if (f.retries >= policy.maxRetries) return null;
  if (f.now - f.firstFailureAt >= policy.maxTotalMs) return null;
  if (f.plan.kind === 'recreate' && !f.autoRecreate) return null;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** f.retries);
  return Math.round(exp / 2 + (random * exp) / 2);
}
