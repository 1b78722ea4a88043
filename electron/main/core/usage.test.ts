// What this app's unfinished uploads add to a project's usage before the server counts them.
import { describe, expect, it } from 'vitest';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { pendingUploads } from './usage.ts';

const KEY = 'keystone|p1|RegionOne';
const job = (over: Partial<UploadSnapshot>): UploadSnapshot =>
  ({
    cloudKey: KEY,
    phase: 'uploading',
    imageId: null,
    imageStatus: null,
    target: 'glance',
    stores: null,
    bytesTotal: 100,
    ...over,
  }) as UploadSnapshot;

describe('pendingUploads', () => {
  it.each([
    ['a queued job counts its bytes and one image', [job({ phase: 'queued' })], { bytes: 100, images: 1 }],
    [
      'a finished job counts nothing',
      [job({ phase: 'done' }), job({ phase: 'failed' }), job({ phase: 'cancelled' })],
      { bytes: 0, images: 0 },
    ],
    ['another cloud’s job counts nothing', [job({ cloudKey: 'other' })], { bytes: 0, images: 0 }],
    [
      'an image already active is counted by the server',
      [job({ phase: 'verifying', imageId: 'i', imageStatus: 'active' })],
      { bytes: 0, images: 0 },
    ],
    [
      'a record already created takes no new place',
      [job({ imageId: 'i', imageStatus: 'saving' })],
      { bytes: 100, images: 0 },
    ],
    [
      'an import counts each store’s copy',
      [
        job({
          target: 'glance-import',
          stores: [
            { store: 'fast', state: 'pending' },
            { store: 'slow', state: 'pending' },
          ],
        }),
      ],
      { bytes: 200, images: 1 },
    ],
    [
      'a paused one still counts',
      [job({ phase: 'paused', imageId: 'i' }), job({ phase: 'interrupted' })],
      { bytes: 200, images: 1 },
    ],
  ])('%s', (_what, jobs, expected) => {
    expect(pendingUploads(jobs, KEY)).toEqual(expected);
  });
});
