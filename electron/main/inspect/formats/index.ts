// The format table. Order matters only for reports: when a polyglot matches several formats, the
// first one here is the format shown (qemu's probe would pick qcow2 over ISO, for example).
// `raw` is not in the table: it is the fallback when nothing matches, and never a match itself.
import type { FormatEntry } from '../spec.ts';
import { iso } from './iso.ts';
import { qcow } from './qcow.ts';
import { qcow2 } from './qcow2.ts';
import { qed } from './qed.ts';
import { raw } from './raw.ts';
import { vdi } from './vdi.ts';
import { vhd } from './vhd.ts';
import { vhdx } from './vhdx.ts';
import { vmdk } from './vmdk.ts';
import { zvhd, zvhd2 } from './zvhd.ts';

export const ALL_FORMATS: readonly FormatEntry[] = [qcow2, qcow, qed, vmdk, vhdx, vdi, vhd, zvhd, zvhd2, iso];
export const RAW_FORMAT: FormatEntry = raw;
