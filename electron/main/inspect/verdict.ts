// The reasons that compare the content with what the user or the cloud says: the file's extension,
// the disk_format the user chose, and the disk_formats the cloud accepts.
import { extname } from 'node:path';
import type { ImageFormat, InspectReason } from '../../../shared/inspect.ts';
import { FORMAT_LABELS, conversionTarget, convertCommand, fileLabel } from './advice.ts';

/** Extensions that name one format. Generic ones (.img, .bin, .disk, none) never disagree. */
export const EXTENSION_FORMATS: Readonly<Record<string, ImageFormat>> = {
  '.qcow2': 'qcow2',
  '.qcow': 'qcow',
  '.qed': 'qed',
  '.vmdk': 'vmdk',
  '.vhd': 'vhd',
  '.vhdx': 'vhdx',
  '.vdi': 'vdi',
  '.iso': 'iso',
  '.raw': 'raw',
  '.zvhd': 'zvhd',
  '.zvhd2': 'zvhd2',
};

/**
 * disk_formats whose content Glance does not inspect, so raw content may be declared as them
 * (kernels, ramdisks, Virtuozzo ploop): Glance allows "detected raw" for them (formats.md §13.3).
 */
const RAW_LIKE_DISK_FORMATS = ['ami', 'ari', 'aki', 'ploop'];

/** The disk_format to send for content of this format: Glance's names are the format names. */
export function diskFormatFor(format: ImageFormat): string {
  return format;
}

export function extensionReason(path: string, format: ImageFormat): InspectReason | undefined {
  const ext = extname(fileLabel(path)).toLowerCase();
  const named = EXTENSION_FORMATS[ext];
  if (named === undefined || named === format) return undefined;
  return {
    code: 'extension-mismatch',
    message: `The name ends in ${ext} but the content is ${FORMAT_LABELS[format]}, not ${FORMAT_LABELS[named]}: check that this is the file you meant, and upload it as ${diskFormatFor(format)} (or rename it).`,
  };
}

export function declaredReason(declared: string | undefined, format: ImageFormat): InspectReason | undefined {
  const chosen = declared?.trim().toLowerCase();
  if (!chosen || chosen === 'auto') return undefined;
  const actual = diskFormatFor(format);
  if (chosen === actual) return undefined;
  if (format === 'raw' && RAW_LIKE_DISK_FORMATS.includes(chosen)) return undefined;
  if (chosen === 'raw') {
    return {
      code: 'declared-format-mismatch',
      message: `You chose disk_format raw, but the content is ${FORMAT_LABELS[format]}, and a ${FORMAT_LABELS[format]} image sent as raw is the CVE-2024-40767 trick that clouds refuse or misread: choose ${actual} (or auto).`,
    };
  }
  return {
    code: 'declared-format-mismatch',
    message: `You chose disk_format ${chosen}, but the content is ${FORMAT_LABELS[format]}, so Glance would refuse it: choose ${actual} (or auto).`,
  };
}

export function acceptanceReason(
  path: string,
  format: ImageFormat,
  accepted: readonly string[] | undefined,
): InspectReason | undefined {
  // An empty list means the schema does not say (no disk_format enum), not "accepts nothing".
  if (accepted === undefined || accepted.length === 0) return undefined;
  const diskFormat = diskFormatFor(format);
  const list = accepted.map((f) => f.toLowerCase());
  if (list.includes(diskFormat)) return undefined;
  const label = FORMAT_LABELS[format];
  const target = conversionTarget(format, list);
  if (target === undefined) {
    return {
      code: 'format-not-accepted',
      message: `${label} is not accepted by this cloud, and neither is any format qemu-img can convert it to (it accepts ${list.join(', ') || 'nothing'}): ask the cloud's operator to enable ${diskFormat} or qcow2.`,
    };
  }
  const tool =
    format === 'zvhd' || format === 'zvhd2' ? " (with Huawei's qemu-img-hw, as stock qemu cannot read it)" : '';
  return {
    code: 'format-not-accepted',
    message: `${label} is not accepted by this cloud; convert it with \`${convertCommand(path, format, target)}\`${tool} and upload the ${target} file.`,
  };
}
