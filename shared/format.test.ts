import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, percentOf, resumeText } from './format.ts';

describe('format', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [52428800, '50.0 MiB'],
    [1073741824, '1.00 GiB'],
    [128 * 1024 ** 3, '128 GiB'],
    [null, '—'],
  ])('formatBytes(%s) = %s', (n, s) => expect(formatBytes(n)).toBe(s));

  it.each([
    [5, '5 s'],
    [185, '3 min 05 s'],
    [7620, '2 h 07 min'],
    [null, '—'],
    [-1, '—'],
  ])('formatDuration(%s) = %s', (n, s) => expect(formatDuration(n)).toBe(s));

  it('never says 100% before the last byte', () => {
    expect(percentOf(999, 1000)).toBe(99);
    expect(percentOf(1000, 1000)).toBe(100);
    expect(percentOf(430, 1000)).toBe(43);
    expect(percentOf(0, 0)).toBe(0);
  });

  it('says honestly what a resume will do', () => {
    expect(resumeText({ kind: 'continue', percent: 43 })).toBe('continues at 43%');
    expect(resumeText({ kind: 'restart' })).toBe(
      'starts again from 0: the image service cannot continue a broken upload',
    );
    expect(resumeText({ kind: 'recreate', imageStatus: 'saving' })).toMatch(/new image record.*stuck in saving/);
    expect(resumeText({ kind: 'none' })).toBe('');
  });
});
