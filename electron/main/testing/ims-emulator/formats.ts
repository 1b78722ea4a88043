// What an image file is, from its first bytes (and a VHD's last 512), the way IMS must tell before
// it converts a file it was only given a bucket and key for. Names are IMS's (vhd, not qemu's vpc).

export function sniffFormat(head: Buffer, tail: Buffer | null): string {
  const ascii = (offset: number, text: string) =>
    head.subarray(offset, offset + text.length).toString('latin1') === text;
  if (ascii(0, 'z2strm')) return 'zvhd2';
  if (ascii(0, 'stream')) return 'zvhd';
  if (ascii(0, 'QFI\xfb')) return head.length >= 8 && head.readUInt32BE(4) === 1 ? 'qcow' : 'qcow2';
  if (ascii(0, 'KDMV') || ascii(0, '# Disk DescriptorFile')) return 'vmdk';
  if (ascii(0, 'vhdxfile')) return 'vhdx';
  if (ascii(0, 'QED\0')) return 'qed';
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) return 'vdi';
  if (ascii(0, 'conectix') || (tail && tail.subarray(0, 8).toString('latin1') === 'conectix')) return 'vhd';
  return 'raw';
}

/** Glance's disk_format for a format IMS knows: Glance has no zvhd, zvhd2, qed or qcow (landscape.md §0.4). */
export function glanceDiskFormat(imsFormat: string): string {
  return ['zvhd', 'zvhd2', 'qed', 'qcow'].includes(imsFormat) ? 'raw' : imsFormat;
}
