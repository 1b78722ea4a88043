// Files the OS hands to Imagedrop: the picker's filter, the paths in a command line (a file
// association, a second instance), and a gate that holds them until the renderer listens.
// Pure: no electron, no file system (the caller passes isFile).
import path from 'node:path';

/** Disk-image extensions the picker offers and the installers associate with Imagedrop. */
export const IMAGE_EXTENSIONS = [
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
] as const;

/** The native picker's filters: disk images first, then anything. */
export const IMAGE_FILE_FILTERS = [
  { name: 'Disk images', extensions: [...IMAGE_EXTENSIONS] },
  { name: 'All files', extensions: ['*'] },
];

/** The CA picker's filters: PEM certificates first, then anything. */
export const CA_FILE_FILTERS = [
  { name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] },
  { name: 'All files', extensions: ['*'] },
];

export interface ArgvOptions {
  /** The folder relative paths are resolved against (the launching shell's). */
  readonly cwd: string;
  /** process.defaultApp: started as `electron <app>`, so the app's own path is in argv. */
  readonly defaultApp: boolean;
  /** Paths that name the app itself (its folder, its main script), as absolute paths. */
  readonly entryPaths: readonly string[];
  readonly isFile: (absolutePath: string) => boolean;
}

/**
 * The files named on a command line. argv[0] is the executable; when run as `electron <app>`,
 * everything up to the app's own path belongs to Electron (switches, `-r loader.js`). Switches
 * are skipped, relative paths resolved, and only existing regular files kept, once each.
 */
export function filesFromArgv(argv: readonly string[], options: ArgvOptions): string[] {
  let rest = argv.slice(1);
  if (options.defaultApp) {
    const entries = new Set(options.entryPaths.map((p) => path.resolve(p)));
    const at = rest.findIndex((a) => !a.startsWith('-') && entries.has(path.resolve(options.cwd, a)));
    if (at < 0) return [];
    rest = rest.slice(at + 1);
  }
  const files: string[] = [];
  for (const arg of rest) {
    if (arg === '' || arg.startsWith('-')) continue;
    const absolute = path.resolve(options.cwd, arg);
    if (!files.includes(absolute) && options.isFile(absolute)) files.push(absolute);
  }
  return files;
}

export interface OpenFilesGate {
  /** Files from the OS: delivered now when the renderer listens, otherwise held. */
  push(paths: readonly string[]): void;
  /** The renderer has loaded (and subscribed): deliver what was held. */
  open(): void;
  /** The renderer is (re)loading or gone: hold files until open() again. */
  close(): void;
}

export function createOpenFilesGate(deliver: (paths: readonly string[]) => void): OpenFilesGate {
  let held: string[] = [];
  let isOpen = false;
  return {
    push(paths) {
      if (paths.length === 0) return;
      if (isOpen) deliver([...paths]);
      else held.push(...paths.filter((p) => !held.includes(p)));
    },
    open() {
      isOpen = true;
      if (held.length === 0) return;
      const batch = held;
      held = [];
      deliver(batch);
    },
    close() {
      isOpen = false;
    },
  };
}
