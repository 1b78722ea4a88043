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

describe('eslint keeps the web shell (electron/main/serve) on the core, and the core below every shell', SLOW, () => {
  const serveFile = 'electron/main/serve/x.ts';

  it('serve/ may import core/, shared/, electron/main/errors.ts and Node', async () => {
    const allowed = [
      "import { ImagedropCore } from '../core/service.ts';",
      "import { dispatchChannel } from '../core/dispatch.ts';",
      "import { INVOKE_CHANNELS } from '../../../shared/ipc.ts';",
      "import { ImagedropError } from '../errors.ts';",
      "import http from 'node:http';",
    ];
    for (const code of allowed) expect(await boundaryErrors(code, serveFile), code).toEqual([]);
  });

  it('serve/ may not reach into the engine, the cloud clients, the inspector, the CLI or electron', async () => {
    const refused = [
      "import { UploadEngine } from '../upload/engine.ts';",
      "import { GlanceClient } from '../openstack/glance.ts';",
      "import { inspectFile } from '../inspect/index.ts';",
      "import { main } from '../cli/index.ts';",
      "import { serveIpc } from '../shell/ipc.ts';",
      "import { app } from 'electron';",
      "import { request } from 'undici';",
    ];
    for (const code of refused)
      expect(await boundaryErrors(code, serveFile), code).toContain('1:no-restricted-imports');
  });

  it('core/ imports no shell: not serve/, not cli/, not shell/', async () => {
    for (const code of [
      "import { runServe } from '../serve/run.ts';",
      "import { main } from '../cli/index.ts';",
      "import { serveIpc } from '../shell/ipc.ts';",
    ]) {
      expect(await boundaryErrors(code, 'electron/main/core/x.ts'), code).toContain('1:no-restricted-imports');
    }
  });

  it('the CLI and the Electron shell may start serve', async () => {
    const code = "import { runServe } from '../serve/run.ts';";
    expect(await boundaryErrors(code, 'electron/main/cli/x.ts')).toEqual([]);
    expect(await boundaryErrors(code, 'electron/main/shell/x.ts')).toEqual([]);
  });
});

describe('eslint keeps electron/main/huawei/ a room of cloud clients', SLOW, () => {
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
