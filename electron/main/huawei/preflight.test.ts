import { describe, expect, it } from 'vitest';
import {
  bitmapKeyFor,
  checkBucketName,
  checkBucketRegion,
  checkFormatForService,
  checkImportSize,
  checkMinDisk,
  checkObjectKey,
  checkOsVersion,
  checkRouteFormat,
  checkStorageClass,
  imsPreflight,
  minDiskFor,
  suggestedMinDisk,
  type ImsPreflightFacts,
} from './preflight.ts';

const GIB = 1024 ** 3;

describe('format', () => {
  it.each([
    ['qcow2', 'native', null],
    ['vpc', 'register', null], // qemu's name for VHD
    ['zvhd2', 'register', null],
    ['vmdk', 'register', 'use the create route'],
    ['vhdx', 'native', 'use the create route'],
    ['vmdk', 'create', null],
    ['qed', 'create', null],
    ['zvhd2', 'quick', null],
    ['raw', 'quick', null],
    ['qcow2', 'quick', 'quick import takes only RAW'],
    ['ploop', 'create', 'convert the file'],
  ] as const)('%s by %s → %s', (format, route, problem) => {
    const e = checkRouteFormat(format, route);
    if (problem === null) expect(e).toBeNull();
    else expect(e).toMatchObject({ code: 'ims/format-not-accepted', message: expect.stringContaining(problem) });
  });

  it('ZVHD and ZVHD2 only on IMS, never on Glance', () => {
    expect(checkFormatForService('zvhd2', 'glance')).toMatchObject({
      code: 'inspect/format-not-accepted',
      message: expect.stringMatching(
        /^The file is ZVHD2, Huawei Cloud's own format, which only Huawei Cloud IMS takes/,
      ),
    });
    expect(checkFormatForService('zvhd', 'glance')).not.toBeNull();
    expect(checkFormatForService('zvhd2', 'ims')).toBeNull();
    expect(checkFormatForService('qcow2', 'glance')).toBeNull();
  });
});

describe('object key, bucket', () => {
  it('refuses a key with a space (IMG.0175) or none at all', () => {
    expect(checkObjectKey('images/ubuntu 22.04.qcow2')).toMatchObject({
      code: 'ims/object-key-invalid',
      message: expect.stringContaining('IMG.0175'),
    });
    expect(checkObjectKey('images/tab\there')).not.toBeNull();
    expect(checkObjectKey('')).not.toBeNull();
    expect(checkObjectKey('a'.repeat(1025))).not.toBeNull();
    expect(checkObjectKey('images/ubuntu-22.04.qcow2')).toBeNull();
  });

  it.each([
    ['images', true],
    ['my.images-1', true],
    ['ab', false],
    ['Images', false],
    ['my_images', false],
    ['-images', false],
    ['images..x', false],
    ['192.168.1.1', false],
    ['', false],
  ])('bucket %j ok: %s', (bucket, ok) => {
    expect(checkBucketName(bucket) === null).toBe(ok);
  });

  it('the bucket is in the IMS region (IMG.0058), and Standard', () => {
    expect(checkBucketRegion('images', 'cn-north-4', 'cn-north-4')).toBeNull();
    expect(checkBucketRegion('images-other', 'ap-southeast-1', 'cn-north-4')).toMatchObject({
      code: 'ims/bucket-wrong-region',
      message: expect.stringMatching(
        /is in ap-southeast-1, but IMS here is in cn-north-4.*choose a bucket in cn-north-4\.$/,
      ),
    });
    expect(checkStorageClass('images', 'STANDARD', null)).toBeNull();
    expect(checkStorageClass('images', null, null)).toBeNull();
    expect(checkStorageClass('images-cold', 'COLD')).toMatchObject({
      code: 'ims/storage-class',
      message: expect.stringContaining('COLD'),
    });
    expect(checkStorageClass('images', 'STANDARD', 'WARM')).toMatchObject({
      message: expect.stringMatching(/^The object has the storage class WARM/),
    });
    expect(checkStorageClass('images', 'GLACIER')).not.toBeNull(); // the v2 (S3) name of Cold
  });

  it('the quick import’s bitmap sits beside the RAW file', () => {
    expect(bitmapKeyFor('images/image01.raw')).toBe('images/image01.mf');
    expect(bitmapKeyFor('image01')).toBe('image01.mf');
    expect(bitmapKeyFor('a.b/image01')).toBe('a.b/image01.mf');
  });
});

describe('size', () => {
  it('≤ 128 GiB by register or create; a RAW/ZVHD2 over it is pointed to the quick import; ≤ 1 TiB there', () => {
    expect(checkImportSize(128 * GIB, 'qcow2', 'create')).toBeNull();
    expect(checkImportSize(128 * GIB + 1, 'qcow2', 'register')).toMatchObject({
      code: 'ims/file-too-large',
      message: expect.stringMatching(/IMG\.0059\): convert it to RAW or ZVHD2 for the quick import/),
    });
    expect(checkImportSize(200 * GIB, 'raw', 'create')).toMatchObject({
      message: expect.stringMatching(/goes through the quick import/),
    });
    expect(checkImportSize(1024 * GIB, 'zvhd2', 'quick')).toBeNull();
    expect(checkImportSize(1024 * GIB + 1, 'zvhd2', 'quick')).toMatchObject({
      message: expect.stringMatching(/at most 1 TiB/),
    });
  });
});

describe('min_disk', () => {
  it('rounds the virtual size up to whole GiB, at least 1; 40 for create', () => {
    expect(minDiskFor(1)).toBe(1);
    expect(minDiskFor(GIB)).toBe(1);
    expect(minDiskFor(GIB + 1)).toBe(2);
    expect(minDiskFor(0)).toBe(1);
    expect(suggestedMinDisk(20 * GIB, 'register')).toBe(20);
    expect(suggestedMinDisk(20 * GIB, 'create')).toBe(40);
    expect(suggestedMinDisk(60 * GIB + 5, 'create')).toBe(61);
    expect(suggestedMinDisk(null, 'native')).toBe(1);
  });

  it.each([
    [10, 10 * GIB, 'register', null],
    [10, 10 * GIB - 1, 'register', null],
    [9, 9 * GIB, 'register', null],
    [9, 10 * GIB, 'register', 'must be at least 10 GB, not 9'],
    [9, 9 * GIB + 1, 'register', 'must be at least 10 GB, not 9'],
    [0, null, 'native', 'from 1 to 1024'],
    [1025, null, 'native', 'from 1 to 1024'],
    [2.5, null, 'native', 'whole number'],
    [39, 1 * GIB, 'create', 'from 40 to 1024 for an image IMS creates from a bucket file'],
    [40, 1 * GIB, 'create', null],
    [1, 1 * GIB, 'quick', null],
    [1024, 2000 * GIB, 'register', 'more than the 1024 GB system disk IMS allows'],
  ] as const)('min_disk %s for %s bytes by %s → %s', (minDisk, virtual, route, problem) => {
    const e = checkMinDisk(minDisk, virtual, route);
    if (problem === null) expect(e).toBeNull();
    else expect(e).toMatchObject({ code: 'ims/invalid-min-disk', message: expect.stringContaining(problem) });
  });
});

describe('__os_version', () => {
  const list = ['Ubuntu 18.04 server 64bit', 'Ubuntu 16.04 server 64bit', 'CentOS 7.6 64bit'];
  it('is one the cloud lists; a near miss gets suggestions', () => {
    expect(checkOsVersion('Ubuntu 18.04 server 64bit', list)).toBeNull();
    expect(checkOsVersion('Ubuntu 22.04', list)).toMatchObject({
      code: 'ims/invalid-os-version',
      message:
        "This cloud's IMS does not know the OS version 'Ubuntu 22.04' (IMG.0056): pick one it lists, such as 'Ubuntu 18.04 server 64bit', 'Ubuntu 16.04 server 64bit'.",
    });
    expect(checkOsVersion('', list)).toMatchObject({ message: expect.stringMatching(/Other Linux\(64 bit\)/) });
    expect(checkOsVersion('Anything', null)).toBeNull(); // no list to judge by
  });
});

describe('imsPreflight: all failures at once, each one sentence', () => {
  const good: ImsPreflightFacts = {
    route: 'register',
    format: 'qcow2',
    size: 5 * GIB,
    virtualSize: 20 * GIB,
    minDisk: 20,
    osVersion: 'CentOS 7.6 64bit',
    acceptedOsVersions: ['CentOS 7.6 64bit'],
    imsRegion: 'cn-north-4',
    object: { bucket: 'images', key: 'imagedrop/centos.qcow2', bucketRegion: 'cn-north-4', bucketClass: 'STANDARD' },
  };

  it('passes a good register', () => {
    expect(imsPreflight(good)).toEqual([]);
  });

  it('lists every problem of a bad one, in order', () => {
    const errors = imsPreflight({
      ...good,
      minDisk: 10,
      osVersion: 'CentOS 9',
      object: { bucket: 'images-cold', key: 'my image.qcow2', bucketRegion: 'ap-southeast-1', bucketClass: 'COLD' },
    });
    expect(errors.map((e) => e.code)).toEqual([
      'ims/invalid-min-disk',
      'ims/invalid-os-version',
      'ims/object-key-invalid',
      'ims/bucket-wrong-region',
      'ims/storage-class',
    ]);
  });

  it('native: the cloud’s limit instead of the bucket', () => {
    const native = { ...good, route: 'native' as const, object: undefined, nativeUploadLimit: 2 * GIB };
    expect(imsPreflight({ ...native, size: 2 * GIB - 1 })).toEqual([]);
    expect(imsPreflight(native).map((e) => e.message)).toEqual([
      'The file is 5 GiB, and IMS takes a file in one request only when it is smaller than 2 GiB: upload it through an OBS bucket (register or create).',
    ]);
  });

  it('register without a bucket says to give one', () => {
    expect(imsPreflight({ ...good, object: undefined }).map((e) => e.code)).toEqual(['ims/bucket-unusable']);
  });
});
