// QED (qemu driver `qed`). Little-endian header:
//   0x00 magic 'QED\0' | 0x04 cluster_size u32 (power of 2, 4 KiB..64 MiB) | 0x08 table_size u32 (clusters, 1..16)
//   0x0C header_size u32 (clusters) | 0x10 features u64 (bit 0 backing file, 1 needs check, 2 backing is raw)
//   0x18 compat_features u64 | 0x20 autoclear_features u64 | 0x28 l1_table_offset u64
//   0x30 image_size u64 (virtual, multiple of 512) | 0x38 backing_filename_offset u32 | 0x3C backing_filename_size u32
// oslo.utils detects QED and always fails it ("banned"). A QED image is only as dangerous as its
// backing file, so here it is unsafe only when it has one; whether the cloud takes QED at all is the
// acceptance check's business (upstream Glance's default disk_formats leave it out).
import { cString, isPowerOfTwo, startsWith, toNumber, u32le, u64le } from '../bytes.ts';
import { convertCommand, quoteName } from '../advice.ts';
import { NOTHING, at, defineFormat, headerLengthCheck } from '../spec.ts';

const HEADER_BYTES = 64;
const FEATURE_BACKING = 1n;
const FEATURES_KNOWN = 0x7n;

interface QedHeader {
  readonly clusterSize: number;
  readonly tableSize: number;
  readonly headerSize: number;
  readonly features: bigint;
  readonly l1TableOffset: bigint;
  readonly imageSize: bigint;
  readonly backingFilenameOffset: number;
  readonly backingFilenameSize: number;
  readonly backingFile: string | null;
}

export const qed = defineFormat<QedHeader>({
  format: 'qed',
  regions: { header: at(0, 512) },
  followUps: [
    (view) => {
      const h = view.region('header');
      return (u64le(h, 16) & FEATURE_BACKING) !== 0n && u32le(h, 56) > 0
        ? { backing: at(u32le(h, 56), Math.min(u32le(h, 60), 1023)) }
        : NOTHING;
    },
  ],
  matches: (view) => startsWith(view.region('header'), Buffer.from([0x51, 0x45, 0x44, 0x00])),
  parse: (view) => {
    const h = view.region('header');
    const backing = view.region('backing');
    return {
      clusterSize: u32le(h, 4),
      tableSize: u32le(h, 8),
      headerSize: u32le(h, 12),
      features: u64le(h, 16),
      l1TableOffset: u64le(h, 40),
      imageSize: u64le(h, 48),
      backingFilenameOffset: u32le(h, 56),
      backingFilenameSize: u32le(h, 60),
      backingFile: backing.length > 0 ? cString(backing) : null,
    };
  },
  subformat: () => null,
  virtualSize: (h, file) => (file.size >= 56 ? toNumber(h.imageSize) : null),
  glanceRefuses: (_h, file) =>
    `Newer Glance (2025.1 on) refuses every QED image (its inspector bans the format), even on a cloud that lists qed: convert it with \`${convertCommand(file.path, 'qed', 'qcow2')}\` and upload the qcow2 file.`,
  checks: [
    headerLengthCheck('QED', () => HEADER_BYTES),
    {
      name: 'backing-file',
      code: 'backing-file',
      run: (h, file) =>
        (h.features & FEATURE_BACKING) === 0n
          ? undefined
          : `This QED image needs the backing file ${quoteName(h.backingFile ?? '?')}, which is not uploaded with it: merge them into one file with \`${convertCommand(file.path, 'qed', 'qcow2')}\` and upload that.`,
    },
    {
      name: 'unknown-features',
      code: 'unknown-features',
      run: (h) => {
        const unknown = h.features & ~FEATURES_KNOWN;
        return unknown === 0n
          ? undefined
          : `This QED image uses features qemu does not know (bits 0x${unknown.toString(16)}): rebuild it with a current qemu-img before uploading.`;
      },
    },
    {
      name: 'header-fields',
      code: 'corrupt-header',
      run: (h) => {
        if (!isPowerOfTwo(h.clusterSize) || h.clusterSize < 4096 || h.clusterSize > 64 * 1024 * 1024)
          return `The QED header gives an impossible cluster size (${h.clusterSize}; qemu allows powers of two from 4 KiB to 64 MiB): the file is damaged or forged; do not upload it.`;
        if (!isPowerOfTwo(h.tableSize) || h.tableSize > 16)
          return `The QED header gives an impossible table size (${h.tableSize} clusters): the file is damaged or forged; do not upload it.`;
        if (h.headerSize === 0) return 'The QED header size is 0: the file is damaged or forged; do not upload it.';
        if (h.imageSize % 512n !== 0n)
          return `The QED disk size (${h.imageSize}) is not a multiple of 512: the file is damaged or forged; do not upload it.`;
        if (h.l1TableOffset % BigInt(h.clusterSize) !== 0n)
          return 'The QED L1 table is not cluster-aligned: the file is damaged or forged; do not upload it.';
        if (
          (h.features & FEATURE_BACKING) !== 0n &&
          (h.backingFilenameSize > 1023 ||
            h.backingFilenameOffset + h.backingFilenameSize > h.headerSize * h.clusterSize)
        )
          return 'The QED backing file name lies outside the header: the file is damaged or forged; do not upload it.';
        return undefined;
      },
    },
    {
      name: 'tables',
      code: 'truncated',
      run: (h, file) => {
        const l1End = toNumber(h.l1TableOffset) + h.tableSize * h.clusterSize;
        return l1End > file.size
          ? `The QED L1 table ends past the end of the file (${l1End} > ${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
