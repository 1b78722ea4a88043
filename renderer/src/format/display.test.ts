import { describe, expect, it } from 'vitest';
import { formatClock, formatDurationIn, formatErrorCode, secondsUntil } from './display.ts';

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

describe('the queue’s formatters', () => {
  it('quotes an error’s code with its HTTP status, or alone', () => {
    expect(formatErrorCode({ code: 'glance/quota-exceeded', httpStatus: 413 })).toBe('glance/quota-exceeded · 413');
    expect(formatErrorCode({ code: 'file/not-found' })).toBe('file/not-found');
  });

  it('counts down whole seconds, rounded up, never below zero', () => {
    expect(secondsUntil(12_000, 0)).toBe(12);
    expect(secondsUntil(11_001, 0)).toBe(12);
    expect(secondsUntil(0, 5000)).toBe(0);
  });

  it('says durations in the current language', () => {
    expect(formatDurationIn('en', 185)).toBe('3 min 05 s');
    expect(formatDurationIn('zh-CN', 185)).toBe('3 分 05 秒');
    expect(formatDurationIn('zh-CN', 7620)).toBe('2 小时 07 分');
    expect(formatDurationIn('zh-CN', null)).toBe('—');
  });
});
