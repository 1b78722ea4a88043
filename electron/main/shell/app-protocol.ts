// The renderer is served from app://imagedrop/, a scheme of Imagedrop's own, instead of file://
// (Electron's security checklist, item 18): a page on file:// may read any other file:// URL,
// while this scheme answers only for the files of the renderer's build folder. Requests are
// resolved here, purely (every rule is unit-tested); main.ts registers the scheme before the app
// is ready and hands protocol.handle the handler once it is.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { RENDERER_CSP } from '../../../shared/csp.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'imagedrop';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The one document the window shows. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * standard: parsed like http (an origin, relative URLs); secure: treated as https; fetch and the
 * code cache work for it. No CORS bypass, no service workers, no stream privileges.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  codeCache: true,
} as const;

/** The types a Vite build of the renderer holds; anything else is not served. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppRequest =
  | { readonly kind: 'file'; readonly file: string; readonly mime: string }
  | { readonly kind: 'refused'; readonly status: 400 | 403 | 404 | 405; readonly why: string };

const refused = (status: 400 | 403 | 404 | 405, why: string): AppRequest => ({ kind: 'refused', status, why });

/**
 * The file an app:// request names inside `rendererDir`, or why it is refused. Only GET and HEAD
 * of app://imagedrop/…; the path is decoded once, and refused when it holds a backslash, a NUL, an
 * encoded slash or a `..` segment (in any spelling), or resolves outside the folder.
 */
export function resolveAppRequest(url: string, rendererDir: string, method = 'GET'): AppRequest {
  if (method !== 'GET' && method !== 'HEAD') return refused(405, `method ${method}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refused(400, 'not a URL');
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return refused(404, 'another origin');
  if (parsed.username || parsed.password || parsed.port) return refused(400, 'credentials or port');
  // The raw path as sent: URL normalises "/a/../b" and "%2e%2e" away before we could see them.
  const rawPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] ?? '';
  if (/%2f|%5c|%00|\\/i.test(rawPath)) return refused(400, 'encoded slash, backslash or NUL');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath || '/');
  } catch {
    return refused(400, 'bad percent-encoding');
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return refused(400, 'NUL or backslash');
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return refused(403, 'dot segment');
  if (segments.some((s) => s.includes('%'))) return refused(400, 'double percent-encoding');
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, relative);
  const inside = path.relative(root, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return refused(403, 'outside the renderer');
  const mime = MIME_TYPES[path.extname(file).toLowerCase()];
  if (!mime) return refused(404, 'not a type the renderer uses');
  return { kind: 'file', file, mime };
}

/** The headers of every answer: our CSP (as the meta tag and the session's header say), no sniffing. */
export function appHeaders(mime?: string): Record<string, string> {
  return {
    ...(mime ? { 'content-type': mime } : {}),
    'content-security-policy': RENDERER_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}

export interface AppFileSystem {
  readFile(file: string): Promise<Uint8Array>;
  /** The file with every symlink resolved; it must still be inside the (resolved) folder. */
  realpath(file: string): Promise<string>;
  isFile(file: string): Promise<boolean>;
}

const realFileSystem: AppFileSystem = {
  readFile: (file) => readFile(file),
  realpath: (file) => realpath(file),
  isFile: async (file) => (await stat(file)).isFile(),
};

/** The handler protocol.handle gets: a Request in, a Response out, never a file outside the folder. */
export function appProtocolHandler(
  rendererDir: string,
  fs: AppFileSystem = realFileSystem,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const target = resolveAppRequest(request.url, rendererDir, request.method);
    if (target.kind === 'refused') return new Response(null, { status: target.status, headers: appHeaders() });
    try {
      const [root, real] = await Promise.all([fs.realpath(rendererDir), fs.realpath(target.file)]);
      const inside = path.relative(root, real);
      if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
        return new Response(null, { status: 403, headers: appHeaders() });
      }
      if (!(await fs.isFile(real))) return new Response(null, { status: 404, headers: appHeaders() });
      const body = request.method === 'HEAD' ? null : await fs.readFile(real);
      return new Response(body as ConstructorParameters<typeof Response>[0], {
        status: 200,
        headers: appHeaders(target.mime),
      });
    } catch {
      return new Response(null, { status: 404, headers: appHeaders() });
    }
  };
}

/** What main.ts needs of Electron's `protocol` (a fake in tests). */
export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: typeof APP_SCHEME_PRIVILEGES }[]): void;
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
}

/** Before the app is ready: app:// is a standard, secure scheme. */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

/** Once the app is ready: app:// answers from the renderer's build folder. */
export function serveAppProtocol(protocol: ProtocolLike, rendererDir: string, fs?: AppFileSystem): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, fs));
}
