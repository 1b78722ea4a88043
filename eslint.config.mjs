// Lint, and the import boundaries of the three processes, enforced rather than described:
//   shared/                      plain TypeScript: no Node, no DOM libraries, no electron, no React
//   electron/main/** (not shell) the Node core: never imports electron, so it runs under plain Node
//   electron/main/shell/         the only main-process code that imports electron
//   electron/main/objstore/      the S3/OBS client and multipart uploader: shared/ and main's errors.ts
//                                only, nothing else of the core (the engine plugs it in, not the reverse)
//   electron/preload/            electron's renderer modules and shared/ only
//   renderer/                    React; never electron, Node or the main process
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const NODE = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group: [group].flat(), message })) }],
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
      ...restrict(
        [['electron', 'electron/*', '**/shell/**', '**/renderer/**', 'react', 'react-dom', 'zustand']],
        CORE_MESSAGE,
      ),
      ...noElectronAtRuntime(CORE_MESSAGE),
    },
  },
  {
    // A room inside the core: its own group list repeats the core's, since a later
    // no-restricted-imports replaces an earlier one for the same files.
    files: ['electron/main/objstore/**/*.ts'],
    ignores: ['electron/main/objstore/**/*.test.ts'],
    rules: {
      ...restrict(
        [
          [
            'electron',
            'electron/*',
            '**/shell/**',
            '**/renderer/**',
            'react',
            'react-dom',
            'zustand',
            '**/upload/**',
            '**/core/**',
            '**/cli/**',
            '**/openstack/**',
            '**/inspect/**',
            '**/testing/**',
          ],
        ],
        'electron/main/objstore/ may import shared/ and electron/main/errors.ts, nothing else of the core: the engine uses it, not the reverse.',
      ),
      ...noElectronAtRuntime(CORE_MESSAGE),
    },
  },
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
