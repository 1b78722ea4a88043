// Imported first by every renderer test: a fresh store and no leftover DOM or bridge between
// cases (the renderer project has no setupFiles, and vitest globals are off, so RTL does not
// clean up by itself).
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { setApi } from '../bridge.ts';
import { setLocale } from '../i18n/index.ts';
import { resetStore } from '../store/index.ts';
import { setRenderProbe } from '../views/render-probe.ts';
import { FakeApi, type FakeApiOptions } from './fake-api.ts';

beforeEach(() => {
  resetStore();
});

afterEach(async () => {
  cleanup();
  await setLocale('en', false); // every test starts in English
  setApi(null);
  setRenderProbe(null);
  vi.useRealTimers();
  resetStore();
});

/** A fresh fake, installed as the bridge's API. */
export function installFakeApi(options: FakeApiOptions = {}): FakeApi {
  const api = new FakeApi(options);
  setApi(api);
  return api;
}
