// QCOW2, versions 2 (compat=0.10) and 3 (compat=1.1). Big-endian header:
//   0x00 magic 'QFI\xfb' | 0x04 version u32 | 0x08 backing_file_offset u64 (0 = none) | 0x10 backing_file_size u32
//   0x14 cluster_bits u32 (qemu: 9..21) | 0x18 size u64 (virtual) | 0x20 crypt_method u32 (0 none, 1 AES, 2 LUKS)
//   0x24 l1_size u32 | 0x28 l1_table_offset u64 | 0x30 refcount_table_offset u64 | 0x38 refcount_table_clusters u32
//   v3 only: 0x48 incompatible u64 (bit 0 dirty, 1 corrupt, 2 external data file, 3 compression type,
//   4 extended L2) | 0x60 refcount_order u32 | 0x64 header_length u32 (>= 104, multiple of 8)
// Header extensions follow (u32 type, u32 length, data padded to 8) until type 0; "DATA" names the
// external data file. Unlike oslo.utils, extended L2 (bit 4) is accepted (qemu supports it), the
// feature bits are read only for version 3 (in a version 2 header those bytes are the extensions),
// and QCOW version 1 is its own format (qcow.ts) instead of a failed qcow2.
import { cString, startsWith, toNumber, u32be, u64be } from '../bytes.ts';
import { convertCommand, flattenCommand, fileLabel, quoteName } from '../advice.ts';
import { at, defineFormat, type RegionView, headerLengthCheck } from '../spec.ts';

export const QCOW_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

const INCOMPAT_CORRUPT = 1n << 1n;
const INCOMPAT_DATA_FILE = 1n << 2n;
const INCOMPAT_KNOWN = 0x1fn;
const INCOMPAT_EXTENDED_L2 = 1n << 4n;
const EXT_DATA_FILE = 0x44415441;

interface Qcow2Header {
  readonly version: number;
  readonly backingFileOffset: bigint;
  readonly backingFileSize: number;
  readonly clusterBits: number;
  readonly size: bigint;
  readonly cryptMethod: number;
  readonly l1Size: number;
  readonly l1TableOffset: bigint;
  readonly refcountTableOffset: bigint;
  readonly refcountTableClusters: number;
  readonly incompatible: bigint;
  readonly refcountOrder: number;
  readonly headerLength: number;
  readonly backingFile: string | null;
  readonly dataFile: string | null;
}

function headerLengthOf(h: Buffer): number {
  const version = u32be(h, 4);
  return version >= 3 ? u32be(h, 100) : 72;
}

/** qemu: the header (with its extensions after it) must fit in cluster 0 ("qcow2 header exceeds cluster size"). */
function headerFits(h: Qcow2Header): boolean {
  return h.clusterBits >= 9 && h.clusterBits <= 21 && h.headerLength <= 2 ** h.clusterBits;
}

function extensions(view: RegionView): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  const area = view.region('extensions');
  let pos = 0;
  for (let i = 0; i < 64 && pos + 8 <= area.length; i++) {
    const type = area.readUInt32BE(pos);
    const length = area.readUInt32BE(pos + 4);
    if (type === 0) break;
    found.set(type, area.subarray(pos + 8, Math.min(area.length, pos + 8 + length)));
    pos += 8 + Math.ceil(length / 8) * 8;
  }
  return found;
}

export const qcow2 = defineFormat<Qcow2Header>({
  format: 'qcow2',
  regions: { header: at(0, 512) },
  followUps: [
    (view) => {
      const h = view.region('header');
      const clusterBits = u32be(h, 20);
      const clusterSize = clusterBits >= 9 && clusterBits <= 21 ? 2 ** clusterBits : 65536;
      const extStart = headerLengthOf(h);
      const backingOffset = toNumber(u64be(h, 8));
      return {
        extensions: at(extStart, Math.max(0, Math.min(clusterSize, 65536) - extStart)),
        ...(backingOffset > 0 ? { backing: at(backingOffset, Math.min(u32be(h, 16), 1023)) } : {}),
      };
    },
  ],
  matches: (view) => {
    const h = view.region('header');
    return startsWith(h, QCOW_MAGIC) && (h.length < 8 || u32be(h, 4) !== 1);
  },
  parse: (view) => {
    const h = view.region('header');
    const version = u32be(h, 4);
    const ext = version >= 3 ? extensions(view) : new Map<number, Buffer>();
    const backing = view.region('backing');
    const dataFile = ext.get(EXT_DATA_FILE);
    return {
      version,
      backingFileOffset: u64be(h, 8),
      backingFileSize: u32be(h, 16),
      clusterBits: u32be(h, 20),
      size: u64be(h, 24),
      cryptMethod: u32be(h, 32),
      l1Size: u32be(h, 36),
      l1TableOffset: u64be(h, 40),
      refcountTableOffset: u64be(h, 48),
      refcountTableClusters: u32be(h, 56),
      incompatible: version >= 3 ? u64be(h, 72) : 0n,
      refcountOrder: version >= 3 ? u32be(h, 96) : 4,
      headerLength: headerLengthOf(h),
      backingFile: backing.length > 0 ? cString(backing) : null,
      dataFile: dataFile ? cString(dataFile) : null,
    };
  },
  subformat: (h) => (h.version === 2 ? 'compat-0.10' : h.version === 3 ? 'compat-1.1' : `version-${h.version}`),
  virtualSize: (h, file) => (file.size >= 32 ? toNumber(h.size) : null),
  glanceRefuses: (h, file) =>
    (h.incompatible & INCOMPAT_EXTENDED_L2) !== 0n
      ? `Newer Glance (2025.1 on) refuses qcow2 images with extended L2 entries (its inspector counts them as an unknown feature), although qemu reads them; if this cloud does, rewrite it without them with \`${convertCommand(file.path, 'qcow2', 'qcow2')}\` and upload that.`
      : undefined,
  checks: [
    // A header_length past its cluster is corrupt (header-fields says so), not a truncated copy.
    headerLengthCheck('qcow2', (h) => (h.version >= 3 ? Math.max(104, headerFits(h) ? h.headerLength : 0) : 72)),
    {
      name: 'version',
      code: 'unknown-features',
      fatal: true,
      run: (h) =>
        h.version === 2 || h.version === 3
          ? undefined
          : `This is qcow2 version ${h.version}, which qemu cannot open: rebuild the image with a current qemu-img.`,
    },
    {
      name: 'backing-file',
      code: 'backing-file',
      run: (h, file) =>
        h.backingFileOffset === 0n
          ? undefined
          : `This qcow2 image needs the backing file ${quoteName(h.backingFile ?? '?')}, which is not uploaded with it: merge them into one file with \`${flattenCommand(file.path, 'qcow2')}\` and upload that.`,
    },
    {
      name: 'data-file',
      code: 'data-file',
      run: (h, file) =>
        (h.incompatible & INCOMPAT_DATA_FILE) === 0n
          ? undefined
          : `This qcow2 image keeps its data in the external file ${quoteName(h.dataFile ?? '?')} (the CVE-2024-32498 trick), which the cloud must never open: make a self-contained copy with \`${flattenCommand(file.path, 'qcow2')}\`.`,
    },
    {
      name: 'unknown-features',
      code: 'unknown-features',
      run: (h) => {
        const unknown = h.incompatible & ~INCOMPAT_KNOWN;
        return unknown === 0n
          ? undefined
          : `This qcow2 image uses incompatible features qemu does not know (bits 0x${unknown.toString(16)}): rebuild it with a current qemu-img before uploading.`;
      },
    },
    {
      name: 'encrypted',
      code: 'encrypted',
      run: (h, file) =>
        h.cryptMethod === 0
          ? undefined
          : `This qcow2 image is encrypted (${h.cryptMethod === 1 ? 'AES' : h.cryptMethod === 2 ? 'LUKS' : `method ${h.cryptMethod}`}), so the cloud cannot boot it: upload a decrypted copy (qemu-img convert with --object secret,… -O qcow2 ${fileLabel(file.path)} …).`,
    },
    {
      name: 'header-fields',
      code: 'corrupt-header',
      run: (h) => {
        if (h.clusterBits < 9 || h.clusterBits > 21)
          return `The qcow2 header gives an impossible cluster size (2^${h.clusterBits}; qemu allows 2^9 to 2^21): the file is damaged or forged; do not upload it.`;
        if (h.version === 3 && (h.headerLength < 104 || h.headerLength % 8 !== 0))
          return `The qcow2 header length (${h.headerLength}) is invalid: the file is damaged or forged; do not upload it.`;
        if (!headerFits(h))
          return `The qcow2 header length (${h.headerLength}) is larger than its ${2 ** h.clusterBits}-byte cluster, which qemu refuses: the file is damaged or forged; do not upload it.`;
        if (h.refcountOrder > 6)
          return `The qcow2 refcount order (${h.refcountOrder}) is invalid: the file is damaged or forged; do not upload it.`;
        if (h.backingFileOffset !== 0n && h.backingFileSize > 1023)
          return `The qcow2 backing file name is ${h.backingFileSize} bytes long (qemu allows 1023): the file is damaged or forged; do not upload it.`;
        if ((h.incompatible & INCOMPAT_CORRUPT) !== 0n)
          return 'qemu has marked this qcow2 image corrupt: repair it with `qemu-img check -r all` (or make a new copy) before uploading.';
        const clusterSize = 2 ** h.clusterBits;
        if (
          Number(h.l1TableOffset % BigInt(clusterSize)) !== 0 ||
          Number(h.refcountTableOffset % BigInt(clusterSize)) !== 0
        )
          return 'The qcow2 L1 or refcount table is not cluster-aligned: the file is damaged or forged; do not upload it.';
        const entrySize = (h.incompatible & INCOMPAT_EXTENDED_L2) !== 0n ? 16 : 8;
        const bytesPerL1Entry = clusterSize * (clusterSize / entrySize);
        if (h.l1Size < Math.ceil(toNumber(h.size) / bytesPerL1Entry))
          return `The qcow2 L1 table (${h.l1Size} entries) is too small for the ${toNumber(h.size)}-byte disk it claims: the file is damaged or forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'tables',
      code: 'truncated',
      run: (h, file) => {
        if (h.clusterBits < 9 || h.clusterBits > 21) return undefined; // already reported as corrupt
        const l1End = toNumber(h.l1TableOffset) + h.l1Size * 8;
        const refcountEnd = toNumber(h.refcountTableOffset) + h.refcountTableClusters * 2 ** h.clusterBits;
        return l1End > file.size || refcountEnd > file.size
          ? `The qcow2 tables end past the end of the file (${Math.max(l1End, refcountEnd)} > ${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
  ],
});
