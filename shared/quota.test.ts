import { describe, expect, it } from 'vitest';
import { checkImageCount, checkQuota, checkUsage, type ImageUsage, type UsageReport } from './quota.ts';

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

describe('checkUsage and checkImageCount', () => {
  const report = (over: Partial<UsageReport> = {}): UsageReport => ({
    service: 'glance',
    source: 'image-sum',
    usedBytes: 1 * GiB,
    limitBytes: 4 * GiB,
    limitFrom: 'configured',
    pendingBytes: 0,
    images: null,
    fetchedAt: 0,
    ...over,
  });

  it('counts uploads already queued against what is left, and says so', () => {
    expect(checkUsage(report({ pendingBytes: 1 * GiB }), 2 * GiB)).toMatchObject({ fits: true, leftBytes: 2 * GiB });
    const no = checkUsage(report({ pendingBytes: 1 * GiB }), 2 * GiB + 1);
    expect(no.fits).toBe(false);
    expect(!no.fits && no.message).toMatch(/1\.00 GiB on its way in uploads already queued/);
    // Without pending bytes the sentence is checkQuota's own.
    expect(checkUsage(report(), 4 * GiB)).toEqual(
      checkQuota({ source: 'image-sum', usedBytes: GiB, limitBytes: 4 * GiB }, 4 * GiB),
    );
  });

  it('fits anything when no quota is known', () => {
    expect(checkUsage(report({ limitBytes: null, pendingBytes: 9 * GiB }), 100 * GiB).fits).toBe(true);
  });

  it('IMS: refuses more private images than the count quota leaves, pending ones included', () => {
    const ims = report({ service: 'ims', limitBytes: null, images: { used: 48, limit: 50, pending: 1 } });
    expect(checkImageCount(ims, 1).fits).toBe(true);
    const no = checkImageCount(ims, 2);
    expect(!no.fits && no.message).toMatch(
      /^These uploads make 2 private images, but the project has room for 1 more \(48 of 50 used, 1 on their way;/,
    );
    expect(checkImageCount(report(), 1000).fits).toBe(true);
  });
});
