import { describe, expect, it } from 'vitest';
import { checkQuota, type ImageUsage } from './quota.ts';

const GiB = 1024 ** 3;
const usage = (
  usedBytes: number,
  limitBytes: number | null,
  source: ImageUsage['source'] = 'image-sum',
): ImageUsage => ({
  source,
  usedBytes,
  limitBytes,
});

describe('checkQuota', () => {
  it.each([
    ['no quota known: anything fits', usage(10 * GiB, null), 100 * GiB, { fits: true, leftBytes: null }],
    ['well under', usage(1 * GiB, 4 * GiB), 1 * GiB, { fits: true, leftBytes: 3 * GiB }],
    [
      'exactly what is left still fits (Glance refuses only size > remaining)',
      usage(1 * GiB, 4 * GiB),
      3 * GiB,
      { fits: true, leftBytes: 3 * GiB },
    ],
    ['one byte more does not', usage(1 * GiB, 4 * GiB), 3 * GiB + 1, { fits: false, leftBytes: 3 * GiB }],
    ['a project already past its quota has 0 left', usage(5 * GiB, 4 * GiB), 1, { fits: false, leftBytes: 0 }],
    ['an empty upload into a full project', usage(4 * GiB, 4 * GiB), 0, { fits: true, leftBytes: 0 }],
  ])('%s', (_what, u, bytes, expected) => {
    expect(checkQuota(u, bytes)).toMatchObject(expected);
  });

  it('says the numbers and where they come from when it does not fit', () => {
    const no = checkQuota(usage(2.75 * GiB, 4 * GiB), 2 * GiB);
    expect(no.fits).toBe(false);
    if (!no.fits)
      expect(no.message).toBe(
        "This upload needs 2.00 GiB, but the project has 1.25 GiB left of its 4.00 GiB image quota (2.75 GiB used, counted by adding up the project's images): delete images it no longer needs, or ask the cloud's administrator for a larger quota.",
      );
    const api = checkQuota(usage(4 * GiB, 4 * GiB, 'usage-api'), 1);
    expect(!api.fits && api.message).toMatch(/counted by the image service's usage API/);
  });
});
