// `cli serve`: the app in a browser, for images that live on a headless host (electron/main/serve).
// Ctrl-C or SIGTERM stop it; uploads are paused and kept in the app's job log.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../core/paths.ts';
import { NoKeychainSecretStore } from '../serve/secrets.ts';
import { SERVE_SUMMARY, SERVE_USAGE } from '../serve/options.ts';
import { runServe } from '../serve/run.ts';
import { EXIT_OK, type CliCommand } from './command.ts';

/**
 * dist/renderer of this checkout: IMAGEDROP_RENDERER_DIR, or the first dist/renderer found going up
 * from this module (dist/cli/chunks when bundled, electron/main/cli from the sources).
 */
export function findRendererDir(env: NodeJS.ProcessEnv, from: string): string {
  if (env.IMAGEDROP_RENDERER_DIR) return path.resolve(env.IMAGEDROP_RENDERER_DIR);
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', 'renderer');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(from, '../../../dist/renderer');
  }
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: SERVE_SUMMARY,
  usage: SERVE_USAGE,
  async run(argv, io, signal) {
    const stop = new AbortController();
    const onTerm = () => stop.abort();
    signal.addEventListener('abort', onTerm, { once: true });
    process.once('SIGTERM', onTerm);
    try {
      const dataDir = defaultDataDir(io.env);
      const code = await runServe(argv, {
        io,
        env: io.env,
        cwd: io.cwd,
        dataDir,
        secrets: new NoKeychainSecretStore(path.join(dataDir, 'secrets.json')),
        rendererDir: findRendererDir(io.env, import.meta.dirname),
        signal: stop.signal,
      });
      return code === 0 ? EXIT_OK : code;
    } finally {
      signal.removeEventListener('abort', onTerm);
      process.off('SIGTERM', onTerm);
    }
  },
};
