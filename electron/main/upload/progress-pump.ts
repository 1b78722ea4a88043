// Progress from the engine to its listeners at a bounded rate. Counting happens on every chunk;
// sending is coalesced: the latest snapshot per job wins, at most one batch per interval for all
// jobs together, phase changes go out at the end of the tick they happen in (all of one tick's
// in one batch), and the final state is never dropped.
import { PROGRESS_INTERVAL_MS } from '../../../shared/ipc.ts';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';

export interface ProgressPump {
  /** `urgent` (a phase change): sent at the end of this tick, not after the interval. */
  push(snapshot: UploadSnapshot, options?: { urgent?: boolean }): void;
  /** Sends what is pending now and stops the timers. */
  flush(): void;
  dispose(): void;
}

export interface PumpClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs fn once the current tick's synchronous work and microtasks are done (setImmediate). */
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
  now(): number;
}

const realClock: PumpClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
  now: () => Date.now(),
};

/**
 * At most 1000 / intervalMs batches a second of progress, plus at most one batch per tick in
 * which a phase changed (adding 100 jobs in one call is one batch, not 100).
 */
export function createProgressPump(
  send: (batch: readonly UploadSnapshot[]) => void,
  intervalMs = PROGRESS_INTERVAL_MS,
  clock: PumpClock = realClock,
): ProgressPump {
  const pending = new Map<UploadId, UploadSnapshot>();
  let timer: unknown = null;
  let immediate: unknown = null;
  let lastSent = -Infinity;

  function flush(): void {
    if (timer !== null) clock.clearTimeout(timer);
    if (immediate !== null) clock.clearImmediate(immediate);
    timer = null;
    immediate = null;
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    lastSent = clock.now();
    send(batch);
  }

  return {
    push(snapshot, options = {}) {
      pending.set(snapshot.id, snapshot);
      if (immediate !== null) return; // this tick's batch goes out anyway, with this snapshot in it
      if (options.urgent) {
        immediate = clock.setImmediate(flush);
        return;
      }
      if (timer !== null) return;
      // Leading edge when the line has been quiet for a whole interval; otherwise trail.
      const wait = Math.max(0, intervalMs - (clock.now() - lastSent));
      timer = clock.setTimeout(flush, wait);
    },
    flush,
    dispose: flush,
  };
}
