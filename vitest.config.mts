// Three projects:
//   unit         pure and local tests, in parallel
//   integration  *.int.test.ts: against the real Keystone + Glance on 127.0.0.1, one file at a time
//                (they share one cloud, its quota and its glance-api); the cloud is started when down
//   renderer     stores and views, in jsdom
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/unit.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{shared,electron,bench,scripts}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{shared,electron,bench,scripts}/**/*.int.test.ts'],
          environment: 'node',
          globalSetup: ['electron/main/testing/cloud-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
