// VHD (Virtual PC; qemu driver `vpc`). The 512-byte footer, big-endian:
//   0 cookie "conectix" | 16 data offset u64 (all ones for fixed) | 28 creator application (4 chars)
//   40 original size u64 | 48 current size u64 | 56 geometry: cylinders u16, heads u8, sectors u8
//   60 disk type u32 (2 fixed, 3 dynamic, 4 differencing) | 64 checksum u32 (one's complement byte sum)
// A fixed VHD is raw data followed by the footer, which is therefore found only at the end: qemu's
// probe and oslo.utils look only at offset 0 and call it raw. A dynamic or differencing VHD has a
// copy of the footer at 0 (the one qemu reads) and a 1024-byte dynamic header ("cxsparse") at the
// footer's data offset: 16 BAT offset u64 | 28 max table entries u32 | 32 block size u32
// | 36 checksum u32 | 64 parent unicode name (UTF-16BE, 512 bytes).
// Beyond oslo.utils (which has no VHD check): differencing disks (qemu silently ignores the parent and
// would serve only the differences), the footer and dynamic header checksums, the 2040 GiB limit.
import { has, onesComplementSum, startsWith, toNumber, u16be, u32be, u64be, u8, U64_ALL_ONES } from '../bytes.ts';
import { convertCommand, quoteName } from '../advice.ts';
import { NOTHING, at, defineFormat, fromEnd } from '../spec.ts';

const FOOTER_BYTES = 512;
const DYNAMIC_HEADER_BYTES = 1024;
const TYPE_FIXED = 2;
const TYPE_DYNAMIC = 3;
const TYPE_DIFFERENCING = 4;
/** qemu's VHD_MAX_SECTORS: 2040 GiB. */
const MAX_BYTES = 0xff000000 * 512;
/** qemu's VHD_MAX_GEOMETRY (cylinders × heads × sectors per track). */
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255;
/** Creators whose size is the footer's current size rather than the CHS geometry (qemu vpc.c). */
const CURRENT_SIZE_CREATORS = ['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0'];

interface VhdHeader {
  /** Where the footer qemu uses was found: offset 0 (dynamic/differencing) or only at the end (fixed). */
  readonly footerAt: 'start' | 'end';
  readonly footer: Buffer;
  readonly dynamicHeader: Buffer;
  readonly dataOffset: bigint;
  readonly creator: string;
  readonly currentSize: number;
  readonly chsSectors: number;
  readonly diskType: number;
}

/**
 * The guest's disk size, by qemu's rule (vpc.c), which is what the cloud's hypervisor (qemu/KVM via
 * Nova) will present and what `qemu-img info -f vpc` reports: Virtual PC sized disks by their CHS
 * geometry, Hyper-V and most other writers by the footer's current size, so qemu uses the geometry
 * unless the creator is one of the current-size writers or the geometry is the maximum one (a disk
 * too big for CHS). For qemu-written images both values agree; for Virtual PC images the geometry
 * is the truth. oslo.utils reports the original size (@40), which is wrong after a resize; the VHD
 * specification's current size is wrong for Virtual PC disks.
 */
export function vhdVirtualSize(creator: string, currentSize: number, chsSectors: number): number {
  const useChs = !CURRENT_SIZE_CREATORS.includes(creator);
  return !useChs || chsSectors === MAX_GEOMETRY_SECTORS ? currentSize : chsSectors * 512;
}

export const vhd = defineFormat<VhdHeader>({
  format: 'vhd',
  regions: { head: at(0, FOOTER_BYTES), tail: fromEnd(FOOTER_BYTES) },
  followUps: [
    (view) => {
      const head = view.region('head');
      if (!startsWith(head, 'conectix')) return {};
      const type = u32be(head, 60);
      const offset = u64be(head, 16);
      return (type === TYPE_DYNAMIC || type === TYPE_DIFFERENCING) && offset !== U64_ALL_ONES
        ? { dynamicHeader: at(toNumber(offset), DYNAMIC_HEADER_BYTES) }
        : NOTHING;
    },
  ],
  matches: (view) => startsWith(view.region('head'), 'conectix') || startsWith(view.region('tail'), 'conectix'),
  parse: (view) => {
    const head = view.region('head');
    const footerAt = startsWith(head, 'conectix') ? 'start' : 'end';
    const footer = footerAt === 'start' ? head : view.region('tail');
    return {
      footerAt,
      footer,
      dynamicHeader: view.region('dynamicHeader'),
      dataOffset: u64be(footer, 16),
      creator: footer.subarray(28, 32).toString('latin1'),
      currentSize: toNumber(u64be(footer, 48)),
      chsSectors: u16be(footer, 56) * u8(footer, 58) * u8(footer, 59),
      diskType: u32be(footer, 60),
    };
  },
  subformat: (h) =>
    h.diskType === TYPE_FIXED
      ? 'fixed'
      : h.diskType === TYPE_DYNAMIC
        ? 'dynamic'
        : h.diskType === TYPE_DIFFERENCING
          ? 'differencing'
          : null,
  virtualSize: (h) => (has(h.footer, 0, 64) ? vhdVirtualSize(h.creator, h.currentSize, h.chsSectors) : null),
  // A fixed VHD starts with the guest's disk (its MBR included); oslo.utils looks for "conectix" at 0 only.
  ownsFirstSector: (h) => h.footerAt === 'start',
  glanceSees: (h) => h.footerAt === 'start',
  glanceRefuses: (h, file) =>
    h.footerAt === 'end'
      ? `Newer Glance (2025.1 on) looks for a VHD footer only at the start of a file, so it takes this fixed VHD for a raw disk and refuses it as disk_format vhd ("does not match"); if this cloud does, convert it with \`${convertCommand(file.path, 'vhd', 'qcow2')}\` and upload the qcow2 file.`
      : undefined,
  checks: [
    {
      name: 'footer-length',
      code: 'truncated',
      fatal: true,
      run: (h, file) =>
        h.footer.length < FOOTER_BYTES
          ? `The file is only ${file.size} bytes, shorter than a VHD footer (512 bytes): the copy is incomplete; copy or download the image again.`
          : undefined,
    },
    {
      name: 'footer-checksum',
      code: 'corrupt-header',
      run: (h) => {
        const stored = u32be(h.footer, 64);
        const computed = onesComplementSum(h.footer.subarray(0, FOOTER_BYTES), 64);
        return stored === computed
          ? undefined
          : `The VHD footer checksum is wrong (0x${stored.toString(16)}, expected 0x${computed.toString(16)}), so qemu refuses the disk: the file is damaged; make a new copy of the image.`;
      },
    },
    {
      name: 'disk-type',
      code: 'corrupt-header',
      fatal: true,
      run: (h) => {
        if (![TYPE_FIXED, TYPE_DYNAMIC, TYPE_DIFFERENCING].includes(h.diskType))
          return `The VHD footer gives an unknown disk type (${h.diskType}): the file is damaged or forged; do not upload it.`;
        if (h.footerAt === 'end' && h.diskType !== TYPE_FIXED)
          return 'This VHD says it is dynamic but does not begin with a copy of its footer: the file is damaged (its start is missing); make a new copy of the image.';
        return undefined;
      },
    },
    {
      name: 'parent',
      code: 'backing-file',
      run: (h) => {
        if (h.diskType !== TYPE_DIFFERENCING) return undefined;
        const parent = Buffer.from(h.dynamicHeader.subarray(64, 576))
          .swap16()
          .toString('utf16le')
          .replace(/\0[\s\S]*$/, '');
        return `This is a differencing VHD that needs its parent disk${parent ? ` ${quoteName(parent)}` : ''}, and qemu would ignore the parent and serve only the differences: merge it into its parent first (Hyper-V "Edit Disk → Merge" or PowerShell Merge-VHD) and upload the merged disk.`;
      },
    },
    {
      name: 'dynamic-header',
      code: 'corrupt-header',
      run: (h) => {
        if (h.diskType === TYPE_FIXED) return undefined;
        const d = h.dynamicHeader;
        if (d.length < DYNAMIC_HEADER_BYTES || !startsWith(d, 'cxsparse'))
          return "The VHD's dynamic disk header is missing where the footer points: the file is damaged or truncated; make a new copy of the image.";
        if (u32be(d, 36) !== onesComplementSum(d, 36))
          return 'The VHD dynamic disk header checksum is wrong: the file is damaged; make a new copy of the image.';
        const blockSize = u32be(d, 32);
        if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0)
          return `The VHD block size (${blockSize}) is invalid: the file is damaged or forged; do not upload it.`;
        if (u32be(d, 28) * blockSize < vhdVirtualSize(h.creator, h.currentSize, h.chsSectors))
          return 'The VHD block table is too small for the disk it describes: the file is damaged or forged; do not upload it.';
        return undefined;
      },
    },
    {
      name: 'size-limit',
      code: 'corrupt-header',
      run: (h) =>
        vhdVirtualSize(h.creator, h.currentSize, h.chsSectors) > MAX_BYTES
          ? 'This VHD claims to be larger than 2040 GiB, the format limit that qemu enforces: the file is damaged or forged; convert the source disk to qcow2 or VHDX instead.'
          : undefined,
    },
    {
      name: 'bounds',
      code: 'truncated',
      run: (h, file) => {
        if (h.diskType === TYPE_FIXED) {
          return file.size - FOOTER_BYTES < h.currentSize
            ? `This fixed VHD holds ${file.size - FOOTER_BYTES} bytes of data but says the disk has ${h.currentSize}: the copy is incomplete; copy or download the image again.`
            : undefined;
        }
        const d = h.dynamicHeader;
        const batEnd = toNumber(u64be(d, 16)) + u32be(d, 28) * 4;
        return toNumber(h.dataOffset) + DYNAMIC_HEADER_BYTES > file.size || batEnd > file.size
          ? `The VHD block table ends past the end of the file (${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
