// Builds the Electron main process (electron/main/shell/main.ts) or the preload
// (electron/preload/index.ts), chosen by --mode, into one CommonJS file each. Separate builds,
// because a sandboxed preload cannot require() a shared chunk.
import { defineConfig } from 'vite';
import { builtinModules } from 'node:module';

export default defineConfig(({ mode }) => {
  const isPreload = mode === 'preload';
  return {
    build: {
      outDir: 'dist/electron',
      emptyOutDir: false,
      target: 'node22',
      ssr: isPreload ? 'electron/preload/index.ts' : 'electron/main/shell/main.ts',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: isPreload ? 'preload.cjs' : 'main.cjs' },
      },
    },
    ssr: { noExternal: true }, // bundle undici, yaml and zod into main.cjs: the asar then needs no node_modules
  };
});
