// Files that cannot be inspected give a clear ImagedropError, never a hang; the inspector never writes.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from './index.ts';
import { Scratch } from './test-images.ts';

const isRoot = process.getuid?.() === 0;

describe('files that cannot be inspected', () => {
  let s: Scratch;
  let server: Server | undefined;
  beforeAll(() => {
    s = new Scratch();
  });
  afterAll(() => {
    server?.close();
    s.remove();
  });

  it('throws file/not-found for a missing file', async () => {
    const path = s.path('missing.qcow2');
    await expect(inspectFile(path)).rejects.toMatchObject({
      code: 'file/not-found',
      message: expect.stringContaining(path),
    });
  });

  it('throws file/not-a-file for a directory', async () => {
    const dir = s.path('folder.qcow2');
    mkdirSync(dir);
    await expect(inspectFile(dir)).rejects.toMatchObject({
      code: 'file/not-a-file',
      message: expect.stringContaining('a folder'),
    });
  });

  it('throws file/not-a-file for a FIFO without a writer, without waiting for one', { timeout: 2000 }, async () => {
    const fifo = s.path('pipe.img');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(inspectFile(fifo)).rejects.toMatchObject({
      code: 'file/not-a-file',
      message: expect.stringContaining('named pipe'),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('throws file/not-a-file for a socket', { timeout: 2000 }, async () => {
    const path = s.path('listen.sock');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(path, resolve));
    await expect(inspectFile(path)).rejects.toMatchObject({
      code: 'file/not-a-file',
      message: expect.stringContaining('socket'),
    });
  });

  it(
    'throws file/not-a-file for character devices (and so never reads /dev/zero forever)',
    { timeout: 2000 },
    async () => {
      await expect(inspectFile('/dev/null')).rejects.toMatchObject({ code: 'file/not-a-file' });
      await expect(inspectFile('/dev/zero')).rejects.toMatchObject({
        code: 'file/not-a-file',
        message: expect.stringContaining('character device'),
      });
    },
  );

  it('throws file/unreadable for a file without read permission', async () => {
    chmodSync(s.dir, 0o755);
    const path = s.write('secret.qcow2', 'x');
    chmodSync(path, 0o000);
    if (!isRoot) {
      await expect(inspectFile(path)).rejects.toMatchObject({ code: 'file/unreadable' });
      return;
    }
    // root reads every file whatever its mode: ask from a child process that runs as nobody instead.
    const script = `const { inspectFile } = await import(${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))});
      try { await inspectFile(${JSON.stringify(path)}); console.log('{}'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const out = execFileSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({ code: 'file/unreadable', message: expect.stringContaining('permission') });
  });

  it('leaves the file untouched (read-only open)', async () => {
    const path = s.write('untouched.img', Buffer.alloc(8192, 7));
    chmodSync(path, 0o444);
    const before = statSync(path);
    await inspectFile(path);
    const after = statSync(path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
    expect(readFileSync(path).equals(Buffer.alloc(8192, 7))).toBe(true);
  });
});
