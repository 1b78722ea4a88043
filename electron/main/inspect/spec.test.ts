// The format table itself: every spec declares regions and at least one named check, as data.
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { IMAGE_FORMATS } from '../../../shared/inspect.ts';
import { crc32c, guidAt, onesComplementSum } from './bytes.ts';
import { ALL_FORMATS, RAW_FORMAT } from './formats/index.ts';
import { vhdVirtualSize } from './formats/vhd.ts';
import { MAX_REGION_BYTES, READ_BUDGET_BYTES, RegionReader } from './region-reader.ts';
import { at, defineFormat, type RegionView } from './spec.ts';
import { Scratch } from './test-images.ts';

const fakeView = (bytes: Buffer): RegionView => ({ file: { path: 'x.img', size: bytes.length }, region: () => bytes });

describe('the format table', () => {
  const table = [...ALL_FORMATS, RAW_FORMAT];

  it('has one spec per format, raw last and apart', () => {
    expect(table.map((e) => e.format).sort()).toEqual([...IMAGE_FORMATS].sort());
    expect(ALL_FORMATS.map((e) => e.format)).not.toContain('raw');
  });

  it('gives every spec at least one named safety check and a few bounded regions', () => {
    for (const entry of table) {
      expect(entry.checkNames.length, entry.format).toBeGreaterThan(0);
      expect(new Set(entry.checkNames).size, entry.format).toBe(entry.checkNames.length);
      for (const region of Object.values(entry.regions)) expect(region.length).toBeLessThanOrEqual(MAX_REGION_BYTES);
    }
  });

  it('makes a spec without a safety check a type error', () => {
    const base = {
      format: 'raw' as const,
      regions: { header: at(0, 512) },
      matches: () => true,
      parse: () => ({}),
      subformat: () => null,
      virtualSize: () => null,
    };
    // @ts-expect-error -- `checks` is required
    expect(() => defineFormat(base)).toThrow(/at least one safety check/);
    // @ts-expect-error -- `checks` must hold at least one check
    expect(() => defineFormat({ ...base, checks: [] })).toThrow(/at least one safety check/);
  });

  it('counts a check that throws as failed, like oslo.utils', () => {
    const entry = defineFormat<{ n: number }>({
      format: 'raw',
      regions: {},
      matches: () => true,
      parse: () => ({ n: 1 }),
      subformat: () => null,
      virtualSize: () => 1,
      checks: [
        {
          name: 'explodes',
          code: 'unknown-features',
          run: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    const { findings } = entry.evaluate(fakeView(Buffer.alloc(0)));
    expect(findings).toEqual([expect.objectContaining({ check: 'explodes', code: 'unknown-features' })]);
  });

  it('matches nothing but raw on zeros, on text and on an empty buffer', () => {
    for (const bytes of [Buffer.alloc(65536), Buffer.from('hello\n'.repeat(1000)), Buffer.alloc(0)]) {
      expect(ALL_FORMATS.filter((e) => e.matches(fakeView(bytes))).map((e) => e.format)).toEqual([]);
    }
  });
});

describe('byte helpers', () => {
  it('computes CRC-32C (Castagnoli) with the check value of "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('formats mixed-endian GUIDs as the VHDX specification writes them', () => {
    const bytes = Buffer.from('06a27c8b90479a4bb8fe575f050f886e', 'hex');
    expect(guidAt(bytes, 0)).toBe('8B7CA206-4790-4B9A-B8FE-575F050F886E');
  });

  it("computes the VHD footer checksum as one's complement of the byte sum", () => {
    const footer = Buffer.alloc(512);
    footer.write('conectix');
    expect(onesComplementSum(footer, 64)).toBe(~[...'conectix'].reduce((a, c) => a + c.charCodeAt(0), 0) >>> 0);
  });
});

describe("VHD virtual size follows qemu's rule", () => {
  const chs = 2081 * 16 * 63;
  it('uses the CHS geometry for Virtual PC and qemu writers', () => {
    expect(vhdVirtualSize('vpc ', 1 << 30, chs)).toBe(chs * 512);
    expect(vhdVirtualSize('qemu', 1 << 30, chs)).toBe(chs * 512);
  });
  it('uses the current size for Hyper-V, disk2vhd, XenServer, XenConverter and qemu force_size', () => {
    for (const creator of ['win ', 'd2v ', 'tap\0', 'CTXS', 'qem2'])
      expect(vhdVirtualSize(creator, 1 << 30, chs)).toBe(1 << 30);
  });
  it('uses the current size when the geometry is the maximum (a disk too big for CHS)', () => {
    expect(vhdVirtualSize('vpc ', 3 * 2 ** 40, 65535 * 16 * 255)).toBe(3 * 2 ** 40);
  });
});

describe('the region reader', () => {
  it('never reads more than its budget, whatever is asked', async () => {
    const s = new Scratch();
    try {
      const path = s.path('big.img');
      const fd = openSync(path, 'w');
      ftruncateSync(fd, 64 * 1024 * 1024);
      closeSync(fd);
      const handle = await open(path, 'r');
      try {
        const reader = new RegionReader(handle, 64 * 1024 * 1024);
        for (let i = 0; i < 40; i++) await reader.read(at(i * 1024 * 1024, 10 * 1024 * 1024));
        expect(reader.bytesRead).toBeLessThanOrEqual(READ_BUDGET_BYTES);
        expect(reader.overBudget).toBe(true);
        expect((await reader.read(at(63 * 1024 * 1024, 512))).length).toBe(0);
        expect((await reader.read(at(0, 512))).length).toBe(512); // already captured: free
        expect((await reader.read(at(64 * 1024 * 1024 - 10, 512))).length).toBe(0); // budget spent
      } finally {
        await handle.close();
      }
    } finally {
      s.remove();
    }
  });
});
