// `imagedrop serve` from start to stop, for both of its entries (the CLI command and the packaged
// app): read the flags, refuse an unsafe bind, take the data folder, start the core and the web
// server, print the URL first on stdout, and on stop (Ctrl-C, SIGTERM) close the server and let
// the core pause and persist its uploads (core.dispose), as closing the app does.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ImagedropCore, type PlatformServices } from '../core/service.ts';
import type { SecretStore } from '../core/remembered-connections.ts';
import { resolveHostRoots } from '../core/host-files.ts';
import { ImagedropError } from '../errors.ts';
import { lockDataDir } from './data-lock.ts';
import { parseServeArgs } from './options.ts';
import { checkBind, isLoopbackHost, startServeServer, type ServeServer, type TlsFiles } from './server.ts';
import { loadRenderer } from './static.ts';

export interface ServeIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface ServeDeps {
  readonly io: ServeIo;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The app's data folder (job log, remembered connections, cloud facts). */
  readonly dataDir: string;
  readonly secrets: SecretStore;
  /** The built renderer (dist/renderer). */
  readonly rendererDir: string;
  /** Aborted to stop (Ctrl-C, SIGTERM, the app quitting). */
  readonly signal: AbortSignal;
  /** Tests: told once the server listens. */
  readonly onListening?: (server: ServeServer, core: ImagedropCore) => void;
}

/** The core's dialogs and clipboard have no meaning on a server: the page does these itself. */
const SERVE_PLATFORM: PlatformServices = {
  pickFiles: async () => {
    throw new ImagedropError(
      'serve/no-native-dialog',
      'imagedrop serve has no file dialog: choose files in the page ("Choose files…" browses the shared folders).',
    );
  },
  pickCaFile: async () => {
    throw new ImagedropError(
      'serve/no-native-dialog',
      'imagedrop serve has no file dialog: choose the CA file in the page ("Choose…" browses the shared folders).',
    );
  },
  // The page writes the viewer's own clipboard once this call (validated like every other) answers.
  copyText: async () => {},
};

async function readTls(certFile: string, keyFile: string): Promise<TlsFiles> {
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file);
    } catch (e) {
      throw new ImagedropError('serve/bad-option', `${flag} ${file} cannot be read: give the PEM file's path.`, {
        detail: (e as { code?: string }).code,
      });
    }
  };
  return { cert: await read(certFile, '--cert'), key: await read(keyFile, '--key') };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Runs until the signal aborts; returns the exit code. Errors before listening throw (one sentence). */
export async function runServe(argv: readonly string[], deps: ServeDeps): Promise<number> {
  const { io } = deps;
  const options = parseServeArgs(argv, deps.cwd);
  const tls = options.certFile && options.keyFile ? await readTls(options.certFile, options.keyFile) : undefined;
  await checkBind(options.host, tls !== undefined);
  const renderer = await loadRenderer(deps.rendererDir);
  const roots = await resolveHostRoots(options.roots, deps.cwd);
  const release = await lockDataDir(deps.dataDir);
  let core: ImagedropCore | null = null;
  let server: ServeServer | null = null;
  try {
    core = new ImagedropCore({
      dataDir: deps.dataDir,
      env: deps.env,
      cwd: deps.cwd,
      secrets: deps.secrets,
      platform: SERVE_PLATFORM,
      hostRoots: roots,
      onWarning: (message) => io.stderr.write(`imagedrop serve: ${message}\n`),
    });
    await core.init();
    if (deps.signal.aborted) return 130;
    server = await startServeServer({
      core,
      renderer,
      host: options.host,
      port: options.port,
      ...(tls ? { tls } : {}),
    });
    // The first line on stdout is the address, and nothing else (scripts read it).
    io.stdout.write(`${server.url}\n`);
    io.stderr.write(`imagedrop serve: open the address above in a browser; it carries this run's secret.\n`);
    io.stderr.write(`  sharing: ${roots.join(', ')}\n  data folder: ${deps.dataDir}\n`);
    if (roots.includes('/')) {
      io.stderr.write('  warning: --root / shares every file this user can read.\n');
    }
    if (await isLoopbackHost(options.host)) {
      io.stderr.write(
        `  from another machine: ssh -L 8080:127.0.0.1:${server.port} ${hostname()}, then open the address with 127.0.0.1:8080 in it.\n`,
      );
    }
    io.stderr.write('  Ctrl-C stops it: running uploads are paused and kept, as when the app closes.\n');
    deps.onListening?.(server, core);
    await untilAborted(deps.signal);
    io.stderr.write('imagedrop serve: stopping; uploads are paused and saved.\n');
    return 0;
  } finally {
    await server?.close();
    await core?.dispose();
    await release();
  }
}
