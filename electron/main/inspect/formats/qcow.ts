// QCOW version 1 (qemu driver `qcow`): the qcow2 magic with version 1, and its own 48-byte
// big-endian header:
//   0x00 magic 'QFI\xfb' | 0x04 version = 1 | 0x08 backing_file_offset u64 (0 = none) | 0x10 backing_file_size u32
//   0x14 mtime u32 | 0x18 size u64 (virtual) | 0x20 cluster_bits u8 (qemu: 9..16) | 0x21 l2_bits u8 (6..13)
//   0x24 crypt_method u32 (0 none, 1 AES) | 0x28 l1_table_offset u64
// oslo.utils matches these files as qcow2 and then fails them ("Unsupported qcow2 version"); qemu,
// and so Nova, reads them fine, and Huawei IMS accepts "QCOW". So it is a format of its own here.
import { cString, startsWith, toNumber, u32be, u64be, u8 } from '../bytes.ts';
import { convertCommand, quoteName } from '../advice.ts';
import { NOTHING, at, defineFormat, headerLengthCheck } from '../spec.ts';
import { QCOW_MAGIC } from './qcow2.ts';

const HEADER_BYTES = 48;

interface QcowHeader {
  readonly backingFileOffset: bigint;
  readonly backingFileSize: number;
  readonly size: bigint;
  readonly clusterBits: number;
  readonly l2Bits: number;
  readonly cryptMethod: number;
  readonly l1TableOffset: bigint;
  readonly backingFile: string | null;
}

export const qcow = defineFormat<QcowHeader>({
  format: 'qcow',
  regions: { header: at(0, 512) },
  followUps: [
    (view) => {
      const h = view.region('header');
      const offset = toNumber(u64be(h, 8));
      return offset > 0 ? { backing: at(offset, Math.min(u32be(h, 16), 1023)) } : NOTHING;
    },
  ],
  matches: (view) => {
    const h = view.region('header');
    return startsWith(h, QCOW_MAGIC) && h.length >= 8 && u32be(h, 4) === 1;
  },
  parse: (view) => {
    const h = view.region('header');
    const backing = view.region('backing');
    return {
      backingFileOffset: u64be(h, 8),
      backingFileSize: u32be(h, 16),
      size: u64be(h, 24),
      clusterBits: u8(h, 32),
      l2Bits: u8(h, 33),
      cryptMethod: u32be(h, 36),
      l1TableOffset: u64be(h, 40),
      backingFile: backing.length > 0 ? cString(backing) : null,
    };
  },
  subformat: () => null,
  virtualSize: (h, file) => (file.size >= 32 ? toNumber(h.size) : null),
  glanceRefuses: (_h, file) =>
    `Newer Glance (2025.1 on) reads QCOW version 1 as a qcow2 of an unsupported version and refuses it: convert it with \`${convertCommand(file.path, 'qcow', 'qcow2')}\` and upload the qcow2 file.`,
  checks: [
    headerLengthCheck('QCOW', () => HEADER_BYTES),
    {
      name: 'backing-file',
      code: 'backing-file',
      run: (h, file) =>
        h.backingFileOffset === 0n
          ? undefined
          : `This QCOW image needs the backing file ${quoteName(h.backingFile ?? '?')}, which is not uploaded with it: merge them into one file with \`${convertCommand(file.path, 'qcow', 'qcow2')}\` and upload that.`,
    },
    {
      name: 'encrypted',
      code: 'encrypted',
      run: (h) =>
        h.cryptMethod === 0
          ? undefined
          : 'This QCOW image is AES-encrypted (a scheme qemu keeps only for data recovery), so the cloud cannot boot it: upload a decrypted copy instead.',
    },
    {
      name: 'header-fields',
      code: 'corrupt-header',
      run: (h) => {
        if (h.clusterBits < 9 || h.clusterBits > 16)
          return `The QCOW header gives an impossible cluster size (2^${h.clusterBits}; qemu allows 2^9 to 2^16): the file is damaged or forged; do not upload it.`;
        if (h.l2Bits < 6 || h.l2Bits > 13)
          return `The QCOW header gives an impossible L2 table size (2^${h.l2Bits} entries): the file is damaged or forged; do not upload it.`;
        if (h.cryptMethod > 1)
          return `The QCOW header names an unknown encryption method (${h.cryptMethod}): the file is damaged or forged; do not upload it.`;
        if (h.backingFileOffset !== 0n && h.backingFileSize > 1023)
          return `The QCOW backing file name is ${h.backingFileSize} bytes long (qemu allows 1023): the file is damaged or forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'tables',
      code: 'truncated',
      run: (h, file) => {
        if (h.clusterBits < 9 || h.l2Bits < 6) return undefined;
        const l1Size = Math.ceil(toNumber(h.size) / 2 ** (h.clusterBits + h.l2Bits));
        const l1End = toNumber(h.l1TableOffset) + l1Size * 8;
        return l1End > file.size
          ? `The QCOW L1 table ends past the end of the file (${l1End} > ${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
