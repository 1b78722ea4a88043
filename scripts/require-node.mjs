// The Node.js version the CLI needs, checked before anything else is loaded: an older Node would
// otherwise die inside the bundle with a stack trace. Plain, old JavaScript on purpose (no
// import.meta.dirname), so that it runs on any Node that can load an ES module at all.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** '>=22.19.0' (package.json engines.node) → [22, 19, 0]; null when it is not that simple form. */
export function minimumOf(range) {
  const m = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(String(range || ''));
  return m ? [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] : null;
}

/** True when `version` ('v20.20.2' or '20.20.2') is older than `minimum`. */
export function isOlder(version, minimum) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = parts[i] || 0;
    const b = minimum[i];
    if (a !== b) return a < b;
  }
  return false;
}

/** The one sentence for a Node that is too old, or null when this one will do. */
export function nodeVersionProblem(version, range, execPath) {
  const minimum = minimumOf(range);
  if (!minimum || !isOlder(version, minimum)) return null;
  const wanted = minimum.join('.');
  return (
    `imagedrop: the CLI needs Node.js ${wanted} or newer, but ${execPath} is Node.js ${String(version).replace(/^v/, '')}: ` +
    'run `npm ci` once (it brings Node 22 into node_modules), then run the CLI as `npm run --silent cli -- <command>`.'
  );
}

/** Exits with status 2 and the sentence when this Node is too old for the package. */
export function requireNode(packageJson) {
  let range;
  try {
    range = JSON.parse(readFileSync(fileURLToPath(packageJson), 'utf8')).engines.node;
  } catch {
    return; // no readable package.json: let the CLI itself say what is wrong
  }
  const problem = nodeVersionProblem(process.version, range, process.execPath);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(2);
  }
}
