// Huawei ZVHD and ZVHD2 (Huawei's qemu-img-hw; stock qemu calls them raw). From Huawei's only public
// definition (huaweicloud/ims-qemu-img src/zvhd.c, src/zvhd2.c): the file starts with a 4 KiB block
// whose first 512 bytes are a VHD-footer-like struct in host (little-endian) byte order:
//   0 cookie "stream\0\0" (ZVHD) / "z2strm\0\0" (ZVHD2) | 40 original size u64 | 48 current size u64
//   (the disk size the driver uses) | 60 type u32 (always 4: NOT a parent reference here)
//   | 64 checksum u32 (one's complement byte sum over the 512-byte struct, little-endian)
//   ZVHD2 also: 87 version u8 | 88 block size u32 (1..32 MiB) | 141 compression method u8 (0 zlib, 1 zstd).
// The footer block is written again at the end of the file. Six ASCII letters are a weak signature,
// so a match needs the whole 8-byte cookie field, NUL padding included, as Huawei writes it (its
// probe compares the first NUL too). A bad checksum then says "damaged ZVHD", never "raw": a damaged
// image must not pass as a safe raw disk. Huawei's build option COULD_BE_READ_AS_ZVHD_ makes zvhd2.c
// write "stream" with a ZVHD-readable layout: such a file is a ZVHD by design and is reported so.
// No backing-file field is used.
import type { ImageFormat } from '../../../../shared/inspect.ts';
import { isPowerOfTwo, onesComplementSum, startsWith, toNumber, u32le, u64le, u8 } from '../bytes.ts';
import { at, defineFormat, fromEnd, type FormatEntry, type RegionView } from '../spec.ts';

const BLOCK = 4096;
const STRUCT_BYTES = 512;

interface ZvhdHeader {
  readonly header: Buffer;
  /** The footer block at the end: valid, present with a bad checksum, or missing (no cookie there). */
  readonly footerCopy: 'valid' | 'damaged' | 'missing';
  readonly checksumOk: boolean;
  readonly originalSize: bigint;
  readonly currentSize: bigint;
  readonly blockSize: number;
  readonly compression: number;
}

function zvhdSpec(format: ImageFormat & ('zvhd' | 'zvhd2'), cookie: string): FormatEntry {
  const label = format.toUpperCase();
  const cookieField = Buffer.alloc(8);
  cookieField.write(cookie, 'latin1');
  const checksumOk = (h: Buffer) =>
    h.length >= STRUCT_BYTES && u32le(h, 64) === onesComplementSum(h.subarray(0, STRUCT_BYTES), 64);
  const footerCopy = (view: RegionView): ZvhdHeader['footerCopy'] => {
    const copy = view.region('footerCopy');
    if (view.file.size < 2 * BLOCK || !startsWith(copy, cookieField)) return 'missing';
    return checksumOk(copy) ? 'valid' : 'damaged';
  };
  return defineFormat<ZvhdHeader>({
    format,
    regions: { header: at(0, STRUCT_BYTES), footerCopy: fromEnd(BLOCK, STRUCT_BYTES) },
    matches: (view) => startsWith(view.region('header'), cookieField),
    parse: (view) => {
      const h = view.region('header');
      return {
        header: h,
        footerCopy: footerCopy(view),
        checksumOk: checksumOk(h),
        originalSize: u64le(h, 40),
        currentSize: u64le(h, 48),
        blockSize: u32le(h, 88),
        compression: u8(h, 141),
      };
    },
    subformat: () => null,
    virtualSize: (h) => (h.header.length >= 56 ? toNumber(h.currentSize) : null),
    glanceSees: () => false, // oslo.utils has no ZVHD inspector: raw to it
    checks: [
      {
        name: 'footer-checksum',
        code: 'corrupt-header',
        run: (h) =>
          h.checksumOk
            ? undefined
            : `The ${label} header checksum is wrong: the file is damaged; make a new copy of the image with Huawei's qemu-img-hw.`,
      },
      {
        name: 'header-fields',
        code: 'corrupt-header',
        run: (h) => {
          if (h.currentSize < h.originalSize)
            return `The ${label} header's disk size is smaller than its original size: the file is damaged or forged; do not upload it.`;
          if (format === 'zvhd2' && (!isPowerOfTwo(h.blockSize) || h.blockSize < 1 << 20 || h.blockSize > 32 << 20))
            return `The ZVHD2 block size (${h.blockSize}) is invalid (1 MiB to 32 MiB): the file is damaged or forged; do not upload it.`;
          if (format === 'zvhd2' && h.compression > 1)
            return `The ZVHD2 compression method (${h.compression}) is unknown: the file is damaged or forged; do not upload it.`;
          return undefined;
        },
      },
      {
        name: 'footer-copy',
        code: 'truncated',
        run: (h, file) =>
          h.footerCopy === 'missing'
            ? `The ${label} footer block is missing from the end of the file (${file.size} bytes): the copy is incomplete; copy or download the image again.`
            : undefined,
      },
      {
        name: 'footer-copy-checksum',
        code: 'corrupt-header',
        run: (h) =>
          h.footerCopy === 'damaged'
            ? `The ${label} footer block at the end of the file has a wrong checksum: the file is damaged; make a new copy of the image with Huawei's qemu-img-hw.`
            : undefined,
      },
    ],
  });
}

export const zvhd = zvhdSpec('zvhd', 'stream');
export const zvhd2 = zvhdSpec('zvhd2', 'z2strm');
