// The import boundaries in eslint.config.mjs, proven on snippets linted as if they lived in each
// folder (lintText with a virtual path: no file is written).
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

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

describe('eslint keeps electron out of the Node core, shared/ and the renderer', () => {
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

describe('eslint keeps electron/main/huawei/ a room of cloud clients', () => {
  it.each([
    "import { UploadEngine } from '../upload/engine.ts';",
    "import { ImagedropService } from '../core/service.ts';",
    "import { main } from '../cli/index.ts';",
    "import { detectFormat } from '../inspect/detect.ts';",
    "import { startImsEmulator } from '../testing/ims-emulator.ts';",
    "import { something } from '../shell/main.ts';",
    "import { app } from 'electron';",
  ])('refuses %s', async (code) => {
    expect(await boundaryErrors(code, 'electron/main/huawei/x.ts')).toContain('1:no-restricted-imports');
  });

  it('allows openstack/, shared/ and errors.ts', async () => {
    for (const code of [
      "import { httpRequest } from '../openstack/http.ts';",
      "import type { AppError } from '../../../shared/errors.ts';",
      "import { ImagedropError } from '../errors.ts';",
    ])
      expect(await boundaryErrors(code, 'electron/main/huawei/x.ts'), code).toEqual([]);
  });
});
