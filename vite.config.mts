// The renderer. `base: './'` gives relative asset URLs: they resolve under app://imagedrop/ (how the
// app serves it) and under file:// (how the e2e harness loads the build).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
