// Horizon's well-known image properties, offered as suggestions while typing a property (its
// "Image Metadata" catalogue and Glance's useful-image-properties): the key, and the values a
// scheduler or Nova reads. Suggestions only: any key and value can still be typed.
export const WELL_KNOWN_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  description: [],
  os_distro: [
    'ubuntu',
    'debian',
    'centos',
    'rhel',
    'rocky',
    'almalinux',
    'fedora',
    'opensuse',
    'sles',
    'arch',
    'freebsd',
    'openbsd',
    'netbsd',
    'gentoo',
    'windows',
  ],
  os_version: ['24.04', '22.04', '20.04', '12', '11', '10', '9', '8'],
  architecture: ['x86_64', 'aarch64', 'ppc64le', 's390x', 'i686', 'armv7l'],
  hw_firmware_type: ['bios', 'uefi'],
  hw_disk_bus: ['virtio', 'scsi', 'ide', 'sata', 'usb'],
};

export const WELL_KNOWN_KEYS = Object.keys(WELL_KNOWN_PROPERTIES);

/** The values to suggest for a key (none for an unknown key or a free-text one). */
export function suggestedValues(key: string): readonly string[] {
  return WELL_KNOWN_PROPERTIES[key.trim()] ?? [];
}
