// Images made by qemu-img in every format and subformat it writes, and their unsafe variants. Each
// expectation is cross-checked against `qemu-img info --output=json` (format and virtual size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectReasonCode } from '../../../shared/inspect.ts';
import { inspectFile } from './index.ts';
import { READ_BUDGET_BYTES } from './region-reader.ts';
import { GiB, MiB, Scratch, qemuInfo, requireQemuImg } from './test-images.ts';

/** qemu's driver names for our format names. */
const QEMU_NAME: Record<string, string> = { vhd: 'vpc' };

interface Case {
  readonly name: string;
  readonly make: (s: Scratch) => string;
  readonly format: string;
  readonly subformat: string | null;
  readonly virtualSize: number;
  readonly reasons: readonly InspectReasonCode[];
  /** Safe, yet newer Glance refuses it (formats.md §13.4): the report carries advice. */
  readonly glanceRefuses?: boolean;
  /** What qemu-img info says when it differs from format and virtualSize (and why, in a comment). */
  readonly qemu?: { readonly format: string; readonly virtualSize: number };
}

const SIZE = '64M';
const SIZE_BYTES = 64 * MiB;
/** qemu's VHD writer (creator "qemu") rounds 64 MiB up to a whole CHS geometry: 1024/4/32 would not fit. */
const VHD_64M = 67125248;
/** qemu's LUKS header and key material before the payload: 4 KiB + 8 slots × 504 sectors (aes-256-xts). */
const LUKS_HEADER_BYTES = (8 + 8 * 504) * 512;

/**
 * The two LUKS images, made once and up front: qemu's LUKS writer spends about a second of CPU per
 * image timing PBKDF2, and under load it can fail ("Unable to get accurate CPU usage"), which
 * Scratch.create retries. Inside a test that could exceed the per-test timeout; here it has its own.
 */
function makeLuksImages(s: Scratch): void {
  const secret = ['--object', 'secret,id=sec0,data=imagedrop'];
  s.create(
    'encrypted.qcow2',
    'qcow2',
    SIZE,
    ...secret,
    '-o',
    'encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10',
  );
  s.create('volume.luks', 'luks', '4M', ...secret, '-o', 'key-secret=sec0,iter-time=10');
}

const CASES: readonly Case[] = [
  // qcow2
  {
    name: 'qcow2 compat=0.10',
    make: (s) => s.create('v2.qcow2', 'qcow2', SIZE, '-o', 'compat=0.10'),
    format: 'qcow2',
    subformat: 'compat-0.10',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'qcow2 compat=1.1',
    make: (s) => s.create('v3.qcow2', 'qcow2', SIZE, '-o', 'compat=1.1'),
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'qcow2 with extended L2 entries (oslo.utils refuses it; qemu supports it)',
    make: (s) => s.create('l2.qcow2', 'qcow2', SIZE, '-o', 'extended_l2=on,cluster_size=128k'),
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: SIZE_BYTES,
    reasons: [],
    glanceRefuses: true,
  },
  {
    name: 'compressed qcow2 (qemu-img convert -c)',
    make: (s) => s.convert('base.raw', 'compressed.qcow2', 'qcow2', '-c', '-f', 'raw'),
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: 4 * MiB,
    reasons: [],
  },
  {
    name: 'qcow2 with a backing file',
    make: (s) => s.create('backed.qcow2', 'qcow2', SIZE, '-b', 'base.raw', '-F', 'raw'),
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: SIZE_BYTES,
    reasons: ['backing-file'],
  },
  {
    name: 'qcow2 with an external data file',
    make: (s) => s.create('datafile.qcow2', 'qcow2', SIZE, '-o', 'data_file=data.raw,data_file_raw=on'),
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: SIZE_BYTES,
    reasons: ['data-file'],
  },
  {
    name: 'LUKS-encrypted qcow2',
    make: (s) => s.path('encrypted.qcow2'), // made once in beforeAll (slow, see makeLuksImages)
    format: 'qcow2',
    subformat: 'compat-1.1',
    virtualSize: SIZE_BYTES,
    reasons: ['encrypted'],
  },
  {
    name: 'LUKS volume (qemu-img -f luks)',
    make: (s) => s.path('volume.luks'), // made once in beforeAll
    format: 'raw',
    subformat: 'luks',
    virtualSize: 4 * MiB + LUKS_HEADER_BYTES,
    reasons: ['encrypted'],
    // qemu knows LUKS as a format and reports the payload's size; Glance has no luks disk_format.
    qemu: { format: 'luks', virtualSize: 4 * MiB },
  },
  // qcow (v1): qemu agrees; oslo.utils would call it a broken qcow2
  {
    name: 'qcow (v1)',
    make: (s) => s.create('v1.qcow', 'qcow', SIZE),
    format: 'qcow',
    subformat: null,
    virtualSize: SIZE_BYTES,
    reasons: [],
    glanceRefuses: true,
  },
  {
    name: 'qcow (v1) with a backing file',
    make: (s) => s.create('backed.qcow', 'qcow', SIZE, '-b', 'base.raw', '-F', 'raw'),
    format: 'qcow',
    subformat: null,
    virtualSize: SIZE_BYTES,
    reasons: ['backing-file'],
    glanceRefuses: true,
  },
  // qed: oslo.utils bans every QED; here only a backing file makes it unsafe
  {
    name: 'qed',
    make: (s) => s.create('plain.qed', 'qed', SIZE),
    format: 'qed',
    subformat: null,
    virtualSize: SIZE_BYTES,
    reasons: [],
    glanceRefuses: true,
  },
  {
    name: 'qed with a backing file',
    make: (s) => s.create('backed.qed', 'qed', SIZE, '-b', 'base.raw', '-F', 'raw'),
    format: 'qed',
    subformat: null,
    virtualSize: SIZE_BYTES,
    reasons: ['backing-file'],
    glanceRefuses: true,
  },
  // vmdk
  {
    name: 'vmdk monolithicSparse',
    make: (s) => s.create('sparse.vmdk', 'vmdk', SIZE, '-o', 'subformat=monolithicSparse'),
    format: 'vmdk',
    subformat: 'monolithicSparse',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'vmdk streamOptimized',
    make: (s) => s.create('stream.vmdk', 'vmdk', SIZE, '-o', 'subformat=streamOptimized'),
    format: 'vmdk',
    subformat: 'streamOptimized',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'vmdk monolithicFlat (a descriptor naming a -flat file)',
    make: (s) => s.create('flat.vmdk', 'vmdk', SIZE, '-o', 'subformat=monolithicFlat'),
    format: 'vmdk',
    subformat: 'monolithicFlat',
    virtualSize: SIZE_BYTES,
    reasons: ['vmdk-create-type', 'external-extent'],
  },
  {
    name: 'vmdk twoGbMaxExtentSparse (a descriptor naming -s001 files)',
    make: (s) => s.create('split.vmdk', 'vmdk', SIZE, '-o', 'subformat=twoGbMaxExtentSparse'),
    format: 'vmdk',
    subformat: 'twoGbMaxExtentSparse',
    virtualSize: SIZE_BYTES,
    reasons: ['vmdk-create-type', 'external-extent'],
  },
  {
    name: 'vmdk with a parent (parentFileNameHint)',
    make: (s) => {
      s.create('parent.vmdk', 'vmdk', SIZE);
      return s.create('child.vmdk', 'vmdk', SIZE, '-b', 'parent.vmdk', '-F', 'vmdk');
    },
    format: 'vmdk',
    subformat: 'monolithicSparse',
    virtualSize: SIZE_BYTES,
    reasons: ['backing-file'],
  },
  // vhd (vpc)
  {
    name: 'vpc subformat=dynamic',
    make: (s) => s.create('dynamic.vhd', 'vpc', SIZE, '-o', 'subformat=dynamic'),
    format: 'vhd',
    subformat: 'dynamic',
    virtualSize: VHD_64M,
    reasons: [],
  },
  {
    name: 'vpc subformat=dynamic,force_size=on (creator "qem2": the exact size)',
    make: (s) => s.create('forced.vhd', 'vpc', SIZE, '-o', 'subformat=dynamic,force_size=on'),
    format: 'vhd',
    subformat: 'dynamic',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'vpc subformat=fixed',
    make: (s) => s.create('fixed.vhd', 'vpc', SIZE, '-o', 'subformat=fixed'),
    format: 'vhd',
    subformat: 'fixed',
    virtualSize: VHD_64M,
    reasons: [],
    glanceRefuses: true,
  },
  // vhdx, vdi, raw
  {
    name: 'vhdx',
    make: (s) => s.create('disk.vhdx', 'vhdx', SIZE),
    format: 'vhdx',
    subformat: 'dynamic',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'vhdx subformat=fixed',
    make: (s) => s.create('fixed.vhdx', 'vhdx', '8M', '-o', 'subformat=fixed'),
    format: 'vhdx',
    subformat: 'fixed',
    virtualSize: 8 * MiB,
    reasons: [],
  },
  {
    name: 'vdi dynamic',
    make: (s) => s.create('dynamic.vdi', 'vdi', SIZE),
    format: 'vdi',
    subformat: 'dynamic',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'vdi static (-o static=on)',
    make: (s) => s.create('static.vdi', 'vdi', SIZE, '-o', 'static=on'),
    format: 'vdi',
    subformat: 'static',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
  {
    name: 'raw',
    make: (s) => s.create('disk.raw', 'raw', SIZE),
    format: 'raw',
    subformat: 'none',
    virtualSize: SIZE_BYTES,
    reasons: [],
  },
];

describe('images made by qemu-img', () => {
  const scratch = { current: undefined as Scratch | undefined };
  const s = () => {
    if (!scratch.current) throw new Error('scratch folder not ready');
    return scratch.current;
  };

  beforeAll(() => {
    requireQemuImg();
    scratch.current = new Scratch();
    s().create('base.raw', 'raw', '4M');
    makeLuksImages(s());
  }, 120_000);
  afterAll(() => scratch.current?.remove());

  it.each(CASES)('$name', async (c) => {
    const path = c.make(s());
    const report = await inspectFile(path);
    expect({
      format: report.format,
      subformat: report.subformat,
      virtualSize: report.virtualSize,
      reasons: report.reasons.map((r) => r.code),
      diskFormat: report.diskFormat,
    }).toEqual({
      format: c.format,
      subformat: c.subformat,
      virtualSize: c.virtualSize,
      reasons: c.reasons,
      diskFormat: c.format,
    });
    expect(report.safe).toBe(c.reasons.length === 0);
    expect(report.advice.map((a) => a.code)).toEqual(c.glanceRefuses ? ['glance-refuses'] : []);
    for (const a of report.advice) expect(a.message).toMatch(/^Newer Glance .*`qemu-img convert -f \w+ -O qcow2 .*`/);
    expect(report.bytesRead).toBeLessThanOrEqual(READ_BUDGET_BYTES);
    for (const r of report.reasons) expect(r.message).toMatch(/^[A-Z].*[.]$/);

    // Cross-check with qemu-img. A fixed VHD is the one format qemu-img's probe cannot see: it looks
    // only at the first 512 bytes, where a fixed VHD has raw data (its footer is only at the end).
    if (c.subformat === 'fixed' && c.format === 'vhd') {
      const probed = qemuInfo(path);
      expect(probed.format).toBe('raw');
      expect(probed['virtual-size']).toBe(report.size); // raw: the footer counted as data
      const told = qemuInfo(path, 'vpc');
      expect(told.format).toBe('vpc');
      expect(told['virtual-size']).toBe(c.virtualSize);
      return;
    }
    const info = qemuInfo(path);
    expect(info.error).toBeUndefined();
    expect(info.format).toBe(c.qemu?.format ?? QEMU_NAME[c.format] ?? c.format);
    expect(info['virtual-size']).toBe(c.qemu?.virtualSize ?? c.virtualSize);
    if (c.reasons.includes('backing-file')) expect(info['backing-filename']).toBeTruthy();
    if (c.reasons.includes('data-file')) expect(info['format-specific']?.data?.['data-file']).toBe('data.raw');
  });

  it('advises what to do where newer Glance refuses a safe image', async () => {
    const fixed = await inspectFile(s().path('fixed.vhd'));
    expect(fixed.advice[0]?.message).toContain('qemu-img convert -f vpc -O qcow2 fixed.vhd fixed.qcow2');
    const l2 = await inspectFile(s().path('l2.qcow2'));
    expect(l2.advice[0]?.message).toContain('extended L2');
    expect(l2.advice[0]?.message).toContain('qemu-img convert -f qcow2 -O qcow2 l2.qcow2 l2-converted.qcow2');
  });

  it('reports an external data file named by an absolute path, and names it', async () => {
    const target = s().path('absolute-data.raw');
    const path = s().create('absolute-data.qcow2', 'qcow2', SIZE, '-o', `data_file=${target}`);
    const report = await inspectFile(path);
    expect(report).toMatchObject({ format: 'qcow2', virtualSize: SIZE_BYTES, safe: false });
    expect(report.reasons).toEqual([{ code: 'data-file', message: expect.stringContaining(`"${target}"`) }]);
    expect(qemuInfo(path)['format-specific']?.data?.['data-file']).toBe(target);
  });

  it('names the backing and data files in its messages', async () => {
    const backed = await inspectFile(s().path('backed.qcow2'));
    expect(backed.reasons[0]?.message).toContain('"base.raw"');
    expect(backed.reasons[0]?.message).toContain(
      'qemu-img convert -f qcow2 -O qcow2 backed.qcow2 backed-standalone.qcow2',
    );
    const data = await inspectFile(s().path('datafile.qcow2'));
    expect(data.reasons[0]?.message).toContain('"data.raw"');
    const child = await inspectFile(s().path('child.vmdk'));
    expect(child.reasons[0]?.message).toContain('"parent.vmdk"');
  });

  describe('read budget on 20 GiB sparse files', () => {
    it('reads the same few bytes from a 20 GiB sparse qcow2 as from a small one', async () => {
      const big = s().create('big.qcow2', 'qcow2', '20G');
      const small = s().create('small.qcow2', 'qcow2', '1M');
      const [b, sm] = [await inspectFile(big), await inspectFile(small)];
      expect(b).toMatchObject({ format: 'qcow2', virtualSize: 20 * GiB, safe: true });
      expect(b.bytesRead).toBeLessThanOrEqual(READ_BUDGET_BYTES);
      expect(b.bytesRead).toBe(sm.bytesRead);
      expect(qemuInfo(big)['virtual-size']).toBe(20 * GiB);
    });

    it('reads only the head and tail of a 20 GiB sparse raw file', async () => {
      const big = s().create('big.raw', 'raw', '20G');
      const report = await inspectFile(big);
      expect(report).toMatchObject({
        format: 'raw',
        subformat: 'none',
        virtualSize: 20 * GiB,
        size: 20 * GiB,
        safe: true,
      });
      expect(report.bytesRead).toBe(64 * 1024 + 4 * 1024);
      expect(qemuInfo(big)).toMatchObject({ format: 'raw', 'virtual-size': 20 * GiB });
    });

    it('reads the same bytes from a 20 GiB sparse vhdx as from a small one', async () => {
      const big = s().create('big.vhdx', 'vhdx', '20G');
      const small = s().create('small.vhdx', 'vhdx', '1M');
      const [b, sm] = [await inspectFile(big), await inspectFile(small)];
      expect(b).toMatchObject({ format: 'vhdx', virtualSize: 20 * GiB, safe: true });
      expect(sm).toMatchObject({ format: 'vhdx', virtualSize: MiB, safe: true });
      expect(b.bytesRead).toBeLessThanOrEqual(READ_BUDGET_BYTES);
      expect(b.bytesRead).toBe(sm.bytesRead);
      expect(qemuInfo(big)['virtual-size']).toBe(20 * GiB);
    });
  });
});
