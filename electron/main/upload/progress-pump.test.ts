import { describe, expect, it } from 'vitest';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { createProgressPump, type PumpClock } from './progress-pump.ts';

function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: PumpClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      now = t.at;
      t.fn();
    }
    now = end;
  };
  return { clock, advance };
}

const snap = (id: string, bytesSent: number): UploadSnapshot => ({ id, bytesSent }) as unknown as UploadSnapshot;

describe('progress pump', () => {
  it('sends at most 4 batches a second for any number of jobs and pushes', () => {
    const { clock, advance } = fakeClock();
    const batches: (readonly UploadSnapshot[])[] = [];
    const pump = createProgressPump((b) => batches.push(b), 250, clock);
    // 1000 pushes from 100 jobs within one second.
    for (let i = 0; i < 1000; i++) {
      pump.push(snap(`job-${i % 100}`, i));
      advance(1);
    }
    advance(300);
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    // One batch holds at most one snapshot per job, and the latest one wins.
    for (const b of batches) expect(new Set(b.map((s) => s.id)).size).toBe(b.length);
    const last = new Map<string, number>();
    for (const b of batches) for (const s of b) last.set(s.id, s.bytesSent);
    expect(last.get('job-99')).toBe(999);
    expect(last.size).toBe(100);
  });

  it('sends an urgent snapshot (a phase change) at once, with what was pending', () => {
    const { clock, advance } = fakeClock();
    const batches: (readonly UploadSnapshot[])[] = [];
    const pump = createProgressPump((b) => batches.push(b), 250, clock);
    pump.push(snap('a', 1));
    advance(10); // leading edge: the first push after a quiet interval goes out at once
    expect(batches).toHaveLength(1);
    pump.push(snap('b', 2));
    pump.push(snap('a', 5), { urgent: true });
    expect(batches).toHaveLength(2);
    expect(batches[1]!.map((s) => [s.id, s.bytesSent])).toEqual([
      ['b', 2],
      ['a', 5],
    ]);
    advance(1000);
    expect(batches).toHaveLength(2);
  });

  it('never drops the final state', () => {
    const { clock } = fakeClock();
    const batches: (readonly UploadSnapshot[])[] = [];
    const pump = createProgressPump((b) => batches.push(b), 250, clock);
    pump.push(snap('a', 1));
    pump.push(snap('a', 2));
    pump.dispose();
    expect(batches.flat().at(-1)?.bytesSent).toBe(2);
  });
});
