import { describe, expect, it } from 'vitest';
import { MIB, makeSnapshot } from '../testing/fixtures.ts';
import { rowAbilities } from './selectors.ts';

const CLOUD = 'https://keystone.example.org:5000/v3|p1|RegionOne';

describe('rowAbilities', () => {
  it('Cancel asks first for a restored job whose image already holds every byte (resume plan verify)', () => {
    // The log was last written mid-way, so the snapshot's byte count is behind the server.
    const restored = makeSnapshot({
      phase: 'interrupted',
      resume: { kind: 'verify' },
      bytesSent: 200 * MIB,
      bytesTotal: 700 * MIB,
      imageStatus: 'active',
    });
    expect(rowAbilities(restored, CLOUD)).toMatchObject({ canCancel: true, cancelDeletesUpload: true });
  });

  it('Cancel asks nothing for an interrupted job that must send its bytes again', () => {
    const restart = makeSnapshot({ phase: 'interrupted', resume: { kind: 'restart' }, bytesSent: 200 * MIB });
    expect(rowAbilities(restart, CLOUD)).toMatchObject({ canCancel: true, cancelDeletesUpload: false });
  });

  it('Cancel never asks about an image Imagedrop did not create', () => {
    const notOurs = makeSnapshot({ phase: 'interrupted', resume: { kind: 'verify' }, createdImage: false });
    expect(rowAbilities(notOurs, CLOUD).cancelDeletesUpload).toBe(false);
  });
});
