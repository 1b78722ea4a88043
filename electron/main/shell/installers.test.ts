// electron-builder.yml cannot be exercised by packaging here (no Electron binary); these tests
// keep it consistent with the shell: the associated extensions are the ones the app accepts, and
// the icons it names are real PNGs of the sizes the targets need.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_EXTENSIONS } from './open-files.ts';

const root = path.join(import.meta.dirname, '../../..');

interface Association {
  ext: unknown;
  name?: string;
  description?: string;
  role?: string;
  mimeType?: string;
}
const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  appId: string;
  productName: string;
  publish: unknown;
  files: string[];
  fileAssociations: Association[];
  linux: { target: string[]; executableName: string; icon: string };
  win: { target: string[] };
  mac: { target: string[]; category: string };
  electronFuses: Record<string, boolean>;
};

const require = createRequire(import.meta.url);
/** electron-builder's own schema check (what `npm run check:builder` runs), on a config object. */
async function validate(configuration: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    validateConfiguration(c: unknown, log: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(configuration, new DebugLogger(false));
}

function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('names the app and publishes nothing', () => {
    expect(config.appId).toBe('org.imagedrop.app');
    expect(config.productName).toBe('Imagedrop');
    expect(config.publish).toBeNull();
    expect(config.files).toEqual(['dist/**', '!dist/**/*.map', 'package.json']);
  });

  it('declares AppImage, deb and rpm, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.linux.executableName).toBe('imagedrop');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
  });

  it('associates the disk-image extensions the app opens, one per entry, as a viewer', () => {
    const exts = config.fileAssociations.map((a) => a.ext);
    expect([...exts].sort()).toEqual(
      ['qcow2', 'qcow', 'vmdk', 'vhd', 'vhdx', 'vdi', 'qed', 'img', 'raw', 'iso', 'zvhd', 'zvhd2'].sort(),
    );
    for (const a of config.fileAssociations) {
      expect(IMAGE_EXTENSIONS).toContain(a.ext);
      expect(a).toMatchObject({ role: 'Viewer', name: expect.any(String), description: expect.any(String) });
      if (a.mimeType !== undefined) expect(a.mimeType).toMatch(/^application\/x-[a-z0-9-]+$/);
    }
  });

  it('flips the fuses: no run-as-node, no NODE_OPTIONS or --inspect, asar only and checked, no file:// privileges', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it("passes electron-builder's schema, which would refuse a misspelt fuse", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } })).rejects.toThrow(
      /configuration\.electronFuses/,
    );
    await expect(validate({ ...config, electronFuses: { runAsNode: 'no' } })).rejects.toThrow(
      /configuration\.electronFuses/,
    );
    // electron-builder's validator compiles its whole schema on first use: seconds on a busy 2-core machine.
  }, 30_000);

  it('maps each fuse onto @electron/fuses options the way electron-builder flips them', async () => {
    const { FuseV1Options } = (await import('@electron/fuses')) as unknown as {
      FuseV1Options: Record<string, number>;
    };
    // electron-builder's generateFuseConfig: the config key with its first letter upper-cased.
    for (const key of Object.keys(config.electronFuses)) {
      const option = key[0]!.toUpperCase() + key.slice(1);
      expect(FuseV1Options[option], key).toEqual(expect.any(Number));
    }
  });

  it('has the icons: a 1024 px app icon and Linux sizes up to 512', () => {
    expect(pngSize(path.join(root, 'build/icon.png'))).toEqual([1024, 1024]);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(path.join(root, 'build', config.linux.icon, `${size}x${size}.png`))).toEqual([size, size]);
    }
  });
});
