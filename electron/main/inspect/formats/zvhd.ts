// Huawei ZVHD and ZVHD2 (Huawei's qemu-img-hw; stock qemu calls them raw). From Huawei's only public
// definition (huaweicloud/ims-qemu-img src/zvhd.c, src/zvhd2.c): the file starts with a 4 KiB block
// whose first 512 bytes are a VHD-footer-like struct in host (little-endian) byte order:
//   0 cookie "stream\0\0" (ZVHD) / "z2strm\0\0" (ZVHD2) | 40 original size u64 | 48 current size u64
//   (the disk size the driver uses) | 60 type u32 (always 4: NOT a parent reference here)
//   | 64 checksum u32 (one's complement byte sum over the 512-byte struct, little-endian)
//   ZVHD2 also: 87 version u8 | 88 block size u32 (1..32 MiB) | 141 compression method u8 (0 zlib, 1 zstd).
// The footer block is written again at the end of the file. Six ASCII letters are a weak signature,
// so a match also needs the NUL-padded cookie field and a valid checksum (in the header or in the
// footer copy). No backing-file field is used.
import type { ImageFormat } from '../../../../shared/inspect.ts';
import { isPowerOfTwo, onesComplementSum, startsWith, toNumber, u32le, u64le, u8 } from '../bytes.ts';
import { at, defineFormat, fromEnd, type FormatEntry, type RegionView } from '../spec.ts';

const BLOCK = 4096;
const STRUCT_BYTES = 512;

interface ZvhdHeader {
  readonly header: Buffer;
  readonly footerCopyValid: boolean;
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
  const validCopy = (view: RegionView) =>
    view.file.size >= 2 * BLOCK &&
    startsWith(view.region('footerCopy'), cookieField) &&
    checksumOk(view.region('footerCopy'));
  return defineFormat<ZvhdHeader>({
    format,
    regions: { header: at(0, STRUCT_BYTES), footerCopy: fromEnd(BLOCK, STRUCT_BYTES) },
    // Huawei's probe takes the six letters alone; they also start ordinary text, so the NUL-padded
    // cookie field and a valid checksum (in the header, or in the footer copy when the header is
    // damaged) must confirm them.
    matches: (view) =>
      startsWith(view.region('header'), cookieField) && (checksumOk(view.region('header')) || validCopy(view)),
    parse: (view) => {
      const h = view.region('header');
      return {
        header: h,
        footerCopyValid: validCopy(view),
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
          h.footerCopyValid
            ? undefined
            : `The ${label} footer block is missing from the end of the file (${file.size} bytes): the copy is incomplete; copy or download the image again.`,
      },
    ],
  });
}

export const zvhd = zvhdSpec('zvhd', 'stream');
export const zvhd2 = zvhdSpec('zvhd2', 'z2strm');
