import { describe, expect, it } from 'vitest';
import type { UploadRequest, UploadSnapshot } from '../../../shared/upload.ts';
import { UploadEngine } from './engine.ts';
import { createProgressPump, type PumpClock } from './progress-pump.ts';

/** Timers and immediates under the test's control: `endTick()` ends the current tick. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let immediates: { fn: () => void; id: number }[] = [];
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
    setImmediate: (fn) => {
      const id = nextId++;
      immediates.push({ fn, id });
      return id;
    },
    clearImmediate: (id) => {
      immediates = immediates.filter((t) => t.id !== id);
    },
  };
  const endTick = () => {
    const due = immediates;
    immediates = [];
    for (const t of due) t.fn();
  };
  const advance = (ms: number) => {
    endTick();
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > end) break;
      timers.shift();
      now = t.at;
      t.fn();
      endTick();
    }
    now = end;
  };
  return { clock, advance, endTick };
}

const snap = (id: string, bytesSent: number): UploadSnapshot => ({ id, bytesSent }) as unknown as UploadSnapshot;

function setup() {
  const c = fakeClock();
  const batches: (readonly UploadSnapshot[])[] = [];
  const pump = createProgressPump((b) => batches.push(b), 250, c.clock);
  return { ...c, batches, pump };
}

describe('progress pump', () => {
  it('sends at most 4 batches a second for any number of jobs and pushes', () => {
    const { advance, batches, pump } = setup();
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

  it('sends the phase changes of one tick as one batch (adding 100 jobs is one message)', () => {
    const { endTick, batches, pump } = setup();
    for (let i = 0; i < 100; i++) pump.push(snap(`job-${i}`, 0), { urgent: true });
    expect(batches).toHaveLength(0); // not one send per push
    endTick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
  });

  it('sends an urgent snapshot at the end of its tick, with what was pending, without waiting for the interval', () => {
    const { advance, endTick, batches, pump } = setup();
    pump.push(snap('a', 1));
    advance(10); // leading edge: the first push after a quiet interval goes out at once
    expect(batches).toHaveLength(1);
    pump.push(snap('b', 2));
    pump.push(snap('a', 5), { urgent: true });
    endTick();
    expect(batches).toHaveLength(2);
    expect(batches[1]!.map((s) => [s.id, s.bytesSent])).toEqual([
      ['b', 2],
      ['a', 5],
    ]);
    advance(1000);
    expect(batches).toHaveLength(2);
  });

  it('stays within 4 a second plus one per tick with a phase change, when both come at once', () => {
    const { advance, batches, pump } = setup();
    // One second: a progress push every millisecond from 100 jobs, and in 10 of those ticks a
    // burst of 20 phase changes.
    let phaseTicks = 0;
    for (let ms = 0; ms < 1000; ms++) {
      pump.push(snap(`job-${ms % 100}`, ms));
      if (ms % 100 === 50) {
        phaseTicks += 1;
        for (let j = 0; j < 20; j++) pump.push(snap(`job-${j}`, ms), { urgent: true });
      }
      advance(1);
    }
    advance(300);
    expect(phaseTicks).toBe(10);
    expect(batches.length).toBeLessThanOrEqual(5 + phaseTicks);
  });

  it('never drops the final state', () => {
    const { batches, pump } = setup();
    pump.push(snap('a', 1));
    pump.push(snap('a', 2));
    pump.dispose();
    expect(batches.flat().at(-1)?.bytesSent).toBe(2);
  });

  it('delivers a pending phase change on dispose, once', () => {
    const { endTick, batches, pump } = setup();
    pump.push(snap('a', 7), { urgent: true });
    pump.dispose();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((s) => s.bytesSent)).toEqual([7]);
    endTick();
    expect(batches).toHaveLength(1);
  });

  it('the engine adding 100 jobs sends them to its listeners in one message', async () => {
    const engine = new UploadEngine({
      context: () => ({
        key: 'k',
        name: 'test',
        userName: null,
        targetKindFor: () => 'glance',
        target: () => null, // nothing runs: the test only adds
      }),
      inspect: async () => {
        throw new Error('not inspected in this test');
      },
    });
    const batches: (readonly UploadSnapshot[])[] = [];
    engine.onDidChange((b) => batches.push(b));
    const request = (i: number): UploadRequest => ({
      path: `/nonexistent/imagedrop-pump-${i}.raw`,
      name: `pump-${i}`,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    });
    engine.add(Array.from({ length: 100 }, (_, i) => request(i)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
    await engine.dispose();
  });
});
