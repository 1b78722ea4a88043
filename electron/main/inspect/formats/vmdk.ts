// VMDK (qemu driver `vmdk`) in its three shapes:
// - a hosted sparse extent, 'KDMV' at 0 (little-endian): 0x04 version u32 (1..3) | 0x08 flags u32
//   (bit 16 compressed grains, bit 17 markers: streamOptimized) | 0x0C capacity u64 (sectors)
//   | 0x14 grain size u64 | 0x1C descriptor offset u64 (sectors) | 0x24 descriptor size u64 (sectors)
//   | 0x2C GTEs per GT u32 | 0x30 redundant GD offset u64 | 0x38 GD offset u64 (all ones: "GD at end",
//   the footer in the last 1536 bytes holds the real header) | 0x40 overhead u64 (sectors);
//   with an embedded text descriptor, normally at sector 1;
// - a text descriptor file (monolithicFlat, twoGbMaxExtent*, vmfs…), which names other files;
// - the old ESX 3 'COWD' sparse extent.
// The dangers are all in the descriptor: extents that name other files (an absolute path reads the
// host's files: CVE-2022-47951, CVE-2024-40767), createTypes Glance refuses, and parentFileNameHint.
// Beyond oslo.utils: parentFileNameHint is a backing file; a KDMV header with capacity 0 makes qemu
// treat the embedded descriptor as a descriptor *file* and open its extents; descriptor files are
// detected even when NUL-padded (qemu's own monolithicFlat output), as qemu's probe does.
import { cString, startsWith, toNumber, u32le, u64le, U64_ALL_ONES } from '../bytes.ts';
import { convertCommand, fileLabel, quoteName } from '../advice.ts';
import { HEAD_WINDOW_BYTES } from '../region-reader.ts';
import { at, defineFormat, fromEnd, type RegionView, headerLengthCheck } from '../spec.ts';

/** The createTypes whose single extent is the file itself: the only ones Glance accepts. */
export const SINGLE_FILE_CREATE_TYPES = ['monolithicSparse', 'streamOptimized'] as const;
const MAX_DESCRIPTOR_BYTES = 64 * 1024;
const FOOTER_BYTES = 1536;
const MARKER_FOOTER = 3;
const MARKER_END_OF_STREAM = 0;

export interface VmdkExtent {
  readonly access: string;
  readonly sectors: number;
  readonly type: string;
  readonly file: string | null;
}

export interface VmdkDescriptor {
  readonly createType: string | null;
  readonly parentFileNameHint: string | null;
  readonly extents: readonly VmdkExtent[];
  /** The first line that is not a comment, ddb.*, key=value or an extent (oslo refuses those). */
  readonly badLine: string | null;
  readonly nonAscii: boolean;
}

interface VmdkHeader {
  readonly kind: 'sparse' | 'cowd' | 'descriptor';
  readonly version: number;
  readonly capacity: bigint;
  readonly descriptorOffset: bigint;
  readonly descriptorSize: bigint;
  readonly gdOffset: bigint;
  readonly overhead: bigint;
  readonly descriptor: VmdkDescriptor | null;
  /** The descriptor region asked for, and how much of it the file holds. */
  readonly descriptorShort: boolean;
  readonly footer: Buffer;
}

/**
 * qemu's vmdk_probe: after '#' comment lines and blank lines, the first line is exactly version=1, 2
 * or 3. (qemu accepts only lines of spaces as blank; empty lines are accepted here too, to be safe.)
 */
export function looksLikeDescriptor(text: Buffer): boolean {
  const head = cString(text, 0, Math.min(text.length, HEAD_WINDOW_BYTES));
  for (const raw of head.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#') || line.trim() === '') continue;
    return /^version=[123]$/.test(line);
  }
  return false;
}

export function parseDescriptor(bytes: Buffer): VmdkDescriptor {
  const text = cString(bytes);
  // eslint-disable-next-line no-control-regex
  const nonAscii = /[^\x09\x0a\x0d\x20-\x7e]/.test(text);
  let createType: string | null = null;
  let parentFileNameHint: string | null = null;
  let badLine: string | null = null;
  const extents: VmdkExtent[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.toLowerCase().startsWith('ddb')) continue;
    const extent = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)")?/i.exec(line);
    if (extent) {
      extents.push({
        access: (extent[1] ?? '').toUpperCase(),
        sectors: Number(extent[2] ?? 0),
        type: (extent[3] ?? '').toUpperCase(),
        file: extent[4] ?? null,
      });
      continue;
    }
    const pair = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (pair) {
      const key = (pair[1] ?? '').toLowerCase();
      const value = (pair[2] ?? '').trim().replace(/^"(.*)"$/, '$1');
      if (key === 'createtype') createType = value;
      if (key === 'parentfilenamehint') parentFileNameHint = value;
      continue;
    }
    badLine ??= line.slice(0, 60);
  }
  return { createType, parentFileNameHint, extents, badLine, nonAscii };
}

function isOutside(name: string): boolean {
  return name.includes('/') || name.includes('\\') || /^[a-z]:/i.test(name) || name === '..';
}

function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => quoteName(n));
  return names.length > 3 ? `${shown.join(', ')} and ${names.length - 3} more` : shown.join(', ');
}

function kindOf(h: Buffer): VmdkHeader['kind'] | null {
  if (startsWith(h, 'KDMV')) return 'sparse';
  if (startsWith(h, 'COWD')) return 'cowd';
  return looksLikeDescriptor(h) ? 'descriptor' : null;
}

function parse(view: RegionView): VmdkHeader {
  const head = view.region('head');
  const kind = kindOf(head) ?? 'descriptor';
  if (kind !== 'sparse') {
    return {
      kind,
      version: kind === 'cowd' ? u32le(head, 4) : 1,
      capacity: kind === 'cowd' ? BigInt(u32le(head, 12)) : 0n,
      descriptorOffset: 0n,
      descriptorSize: 0n,
      gdOffset: 0n,
      overhead: 0n,
      descriptor: kind === 'descriptor' ? parseDescriptor(head) : null,
      descriptorShort: false,
      footer: Buffer.alloc(0),
    };
  }
  const desc = view.region('descriptor');
  const descriptorOffset = u64le(head, 28);
  const descriptorSize = u64le(head, 36);
  const wanted = Math.min(toNumber(descriptorSize) * 512, MAX_DESCRIPTOR_BYTES);
  return {
    kind,
    version: u32le(head, 4),
    capacity: u64le(head, 12),
    descriptorOffset,
    descriptorSize,
    gdOffset: u64le(head, 56),
    overhead: u64le(head, 64),
    descriptor: desc.length > 0 && desc[0] !== 0 ? parseDescriptor(desc) : null,
    descriptorShort: descriptorOffset > 0n && desc.length < wanted,
    footer: view.region('footer'),
  };
}

function footerProblem(footer: Buffer): boolean {
  return (
    footer.length < FOOTER_BYTES ||
    u32le(footer, 8) !== 0 ||
    u32le(footer, 12) !== MARKER_FOOTER ||
    !startsWith(footer, 'KDMV', 512) ||
    u64le(footer, 1024) !== 0n ||
    u32le(footer, 1032) !== 0 ||
    u32le(footer, 1036) !== MARKER_END_OF_STREAM
  );
}

function extentSectors(d: VmdkDescriptor | null): number {
  return d ? d.extents.reduce((sum, e) => sum + e.sectors, 0) : 0;
}

export const vmdk = defineFormat<VmdkHeader>({
  format: 'vmdk',
  regions: { head: at(0, HEAD_WINDOW_BYTES) },
  followUps: [
    (view) => {
      const h = view.region('head');
      if (!startsWith(h, 'KDMV')) return {};
      const offset = toNumber(u64le(h, 28));
      const size = Math.min(toNumber(u64le(h, 36)) * 512, MAX_DESCRIPTOR_BYTES);
      return {
        ...(offset > 0 && size > 0 ? { descriptor: at(offset * 512, size) } : {}),
        ...(u64le(h, 56) === U64_ALL_ONES ? { footer: fromEnd(FOOTER_BYTES) } : {}),
      };
    },
  ],
  matches: (view) => kindOf(view.region('head')) !== null,
  parse,
  subformat: (h) => (h.kind === 'cowd' ? 'cowd' : (h.descriptor?.createType ?? null)),
  glanceSees: (h) => h.kind !== 'cowd', // oslo.utils knows KDMV and text descriptors only
  virtualSize: (h) => {
    if (h.kind !== 'descriptor' && h.capacity > 0n) return toNumber(h.capacity) * 512;
    const sectors = extentSectors(h.descriptor);
    return h.descriptor ? sectors * 512 : null;
  },
  checks: [
    headerLengthCheck('VMDK', (h) => (h.kind === 'descriptor' ? null : 512)),
    {
      name: 'version',
      code: 'unknown-features',
      run: (h) =>
        h.kind === 'sparse' && (h.version < 1 || h.version > 3)
          ? `This is a VMDK version ${h.version} extent, which qemu cannot open: export the disk again as streamOptimized VMDK or convert it to qcow2 with VMware's tools.`
          : undefined,
    },
    {
      name: 'create-type',
      code: 'vmdk-create-type',
      run: (h, file) => {
        const fix = `convert it into one file with \`${convertCommand(file.path, 'vmdk', 'qcow2')}\` (next to its other files)`;
        if (h.kind === 'cowd')
          return `This is an old VMware ESX 3 (COWD) extent, which Glance does not accept as vmdk: ${fix}.`;
        const type = h.descriptor?.createType ?? null;
        if (h.descriptor === null)
          return `This VMDK file has no descriptor: it is one piece of a split disk, which cannot be used alone; open the disk's small descriptor .vmdk instead and ${fix}.`;
        if (type === null || !(SINGLE_FILE_CREATE_TYPES as readonly string[]).includes(type))
          return `This VMDK's createType is ${quoteName(type ?? 'missing')}, but Glance accepts only monolithicSparse and streamOptimized (one self-contained file): ${fix}.`;
        return undefined;
      },
    },
    {
      name: 'extents',
      code: 'external-extent',
      run: (h, file) => {
        const d = h.descriptor;
        if (!d) return undefined;
        const names = d.extents.map((e) => e.file ?? '');
        const outside = names.filter(isOutside);
        if (outside.length > 0)
          return `This VMDK descriptor points at ${quoteList(outside)}, outside the image (the CVE-2022-47951 host-file trick): do not upload it.`;
        if (h.kind === 'descriptor' && d.extents.length > 0)
          return `This VMDK is only a descriptor: its data is in ${quoteList(names)}, which is not uploaded with it; convert the disk into one file with \`${convertCommand(file.path, 'vmdk', 'qcow2')}\` (next to those files).`;
        if (h.kind === 'sparse' && h.capacity === 0n && d.extents.length > 0)
          return `This sparse VMDK has capacity 0, so qemu would read its data from the files its descriptor names (${quoteList(names)}): the file is forged; do not upload it.`;
        return undefined;
      },
    },
    {
      name: 'parent',
      code: 'backing-file',
      run: (h, file) =>
        h.descriptor?.parentFileNameHint
          ? `This VMDK is a delta of the parent disk ${quoteName(h.descriptor.parentFileNameHint)}, which is not uploaded with it: merge them into one file with \`${convertCommand(file.path, 'vmdk', 'qcow2')}\` (next to the parent).`
          : undefined,
    },
    {
      name: 'descriptor',
      code: 'corrupt-header',
      run: (h) => {
        const d = h.descriptor;
        if (h.kind === 'sparse' && d !== null && h.descriptorOffset !== 1n)
          return `This VMDK's descriptor is at sector ${h.descriptorOffset}, not sector 1 where qemu writes it, and Glance refuses that: convert it with qemu-img to a clean VMDK or qcow2.`;
        if (!d) return undefined;
        if (d.nonAscii)
          return 'This VMDK descriptor contains non-ASCII bytes, which Glance refuses: the file is damaged or forged; do not upload it.';
        if (d.badLine !== null)
          return `This VMDK descriptor has a line Glance refuses (${quoteName(d.badLine)}): the file is damaged or forged; do not upload it.`;
        if (d.extents.length === 0 && h.kind === 'descriptor')
          return 'This VMDK descriptor names no extents, so it holds no disk: check that you picked the right file.';
        return undefined;
      },
    },
    {
      name: 'footer',
      code: 'corrupt-header',
      run: (h) =>
        h.kind === 'sparse' && h.gdOffset === U64_ALL_ONES && footerProblem(h.footer)
          ? 'This stream-optimized VMDK says its grain directory is in the footer, but the footer at the end of the file is missing or damaged: the copy is probably incomplete; copy or download it again.'
          : undefined,
    },
    {
      name: 'tables',
      code: 'truncated',
      run: (h, file) => {
        if (h.kind !== 'sparse') return undefined;
        const gdEnd = h.gdOffset === U64_ALL_ONES ? 0 : toNumber(h.gdOffset) * 512;
        if (h.descriptorShort || gdEnd > file.size || toNumber(h.overhead) * 512 > file.size)
          return `The VMDK header points past the end of the file (${file.size} bytes): the copy is incomplete; copy or download ${fileLabel(file.path)} again.`;
        return undefined;
      },
    },
  ],
});
