import { describe, expect, it, vi } from 'vitest';
import { createOpenFilesGate, filesFromArgv, IMAGE_EXTENSIONS, IMAGE_FILE_FILTERS } from './open-files.ts';

const existing = new Set(['/home/u/a.qcow2', '/home/u/b.vmdk', '/tmp/disk.img', '/work/app/loader.js']);
const isFile = (p: string) => existing.has(p);

describe('filesFromArgv', () => {
  it('takes the files after the executable in a packaged app', () => {
    const argv = ['/opt/Imagedrop/imagedrop', '--no-sandbox', 'a.qcow2', '/tmp/disk.img', 'missing.iso', 'a.qcow2'];
    expect(filesFromArgv(argv, { cwd: '/home/u', defaultApp: false, entryPaths: [], isFile })).toEqual([
      '/home/u/a.qcow2',
      '/tmp/disk.img',
    ]);
  });

  it("skips Electron's own arguments and the app path when run as `electron <app>`", () => {
    const argv = [
      '/x/electron',
      '-r',
      '/work/app/loader.js',
      '--inspect=0',
      'dist/electron/main.cjs',
      '../../home/u/b.vmdk',
    ];
    const options = { cwd: '/work/app', defaultApp: true, isFile, entryPaths: ['/work/app/dist/electron/main.cjs'] };
    expect(filesFromArgv(argv, options)).toEqual(['/home/u/b.vmdk']); // loader.js exists, but belongs to Electron
    expect(filesFromArgv(['/x/electron', '.', '/home/u/b.vmdk'], { ...options, entryPaths: ['/work/app'] })).toEqual([
      '/home/u/b.vmdk',
    ]);
    expect(filesFromArgv(['/x/electron', '/home/u/b.vmdk'], options)).toEqual([]);
  });
});

describe('the picker filter', () => {
  it('offers the disk-image extensions first, then all files', () => {
    expect(IMAGE_FILE_FILTERS[0]?.extensions).toEqual(
      expect.arrayContaining([
        'qcow2',
        'qcow',
        'img',
        'raw',
        'vmdk',
        'vhd',
        'vhdx',
        'vdi',
        'iso',
        'qed',
        'zvhd',
        'zvhd2',
        'bin',
      ]),
    );
    expect(IMAGE_FILE_FILTERS[0]?.extensions).toHaveLength(IMAGE_EXTENSIONS.length);
    expect(IMAGE_FILE_FILTERS[1]).toEqual({ name: 'All files', extensions: ['*'] });
  });
});

describe('createOpenFilesGate', () => {
  it('holds files until the renderer listens, then delivers them once', () => {
    const deliver = vi.fn();
    const gate = createOpenFilesGate(deliver);
    gate.push(['/a.qcow2']);
    gate.push(['/a.qcow2', '/b.vmdk']);
    gate.push([]);
    expect(deliver).not.toHaveBeenCalled();
    gate.open();
    expect(deliver).toHaveBeenCalledExactlyOnceWith(['/a.qcow2', '/b.vmdk']);
    gate.open();
    expect(deliver).toHaveBeenCalledTimes(1);
  });

  it('delivers at once while open, and holds again while the renderer reloads', () => {
    const deliver = vi.fn();
    const gate = createOpenFilesGate(deliver);
    gate.open();
    gate.push(['/c.iso']);
    expect(deliver).toHaveBeenLastCalledWith(['/c.iso']);
    gate.close();
    gate.push(['/d.raw']);
    expect(deliver).toHaveBeenCalledTimes(1);
    gate.open();
    expect(deliver).toHaveBeenLastCalledWith(['/d.raw']);
  });
});
