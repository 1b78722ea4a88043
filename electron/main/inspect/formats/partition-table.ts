// MBR and GPT, the partition tables inside raw disks (and in the system area of hybrid ISOs).
// MBR: four 16-byte entries at 446 (boot flag, start CHS, type, end CHS, start LBA u32, sectors u32)
// and 55 AA at 510. GPT: a protective MBR (one type 0xEE entry) and "EFI PART" at LBA 1 (byte 512,
// or 4096 on 4Kn disks). A FAT boot sector also ends in 55 AA; like oslo.utils, it is not an MBR
// when it says 2 FATs (byte 0x10) and a fixed disk (media 0xF8 at byte 0x15).
import { startsWith, u32le, u8 } from '../bytes.ts';

export type PartitionTable = 'gpt' | 'mbr' | 'none';

/**
 * oslo.utils' GPT/MBR match (its `gpt` inspector): 55 AA at 510 and not a FAT boot sector. It needs no
 * partition entry: the entries are only looked at by its safety check.
 */
export function hasMbrSignature(sector0: Buffer): boolean {
  const signed = u8(sector0, 510) === 0x55 && u8(sector0, 511) === 0xaa;
  const fat = u8(sector0, 0x10) === 2 && u8(sector0, 0x15) === 0xf8;
  return signed && !fat;
}

export function partitionTable(sector0: Buffer, lba1: Buffer, lba1At4k: Buffer): PartitionTable {
  if (startsWith(lba1, 'EFI PART') || startsWith(lba1At4k, 'EFI PART')) return 'gpt';
  return hasMbrSignature(sector0) ? 'mbr' : 'none';
}

/**
 * oslo.utils' `mbr` safety check, which Glance applies to raw disks with a partition table (and
 * refuses the upload when it fails, unless the operator set gpt_safety_checks_nonfatal): valid boot
 * flags, a protective 0xEE entry at CHS 00 02 00 / LBA 1 and alone, at least one partition.
 */
export function mbrProblem(sector0: Buffer): string | undefined {
  const used: number[] = [];
  let protective = false;
  for (let i = 0; i < 4; i++) {
    const e = 446 + 16 * i;
    const boot = u8(sector0, e);
    const type = u8(sector0, e + 4);
    if (boot !== 0x00 && boot !== 0x80)
      return `partition entry ${i + 1} has an invalid boot flag (0x${boot.toString(16)})`;
    if (type !== 0) used.push(i);
    if (type === 0xee) {
      protective = true;
      const chs = [u8(sector0, e + 1), u8(sector0, e + 2), u8(sector0, e + 3)];
      if (chs[0] !== 0x00 || chs[1] !== 0x02 || chs[2] !== 0x00)
        return 'the protective GPT entry has an invalid start CHS';
      if (u32le(sector0, e + 8) !== 1) return 'the protective GPT entry does not start at LBA 1';
    }
  }
  if (protective && (used.length !== 1 || used[0] !== 0)) return 'the protective GPT MBR defines extra partitions';
  if (used.length === 0) return 'it defines no partitions';
  return undefined;
}
