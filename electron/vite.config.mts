// Builds, by --mode:
//   main     electron/main/shell/main.ts → dist/electron/main.cjs (the Electron main process)
//   preload  electron/preload/index.ts   → dist/electron/preload.cjs (a sandboxed preload cannot
//            require() a shared chunk, hence its own build)
//   cli      electron/main/cli/index.ts  → dist/cli/imagedrop.mjs (what `npm run cli` runs: plain
//            JavaScript starts ~0.3 s faster and ~25 MB lighter than the TypeScript sources)
import { defineConfig } from 'vite';
import { builtinModules } from 'node:module';

const external = ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default defineConfig(({ mode }) => {
  if (mode === 'cli') {
    return {
      build: {
        outDir: 'dist/cli',
        emptyOutDir: true,
        target: 'node22',
        ssr: 'electron/main/cli/index.ts',
        minify: false,
        sourcemap: true,
        rollupOptions: {
          external,
          output: { format: 'es', entryFileNames: 'imagedrop.mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
        },
      },
      ssr: { noExternal: true },
    };
  }
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
        external,
        output: { format: 'cjs', entryFileNames: isPreload ? 'preload.cjs' : 'main.cjs' },
      },
    },
    ssr: { noExternal: true }, // bundle undici, yaml and zod: the asar then needs no node_modules
  };
});
