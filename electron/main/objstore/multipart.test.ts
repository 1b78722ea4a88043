import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, backoffDelay, sameIdentity, type FileIdentity } from './multipart.ts';

describe('backoffDelay', () => {
  // Full jitter over the upper half: between ceiling/2 and ceiling, where ceiling = base × 2^(n-1), capped.
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 1, 4000],
    [5, 1, 16_000],
    [6, 1, 30_000],
    [6, 0, 15_000],
    [20, 1, 30_000],
  ])('try %i, random %f → %i ms', (attempt, random, ms) => {
    expect(backoffDelay(attempt, DEFAULT_RETRY, () => random)).toBe(ms);
  });
});

describe('sameIdentity', () => {
  const file: FileIdentity = { size: 10, mtimeMs: 1, ctimeMs: 2, ino: 3 };
  it.each([
    ['the same', {}, true],
    ['another size', { size: 11 }, false],
    ['another mtime', { mtimeMs: 5 }, false],
    ['another ctime (touched back, or its metadata changed)', { ctimeMs: 9 }, false],
    ['another inode (replaced)', { ino: 4 }, false],
  ])('%s', (_name, change, same) => {
    expect(sameIdentity(file, { ...file, ...change })).toBe(same);
  });
});
