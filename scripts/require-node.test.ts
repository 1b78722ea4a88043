// The CLI on a Node that is too old: one sentence and exit 2, never a stack trace. The last test
// runs the machine's own /usr/bin/node (Debian 12's is Node 20), as a user who forgot `npm run` would.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isOlder, minimumOf, nodeVersionProblem } from './require-node.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENGINES = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;
const run = promisify(execFile);
const SYSTEM_NODE = '/usr/bin/node';

describe('the Node version check', () => {
  it.each([
    ['>=22.19.0', [22, 19, 0]],
    ['>= 22', [22, 0, 0]],
    ['>=v20.11', [20, 11, 0]],
    ['^22.14.0 || >=24', null],
    [undefined, null],
  ] as const)('reads %s as %j', (range, minimum) => {
    expect(minimumOf(range)).toEqual(minimum);
  });

  it.each([
    ['v20.20.2', false],
    ['v22.18.9', false],
    ['v22.19.0', true],
    ['v22.23.3', true],
    ['v24.0.0', true],
    ['v9.99.99', false],
  ])('%s is new enough for >=22.19.0: %s', (version, ok) => {
    expect(isOlder(version, [22, 19, 0])).toBe(!ok);
    expect(nodeVersionProblem(version, '>=22.19.0', '/usr/bin/node') === null).toBe(ok);
  });

  it('names the version it needs, the one it found, and what to run instead', () => {
    expect(nodeVersionProblem('v20.20.2', '>=22.19.0', '/usr/bin/node')).toBe(
      'imagedrop: the CLI needs Node.js 22.19.0 or newer, but /usr/bin/node is Node.js 20.20.2: run `npm ci` once (it brings Node 22 into node_modules), then run the CLI as `npm run --silent cli -- <command>`.',
    );
  });

  it('this package still asks for the Node that npm ci brings', () => {
    expect(minimumOf(ENGINES)).not.toBeNull();
    expect(nodeVersionProblem(process.version, ENGINES, process.execPath)).toBeNull();
  });

  it('`/usr/bin/node scripts/cli.mjs` on an older Node prints one sentence and exits 2', async () => {
    expect(existsSync(SYSTEM_NODE)).toBe(true);
    const { stdout: version } = await run(SYSTEM_NODE, ['--version']);
    // The machine's Node must be one the CLI refuses, or this test would prove nothing.
    expect(isOlder(version.trim(), minimumOf(ENGINES)!)).toBe(true);
    const result = await run(SYSTEM_NODE, [path.join(ROOT, 'scripts/cli.mjs'), 'auth']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${nodeVersionProblem(version.trim(), ENGINES, SYSTEM_NODE)}\n`);
    expect(result.stderr).not.toMatch(/ at |TypeError|node:internal/);
  });
});
