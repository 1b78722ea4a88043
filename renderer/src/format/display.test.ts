import { describe, expect, it } from 'vitest';
import { formatClock } from './display.ts';

describe('formatClock', () => {
  const now = new Date(2026, 2, 14, 15, 0, 0).getTime();

  it('shows only the time of day for a moment today', () => {
    const earlier = new Date(2026, 2, 14, 9, 30, 5).getTime();
    expect(formatClock(earlier, now)).toBe(new Date(earlier).toLocaleTimeString());
  });

  it('adds the date for a moment on another day', () => {
    const yesterday = new Date(2026, 2, 13, 9, 30, 5).getTime();
    const text = formatClock(yesterday, now);
    expect(text).toBe(new Date(yesterday).toLocaleString());
    expect(text).not.toBe(formatClock(new Date(2026, 2, 14, 9, 30, 5).getTime(), now));
  });

  it('shows a dash for no time', () => {
    expect(formatClock(null, now)).toBe('—');
    expect(formatClock(Number.NaN, now)).toBe('—');
  });
});
