// Which local files the renderer may name. Main reads only files the user chose in a picker,
// dropped on the window, opened with Imagedrop from the OS, or chose in serve's host browser;
// and only CA files chosen with the CA picker (or the host browser). A page cannot grant itself a path.
import type { Unsubscribe } from '../../../shared/ipc.ts';
import { ImagedropError } from '../errors.ts';

export class FileGrants {
  /** Files the user chose, dropped or opened with Imagedrop: the only ones the renderer may name. */
  readonly #files = new Set<string>();
  /** CA files the user chose with the CA picker: the only ones a typed-in connection may name. */
  readonly #caFiles = new Set<string>();
  readonly #openedListeners = new Set<(paths: readonly string[]) => void>();

  grant(paths: readonly string[]): void {
    for (const p of paths) this.#files.add(p);
  }

  grantCaFile(file: string): void {
    this.#caFiles.add(file);
  }

  /** The OS handed these files to the app (file associations, a second instance): granted and announced. */
  opened(paths: readonly string[]): void {
    this.grant(paths);
    for (const l of this.#openedListeners) l(paths);
  }

  onOpened(listener: (paths: readonly string[]) => void): Unsubscribe {
    this.#openedListeners.add(listener);
    return () => this.#openedListeners.delete(listener);
  }

  require(paths: readonly string[]): void {
    const refused = paths.find((p) => !this.#files.has(p));
    if (refused !== undefined) {
      throw new ImagedropError(
        'ipc/path-not-granted',
        'Imagedrop reads only files you chose, dropped or opened with it: add the file again.',
        { detail: refused },
      );
    }
  }

  requireCaFile(file: string): void {
    if (!this.#caFiles.has(file)) {
      throw new ImagedropError(
        'ipc/path-not-granted',
        'Imagedrop reads only a CA file you chose with "Choose…": choose the CA certificate file again.',
        { detail: file },
      );
    }
  }
}
