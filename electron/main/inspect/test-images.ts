// Test and benchmark support: make disk images with qemu-img (Debian qemu-utils) in a temporary
// folder, ask `qemu-img info` what it thinks of them, and hand-build the headers qemu-img cannot
// write (ZVHD, ISO 9660, differencing VHD/VDI, hostile VMDK descriptors, polyglots). Nothing here is
// used by the app itself.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onesComplementSum } from './bytes.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Fails with a clear sentence when qemu-img is missing (CI installs qemu-utils; tests never skip). */
export function requireQemuImg(): string {
  try {
    return execFileSync('qemu-img', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch {
    throw new Error(
      'qemu-img is required by the inspector tests and benchmark but was not found on PATH: install it (Debian/Ubuntu: apt-get install qemu-utils).',
    );
  }
}

export function qemuImg(...args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * qemu's LUKS writer times PBKDF2 on the CPU clock of a thread and gives up with this message when it
 * measures no time at all, which happens when many processes share few CPUs (parallel test files).
 */
export const QEMU_CPU_TIMING_ERROR = 'Unable to get accurate CPU usage';
/** How many times a qemu-img run that failed only with QEMU_CPU_TIMING_ERROR is tried in all. */
export const QEMU_ATTEMPTS = 5;

/**
 * `qemu-img args` in `cwd`, tried again (up to QEMU_ATTEMPTS in all) only when it failed with
 * QEMU_CPU_TIMING_ERROR; any other failure is thrown at once. `command` is for this helper's own test.
 */
export function runQemuImg(args: readonly string[], cwd: string, command = 'qemu-img'): void {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(command, args, { cwd, stdio: 'pipe' });
      return;
    } catch (e) {
      const stderr = String((e as { stderr?: unknown }).stderr ?? '');
      if (!stderr.includes(QEMU_CPU_TIMING_ERROR) || attempt >= QEMU_ATTEMPTS) throw e;
    }
  }
}

export interface QemuInfo {
  readonly format?: string;
  readonly 'virtual-size'?: number;
  readonly 'backing-filename'?: string;
  readonly 'format-specific'?: { readonly data?: Record<string, unknown> };
  /** Set when qemu-img could not open the file: its error message. */
  readonly error?: string;
}

/** `qemu-img info --output=json [-f fmt] file`, or the error qemu-img printed. */
export function qemuInfo(path: string, format?: string): QemuInfo {
  try {
    const args = ['info', '--output=json', ...(format ? ['-f', format] : []), path];
    return JSON.parse(qemuImg(...args)) as QemuInfo;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? String(e);
    return { error: stderr.trim() };
  }
}

export class Scratch {
  readonly dir: string;
  constructor(prefix = 'imagedrop-inspect-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }
  path(name: string): string {
    return join(this.dir, name);
  }
  /** `qemu-img create -f format [options] name size`, run in the scratch folder (relative backing names). */
  create(name: string, format: string, size: string, ...options: string[]): string {
    runQemuImg(['create', '-q', '-f', format, ...options, name, size], this.dir);
    return this.path(name);
  }
  convert(from: string, to: string, format: string, ...options: string[]): string {
    runQemuImg(['convert', '-q', ...options, '-O', format, from, to], this.dir);
    return this.path(to);
  }
  write(name: string, data: Buffer | string): string {
    writeFileSync(this.path(name), data);
    return this.path(name);
  }
  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }
  /** Copy `from` to `to`, letting `edit` change the bytes. */
  edit(from: string, to: string, edit: (b: Buffer) => Buffer | void): string {
    const bytes = readFileSync(this.path(from));
    return this.write(to, edit(bytes) ?? bytes);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A minimal ISO 9660 image: empty system area (or an MBR/GPT for a hybrid), a PVD and a terminator. */
export function isoImage(options: { blocks?: number; hybrid?: 'mbr' | 'gpt'; claimBlocks?: number } = {}): Buffer {
  const blocks = options.blocks ?? 32;
  const iso = Buffer.alloc(blocks * 2048);
  if (options.hybrid) {
    const e = 446;
    iso[e] = 0x80;
    iso[e + 4] = options.hybrid === 'gpt' ? 0xee : 0x17;
    if (options.hybrid === 'gpt') iso.set([0x00, 0x02, 0x00], e + 1);
    iso.writeUInt32LE(options.hybrid === 'gpt' ? 1 : 0, e + 8);
    iso.writeUInt32LE((blocks * 2048) / 512 - 1, e + 12);
    iso[510] = 0x55;
    iso[511] = 0xaa;
    if (options.hybrid === 'gpt') iso.write('EFI PART', 512, 'latin1');
  }
  const pvd = 0x8000;
  iso[pvd] = 1;
  iso.write('CD001', pvd + 1, 'latin1');
  iso[pvd + 6] = 1;
  iso.write('LINUX'.padEnd(32), pvd + 8, 'latin1');
  iso.write('IMAGEDROP_TEST'.padEnd(32), pvd + 40, 'latin1');
  const claimed = options.claimBlocks ?? blocks;
  iso.writeUInt32LE(claimed, pvd + 80);
  iso.writeUInt32BE(claimed, pvd + 84);
  iso.writeUInt16LE(1, pvd + 120);
  iso.writeUInt16BE(1, pvd + 122);
  iso.writeUInt16LE(1, pvd + 124);
  iso.writeUInt16BE(1, pvd + 126);
  iso.writeUInt16LE(2048, pvd + 128);
  iso.writeUInt16BE(2048, pvd + 130);
  iso[pvd + 156] = 34; // root directory record length
  iso[pvd + 881] = 1; // file structure version
  const end = pvd + 2048;
  iso[end] = 255;
  iso.write('CD001', end + 1, 'latin1');
  iso[end + 6] = 1;
  return iso;
}

/**
 * A ZVHD / ZVHD2 file as Huawei's zvhd.c writes an all-zero disk: the 4 KiB header block and the same
 * block again at the end (no data chunks). Fields are little-endian, checksum over the 512-byte struct.
 * `badChecksum` damages the header's checksum only (the footer copy stays valid); `badFooterChecksum`
 * the footer copy's.
 */
export function zvhdImage(
  format: 'zvhd' | 'zvhd2',
  options: {
    originalSize?: number;
    badChecksum?: boolean;
    badFooterChecksum?: boolean;
    withoutFooterCopy?: boolean;
  } = {},
): Buffer {
  const original = options.originalSize ?? GiB;
  const current = Math.ceil(original / GiB) * GiB;
  const block = Buffer.alloc(4096);
  block.write(format === 'zvhd' ? 'stream' : 'z2strm', 0, 'latin1');
  block.writeUInt32LE(2, 8);
  block.writeUInt32LE(0x00010000, 12);
  block.writeBigUInt64LE(0xffffffffffffffffn, 16);
  block.writeUInt32LE(0x2a000000, 24);
  block.write('tap\0', 28, 'latin1');
  block.writeUInt32LE(0x00010004, 32);
  block.write('Lnux', 36, 'latin1');
  block.writeBigUInt64LE(BigInt(original), 40);
  block.writeBigUInt64LE(BigInt(current), 48);
  block.writeUInt32LE((2080 << 16) | (16 << 8) | 63, 56);
  block.writeUInt32LE(4, 60);
  randomBytes(16).copy(block, 68);
  if (format === 'zvhd2') {
    block[87] = 1;
    block.writeUInt32LE(2 * MiB, 88);
    block.writeUInt32LE(current / (2 * MiB), 92);
    block[141] = 1; // zstd
  }
  block.writeUInt32LE(onesComplementSum(block.subarray(0, 512), 64), 64);
  const header = Buffer.from(block);
  if (options.badChecksum) header.writeUInt32LE((header.readUInt32LE(64) ^ 1) >>> 0, 64);
  if (options.badFooterChecksum) block.writeUInt32LE((block.readUInt32LE(64) ^ 1) >>> 0, 64);
  return Buffer.concat([header, options.withoutFooterCopy ? Buffer.alloc(4096) : block]);
}

/**
 * A fixed-VHD footer for `dataBytes` of disk in front of it, as Hyper-V writes one (creator "win ":
 * the disk size is the footer's current size), with a valid checksum.
 */
export function vhdFixedFooter(dataBytes: number): Buffer {
  const f = Buffer.alloc(512);
  f.write('conectix', 0, 'latin1');
  f.writeUInt32BE(2, 8);
  f.writeUInt32BE(0x00010000, 12);
  f.writeBigUInt64BE(0xffffffffffffffffn, 16);
  f.write('win ', 28, 'latin1');
  f.writeUInt32BE(0x000a0000, 32);
  f.write('Wi2k', 36, 'latin1');
  f.writeBigUInt64BE(BigInt(dataBytes), 40);
  f.writeBigUInt64BE(BigInt(dataBytes), 48);
  f.writeUInt16BE(Math.min(65535, Math.ceil(dataBytes / 512 / 16 / 63)), 56);
  f[58] = 16;
  f[59] = 63;
  f.writeUInt32BE(2, 60);
  randomBytes(16).copy(f, 68);
  fixVhdFooter(f, 0);
  return f;
}

/** Recompute a VHD footer checksum in place (footer at `offset`). */
export function fixVhdFooter(buf: Buffer, offset: number): void {
  const footer = buf.subarray(offset, offset + 512);
  footer.writeUInt32BE(onesComplementSum(footer, 64), 64);
}

/** Turn qemu's dynamic VHD into a differencing one with a parent name, both footers and the header fixed. */
export function vhdDifferencing(dynamic: Buffer, parent: string): Buffer {
  const out = Buffer.from(dynamic);
  for (const at of [0, out.length - 512]) {
    out.writeUInt32BE(4, at + 60);
    fixVhdFooter(out, at);
  }
  const header = out.subarray(512, 1536);
  randomBytes(16).copy(header, 40);
  const name = Buffer.from(parent, 'utf16le').swap16();
  header.fill(0, 64, 576);
  name.copy(header, 64);
  header.writeUInt32BE(onesComplementSum(header, 36), 36);
  return out;
}

/** Turn qemu's VDI into a differencing one: image type 4 and a parent UUID. */
export function vdiDifferencing(vdi: Buffer): Buffer {
  const out = Buffer.from(vdi);
  out.writeUInt32LE(4, 0x4c);
  randomBytes(16).copy(out, 0x1b8);
  return out;
}

/** A VMDK descriptor text, as qemu writes them. */
export function vmdkDescriptor(createType: string, extents: readonly string[], extra: readonly string[] = []): string {
  return [
    '# Disk DescriptorFile',
    'version=1',
    'CID=12345678',
    'parentCID=ffffffff',
    `createType="${createType}"`,
    ...extra,
    '',
    '# Extent description',
    ...extents,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.virtualHWVersion = "4"',
    'ddb.adapterType = "ide"',
    '',
  ].join('\n');
}

/** Replace the embedded descriptor of a sparse VMDK (sector 1, 20 sectors) and optionally its capacity. */
export function withEmbeddedDescriptor(sparse: Buffer, descriptor: string, capacity?: bigint): Buffer {
  const out = Buffer.from(sparse);
  out.fill(0, 512, 512 + 20 * 512);
  out.write(descriptor, 512, 'latin1');
  if (capacity !== undefined) out.writeBigUInt64LE(capacity, 12);
  return out;
}

/** A streamOptimized VMDK whose grain directory is "at the end", with (or without) the footer qemu wants. */
export function vmdkWithFooter(streamOptimized: Buffer, footer: 'valid' | 'missing'): Buffer {
  const out = Buffer.from(streamOptimized);
  const header = Buffer.from(out.subarray(0, 512));
  out.writeBigUInt64LE(0xffffffffffffffffn, 56);
  const tail = Buffer.alloc(1536);
  if (footer === 'valid') {
    tail.writeBigUInt64LE(1n, 0);
    tail.writeUInt32LE(0, 8);
    tail.writeUInt32LE(3, 12);
    header.copy(tail, 512);
    tail.writeBigUInt64LE(0n, 1024);
    tail.writeUInt32LE(0, 1032);
    tail.writeUInt32LE(0, 1036);
  }
  return Buffer.concat([out, tail]);
}

/**
 * A LUKS1 volume header as cryptsetup and qemu lay it out (big-endian; 592 bytes, then 8 key slots of
 * key material and the encrypted payload): every key slot disabled, so it holds no usable key. Enough
 * for anything that reads only the header, which is all the inspector does with LUKS.
 */
export function luksImage(options: { payloadSectors?: number } = {}): Buffer {
  const keyBytes = 64;
  const stripes = 4000;
  const headerSectors = 8; // the header rounded up to 4 KiB
  const slotSectors = Math.ceil(Math.ceil((keyBytes * stripes) / 512) / headerSectors) * headerSectors;
  const payloadOffset = headerSectors + 8 * slotSectors;
  const out = Buffer.alloc((payloadOffset + (options.payloadSectors ?? 2048)) * 512);
  out.set([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe], 0); // "LUKS\xba\xbe"
  out.writeUInt16BE(1, 6);
  out.write('aes', 8, 'latin1');
  out.write('xts-plain64', 40, 'latin1');
  out.write('sha256', 72, 'latin1');
  out.writeUInt32BE(payloadOffset, 104);
  out.writeUInt32BE(keyBytes, 108);
  randomBytes(20).copy(out, 112); // master key digest
  randomBytes(32).copy(out, 132); // its salt
  out.writeUInt32BE(1000, 164);
  out.write('3c5b9d0e-6a4f-4d2b-9f31-0a8e4c2d7b16', 168, 'latin1');
  for (let i = 0; i < 8; i++) {
    const slot = 208 + 48 * i;
    out.writeUInt32BE(0x0000dead, slot); // disabled
    out.writeUInt32BE(headerSectors + i * slotSectors, slot + 40);
    out.writeUInt32BE(stripes, slot + 44);
  }
  return out;
}
