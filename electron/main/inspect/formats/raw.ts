// RAW: no structure, the fallback when no other format matches (it never counts as a match, so it
// never makes a file ambiguous). Subformat: the partition table it starts with (gpt, mbr, none).
// Virtual size = file size. Checks: an empty file; oslo.utils' MBR check (Glance refuses raw disks
// whose MBR fails it); a LUKS container, which the cloud cannot boot.
import { startsWith } from '../bytes.ts';
import { at, defineFormat } from '../spec.ts';
import { mbrProblem, partitionTable } from './partition-table.ts';

const LUKS_MAGIC = Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]);

interface RawHeader {
  readonly sector0: Buffer;
  readonly table: 'gpt' | 'mbr' | 'none';
  readonly luks: boolean;
}

export const raw = defineFormat<RawHeader>({
  format: 'raw',
  regions: { sector0: at(0, 512), lba1: at(512, 512), lba1At4k: at(4096, 512) },
  matches: () => true,
  parse: (view) => ({
    sector0: view.region('sector0'),
    table: partitionTable(view.region('sector0'), view.region('lba1'), view.region('lba1At4k')),
    luks: startsWith(view.region('sector0'), LUKS_MAGIC),
  }),
  subformat: (h) => (h.luks ? 'luks' : h.table),
  virtualSize: (_h, file) => file.size,
  checks: [
    {
      name: 'empty',
      code: 'empty-file',
      fatal: true,
      run: (_h, file) =>
        file.size === 0
          ? 'The file is empty, so there is nothing to upload: check that the copy or download finished.'
          : undefined,
    },
    {
      name: 'mbr',
      code: 'corrupt-header',
      run: (h) => {
        if (h.table === 'none') return undefined;
        const problem = mbrProblem(h.sector0);
        return problem === undefined
          ? undefined
          : `This raw disk's partition table is invalid (${problem}), and Glance refuses such disks: repair the partition table (for example with fdisk or gdisk) or check that this is the right file.`;
      },
    },
    {
      name: 'luks',
      code: 'encrypted',
      run: (h) =>
        h.luks
          ? 'This file is a LUKS-encrypted volume, which the cloud cannot boot as an image: upload the decrypted disk instead.'
          : undefined,
    },
  ],
});
