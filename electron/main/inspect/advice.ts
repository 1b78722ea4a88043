// Words and commands shared by the messages: each reason says what to do, usually a qemu-img command.
// Commands always name the source format with -f: qemu-img's own probe is what CVE-2024-40767 abuses,
// and it cannot see a fixed VHD at all (it calls it raw).
import { basename, extname } from 'node:path';
import type { ImageFormat } from '../../../shared/inspect.ts';

export const FORMAT_LABELS: Readonly<Record<ImageFormat, string>> = {
  raw: 'raw',
  qcow2: 'qcow2',
  qcow: 'QCOW (version 1)',
  qed: 'QED',
  vmdk: 'VMDK',
  vhd: 'VHD',
  vhdx: 'VHDX',
  vdi: 'VDI',
  iso: 'ISO',
  zvhd: 'ZVHD',
  zvhd2: 'ZVHD2',
};

/** qemu's driver name for each format; null where stock qemu-img cannot read it (Huawei's formats). */
export const QEMU_DRIVERS: Readonly<Record<ImageFormat, string | null>> = {
  raw: 'raw',
  qcow2: 'qcow2',
  qcow: 'qcow',
  qed: 'qed',
  vmdk: 'vmdk',
  vhd: 'vpc',
  vhdx: 'vhdx',
  vdi: 'vdi',
  iso: 'raw',
  zvhd: null,
  zvhd2: null,
};

/** Glance disk_format names that qemu-img can write, best choice first. */
const CONVERSION_TARGETS = ['qcow2', 'raw', 'vmdk', 'vhdx', 'vdi', 'vhd', 'qed', 'qcow'] as const;

/** Quote a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A name read from a header, in double quotes for a message: quotes and control characters escaped
 * (a hostile name cannot break the line), backslashes kept, so that C:\VMs\a.vhd reads as itself.
 */
export function quoteName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = name.replace(/["\x00-\x1f\x7f]/g, (c) =>
    c === '"' ? '\\"' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

export function fileLabel(path: string): string {
  return basename(path) || path;
}

/** `disk.qed` → `disk.qcow2`; `disk` → `disk.qcow2`; never the input's own name. */
export function outputName(path: string, diskFormat: string, suffix = ''): string {
  const name = fileLabel(path);
  const ext = extname(name);
  const stem = ext.length > 1 && ext.length < name.length ? name.slice(0, -ext.length) : name;
  const out = `${stem}${suffix}.${diskFormat}`;
  return out === name ? `${stem}-converted.${diskFormat}` : out;
}

/** `qemu-img convert -f qed -O qcow2 disk.qed disk.qcow2` (Huawei's qemu-img-hw for ZVHD/ZVHD2). */
export function convertCommand(path: string, from: ImageFormat, to: string, suffix = ''): string {
  const driver = QEMU_DRIVERS[from];
  const tool = driver === null ? 'qemu-img-hw' : 'qemu-img';
  const toDriver = to === 'vhd' ? 'vpc' : to;
  return `${tool} convert -f ${driver ?? from} -O ${toDriver} ${shellQuote(fileLabel(path))} ${shellQuote(outputName(path, to, suffix))}`;
}

/** A self-contained copy in the same format (merges backing files, pulls in external data). */
export function flattenCommand(path: string, format: ImageFormat): string {
  const target = format === 'vhd' || format === 'vdi' || format === 'vhdx' || format === 'vmdk' ? format : 'qcow2';
  return convertCommand(path, format, target, '-standalone');
}

/** The best disk_format to convert to among those a cloud accepts, or undefined when none fits. */
export function conversionTarget(from: ImageFormat, accepted: readonly string[]): string | undefined {
  return CONVERSION_TARGETS.find((f) => f !== from && accepted.includes(f));
}
