import { describe, expect, it } from 'vitest';
import { formatExactTime, formatRelativeTime } from './relative-time.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('formatRelativeTime', () => {
  it.each([
    [45_000, '45s ago'],
    [5 * 60_000, '5 min. ago'],
    [3 * 3_600_000 + 59 * 60_000, '3h ago'],
    [2 * 86_400_000, '2d ago'],
    [400 * 86_400_000, '1y ago'],
  ])('%i ms ago, in English → %s', (ms, expected) => {
    // Intl's narrow English minute is "min." in some ICU versions and "m" in others.
    const text = formatRelativeTime(ago(ms), NOW, 'en');
    if (expected.includes('min')) expect(text).toMatch(/^5 ?m(in\.?)? ago$/);
    else expect(text).toBe(expected);
  });

  it('speaks Chinese in zh-CN', () => {
    expect(formatRelativeTime(ago(3 * 3_600_000), NOW, 'zh-CN')).toBe('3小时前');
  });

  it('a time ahead of this clock is in the future; under a second is now; none is a dash', () => {
    expect(formatRelativeTime(NOW + 2 * 60_000, NOW, 'en')).toMatch(/^in 2/);
    expect(formatRelativeTime(NOW, NOW, 'en')).toBe('now');
    expect(formatRelativeTime('', NOW, 'en')).toBe('—');
    expect(formatRelativeTime('garbage', NOW, 'en')).toBe('—');
  });
});

describe('formatExactTime', () => {
  it('gives the full date and time to the second', () => {
    expect(formatExactTime(NOW, 'en')).toMatch(/2026.*\d{1,2}:\d{2}:\d{2}/);
    expect(formatExactTime(null, 'en')).toBe('—');
  });
});
