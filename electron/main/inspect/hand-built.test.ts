// Hand-built files for what qemu-img cannot make: Huawei's ZVHD/ZVHD2, ISO 9660, differencing VHD and
// VDI, hostile VMDK descriptors, corrupt fields, truncations and polyglots. Each case states what
// `qemu-img info --output=json` says, and where it disagrees with the inspector, why.
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectReasonCode } from '../../../shared/inspect.ts';
import { crc32c, onesComplementSum } from './bytes.ts';
import { inspectFile } from './index.ts';
import { READ_BUDGET_BYTES } from './region-reader.ts';
import {
  GiB,
  MiB,
  Scratch,
  fixVhdFooter,
  isoImage,
  luksImage,
  qemuInfo,
  requireQemuImg,
  vdiDifferencing,
  vhdDifferencing,
  vhdFixedFooter,
  vmdkDescriptor,
  vmdkWithFooter,
  withEmbeddedDescriptor,
  zvhdImage,
} from './test-images.ts';

/** What qemu-img info says: a format and virtual size, or an error matching a pattern. */
type QemuSays =
  { readonly format: string; readonly virtualSize?: number; readonly extent?: string } | { readonly error: RegExp };

interface Case {
  readonly name: string;
  readonly make: (s: Scratch) => string;
  readonly format: string;
  readonly subformat?: string | null;
  readonly virtualSize?: number | null;
  readonly reasons: readonly InspectReasonCode[];
  /** A fragment the first message must contain. */
  readonly mentions?: string;
  /** Fragments that the message of a given reason must contain. */
  readonly reasonMentions?: Partial<Record<InspectReasonCode, string>>;
  readonly qemu: QemuSays;
}

const setU32BE = (offset: number, value: number) => (b: Buffer) => void b.writeUInt32BE(value, offset);

function partitionedDisk(kind: 'mbr' | 'gpt' | 'bad-mbr' | 'fat'): Buffer {
  const disk = Buffer.alloc(MiB);
  const e = 446;
  if (kind === 'fat') {
    disk[0x10] = 2; // two FATs
    disk[0x15] = 0xf8; // fixed disk
  } else {
    disk[e] = kind === 'bad-mbr' ? 0x12 : 0x80;
    disk[e + 4] = kind === 'gpt' ? 0xee : 0x83;
    if (kind === 'gpt') disk.set([0x00, 0x02, 0x00], e + 1);
    disk.writeUInt32LE(kind === 'gpt' ? 1 : 2048, e + 8);
    disk.writeUInt32LE(MiB / 512 - 2048, e + 12);
  }
  disk[510] = 0x55;
  disk[511] = 0xaa;
  if (kind === 'gpt') disk.write('EFI PART', 512, 'latin1');
  return disk;
}

const HOSTILE_FLAT = 'RW 8 FLAT "/etc/passwd" 0';
/** /etc/passwd relative to a scratch folder (one level under the temporary folder): ../../etc/passwd in /tmp. */
const UP_TO_PASSWD = relative(join(tmpdir(), 'scratch'), '/etc/passwd');

/** An MBR boot signature (55 AA at 510) in a file's first sector, with one Linux partition entry unless `bare`. */
function withMbr(b: Buffer, bare = false): Buffer {
  if (!bare) {
    b[446] = 0x80;
    b[446 + 4] = 0x83;
    b.writeUInt32LE(2048, 446 + 8);
    b.writeUInt32LE(2048, 446 + 12);
  }
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

const CASES: readonly Case[] = [
  // Huawei ZVHD / ZVHD2: stock qemu has no driver for them and reads them as raw bytes.
  {
    name: 'ZVHD (header block + footer copy of an all-zero 1 GiB disk)',
    make: (s) => s.write('disk.zvhd', zvhdImage('zvhd')),
    format: 'zvhd',
    subformat: null,
    virtualSize: GiB,
    reasons: [],
    qemu: { format: 'raw', virtualSize: 8192 }, // no zvhd driver in stock qemu: the file is "raw"
  },
  {
    name: 'ZVHD2',
    make: (s) => s.write('disk.zvhd2', zvhdImage('zvhd2', { originalSize: 1536 * MiB })),
    format: 'zvhd2',
    virtualSize: 2 * GiB, // current size = original rounded up to whole GiB, as zvhd.c writes it
    reasons: [],
    qemu: { format: 'raw', virtualSize: 8192 }, // no zvhd2 driver in stock qemu
  },
  {
    name: 'ZVHD with a bad header checksum (the valid footer copy still confirms the signature)',
    make: (s) => s.write('bad.zvhd', zvhdImage('zvhd', { badChecksum: true })),
    format: 'zvhd',
    reasons: ['corrupt-header'],
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: 'damaged ZVHD: wrong checksums in the header and the footer copy (once called a safe raw disk)',
    make: (s) => s.write('damaged.zvhd', zvhdImage('zvhd', { badChecksum: true, badFooterChecksum: true })),
    format: 'zvhd',
    virtualSize: GiB,
    reasons: ['corrupt-header', 'corrupt-header'],
    mentions: 'ZVHD header checksum is wrong',
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: 'damaged ZVHD2: wrong header checksum, footer copy missing',
    make: (s) => s.write('damaged.zvhd2', zvhdImage('zvhd2', { badChecksum: true, withoutFooterCopy: true })),
    format: 'zvhd2',
    reasons: ['corrupt-header', 'truncated'],
    mentions: 'ZVHD2 header checksum is wrong',
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: 'ZVHD2 cut before its footer copy',
    make: (s) => s.write('cut.zvhd2', zvhdImage('zvhd2', { withoutFooterCopy: true })),
    format: 'zvhd2',
    reasons: ['truncated'],
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: 'a file that starts with "stream" but not the NUL-padded cookie field is not a ZVHD',
    make: (s) => s.write('stream.bin', Buffer.concat([Buffer.from('stream\0x'), Buffer.alloc(8184)])),
    format: 'raw',
    reasons: [],
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: 'a text file that merely starts with "stream" is not a ZVHD (weak signature not confirmed)',
    make: (s) => s.write('notes.txt', 'streaming notes\n'.repeat(600)),
    format: 'raw',
    reasons: [],
    qemu: { format: 'raw', virtualSize: 9728 }, // qemu rounds raw sizes up to 512; the file is 9600 bytes
    virtualSize: 9600,
  },
  // ISO 9660: qemu has no ISO driver.
  {
    name: 'ISO 9660 (hand-built PVD + terminator)',
    make: (s) => s.write('plain.iso', isoImage()),
    format: 'iso',
    subformat: null,
    virtualSize: 64 * 1024,
    reasons: [],
    qemu: { format: 'raw', virtualSize: 64 * 1024 }, // qemu has no ISO driver; same bytes, same size
  },
  {
    name: 'hybrid ISO with an MBR is an ISO (as Glance decides for {iso, gpt})',
    make: (s) => s.write('hybrid-mbr.iso', isoImage({ hybrid: 'mbr' })),
    format: 'iso',
    subformat: 'hybrid-mbr',
    reasons: [],
    qemu: { format: 'raw', virtualSize: 64 * 1024 },
  },
  {
    name: 'hybrid ISO with a GPT is an ISO',
    make: (s) => s.write('hybrid-gpt.iso', isoImage({ hybrid: 'gpt' })),
    format: 'iso',
    subformat: 'hybrid-gpt',
    reasons: [],
    qemu: { format: 'raw', virtualSize: 64 * 1024 },
  },
  {
    name: 'ISO with "CD001" at 0x8001 but only a terminator, no primary volume descriptor',
    make: (s) =>
      s.write(
        'no-pvd.iso',
        (() => {
          const b = isoImage();
          b.fill(0, 0x8000, 0x9000);
          b[0x8000] = 255; // the set terminator, where the PVD should be
          b.write('CD001', 0x8001, 'latin1');
          b[0x8006] = 1;
          return b;
        })(),
      ),
    format: 'iso',
    virtualSize: null,
    reasons: ['corrupt-header'],
    mentions: 'no primary volume descriptor',
    qemu: { format: 'raw', virtualSize: 64 * 1024 },
  },
  {
    name: 'ISO that claims more blocks than the file holds',
    make: (s) => s.write('short.iso', isoImage({ claimBlocks: 1000 })),
    format: 'iso',
    virtualSize: 1000 * 2048,
    reasons: ['truncated'],
    qemu: { format: 'raw', virtualSize: 64 * 1024 },
  },
  // Polyglots
  {
    name: 'polyglot: a qcow2 with a backing file and "CD001" at 0x8001',
    make: (s) => {
      s.create('poly.qcow2', 'qcow2', '64M', '-b', 'base.raw', '-F', 'raw');
      return s.edit('poly.qcow2', 'polyglot.img', (b) => void isoImage().copy(b, 0x8000, 0x8000, 0x9000));
    },
    format: 'qcow2',
    reasons: ['ambiguous-format', 'backing-file'],
    mentions: 'qcow2 and ISO',
    // qemu's probe stops at the first driver that claims the file; it never sees the ISO in it.
    qemu: { format: 'qcow2', virtualSize: 64 * MiB },
  },
  {
    name: 'polyglot: a qcow2 with a valid fixed-VHD footer appended (oslo.utils sees only the qcow2)',
    make: (s) => {
      s.create('vhd-tail-base.qcow2', 'qcow2', '64M');
      return s.edit('vhd-tail-base.qcow2', 'vhd-tail.qcow2', (b) => Buffer.concat([b, vhdFixedFooter(b.length)]));
    },
    format: 'qcow2',
    virtualSize: 64 * MiB,
    reasons: ['ambiguous-format'],
    // `qemu-img info -f vpc` would read the same file as a fixed VHD; Glance looks for VHD footers only
    // at offset 0, so the message must not claim that Glance refuses it.
    mentions: 'at once qcow2 and VHD (a polyglot, which is how one image hides inside another): rebuild',
    qemu: { format: 'qcow2', virtualSize: 64 * MiB },
  },
  {
    name: 'polyglot: a qcow2 with the VDI signature at 0x40 (inside its snapshot table offset)',
    make: (s) => s.edit('vhd-tail-base.qcow2', 'vdi-sig.qcow2', (b) => void b.set([0x7f, 0x10, 0xda, 0xbe], 0x40)),
    format: 'qcow2',
    virtualSize: 64 * MiB,
    // The VDI reading of the header fails too (version 0.0): every spec that matched reports.
    reasons: ['ambiguous-format', 'unknown-features'],
    mentions: 'at once qcow2 and VDI (a polyglot, which is how one image hides inside another), and Glance refuses it',
    // qemu's probe picks VDI here, not qcow2: the same bytes mean two disks to two readers.
    qemu: { error: /Unsupported VDI image size/ },
  },
  // An MBR boot signature inside another format's header: oslo.utils sees {that format, gpt} and
  // Glance refuses "Multiple formats detected". Only ISO + MBR/GPT (a hybrid ISO) is allowed.
  {
    name: 'polyglot: a qcow2 whose first sector also carries an MBR with a partition',
    make: (s) => {
      s.create('mbr-base.qcow2', 'qcow2', '64M');
      return s.edit('mbr-base.qcow2', 'mbr.qcow2', (b) => withMbr(b));
    },
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: 64 * MiB,
    reasons: ['ambiguous-format'],
    mentions: 'at once qcow2 and a partitioned disk',
    // qemu's qcow2 probe wins over raw; bytes 446-511 are padding in qemu's header extensions.
    qemu: { format: 'qcow2', virtualSize: 64 * MiB },
  },
  {
    name: 'polyglot: a qcow2 with only the 55 AA signature (oslo.utils needs no partition entry to match)',
    make: (s) => s.edit('mbr-base.qcow2', 'signature.qcow2', (b) => withMbr(b, true)),
    format: 'qcow2',
    reasons: ['ambiguous-format'],
    mentions: 'Glance refuses it ("Multiple formats detected")',
    qemu: { format: 'qcow2', virtualSize: 64 * MiB },
  },
  {
    name: 'polyglot: a dynamic VHD whose footer copy at 0 carries an MBR (checksum made valid)',
    make: (s) => {
      s.create('mbr-base.vhd', 'vpc', '64M');
      return s.edit('mbr-base.vhd', 'mbr-dynamic.vhd', (b) => void fixVhdFooter(withMbr(b), 0));
    },
    format: 'vhd',
    subformat: 'dynamic',
    reasons: ['ambiguous-format'],
    mentions: 'inside the VHD header',
    qemu: { format: 'vpc', virtualSize: 67125248 },
  },
  {
    name: 'polyglot: a monolithicSparse VMDK whose header carries an MBR',
    make: (s) => {
      s.create('mbr-base.vmdk', 'vmdk', '64M');
      return s.edit('mbr-base.vmdk', 'mbr.vmdk', (b) => withMbr(b));
    },
    format: 'vmdk',
    subformat: 'monolithicSparse',
    reasons: ['ambiguous-format'],
    qemu: { format: 'vmdk', virtualSize: 64 * MiB },
  },
  {
    name: 'polyglot: a ZVHD whose header carries an MBR (checksum made valid; oslo.utils would see only gpt)',
    make: (s) =>
      s.write(
        'mbr.zvhd',
        (() => {
          const b = withMbr(zvhdImage('zvhd'));
          b.writeUInt32LE(onesComplementSum(b.subarray(0, 512), 64), 64);
          return b;
        })(),
      ),
    format: 'zvhd',
    reasons: ['ambiguous-format'],
    mentions:
      'at once ZVHD and a partitioned disk (an MBR boot signature, 55 AA, at byte 510 inside the ZVHD header) (a polyglot, which is how one image hides inside another): rebuild',
    qemu: { format: 'raw', virtualSize: 8192 },
  },
  {
    name: "a fixed VHD whose guest disk has an MBR is no polyglot (the first sector is the guest's)",
    make: (s) => {
      s.create('fixed-base.vhd', 'vpc', '64M', '-o', 'subformat=fixed');
      return s.edit('fixed-base.vhd', 'fixed-mbr.vhd', (b) => withMbr(b));
    },
    format: 'vhd',
    subformat: 'fixed',
    virtualSize: 67125248,
    reasons: [],
    // qemu's probe sees the first sector only: a raw disk, footer counted as data (-f vpc reads it).
    qemu: { format: 'raw', virtualSize: 67125248 + 512 },
  },
  // Corrupt fields
  {
    name: 'qcow2 with cluster_bits 99',
    make: (s) => {
      s.create('cb.qcow2', 'qcow2', '64M');
      return s.edit('cb.qcow2', 'cluster-bits-99.qcow2', setU32BE(20, 99));
    },
    format: 'qcow2',
    reasons: ['corrupt-header'],
    mentions: '2^99',
    qemu: { error: /Unsupported cluster size: 2\^99/ },
  },
  {
    name: 'qcow2 v3 whose header_length (0x7ffffff8) runs past its cluster',
    make: (s) => {
      s.create('hl.qcow2', 'qcow2', '64M');
      return s.edit('hl.qcow2', 'header-length-huge.qcow2', setU32BE(100, 0x7ffffff8));
    },
    format: 'qcow2',
    reasons: ['corrupt-header'], // not 'truncated': the copy is whole, the field is impossible
    mentions: 'larger than its 65536-byte cluster',
    qemu: { error: /qcow2 header exceeds cluster size/ },
  },
  {
    name: 'qcow2 v3 whose header_length (96) is shorter than a version 3 header',
    make: (s) => s.edit('hl.qcow2', 'header-length-short.qcow2', setU32BE(100, 96)),
    format: 'qcow2',
    reasons: ['corrupt-header'],
    mentions: 'header length (96) is invalid',
    qemu: { error: /qcow2 header too short/ },
  },
  {
    name: 'qcow2 with an unknown incompatible feature bit',
    make: (s) => s.edit('cb.qcow2', 'bit5.qcow2', (b) => void b.writeBigUInt64BE(1n << 5n, 72)),
    format: 'qcow2',
    reasons: ['unknown-features'],
    qemu: { error: /Unknown incompatible feature: 20/ },
  },
  {
    name: 'qcow2 v2 with a header extension at byte 72 (oslo.utils misreads it as feature bits)',
    make: (s) => {
      s.create('v2.qcow2', 'qcow2', '64M', '-o', 'compat=0.10');
      return s.edit('v2.qcow2', 'v2-extension.qcow2', (b) => {
        b.writeUInt32BE(0x6803f857, 72); // feature name table
        b.writeUInt32BE(48, 76);
        b.write('dirty bit', 82, 'latin1');
      });
    },
    format: 'qcow2',
    subformat: 'compat-0.10',
    reasons: [],
    qemu: { format: 'qcow2', virtualSize: 64 * MiB },
  },
  {
    name: 'QED with an unknown feature bit',
    make: (s) => {
      s.create('f.qed', 'qed', '64M');
      return s.edit('f.qed', 'feature.qed', (b) => void b.writeBigUInt64LE(1n << 8n, 16));
    },
    format: 'qed',
    reasons: ['unknown-features'],
    qemu: { error: /Unsupported QED features: 100/ },
  },
  {
    name: 'QCOW v1 marked AES-encrypted',
    make: (s) => {
      s.create('v1.qcow', 'qcow', '64M');
      return s.edit('v1.qcow', 'aes.qcow', setU32BE(36, 1));
    },
    format: 'qcow',
    reasons: ['encrypted'],
    qemu: { format: 'qcow', virtualSize: 64 * MiB }, // info needs no key; booting would
  },
  {
    name: 'VHD with a bad footer checksum',
    make: (s) => {
      s.create('ck.vhd', 'vpc', '64M');
      return s.edit('ck.vhd', 'bad-checksum.vhd', (b) => void (b[64] = (b[64] ?? 0) ^ 0xff));
    },
    format: 'vhd',
    reasons: ['corrupt-header'],
    qemu: { error: /Incorrect header checksum/ },
  },
  {
    name: 'VHDX with both headers damaged',
    make: (s) => {
      s.create('h.vhdx', 'vhdx', '64M');
      return s.edit('h.vhdx', 'bad-headers.vhdx', (b) => {
        b[0x10008] = (b[0x10008] ?? 0) ^ 1;
        b[0x20008] = (b[0x20008] ?? 0) ^ 1;
      });
    },
    format: 'vhdx',
    reasons: ['corrupt-header'],
    qemu: { error: /No valid VHDX header found/ },
  },
  {
    name: 'VHDX with a log to replay',
    make: (s) =>
      s.edit('h.vhdx', 'log.vhdx', (b) => {
        for (const h of [0x10000, 0x20000]) {
          b[h + 48] = 1;
          b.writeUInt32LE(crc32c(b.subarray(h, h + 4096), 4), h + 4);
        }
      }),
    format: 'vhdx',
    reasons: ['corrupt-header'],
    mentions: 'log',
    // qemu opens it read-only without replaying the log, so what it reports may be stale.
    qemu: { format: 'vhdx', virtualSize: 64 * MiB },
  },
  {
    name: 'VHDX differencing (HasParent)',
    make: (s) =>
      s.edit('h.vhdx', 'child.vhdx', (b) => {
        const m = 0x300000; // qemu puts the metadata region at 3 MiB
        for (let i = 0; i < b.readUInt16LE(m + 10); i++) {
          const e = m + 32 + 32 * i;
          if (b.readUInt32LE(e) !== 0xcaa16737) continue; // File Parameters
          const item = m + b.readUInt32LE(e + 16);
          b.writeUInt32LE(b.readUInt32LE(item + 4) | 2, item + 4);
        }
      }),
    format: 'vhdx',
    subformat: 'differencing',
    reasons: ['backing-file'],
    qemu: { error: /Invalid argument/ }, // qemu does not support differencing VHDX
  },
  // Differencing VHD / VDI
  {
    name: 'VHD differencing (type 4, parent name in the dynamic header)',
    make: (s) => {
      s.create('dyn.vhd', 'vpc', '64M');
      return s.edit('dyn.vhd', 'differencing.vhd', (b) => vhdDifferencing(b, 'C:\\VMs\\parent.vhd'));
    },
    format: 'vhd',
    subformat: 'differencing',
    reasons: ['backing-file'],
    mentions: 'parent disk "C:\\VMs\\parent.vhd"',
    // qemu ignores the parent and opens a differencing VHD as a dynamic one: no backing file shown.
    qemu: { format: 'vpc', virtualSize: 67125248 },
  },
  {
    name: 'VDI differencing (type 4 and a parent UUID)',
    make: (s) => {
      s.create('d.vdi', 'vdi', '64M');
      return s.edit('d.vdi', 'differencing.vdi', vdiDifferencing);
    },
    format: 'vdi',
    subformat: 'differencing',
    reasons: ['backing-file'],
    qemu: { error: /non-NULL parent UUID/ },
  },
  // Truncations
  {
    name: 'qcow2 cut to 100 bytes (oslo.utils calls it raw: its 512-byte region is incomplete)',
    make: (s) => s.edit('cb.qcow2', 'cut-100.qcow2', (b) => b.subarray(0, 100)),
    format: 'qcow2',
    reasons: ['truncated'],
    qemu: { error: /qcow2 header too short/ },
  },
  {
    name: 'VDI cut to its first 256 bytes',
    make: (s) => s.edit('d.vdi', 'cut-256.vdi', (b) => b.subarray(0, 256)),
    format: 'vdi',
    virtualSize: null,
    reasons: ['truncated'],
    // qemu's probe pads the buffer with zeros, calls it VDI, then fails on the zero sector size.
    qemu: { error: /sector size 0 is not 512/ },
  },
  // Hostile VMDK descriptors
  {
    name: 'VMDK descriptor file with an absolute extent path (/etc/passwd)',
    make: (s) => s.write('absolute.vmdk', vmdkDescriptor('monolithicFlat', [HOSTILE_FLAT])),
    format: 'vmdk',
    subformat: 'monolithicFlat',
    virtualSize: 4096,
    reasons: ['vmdk-create-type', 'external-extent'],
    mentions: '',
    // qemu-img info follows the descriptor and opens /etc/passwd: this is why it is not a safe detector.
    qemu: { format: 'vmdk', virtualSize: 4096, extent: '/etc/passwd' },
  },
  {
    name: 'VMDK descriptor file whose extent climbs out of its folder (../../etc/passwd)',
    make: (s) => {
      return s.write('traversal.vmdk', vmdkDescriptor('monolithicFlat', [`RW 8 FLAT "${UP_TO_PASSWD}" 0`]));
    },
    format: 'vmdk',
    subformat: 'monolithicFlat',
    reasons: ['vmdk-create-type', 'external-extent'],
    reasonMentions: { 'external-extent': `"${UP_TO_PASSWD}", outside the image` },
    // qemu resolves a relative extent against the descriptor's folder: it reads /etc/passwd.
    qemu: { format: 'vmdk', virtualSize: 4096, extent: '/etc/passwd' },
  },
  {
    name: 'VMDK descriptor file with a Windows absolute extent (C:\\VMs\\disk-flat.vmdk)',
    make: (s) => s.write('windows.vmdk', vmdkDescriptor('monolithicSparse', ['RW 8 SPARSE "C:\\VMs\\disk-flat.vmdk"'])),
    format: 'vmdk',
    subformat: 'monolithicSparse',
    reasons: ['external-extent'],
    mentions: '"C:\\VMs\\disk-flat.vmdk", outside the image', // backslashes as written, not doubled
    // On Linux qemu takes the name as relative and finds no such file; on Windows it would open it.
    qemu: { error: /Could not open/ },
  },
  {
    name: 'sparse VMDK with capacity 0 and an embedded descriptor naming /etc/passwd',
    make: (s) => {
      s.create('sp.vmdk', 'vmdk', '64M');
      return s.edit('sp.vmdk', 'capacity-0.vmdk', (b) =>
        withEmbeddedDescriptor(b, vmdkDescriptor('monolithicFlat', [HOSTILE_FLAT]), 0n),
      );
    },
    format: 'vmdk',
    virtualSize: 4096,
    reasons: ['vmdk-create-type', 'external-extent'],
    // A binary-looking sparse VMDK whose data qemu reads from /etc/passwd.
    qemu: { format: 'vmdk', virtualSize: 4096, extent: '/etc/passwd' },
  },
  {
    name: 'monolithicSparse VMDK whose embedded extent line names /etc/passwd (oslo.utils refuses any "/")',
    make: (s) =>
      s.edit('sp.vmdk', 'embedded-abs.vmdk', (b) =>
        withEmbeddedDescriptor(b, vmdkDescriptor('monolithicSparse', ['RW 131072 SPARSE "/etc/passwd"'])),
      ),
    format: 'vmdk',
    subformat: 'monolithicSparse',
    virtualSize: 64 * MiB,
    reasons: ['external-extent'],
    // With a non-zero capacity qemu ignores the embedded extent line (it reads the file itself); the
    // line is still refused, as Glance refuses it.
    qemu: { format: 'vmdk', virtualSize: 64 * MiB },
  },
  {
    name: "qemu's NUL-padded monolithicFlat descriptor (oslo.utils: raw)",
    make: (s) => {
      s.write('padded-flat.vmdk', Buffer.alloc(4096));
      const text = Buffer.from(vmdkDescriptor('monolithicFlat', ['RW 8 FLAT "padded-flat.vmdk" 0']));
      return s.write('padded.vmdk', Buffer.concat([text, Buffer.alloc(1024 - text.length)]));
    },
    format: 'vmdk',
    subformat: 'monolithicFlat',
    reasons: ['vmdk-create-type', 'external-extent'],
    qemu: { format: 'vmdk', virtualSize: 4096 },
  },
  {
    name: 'VMDK descriptor with a line Glance refuses',
    make: (s) =>
      s.write('junk.vmdk', vmdkDescriptor('monolithicFlat', ['RW 8 FLAT "padded-flat.vmdk" 0'], ['junk line'])),
    format: 'vmdk',
    reasons: ['vmdk-create-type', 'external-extent', 'corrupt-header'],
    qemu: { format: 'vmdk', virtualSize: 4096 }, // qemu skips lines it does not understand
  },
  {
    name: 'streamOptimized VMDK with its grain directory in a valid footer',
    make: (s) => {
      s.create('so.vmdk', 'vmdk', '64M', '-o', 'subformat=streamOptimized');
      return s.edit('so.vmdk', 'footer.vmdk', (b) => vmdkWithFooter(b, 'valid'));
    },
    format: 'vmdk',
    subformat: 'streamOptimized',
    reasons: [],
    qemu: { format: 'vmdk', virtualSize: 64 * MiB },
  },
  {
    name: 'streamOptimized VMDK whose footer is missing',
    make: (s) => s.edit('so.vmdk', 'no-footer.vmdk', (b) => vmdkWithFooter(b, 'missing')),
    format: 'vmdk',
    reasons: ['corrupt-header'],
    qemu: { error: /Invalid footer/ },
  },
  {
    name: 'one extent of a twoGbMaxExtentSparse disk, alone',
    make: (s) => {
      s.create('split.vmdk', 'vmdk', '64M', '-o', 'subformat=twoGbMaxExtentSparse');
      return s.path('split-s001.vmdk');
    },
    format: 'vmdk',
    subformat: null,
    reasons: ['vmdk-create-type'],
    qemu: { error: /Invalid argument/ },
  },
  {
    name: 'old ESX 3 COWD extent',
    make: (s) => {
      const b = Buffer.alloc(2048);
      b.write('COWD', 0, 'latin1');
      b.writeUInt32LE(1, 4);
      b.writeUInt32LE(2048, 12);
      return s.write('old.vmdk', b);
    },
    format: 'vmdk',
    subformat: 'cowd',
    virtualSize: MiB,
    reasons: ['vmdk-create-type'],
    qemu: { error: /Invalid argument/ }, // qemu's probe takes it as vmdk, then fails on this minimal header
  },
  // Raw content
  {
    name: 'raw disk with an MBR',
    make: (s) => s.write('mbr.img', partitionedDisk('mbr')),
    format: 'raw',
    subformat: 'mbr',
    virtualSize: MiB,
    reasons: [],
    qemu: { format: 'raw', virtualSize: MiB },
  },
  {
    name: 'raw disk with a GPT',
    make: (s) => s.write('gpt.img', partitionedDisk('gpt')),
    format: 'raw',
    subformat: 'gpt',
    reasons: [],
    qemu: { format: 'raw', virtualSize: MiB },
  },
  {
    name: 'raw disk whose MBR has an invalid boot flag (Glance refuses it)',
    make: (s) => s.write('bad-mbr.img', partitionedDisk('bad-mbr')),
    format: 'raw',
    subformat: 'mbr',
    reasons: ['corrupt-header'],
    qemu: { format: 'raw', virtualSize: MiB },
  },
  {
    name: 'a FAT boot sector is not an MBR',
    make: (s) => s.write('fat.img', partitionedDisk('fat')),
    format: 'raw',
    subformat: 'none',
    reasons: [],
    qemu: { format: 'raw', virtualSize: MiB },
  },
  {
    name: 'LUKS volume (hand-built LUKS1 header; qemu-images.test.ts has one made by qemu-img)',
    make: (s) => s.write('vol.luks', luksImage({ payloadSectors: 2048 })),
    format: 'raw',
    subformat: 'luks',
    reasons: ['encrypted'],
    // qemu knows LUKS as a format (and reads this header); Glance has no such disk_format, so here
    // it is raw and encrypted.
    qemu: { format: 'luks', virtualSize: MiB },
  },
  {
    name: 'text file named .qcow2',
    make: (s) => s.write('notes.qcow2', 'These are not the droids you are looking for.\n'),
    format: 'raw',
    subformat: 'none',
    virtualSize: 46,
    reasons: ['extension-mismatch'],
    mentions: '.qcow2',
    qemu: { format: 'raw', virtualSize: 512 }, // qemu rounds a raw file's size up to 512
  },
  {
    name: 'empty file',
    make: (s) => s.write('empty.qcow2', ''),
    format: 'raw',
    virtualSize: 0,
    reasons: ['empty-file'], // and nothing else: an empty file has no content to disagree with its name
    qemu: { format: 'raw', virtualSize: 0 },
  },
];

describe('hand-built headers', () => {
  const scratch = { current: undefined as Scratch | undefined };
  const s = () => {
    if (!scratch.current) throw new Error('scratch folder not ready');
    return scratch.current;
  };

  beforeAll(() => {
    requireQemuImg();
    scratch.current = new Scratch();
    s().create('base.raw', 'raw', '1M');
  });
  afterAll(() => scratch.current?.remove());

  it.each(CASES)('$name', async (c) => {
    const path = c.make(s());
    const report = await inspectFile(path);
    expect(report.format).toBe(c.format);
    if (c.subformat !== undefined) expect(report.subformat).toBe(c.subformat);
    if (c.virtualSize !== undefined) expect(report.virtualSize).toBe(c.virtualSize);
    expect(report.reasons.map((r) => r.code)).toEqual(c.reasons);
    expect(report.safe).toBe(c.reasons.length === 0);
    expect(report.bytesRead).toBeLessThanOrEqual(READ_BUDGET_BYTES);
    if (c.mentions) expect(report.reasons[0]?.message).toContain(c.mentions);
    for (const [code, fragment] of Object.entries(c.reasonMentions ?? {}))
      expect(report.reasons.find((r) => r.code === code)?.message).toContain(fragment);
    for (const r of report.reasons) expect(r.message).toMatch(/^[A-Z].*[.]$/);
    if (c.reasons.includes('external-extent') && c.name.includes('/etc/passwd')) {
      expect(report.reasons.find((r) => r.code === 'external-extent')?.message).toContain('/etc/passwd');
    }

    const info = qemuInfo(path);
    if ('error' in c.qemu) {
      expect(info.error).toMatch(c.qemu.error);
    } else {
      expect(info.error).toBeUndefined();
      expect(info.format).toBe(c.qemu.format);
      if (c.qemu.virtualSize !== undefined) expect(info['virtual-size']).toBe(c.qemu.virtualSize);
      if (c.qemu.extent !== undefined) {
        // qemu names an extent as its descriptor's folder joined with the name: compare the files meant.
        const extents = (info['format-specific']?.data?.extents ?? []) as { filename?: string }[];
        expect(extents.map((e) => resolve(dirname(path), e.filename ?? ''))).toContain(c.qemu.extent);
      }
    }
  });

  it('reads nothing from an empty file', async () => {
    const report = await inspectFile(s().write('nothing.img', ''));
    expect(report).toMatchObject({ format: 'raw', size: 0, bytesRead: 0, safe: false, diskFormat: 'raw' });
  });
});
