import { describe, expect, it } from 'vitest';
import { ProgressMeter } from './progress-meter.ts';

describe('ProgressMeter', () => {
  it('knows no speed before a full window, then averages', () => {
    const m = new ProgressMeter(0);
    m.add(1000, 100);
    expect(m.speed).toBeNull();
    expect(m.eta(10_000)).toBeNull();
    m.add(49_000, 500); // 50 kB in 0.5 s = 100 kB/s
    expect(m.speed).toBe(100_000);
    expect(m.eta(150_000)).toBe(1);
    m.add(100_000, 1000); // 200 kB/s window → 0.3*200k + 0.7*100k
    expect(m.speed).toBeCloseTo(130_000);
  });

  it('does not count a pause as slowness', () => {
    const m = new ProgressMeter(0);
    m.add(50_000, 500);
    m.restartWindow(60_000);
    m.add(50_000, 60_500);
    expect(m.speed).toBe(100_000);
  });
});
