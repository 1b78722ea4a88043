import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes } from '../../../shared/format.ts';
import { setLocale } from '../i18n/index.ts';
import {
  LIFECYCLE_LABELS,
  formatAgo,
  formatClock,
  formatDate,
  formatDateTime,
  formatDurationIn,
  formatErrorCode,
  formatElapsed,
  formatNumber,
  formatPercent,
  formatProgressBytes,
  formatSize,
  formatTime,
  secondsUntil,
} from './display.ts';

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

describe('for the current locale', () => {
  afterEach(async () => {
    await setLocale('en', false);
  });
  const now = new Date(2026, 2, 14, 15, 0, 0).getTime();

  it('English stays as it was: numbers, percents, sizes, durations, "ago"', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatPercent(42.6)).toBe('43%');
    expect(formatSize(1536)).toBe('1.50 KiB');
    expect(formatSize(3 * 1024 ** 3)).toBe(formatBytes(3 * 1024 ** 3));
    expect(formatElapsed(185_000)).toBe('3 min 05 s');
    expect(formatAgo(12_000)).toBe('12 s ago');
    expect(formatProgressBytes(1024, 2048)).toBe('1.00 KiB of 2.00 KiB');
  });

  it('Chinese gets its own words and forms', async () => {
    await setLocale('zh-CN', false);
    expect(formatElapsed(185_000)).toBe('3 分 05 秒');
    expect(formatElapsed(2 * 3600_000 + 7 * 60_000)).toBe('2 小时 07 分');
    expect(formatAgo(12_000)).toBe('12 秒前');
    expect(formatProgressBytes(1024, 2048)).toBe('1.00 KiB / 2.00 KiB');
    expect(formatDateTime(now)).toBe(new Date(now).toLocaleString('zh-CN'));
    expect(formatDateTime(now)).not.toBe(new Date(now).toLocaleString('en'));
    expect(formatDate(now)).toBe(new Date(now).toLocaleDateString('zh-CN'));
    expect(formatTime(now)).toBe(new Date(now).toLocaleTimeString('zh-CN'));
  });

  it('lifecycle step names follow the language, read when used', async () => {
    expect(LIFECYCLE_LABELS.verified).toBe('Verified');
    expect(Object.keys(LIFECYCLE_LABELS)).toContain('registering');
    await setLocale('zh-CN', false);
    expect(LIFECYCLE_LABELS.verified).toBe('已校验');
    expect(LIFECYCLE_LABELS.created).toBe('已创建记录');
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
