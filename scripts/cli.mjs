// `npm run cli`: runs the bundled CLI (dist/cli/imagedrop.mjs), building it first when it is
// missing or older than any source it is made of (and, for `serve`, the web app it serves,
// dist/renderer). The sources also run directly (`node electron/main/cli/index.ts`), only slower
// to start.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireNode } from './require-node.mjs';

// First of all: an older Node (Debian's /usr/bin/node is 20) gets one sentence, not a stack trace.
requireNode(new globalThis.URL('../package.json', import.meta.url));

// V8's compiled code for the bundle is kept on disk between runs (Node 22): ~25 ms less per start.
module.enableCompileCache?.();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist/cli/imagedrop.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundleTime() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return 0;
  }
}

const sources = Math.max(
  newestSource(path.join(root, 'electron/main')),
  newestSource(path.join(root, 'shared')),
  statSync(path.join(root, 'package-lock.json')).mtimeMs,
);
if (bundleTime() < sources) {
  process.stderr.write('imagedrop: building the CLI (its sources changed)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'electron/vite.config.mts'), mode: 'cli', logLevel: 'warn', root });
}
if (process.argv[2] === 'serve') {
  const built = (() => {
    try {
      return statSync(path.join(root, 'dist/renderer/index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newestAny = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
      const p = path.join(dir, entry.name);
      return Math.max(newest, entry.isDirectory() ? newestAny(p) : statSync(p).mtimeMs);
    }, 0);
  const rendererSources = Math.max(
    newestAny(path.join(root, 'renderer')),
    newestSource(path.join(root, 'shared')),
    statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  if (built < rendererSources) {
    process.stderr.write('imagedrop: building the web app (its sources changed)…\n');
    const { build } = await import('vite');
    await build({
      configFile: path.join(root, 'vite.config.mts'),
      root: path.join(root, 'renderer'),
      logLevel: 'warn',
    });
  }
}
// npm runs scripts in the package's folder; the user's own folder (relative FILE arguments,
// serve's default --root) is the one npm was started in.
if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
const { runCli } = await import(pathToFileURL(bundle).href);
await runCli(process.argv.slice(2));
