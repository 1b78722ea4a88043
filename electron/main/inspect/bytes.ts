// Field readers for captured header bytes. Every reader is total: a field that lies past the end of
// the captured bytes (a truncated file) reads as 0, and the spec's own length check reports the
// truncation. u64 fields come back as numbers (exact up to 2^53, close enough above for a report) or,
// where an exact comparison matters (all-ones markers, feature bits), as bigints.

export function has(buf: Buffer, offset: number, length: number): boolean {
  return offset >= 0 && length >= 0 && offset + length <= buf.length;
}

export function u8(buf: Buffer, offset: number): number {
  return has(buf, offset, 1) ? buf.readUInt8(offset) : 0;
}
export function u16le(buf: Buffer, offset: number): number {
  return has(buf, offset, 2) ? buf.readUInt16LE(offset) : 0;
}
export function u16be(buf: Buffer, offset: number): number {
  return has(buf, offset, 2) ? buf.readUInt16BE(offset) : 0;
}
export function u32le(buf: Buffer, offset: number): number {
  return has(buf, offset, 4) ? buf.readUInt32LE(offset) : 0;
}
export function u32be(buf: Buffer, offset: number): number {
  return has(buf, offset, 4) ? buf.readUInt32BE(offset) : 0;
}
export function u64le(buf: Buffer, offset: number): bigint {
  return has(buf, offset, 8) ? buf.readBigUInt64LE(offset) : 0n;
}
export function u64be(buf: Buffer, offset: number): bigint {
  return has(buf, offset, 8) ? buf.readBigUInt64BE(offset) : 0n;
}

export const U64_ALL_ONES = 0xffff_ffff_ffff_ffffn;

/** Does `buf` hold `magic` at `offset`? */
export function startsWith(buf: Buffer, magic: Buffer | string, offset = 0): boolean {
  const m = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic;
  return has(buf, offset, m.length) && buf.subarray(offset, offset + m.length).equals(m);
}

/** Bytes up to the first NUL, as latin1 text (file names in headers are not NUL-terminated, or are padded). */
export function cString(buf: Buffer, offset = 0, length = buf.length - offset): string {
  const end = Math.min(buf.length, offset + Math.max(0, length));
  const slice = buf.subarray(Math.max(0, offset), end);
  const nul = slice.indexOf(0);
  return (nul === -1 ? slice : slice.subarray(0, nul)).toString('latin1');
}

export function isAllZero(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Microsoft GUIDs are stored mixed-endian: the first three fields little-endian, the last 8 bytes as
 * they are. Returns the canonical upper-case text, as the VHDX specification writes them.
 */
export function guidAt(buf: Buffer, offset: number): string {
  if (!has(buf, offset, 16)) return '';
  const hex = (b: Buffer) => b.toString('hex').toUpperCase();
  const le = (start: number, len: number) =>
    hex(Buffer.from(buf.subarray(offset + start, offset + start + len)).reverse());
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${hex(buf.subarray(offset + 8, offset + 10))}-${hex(buf.subarray(offset + 10, offset + 16))}`;
}

/** One's complement of the byte sum with the 4-byte checksum field counted as zero (VHD, ZVHD). */
export function onesComplementSum(buf: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) {
    if (i >= checksumOffset && i < checksumOffset + 4) continue;
    sum = (sum + (buf[i] ?? 0)) >>> 0;
  }
  return ~sum >>> 0;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as VHDX uses; bytes [zeroFrom, zeroFrom + 4) count as zero when given. */
export function crc32c(buf: Buffer, zeroFrom = -1): number {
  const table = CRC32C_TABLE;
  const skipStart = zeroFrom >= 0 ? Math.min(zeroFrom, buf.length) : buf.length;
  const skipEnd = zeroFrom >= 0 ? Math.min(zeroFrom + 4, buf.length) : buf.length;
  let crc = -1;
  for (let i = 0; i < buf.length; i++) {
    const byte = i >= skipStart && i < skipEnd ? 0 : buf[i]!;
    crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

/** Big u64 → number for reports; values past 2^53 lose precision but stay huge (and are flagged elsewhere). */
export function toNumber(value: bigint): number {
  return Number(value);
}
