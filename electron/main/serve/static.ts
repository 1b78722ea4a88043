// The built renderer (dist/renderer), read into memory once when the server starts: a request
// names one of these files or gets 404, so no request path ever reaches the file system. The page
// is the very build the app loads, with one meta tag added that tells it to talk to this server
// (renderer/src/web-transport.ts).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ImagedropError } from '../errors.ts';

/** What the page looks for to choose the HTTP transport (web-transport.ts reads the same name). */
export const TRANSPORT_META = '<meta name="imagedrop-transport" content="http" />';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  /** Vite's hashed assets never change under their name. */
  readonly immutable: boolean;
}

async function walk(dir: string, prefix: string, out: Map<string, StaticFile>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const urlPath = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(full, urlPath, out);
    else if (entry.isFile()) {
      const type = TYPES[path.extname(entry.name).toLowerCase()];
      if (!type) continue;
      let body = await readFile(full);
      if (urlPath === '/index.html') body = Buffer.from(withTransportMeta(body.toString('utf8')));
      out.set(urlPath, {
        body,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: urlPath.startsWith('/assets/'),
      });
    }
  }
}

export function withTransportMeta(html: string): string {
  const at = html.indexOf('<head>');
  if (at < 0) throw new ImagedropError('serve/not-built', 'The built index.html has no <head>: rebuild the renderer.');
  return `${html.slice(0, at + 6)}\n    ${TRANSPORT_META}${html.slice(at + 6)}`;
}

/** Reads the build; one sentence saying how to build it when it is not there. */
export async function loadRenderer(dir: string): Promise<ReadonlyMap<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  try {
    await walk(dir, '', files);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
  if (!files.has('/index.html')) {
    throw new ImagedropError(
      'serve/not-built',
      `The web app is not built (${path.join(dir, 'index.html')} is missing): run \`npm run build:renderer\`, then start serve again.`,
    );
  }
  return files;
}
