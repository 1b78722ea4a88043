// Progress from the engine to its listeners at a bounded rate. Counting happens on every chunk;
// sending is coalesced: the latest snapshot per job wins, at most one batch per interval for all
// jobs together, phase changes go out at once, and the final state is never dropped.
import { PROGRESS_INTERVAL_MS } from '../../../shared/ipc.ts';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';

export interface ProgressPump {
  push(snapshot: UploadSnapshot, options?: { urgent?: boolean }): void;
  /** Sends what is pending now and stops the timer. */
  flush(): void;
  dispose(): void;
}

export interface PumpClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realClock: PumpClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

export function createProgressPump(
  send: (batch: readonly UploadSnapshot[]) => void,
  intervalMs = PROGRESS_INTERVAL_MS,
  clock: PumpClock = realClock,
): ProgressPump {
  const pending = new Map<UploadId, UploadSnapshot>();
  let timer: unknown = null;
  let lastSent = -Infinity;

  function flush(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    lastSent = clock.now();
    send(batch);
  }

  return {
    push(snapshot, options = {}) {
      pending.set(snapshot.id, snapshot);
      if (options.urgent) {
        flush();
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
