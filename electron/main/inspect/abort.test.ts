// inspectFile with an AbortSignal: a read that never returns (a dead network mount) is abandoned on
// abort, and the file is closed once the read comes back. Node cannot hang a read on demand, so the
// file handle's read is the one thing replaced here: it waits until the test releases it.
import type * as FsPromises from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toAppError } from '../errors.ts';
import { inspectFile } from './inspect-file.ts';
import { Scratch } from './test-images.ts';

const hang = vi.hoisted(() => ({
  enabled: false,
  reads: 0,
  closed: 0,
  release: [] as (() => void)[],
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  async function open(...args: Parameters<typeof real.open>) {
    const handle = await real.open(...args);
    if (!hang.enabled) return handle;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'read')
          return () => {
            hang.reads++;
            return new Promise((resolve) =>
              hang.release.push(() => resolve({ bytesRead: 0, buffer: Buffer.alloc(0) })),
            );
          };
        if (prop === 'close')
          return async () => {
            hang.closed++;
            await target.close();
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  return { ...real, open, default: { ...real, open } };
});

describe('inspectFile with an AbortSignal', () => {
  let s: Scratch;
  let path: string;
  beforeAll(() => {
    s = new Scratch();
    path = s.write('disk.img', Buffer.alloc(256 * 1024, 1));
  });
  afterAll(() => s.remove());

  it('abandons an inspection stuck on a read as soon as the signal aborts, and closes the file later', async () => {
    hang.enabled = true;
    try {
      const controller = new AbortController();
      const inspecting = inspectFile(path, { signal: controller.signal });
      await vi.waitFor(() => expect(hang.reads).toBeGreaterThan(0));
      const started = Date.now();
      controller.abort();
      const error: unknown = await inspecting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(500);
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(toAppError(error).code).toBe('upload/cancelled');
      expect(hang.closed).toBe(0); // the read is still pending: closing now would wait for it
      for (const release of hang.release.splice(0)) release();
      await vi.waitFor(() => expect(hang.closed).toBe(1));
      expect(hang.release).toEqual([]); // no read was started after the abort
    } finally {
      hang.enabled = false;
    }
  });

  it('rejects at once, without opening the file, when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(inspectFile(s.path('missing.img'), { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('changes nothing while the signal is not aborted', async () => {
    const report = await inspectFile(path, { signal: new AbortController().signal });
    expect(report).toMatchObject({ format: 'raw', size: 256 * 1024, safe: true });
  });
});
