// The import boundaries in eslint.config.mjs, proven on snippets linted as if they lived in each
// folder (lintText with a virtual path: no file is written).
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });
// Linting with the whole configuration takes a few seconds on a busy 2-core machine.
const SLOW = { timeout: 30_000 };

async function boundaryErrors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => `${m.line}:${m.ruleId}`);
}

const LOADS_ELECTRON = [
  ["import { app } from 'electron';", 'no-restricted-imports'],
  ["export const m = import('electron');", 'no-restricted-syntax'],
  ["export const m = import('electron/main');", 'no-restricted-syntax'],
  ["export const m = require('electron');", 'no-restricted-syntax'],
  // TypeScript's import-require form: no-restricted-imports catches it too.
  ["import electron = require('electron');\nexport { electron };", 'no-restricted-syntax'],
] as const;

describe('eslint keeps electron out of the Node core, shared/ and the renderer', SLOW, () => {
  it.each(['electron/main/upload/engine-x.ts', 'electron/main/openstack/x.ts', 'shared/x.ts', 'renderer/src/x.ts'])(
    'in %s, every way of loading electron is an error',
    async (file) => {
      for (const [code, rule] of LOADS_ELECTRON) {
        expect(await boundaryErrors(code, file), code).toContain(`1:${rule}`);
      }
    },
  );

  it('electron/main/shell/ may load electron, and look-alike packages are not caught', async () => {
    for (const [code] of LOADS_ELECTRON) expect(await boundaryErrors(code, 'electron/main/shell/x.ts')).toEqual([]);
    expect(await boundaryErrors("export const m = import('electron-log');", 'electron/main/upload/x.ts')).toEqual([]);
  });
});

describe('eslint keeps the rooms of the core in their order', SLOW, () => {
  it.each([
    // [file, import, allowed]
    ['electron/main/upload/x.ts', '../targets/glance/target.ts', false],
    ['electron/main/upload/policy/x.ts', '../../targets/glance/target.ts', false],
    ['electron/main/upload/x.ts', '../openstack/glance.ts', false],
    ['electron/main/upload/x.ts', '../core/service.ts', false],
    ['electron/main/upload/x.ts', '../cli/index.ts', false],
    ['electron/main/upload/x.ts', '../files/identity.ts', true],
    ['electron/main/upload/x.ts', '../errors.ts', true],
    ['electron/main/openstack/x.ts', '../upload/engine.ts', false],
    ['electron/main/openstack/x.ts', '../core/context.ts', false],
    ['electron/main/openstack/x.ts', '../files/local-file.ts', true],
    ['electron/main/inspect/x.ts', '../openstack/glance.ts', false],
    ['electron/main/inspect/formats/x.ts', '../../upload/engine.ts', false],
    ['electron/main/inspect/x.ts', './spec.ts', true],
    ['electron/main/files/x.ts', '../upload/engine.ts', false],
    ['electron/main/targets/glance/x.ts', '../../core/service.ts', false],
    ['electron/main/targets/glance/x.ts', '../../upload/target.ts', true],
    ['electron/main/targets/glance/x.ts', '../../openstack/glance.ts', true],
    ['electron/main/core/x.ts', '../cli/index.ts', false],
    ['electron/main/core/x.ts', '../targets/glance/target.ts', true],
    ['electron/main/cli/x.ts', '../core/service.ts', true],
  ])('%s importing %s: allowed %s', async (file, from, allowed) => {
    const errors = await boundaryErrors(`import { x } from '${from}';\nexport { x };`, file);
    expect(errors).toEqual(allowed ? [] : ['1:no-restricted-imports']);
  });

  it('a room still may not load electron (the room rule keeps the core boundary)', async () => {
    expect(await boundaryErrors("import { app } from 'electron';", 'electron/main/targets/glance/x.ts')).toContain(
      '1:no-restricted-imports',
    );
    expect(await boundaryErrors("import { app } from 'electron';", 'electron/main/files/x.ts')).toContain(
      '1:no-restricted-imports',
    );
  });
});
