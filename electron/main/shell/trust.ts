// Who the shell trusts: only the top frame of our own window, showing our own renderer document.
// Pure (structural types stand in for Electron's objects), so every rule is unit-tested.
import path from 'node:path';
import { APP_INDEX_URL, APP_SCHEME } from './app-protocol.ts';

/** Where the built app lives, relative to the bundled main script (dist/electron/main.cjs). */
export interface AppFiles {
  readonly preload: string;
  /** The renderer's build folder: the only files app:// serves. */
  readonly rendererDir: string;
  readonly indexHtml: string;
  /** app://imagedrop/index.html, the one URL our window may show. */
  readonly rendererUrl: string;
}

export function appFiles(bundleDir: string): AppFiles {
  const rendererDir = path.join(bundleDir, '..', 'renderer');
  return {
    preload: path.join(bundleDir, 'preload.cjs'),
    rendererDir,
    indexHtml: path.join(rendererDir, 'index.html'),
    rendererUrl: APP_INDEX_URL,
  };
}

function withoutFragment(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  url.hash = '';
  return url.href;
}

/**
 * True only for our renderer's own document: parsed with URL and compared whole (scheme, host,
 * path and query; a #fragment does not change the document), on our own app:// scheme. Never a
 * prefix match, so app://imagedrop/index.html.evil, another file of the origin, or the same
 * file on file:// does not pass.
 */
export function isRendererUrl(candidate: string, rendererUrl: string): boolean {
  const a = withoutFragment(candidate);
  const b = withoutFragment(rendererUrl);
  return a !== null && b !== null && a.startsWith(`${APP_SCHEME}:`) && a === b;
}

export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly frameTreeNodeId: number;
  readonly detached?: boolean;
  isDestroyed?(): boolean;
}

export interface WindowLike {
  isDestroyed(): boolean;
  readonly webContents: {
    readonly id: number;
    isDestroyed(): boolean;
    readonly mainFrame: FrameLike;
  };
}

/**
 * The IPC sender check (Electron security checklist, item 17): the message comes from our
 * window's webContents, from its top frame (not an iframe), while that frame shows our renderer.
 */
export function isTrustedSender(
  sender: { readonly id: number } | null | undefined,
  frame: FrameLike | null | undefined,
  win: WindowLike | null | undefined,
  rendererUrl: string,
): boolean {
  if (!sender || !frame || !win || win.isDestroyed() || win.webContents.isDestroyed()) return false;
  if (sender.id !== win.webContents.id) return false;
  if (frame.detached === true || frame.isDestroyed?.() === true) return false;
  if (frame.parent !== null) return false;
  if (frame !== win.webContents.mainFrame && frame.frameTreeNodeId !== win.webContents.mainFrame.frameTreeNodeId) {
    return false;
  }
  return isRendererUrl(frame.url, rendererUrl);
}
