import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PART_SIZE,
  GiB,
  KiB,
  MiB,
  OBS_LIMITS,
  bareEtag,
  checkBucketName,
  checkObjectKey,
  choosePartSize,
  compositeEtag,
  maxObjectSize,
  partCount,
  partRange,
  type StoreLimits,
} from './limits.ts';

const TiB = 1024 * GiB;
const AWS: StoreLimits = { ...OBS_LIMITS, minPartSize: 5 * MiB };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('choosePartSize', () => {
  it.each([
    ['1 byte', 1, OBS_LIMITS, undefined, DEFAULT_PART_SIZE],
    ['512 MiB', 512 * MiB, OBS_LIMITS, undefined, DEFAULT_PART_SIZE],
    ['exactly 10,000 default parts', 10_000 * DEFAULT_PART_SIZE, OBS_LIMITS, undefined, DEFAULT_PART_SIZE],
    [
      'one byte more: the next whole MiB',
      10_000 * DEFAULT_PART_SIZE + 1,
      OBS_LIMITS,
      undefined,
      DEFAULT_PART_SIZE + MiB,
    ],
    ['1 TiB (IMS quick import): 105 MiB', TiB, OBS_LIMITS, undefined, 105 * MiB],
    ['the largest object: 5 GiB parts', maxObjectSize(OBS_LIMITS), OBS_LIMITS, undefined, 5 * GiB],
    ['an override that fits', 512 * MiB, OBS_LIMITS, 8 * MiB, 8 * MiB],
    ["OBS's minimum part", 10 * MiB, OBS_LIMITS, 100 * KiB, 100 * KiB],
    ['a small override for a file of one part', 50 * KiB, OBS_LIMITS, 64 * KiB, 64 * KiB],
    ['the AWS minimum', 64 * MiB, AWS, 5 * MiB, 5 * MiB],
  ])('%s', (_name, size, limits, override, expected) => {
    const partSize = choosePartSize(size, limits, override);
    expect(partSize).toBe(expected);
    expect(partCount(size, partSize)).toBeLessThanOrEqual(limits.maxParts);
    expect(partSize).toBeLessThanOrEqual(limits.maxPartSize);
  });

  it.each([
    ['a file over 10,000 × 5 GiB', maxObjectSize(OBS_LIMITS) + 1, undefined, 'objstore/too-large'],
    ['a part under the minimum', 10 * MiB, 50 * KiB, 'objstore/bad-part-size'],
    ['a part over 5 GiB', 100 * GiB, 5 * GiB + 1, 'objstore/bad-part-size'],
    ['more than 10,000 parts', 10 * GiB, 1 * MiB, 'objstore/bad-part-size'],
    ['not a whole number of bytes', 10 * MiB, 102400.5, 'objstore/bad-part-size'],
    ['zero', 10 * MiB, 0, 'objstore/bad-part-size'],
  ])('refuses %s', (_name, size, override, code) => {
    expect(codeOf(() => choosePartSize(size, OBS_LIMITS, override))).toBe(code);
  });

  it('says which part sizes would fit', () => {
    expect(() => choosePartSize(10 * GiB, OBS_LIMITS, MiB)).toThrow(/choose between 1.02 MiB and 5 GiB/);
  });
});

describe('partRange and partCount', () => {
  it.each([
    [1, 10, 4, 0, 4],
    [2, 10, 4, 4, 8],
    [3, 10, 4, 8, 10],
    [1, 4, 4, 0, 4],
  ])('part %i of %i bytes in parts of %i: [%i, %i)', (n, size, partSize, start, end) => {
    expect(partRange(n, size, partSize)).toEqual({ start, end });
  });
  it.each([
    [10, 4, 3],
    [8, 4, 2],
    [1, 4, 1],
  ])('%i bytes in parts of %i: %i parts', (size, partSize, parts) => {
    expect(partCount(size, partSize)).toBe(parts);
  });
});

describe('compositeEtag', () => {
  const md5 = (s: string) => createHash('md5').update(s).digest();
  it.each([
    // Values the loopback Swift answered for these parts (two parts of 102,400 × 0x01 and 1,000 × 0x02).
    [
      [
        createHash('md5').update(Buffer.alloc(102400, 1)).digest(),
        createHash('md5').update(Buffer.alloc(1000, 2)).digest(),
      ],
      '7349751cc2f950cf3c49b3d4c8c3a9ad-2',
    ],
    [[md5('')], `${createHash('md5').update(md5('')).digest('hex')}-1`],
  ])('md5 of the part MD5s, then -n (%#)', (parts, expected) => {
    expect(compositeEtag(parts)).toBe(expected);
  });
});

describe('bareEtag', () => {
  it.each([
    ['"abc"', 'abc'],
    ['ABC-3', 'abc-3'],
    [' W/"x" ', 'x'],
  ])('%s → %s', (etag, bare) => expect(bareEtag(etag)).toBe(bare));
});

describe('checkObjectKey', () => {
  it.each(['images/disk.qcow2', 'a', 'ü/日本語.img', 'a-b_c.d/e', 'x'.repeat(1024), 'dir/'])('accepts %j', (key) => {
    expect(() => checkObjectKey(key)).not.toThrow();
  });
  it.each([
    ['empty', '', /is empty/],
    ['a space (IMS IMG.0175)', 'my image.qcow2', /IMG\.0175/],
    ['a tab', 'a\tb', /white space/],
    ['a control character', 'a\u0001b', /control character/],
    ['a lone surrogate', 'a\ud800b', /not valid Unicode/],
    ['1,025 bytes', 'x'.repeat(1025), /longer than 1024 bytes/],
    ['1,024 characters of 2 bytes', 'ü'.repeat(1024), /longer than 1024 bytes/],
    ['a backslash', 'a\\b', /advise against/],
    ['a percent sign', 'a%20b', /advise against/],
    ['a leading slash', '/a', /empty, "\." or "\.\."/],
    ['a double slash', 'a//b', /empty, "\." or "\.\."/],
    ['a dot folder', 'a/./b', /empty, "\." or "\.\."/],
    ['a dot-dot folder', '../b', /empty, "\." or "\.\."/],
  ])('refuses %s', (_name, key, message) => {
    expect(codeOf(() => checkObjectKey(key))).toBe('objstore/invalid-key');
    expect(() => checkObjectKey(key)).toThrow(message);
  });
});

describe('checkBucketName', () => {
  it.each(['images', 'images-cold', 'a.b-c', 'abc', 'x'.repeat(63)])('accepts %s', (b) => {
    expect(() => checkBucketName(b)).not.toThrow();
  });
  it.each(['ab', 'Images', 'images_', '-images', 'images-', 'a..b', 'a.-b', '192.168.1.1', 'x'.repeat(64), 'a b'])(
    'refuses %s',
    (b) => {
      expect(codeOf(() => checkBucketName(b))).toBe('objstore/invalid-bucket');
    },
  );
});
