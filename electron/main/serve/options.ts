// The flags of `imagedrop serve`, one parser for both ways it starts: the CLI
// (`npm run --silent cli -- serve …`) and the packaged app (`imagedrop serve …`).
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { ImagedropError } from '../errors.ts';

export const SERVE_USAGE = 'serve [--port N] [--root DIR]... [--host ADDR --cert FILE --key FILE]';
export const SERVE_SUMMARY =
  'serve this app to a browser (for images on a headless host): prints the URL to open, with its secret';

export const DEFAULT_HOST = '127.0.0.1';

export interface ServeOptions {
  /** 0: a free port. */
  readonly port: number;
  readonly host: string;
  /** As given (relative to the current folder); the current folder when none was given. */
  readonly roots: readonly string[];
  readonly certFile?: string;
  readonly keyFile?: string;
}

function badOption(message: string): ImagedropError {
  return new ImagedropError('serve/bad-option', message);
}

export function parseServeArgs(argv: readonly string[], cwd: string): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string' },
        root: { type: 'string', multiple: true, default: [] },
        cert: { type: 'string' },
        key: { type: 'string' },
      },
    });
  } catch (e) {
    throw badOption(`${(e as Error).message.replace(/\.$/, '')}: usage: ${SERVE_USAGE}.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw badOption(
      `serve takes no file names (${positionals[0]}): share their folder with --root DIR and choose them in the page.`,
    );
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || !Number.isInteger(port) || port > 65535) {
    throw badOption(`--port ${values.port} is not a port number: give 1 to 65535, or 0 for a free one.`);
  }
  // An IPv6 address may come bracketed, as in a URL.
  const host = (values.host ?? DEFAULT_HOST).replace(/^\[(.*)\]$/, '$1');
  if (host === '' || (/[^A-Za-z0-9.:-]/.test(host) && isIP(host) === 0)) {
    throw badOption(`--host ${host} is not an address or a host name.`);
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw badOption('TLS needs both --cert FILE and --key FILE (PEM files).');
  }
  return {
    port,
    host,
    roots: values.root.length > 0 ? values.root : [cwd],
    ...(values.cert !== undefined ? { certFile: values.cert } : {}),
    ...(values.key !== undefined ? { keyFile: values.key } : {}),
  };
}

/**
 * The serve arguments when the packaged app was started as `imagedrop serve …` (or, unpackaged,
 * `electron . serve …`): what follows `serve`, or null for a normal start. Chromium switches
 * before it (`--ozone-platform=headless`) are skipped; anything else first means a normal start.
 */
export function serveArgvFrom(argv: readonly string[], defaultApp: boolean): string[] | null {
  let i = defaultApp ? 2 : 1;
  while (i < argv.length && argv[i]!.startsWith('--')) i += 1;
  return argv[i] === 'serve' ? argv.slice(i + 1) : null;
}
