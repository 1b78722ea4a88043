// ISO 9660 (and UDF), which qemu has no driver for (qemu-img calls it raw). Sectors of 2048 bytes;
// the first 16 are a free system area (a hybrid ISO puts an MBR or GPT there). Volume descriptors
// start at 0x8000, one per 2048 bytes: type byte, "CD001", version; type 1 is the Primary Volume
// Descriptor: volume space size at 80 (LE u32, BE copy at 84), logical block size at 128 (LE u16,
// BE copy at 130); type 255 ends the set. Like oslo.utils, "CD001", "NSR02" or "NSR03" at 0x8001 match.
// An ISO with an MBR/GPT in its system area is still an ISO (Glance treats {iso, gpt} as iso); the
// subformat says which kind of hybrid it is.
import { startsWith, u16be, u16le, u32be, u32le, u8 } from '../bytes.ts';
import { at, defineFormat } from '../spec.ts';
import { partitionTable } from './partition-table.ts';

const SECTOR = 2048;
const DESCRIPTORS_AT = 0x8000;
const MAX_DESCRIPTORS = 16;

interface IsoHeader {
  readonly kind: 'iso9660' | 'udf';
  readonly hybrid: 'gpt' | 'mbr' | 'none';
  readonly pvd: Buffer | null;
}

function signature(d: Buffer): string {
  return d.subarray(1, 6).toString('latin1');
}

export const iso = defineFormat<IsoHeader>({
  format: 'iso',
  regions: {
    sector0: at(0, 512),
    lba1: at(512, 512),
    lba1At4k: at(4096, 512),
    descriptors: at(DESCRIPTORS_AT, SECTOR * MAX_DESCRIPTORS),
  },
  matches: (view) => ['CD001', 'NSR02', 'NSR03'].includes(signature(view.region('descriptors'))),
  parse: (view) => {
    const area = view.region('descriptors');
    let pvd: Buffer | null = null;
    for (let i = 0; i < MAX_DESCRIPTORS && (i + 1) * SECTOR <= area.length; i++) {
      const d = area.subarray(i * SECTOR, (i + 1) * SECTOR);
      if (!startsWith(d, 'CD001', 1) || u8(d, 0) === 255) break;
      if (u8(d, 0) === 1) {
        pvd = d;
        break;
      }
    }
    return {
      kind: signature(area) === 'CD001' ? 'iso9660' : 'udf',
      hybrid: partitionTable(view.region('sector0'), view.region('lba1'), view.region('lba1At4k')),
      pvd,
    };
  },
  subformat: (h) => (h.kind === 'udf' ? 'udf' : h.hybrid === 'none' ? null : `hybrid-${h.hybrid}`),
  virtualSize: (h) => (h.pvd ? u32le(h.pvd, 80) * u16le(h.pvd, 128) : null),
  ownsFirstSector: () => false,
  checks: [
    {
      name: 'primary-volume-descriptor',
      code: 'corrupt-header',
      run: (h) =>
        h.kind === 'iso9660' && !h.pvd
          ? 'This ISO has no primary volume descriptor (its descriptor set ends before one), so it holds no readable volume: the file is damaged or forged; do not upload it.'
          : undefined,
    },
    {
      name: 'volume-descriptor',
      code: 'corrupt-header',
      run: (h) => {
        const d = h.pvd;
        if (!d) return undefined;
        const block = u16le(d, 128);
        if (u32le(d, 80) !== u32be(d, 84) || block !== u16be(d, 130))
          return "The ISO's primary volume descriptor disagrees with itself (its little- and big-endian copies differ): the file is damaged or forged; do not upload it.";
        if (![512, 1024, 2048].includes(block))
          return `The ISO's logical block size (${block}) is invalid: the file is damaged or forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'bounds',
      code: 'truncated',
      run: (h, file) => {
        const size = h.pvd ? u32le(h.pvd, 80) * u16le(h.pvd, 128) : 0;
        return size > file.size
          ? `The ISO says it holds ${size} bytes but the file has ${file.size}: the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
