// VDI (VirtualBox; qemu driver `vdi`). Little-endian header, 512 bytes as qemu reads it:
//   0x000 text (anything) | 0x040 signature 0xBEDA107F | 0x044 version u32 (qemu: 0x00010001 only)
//   0x04C image type u32 (1 dynamic, 2 static, 3 undo, 4 differencing) | 0x154 block map offset u32
//   0x158 data offset u32 | 0x168 sector size u32 (512) | 0x170 disk size u64 (virtual) | 0x178 block size u32
//   (qemu: 1 MiB) | 0x180 blocks in image u32 | 0x1A8 link UUID | 0x1B8 parent UUID
// Beyond oslo.utils (which has no VDI check and needs the full 512 bytes to match at all):
// differencing images (a parent or link UUID), qemu's own field checks, and truncated headers.
import { isAllZero, startsWith, toNumber, u32le, u64le } from '../bytes.ts';
import { fileLabel, shellQuote } from '../advice.ts';
import { at, defineFormat, headerLengthCheck } from '../spec.ts';

const HEADER_BYTES = 512;
const SIGNATURE = Buffer.from([0x7f, 0x10, 0xda, 0xbe]);
const VERSION_1_1 = 0x00010001;
const MiB = 1024 * 1024;
/** qemu's VDI_BLOCKS_IN_IMAGE_MAX. */
const MAX_BLOCKS = 0x3fffffff;
const TYPES: Readonly<Record<number, string>> = { 1: 'dynamic', 2: 'static', 3: 'undo', 4: 'differencing' };

function clone(path: string, out: string): string {
  return `VBoxManage clonemedium disk ${shellQuote(fileLabel(path))} ${out}`;
}

interface VdiHeader {
  readonly header: Buffer;
  readonly version: number;
  readonly imageType: number;
  readonly blockMapOffset: number;
  readonly dataOffset: number;
  readonly sectorSize: number;
  readonly diskSize: bigint;
  readonly blockSize: number;
  readonly blocksInImage: number;
  readonly linkUuid: Buffer;
  readonly parentUuid: Buffer;
}

export const vdi = defineFormat<VdiHeader>({
  format: 'vdi',
  regions: { header: at(0, HEADER_BYTES) },
  matches: (view) => startsWith(view.region('header'), SIGNATURE, 0x40),
  parse: (view) => {
    const h = view.region('header');
    return {
      header: h,
      version: u32le(h, 0x44),
      imageType: u32le(h, 0x4c),
      blockMapOffset: u32le(h, 0x154),
      dataOffset: u32le(h, 0x158),
      sectorSize: u32le(h, 0x168),
      diskSize: u64le(h, 0x170),
      blockSize: u32le(h, 0x178),
      blocksInImage: u32le(h, 0x180),
      linkUuid: h.subarray(0x1a8, 0x1b8),
      parentUuid: h.subarray(0x1b8, 0x1c8),
    };
  },
  subformat: (h) => TYPES[h.imageType] ?? null,
  virtualSize: (h) => (h.header.length >= 0x178 ? toNumber(h.diskSize) : null),
  checks: [
    headerLengthCheck(
      'VDI',
      () => HEADER_BYTES,
      (h) => h.header.length,
    ),
    {
      name: 'version',
      code: 'unknown-features',
      fatal: true,
      run: (h, file) =>
        h.version === VERSION_1_1
          ? undefined
          : `This is VDI version ${h.version >>> 16}.${h.version & 0xffff}, which qemu cannot read (only 1.1): convert it with \`${clone(file.path, 'out.vdi')}\` first.`,
    },
    {
      name: 'parent',
      code: 'backing-file',
      run: (h, file) =>
        h.imageType === 4 || !isAllZero(h.parentUuid) || !isAllZero(h.linkUuid)
          ? `This is a differencing VDI (a snapshot) that needs its parent disk, which is not uploaded with it and which qemu refuses: merge the chain with \`${clone(file.path, 'merged.vdi')}\` and upload the result.`
          : undefined,
    },
    {
      name: 'header-fields',
      code: 'corrupt-header',
      run: (h) => {
        if (h.sectorSize !== 512)
          return `The VDI sector size is ${h.sectorSize}, not 512: the file is damaged or forged; do not upload it.`;
        if (!(h.imageType in TYPES))
          return `The VDI image type (${h.imageType}) is unknown: the file is damaged or forged; do not upload it.`;
        if (h.blockMapOffset % 512 !== 0 || h.dataOffset % 512 !== 0)
          return 'The VDI block map or data offset is not sector-aligned: the file is damaged or forged; do not upload it.';
        if (h.blocksInImage > MAX_BLOCKS || h.diskSize > BigInt(h.blocksInImage) * BigInt(h.blockSize))
          return `The VDI disk size (${h.diskSize}) does not fit its ${h.blocksInImage} blocks: the file is damaged or forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'block-size',
      code: 'unknown-features',
      run: (h, file) =>
        h.blockSize === MiB
          ? undefined
          : `This VDI uses ${h.blockSize}-byte blocks, which qemu cannot read (only 1 MiB): make a copy with 1 MiB blocks with \`${clone(file.path, 'out.vdi')}\` first.`,
    },
    {
      name: 'block-map',
      code: 'truncated',
      run: (h, file) => {
        const end = h.blockMapOffset + h.blocksInImage * 4;
        return end > file.size
          ? `The VDI block map ends past the end of the file (${end} > ${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
