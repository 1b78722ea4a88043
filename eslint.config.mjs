// Lint, and the import boundaries of the three processes, enforced rather than described:
//   shared/                      plain TypeScript: no Node, no DOM libraries, no electron, no React
//   electron/main/** (not shell) the Node core: never imports electron, so it runs under plain Node
//   electron/main/shell/         the only main-process code that imports electron
//   electron/main/serve/         the web shell (`imagedrop serve`): core/, shared/ and Node only
//   electron/main/objstore/      the S3/OBS client and multipart uploader: shared/ and main's errors.ts
//                                only, nothing else of the core (the engine plugs it in, not the reverse)
//   electron/preload/            electron's renderer modules and shared/ only
//   renderer/                    React; never electron, Node or the main process
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const NODE = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];
const restrict = (groups, message) => restrictEach(groups.map((group) => [group, message]));
/** Like restrict, with a message per group: [[group, message], …]. */
const restrictEach = (pairs) => ({
  'no-restricted-imports': [
    'error',
    { patterns: pairs.map(([group, message]) => ({ group: [group].flat(), message })) },
  ],
});
// no-restricted-imports sees only static imports; these catch import('electron'),
// require('electron') and TypeScript's `import x = require('electron')` (and electron/*).
const ELECTRON = String.raw`/^electron(\u002F.*)?$/`;
const noElectronAtRuntime = (message) => ({
  'no-restricted-syntax': [
    'error',
    { selector: `ImportExpression[source.value=${ELECTRON}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${ELECTRON}]`, message },
    { selector: `TSExternalModuleReference[expression.value=${ELECTRON}]`, message },
  ],
});
const CORE_MESSAGE = 'The main-process core must run under plain Node: only electron/main/shell/ may import electron.';
const CORE_BANNED = ['electron', 'electron/*', '**/shell/**', '**/renderer/**', 'react', 'react-dom', 'zustand'];

/** `room` may not import the rooms above it (tests and test support may). */
function layer(room, above, message) {
  return [
    {
      files: [`${room}/**/*.ts`],
      ignores: [`${room}/**/*.test.ts`],
      rules: restrictEach([
        [CORE_BANNED, CORE_MESSAGE],
        [above.map((r) => `**/${r}/**`), message],
      ]),
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'reports/**',
      'test-results/**',
      'playwright-report/**',
      'node_modules/**',
      'scripts/*.cjs',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      ...restrict(
        [[...NODE, 'electron', 'react', 'react-dom', 'undici', 'zustand', 'yaml', '**/electron/**', '**/renderer/**']],
        'shared/ is plain TypeScript used by every process: no Node, electron, React or transport libraries.',
      ),
      ...noElectronAtRuntime('shared/ is plain TypeScript used by every process: it never loads electron.'),
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/shell/**'],
    rules: {
      ...restrict([CORE_BANNED], CORE_MESSAGE),
      ...noElectronAtRuntime(CORE_MESSAGE),
    },
  },
  // Rooms inside the core, lowest first: an upward import fails the lint instead of waiting for a
  // review. Each rule repeats the electron boundary, because a later no-restricted-imports entry
  // for the same files replaces the earlier one.
  ...layer(
    'electron/main/inspect',
    ['upload', 'targets', 'openstack', 'core', 'cli', 'files', 'serve'],
    'The inspector imports nothing else of the core: it is a pure reader of files.',
  ),
  ...layer(
    'electron/main/files',
    ['upload', 'targets', 'openstack', 'inspect', 'core', 'cli', 'serve'],
    'files/ holds what every room needs about local files: it imports nothing else of the core.',
  ),
  ...layer(
    'electron/main/openstack',
    ['upload', 'targets', 'core', 'cli', 'serve'],
    'The cloud clients import nothing of the engine, its targets, the services or the CLI.',
  ),
  ...layer(
    'electron/main/upload',
    ['targets', 'openstack', 'core', 'cli', 'serve'],
    'The engine names no image service: it imports no target, no cloud client, no service and no CLI.',
  ),
  ...layer('electron/main/targets', ['core', 'cli', 'serve'], 'A target imports nothing of the services or the CLI.'),
  ...layer(
    'electron/main/core',
    ['cli', 'serve'],
    'core/ is what the shells serve: it imports none of them (serve/, cli/, shell/).',
  ),
  {
    // A shell over the core, like shell/ but without electron: it talks to the core's service only.
    files: ['electron/main/serve/**/*.ts'],
    ignores: ['electron/main/serve/**/*.test.ts'],
    rules: restrictEach([
      [CORE_BANNED, CORE_MESSAGE],
      [
        ['**/upload/**', '**/targets/**', '**/openstack/**', '**/inspect/**', '**/cli/**', 'undici', 'yaml'],
        'electron/main/serve/ may import core/, shared/ and Node only (plus electron/main/errors.ts).',
      ],
    ]),
  },
  ...layer(
    'electron/main/objstore',
    ['upload', 'targets', 'core', 'cli', 'inspect', 'serve', 'openstack', 'huawei', 'files', 'testing'],
    'electron/main/objstore/ may import shared/ and electron/main/errors.ts, nothing else of the core: the engine uses it, not the reverse.',
  ),
  // The Huawei clients (IAM, the APIG signer, IMS) sit beside openstack/: they may use it, shared/
  // and errors.ts, never the engine, a target, the services, the CLI, the shell or the test helpers.
  ...layer(
    'electron/main/huawei',
    ['upload', 'targets', 'core', 'cli', 'inspect', 'serve', 'testing'],
    'electron/main/huawei/ holds cloud clients: it may import shared/, errors.ts and openstack/, nothing of upload/, targets/, core/, cli/, inspect/, shell/ or testing/.',
  ),
  {
    files: ['electron/preload/**/*.ts'],
    rules: restrict(
      [[...NODE, 'undici', 'yaml', '**/electron/main/**', '**/renderer/**', 'react']],
      'A sandboxed preload can only use electron and shared/.',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      ...restrict(
        [[...NODE, 'electron', 'electron/*', '**/electron/**', 'undici', 'yaml']],
        'The renderer talks to main only through window.imagedrop (shared/ipc.ts).',
      ),
      ...noElectronAtRuntime('The renderer talks to main only through window.imagedrop (shared/ipc.ts).'),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
);
