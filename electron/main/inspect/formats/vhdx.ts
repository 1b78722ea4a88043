// VHDX (qemu driver `vhdx`), little-endian, [MS-VHDX]:
//   0        "vhdxfile" file type identifier
//   64 KiB   header 1 / 128 KiB header 2: "head" | 4 CRC-32C (over 4 KiB) | 8 sequence number u64
//            | 48 log GUID (non-zero: a log to replay before the metadata can be trusted) | 66 version u16 (1)
//   192 KiB  region table 1 / 256 KiB region table 2: "regi" | 4 CRC-32C (over 64 KiB) | 8 entry count u32
//            (<= 2047) | entries of 32 bytes from 16: GUID, file offset u64, length u32, flags u32 (bit 0 required)
//   metadata region: "metadata" | 10 entry count u16 | entries of 32 bytes from 32: item GUID, offset u32
//            (from the region's start), length u32, flags u32 (bit 2 required)
// Items used: File Parameters (block size u32, flags u32: bit 0 leave blocks allocated = fixed, bit 1
// has parent = differencing) and Virtual Disk Size (u64). Reads: 8 KiB of headers, one 64 KiB region
// table (the second only if the first is damaged), the 64 KiB metadata table and a few item bytes.
// oslo.utils reads the same path to the virtual size but checks nothing (no CRCs, no parent, no log).
import { crc32c, guidAt, isAllZero, isPowerOfTwo, startsWith, toNumber, u16le, u32le, u64le } from '../bytes.ts';
import { NOTHING, at, defineFormat, type RegionView } from '../spec.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const HEADER_BYTES = 4 * KiB;
const TABLE_BYTES = 64 * KiB;
const MAX_ENTRIES = 2047;

const REGION_BAT = '2DC27766-F623-4200-9D64-115E9BFD4A08';
const REGION_METADATA = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
const ITEM_FILE_PARAMETERS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
const ITEM_VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
const KNOWN_ITEMS = new Set([
  ITEM_FILE_PARAMETERS,
  ITEM_VIRTUAL_DISK_SIZE,
  'BECA12AB-B2E6-4523-93EF-C309E000C746', // page 83 data
  '8141BF1D-A96F-4709-BA47-F233A8FAAB5F', // logical sector size
  'CDA348C7-445D-4471-9CC9-E9885251C556', // physical sector size
  'A8D35F2D-B30B-454D-ABF7-D3D84834AB0C', // parent locator
]);

interface TableEntry {
  readonly guid: string;
  readonly offset: number;
  readonly length: number;
  readonly required: boolean;
}

function validHeader(h: Buffer): boolean {
  return h.length >= HEADER_BYTES && startsWith(h, 'head') && u32le(h, 4) === crc32c(h.subarray(0, HEADER_BYTES), 4);
}

/** Region tables are validated by several stages and checks: their 64 KiB CRC is computed once. */
const tableValidity = new WeakMap<Buffer, boolean>();

function validRegionTable(t: Buffer): boolean {
  let valid = tableValidity.get(t);
  if (valid === undefined) {
    valid =
      t.length >= TABLE_BYTES &&
      startsWith(t, 'regi') &&
      u32le(t, 4) === crc32c(t.subarray(0, TABLE_BYTES), 4) &&
      u32le(t, 8) <= MAX_ENTRIES;
    tableValidity.set(t, valid);
  }
  return valid;
}

function regionEntries(t: Buffer): TableEntry[] {
  const count = Math.min(u32le(t, 8), MAX_ENTRIES);
  return Array.from({ length: count }, (_, i) => {
    const e = 16 + i * 32;
    return {
      guid: guidAt(t, e),
      offset: toNumber(u64le(t, e + 16)),
      length: u32le(t, e + 24),
      required: (u32le(t, e + 28) & 1) !== 0,
    };
  });
}

function metadataEntries(m: Buffer): TableEntry[] {
  if (!startsWith(m, 'metadata')) return [];
  const count = Math.min(u16le(m, 10), MAX_ENTRIES);
  return Array.from({ length: count }, (_, i) => {
    const e = 32 + i * 32;
    return {
      guid: guidAt(m, e),
      offset: u32le(m, e + 16),
      length: u32le(m, e + 20),
      required: (u32le(m, e + 24) & 4) !== 0,
    };
  });
}

function regionTable(view: RegionView): Buffer | null {
  const first = view.region('regionTable1');
  if (validRegionTable(first)) return first;
  const second = view.region('regionTable2');
  return validRegionTable(second) ? second : null;
}

function metadataRegion(view: RegionView): TableEntry | undefined {
  const table = regionTable(view);
  return table ? regionEntries(table).find((e) => e.guid === REGION_METADATA) : undefined;
}

interface VhdxHeader {
  readonly currentHeader: Buffer | null;
  readonly regions: readonly TableEntry[] | null;
  readonly metadata: TableEntry | undefined;
  readonly metadataTableValid: boolean;
  readonly items: readonly TableEntry[];
  readonly virtualDiskSize: number | null;
  readonly blockSize: number | null;
  readonly fileFlags: number | null;
}

function parse(view: RegionView): VhdxHeader {
  const headers = [view.region('header1'), view.region('header2')].filter(validHeader);
  headers.sort((a, b) => (u64le(b, 8) > u64le(a, 8) ? 1 : -1));
  const table = regionTable(view);
  const metadata = metadataRegion(view);
  const items = metadataEntries(view.region('metadataTable'));
  const vds = view.region('virtualDiskSize');
  const params = view.region('fileParameters');
  return {
    currentHeader: headers[0] ?? null,
    regions: table ? regionEntries(table) : null,
    metadata,
    metadataTableValid:
      startsWith(view.region('metadataTable'), 'metadata') && u16le(view.region('metadataTable'), 10) <= MAX_ENTRIES,
    items,
    virtualDiskSize: vds.length === 8 ? toNumber(u64le(vds, 0)) : null,
    blockSize: params.length === 8 ? u32le(params, 0) : null,
    fileFlags: params.length === 8 ? u32le(params, 4) : null,
  };
}

export const vhdx = defineFormat<VhdxHeader>({
  format: 'vhdx',
  regions: { ident: at(0, 8) },
  followUps: [
    () => ({
      header1: at(64 * KiB, HEADER_BYTES),
      header2: at(128 * KiB, HEADER_BYTES),
      regionTable1: at(192 * KiB, TABLE_BYTES),
    }),
    (view) => (validRegionTable(view.region('regionTable1')) ? NOTHING : { regionTable2: at(256 * KiB, TABLE_BYTES) }),
    (view) => {
      const m = metadataRegion(view);
      return m ? { metadataTable: at(m.offset, Math.min(m.length, TABLE_BYTES)) } : NOTHING;
    },
    (view) => {
      const m = metadataRegion(view);
      if (!m) return {};
      const items = metadataEntries(view.region('metadataTable'));
      const vds = items.find((e) => e.guid === ITEM_VIRTUAL_DISK_SIZE);
      const params = items.find((e) => e.guid === ITEM_FILE_PARAMETERS);
      return {
        ...(vds ? { virtualDiskSize: at(m.offset + vds.offset, 8) } : {}),
        ...(params ? { fileParameters: at(m.offset + params.offset, 8) } : {}),
      };
    },
  ],
  matches: (view) => startsWith(view.region('ident'), 'vhdxfile'),
  parse,
  subformat: (h) =>
    h.fileFlags === null ? null : h.fileFlags & 2 ? 'differencing' : h.fileFlags & 1 ? 'fixed' : 'dynamic',
  virtualSize: (h) => h.virtualDiskSize,
  checks: [
    {
      name: 'headers',
      code: 'corrupt-header',
      fatal: true,
      run: (h, file) =>
        h.currentHeader
          ? undefined
          : file.size < 128 * KiB + HEADER_BYTES
            ? undefined // reported by 'bounds' as a truncation
            : 'Both VHDX headers are damaged (bad signature or checksum), so no tool can open the disk: make a new copy of the image.',
    },
    {
      name: 'region-table',
      code: 'corrupt-header',
      fatal: true,
      run: (h, file) => {
        if (file.size < 256 * KiB) return undefined;
        if (h.regions === null)
          return 'Both VHDX region tables are damaged (bad signature or checksum): make a new copy of the image.';
        if (!h.metadata)
          return 'The VHDX region table has no metadata region: the file is damaged or forged; do not upload it.';
        if (!h.regions.some((e) => e.guid === REGION_BAT))
          return 'The VHDX region table has no block table region: the file is damaged or forged; do not upload it.';
        return undefined;
      },
    },
    {
      name: 'bounds',
      code: 'truncated',
      fatal: true,
      run: (h, file) => {
        const ends = (h.regions ?? []).map((e) => e.offset + e.length);
        const end = Math.max(256 * KiB + TABLE_BYTES, ...ends);
        return end > file.size
          ? `The VHDX ${ends.length > 0 ? 'regions end' : 'headers end'} past the end of the file (${end} > ${file.size} bytes): the copy is incomplete; copy or download the image again.`
          : undefined;
      },
    },
    {
      name: 'metadata',
      code: 'corrupt-header',
      run: (h) => {
        const m = h.metadata;
        if (!m || !h.metadataTableValid)
          return 'The VHDX metadata table is damaged: the file is damaged or forged; do not upload it.';
        const outside = h.items.find((e) => (e.length > 0 && e.offset < 64 * KiB) || e.offset + e.length > m.length);
        if (outside)
          return 'A VHDX metadata item lies outside the metadata region: the file is damaged or forged; do not upload it.';
        if (h.virtualDiskSize === null || h.blockSize === null)
          return 'The VHDX metadata lacks the disk size or file parameters: the file is damaged or forged; do not upload it.';
        if (!isPowerOfTwo(h.blockSize) || h.blockSize < MiB || h.blockSize > 256 * MiB)
          return `The VHDX block size (${h.blockSize}) is invalid (1 MiB to 256 MiB): the file is damaged or forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'log',
      code: 'corrupt-header',
      run: (h) =>
        h.currentHeader && !isAllZero(h.currentHeader.subarray(48, 64))
          ? 'This VHDX has a log that was never replayed (it was not closed cleanly), so its tables cannot be trusted: open and close it once in Hyper-V, or run `qemu-img check -r all` on it, before uploading.'
          : undefined,
    },
    {
      name: 'unknown-features',
      code: 'unknown-features',
      run: (h) => {
        const region = (h.regions ?? []).find((e) => e.required && e.guid !== REGION_BAT && e.guid !== REGION_METADATA);
        const item = h.items.find((e) => e.required && !KNOWN_ITEMS.has(e.guid));
        return region || item
          ? `This VHDX requires a ${region ? 'region' : 'metadata item'} (${(region ?? item)?.guid}) that qemu does not know: convert it with Hyper-V (Convert-VHD) to a plain VHDX or VHD first.`
          : undefined;
      },
    },
    {
      name: 'parent',
      code: 'backing-file',
      run: (h) =>
        h.fileFlags !== null && (h.fileFlags & 2) !== 0
          ? 'This is a differencing VHDX that needs its parent disk, which is not uploaded with it (and qemu cannot open it): merge it into its parent first (Hyper-V "Edit Disk → Merge" or PowerShell Merge-VHD) and upload the merged disk.'
          : undefined,
    },
  ],
});
