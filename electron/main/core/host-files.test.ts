// The host browser's rules on a real file system: only inside the shared folders, no `..`, no
// encoded separators, no link out, no device, FIFO or socket; listings with sizes and verdicts.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DIRECTORY_ENTRIES, MAX_INSPECTED_ENTRIES } from '../../../shared/ipc.ts';
import { ImagedropError } from '../errors.ts';
import { HostFiles, isInside, pathShapeProblem, resolveHostRoots } from './host-files.ts';

let base: string;
let root: string;
let outside: string;
let files: HostFiles;
let socketServer: net.Server;

async function refusal(work: Promise<unknown>): Promise<ImagedropError> {
  const e = await work.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a refusal').toBeInstanceOf(ImagedropError);
  return e as ImagedropError;
}

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'imagedrop-hostfiles-')));
  root = path.join(base, 'images');
  outside = path.join(base, 'secret');
  await mkdir(path.join(root, 'nested', 'deeper'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, 'passwd'), 'root:x:0:0\n');
  // A qcow2 header (version 3, 1 GiB virtual) and a raw file.
  const qcow2 = Buffer.alloc(512);
  qcow2.write('QFI\xfb', 0, 'latin1');
  qcow2.writeUInt32BE(3, 4);
  qcow2.writeBigUInt64BE(1n << 30n, 24);
  qcow2.writeUInt32BE(16, 20); // cluster bits
  qcow2.writeUInt32BE(104, 100); // header length
  await writeFile(path.join(root, 'disk.qcow2'), qcow2);
  await writeFile(path.join(root, 'a.raw'), Buffer.alloc(4096, 1));
  await writeFile(path.join(root, 'nested', 'b.raw'), Buffer.alloc(1024, 2));
  await symlink(path.join(outside, 'passwd'), path.join(root, 'link-out'));
  await symlink(outside, path.join(root, 'dir-out'));
  await symlink(path.join(root, 'a.raw'), path.join(root, 'link-in.raw'));
  await symlink(path.join(root, 'missing'), path.join(root, 'broken'));
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
  socketServer = net.createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(root, 'sock'), resolve));
  files = new HostFiles(await resolveHostRoots([root], base));
});

afterAll(async () => {
  await new Promise<void>((resolve) => socketServer.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});

describe('path shapes', () => {
  it.each([
    ['/srv/images/../etc', '"." or ".."'],
    ['/srv/images/./a.raw', '"." or ".."'],
    ['/srv/images/%2e%2e/etc', 'percent-encoded'],
    ['/srv/images/%2E%2e%2Fetc', 'percent-encoded'],
    ['/srv/images%2fetc', 'percent-encoded'],
    ['/srv/images/a%00b', 'percent-encoded'],
    ['relative/a.raw', 'absolute'],
    ['/srv/a\0b', 'NUL'],
  ])('%s is refused (%s)', (p, why) => {
    expect(pathShapeProblem(p)).toContain(why);
  });

  it('a plain absolute path, with a literal % elsewhere, passes', () => {
    expect(pathShapeProblem('/srv/images/100% done.raw')).toBeNull();
    expect(pathShapeProblem('/srv/images/..hidden')).toBeNull();
  });

  it('isInside compares whole segments', () => {
    expect(isInside('/srv/images/a', '/srv/images')).toBe(true);
    expect(isInside('/srv/images', '/srv/images')).toBe(true);
    expect(isInside('/srv/images-old/a', '/srv/images')).toBe(false);
    expect(isInside('/etc', '/')).toBe(true);
  });
});

describe('resolveHostRoots', () => {
  it('takes real paths of folders, relative to the current folder, once each', async () => {
    expect(await resolveHostRoots(['images', root, `${root}/`], base)).toEqual([root]);
  });

  it('refuses a missing root and a file with one sentence each', async () => {
    expect((await refusal(resolveHostRoots(['nope'], base))).message).toMatch(/--root nope: .* does not exist/);
    expect((await refusal(resolveHostRoots([path.join(root, 'a.raw')], base))).message).toMatch(/is not a folder/);
  });
});

describe('HostFiles.list', () => {
  it('lists folders first, then the rest by name, with sizes and the inspector verdicts', async () => {
    const listing = await files.list(root);
    expect(listing.path).toBe(root);
    expect(listing.root).toBe(root);
    expect(listing.parent).toBeNull();
    expect(listing.omitted).toBe(0);
    const byName = Object.fromEntries(listing.entries.map((e) => [e.name, e]));
    expect(listing.entries.map((e) => e.name)).toEqual([
      'nested',
      'a.raw',
      'broken',
      'dir-out',
      'disk.qcow2',
      'link-in.raw',
      'link-out',
      'pipe',
      'sock',
    ]);
    expect(byName['nested']).toMatchObject({ kind: 'directory', path: path.join(root, 'nested') });
    expect(byName['a.raw']).toMatchObject({ kind: 'file', size: 4096 });
    expect(byName['a.raw']!.check).toMatchObject({ ok: true, inspection: { format: 'raw', safe: true } });
    expect(byName['disk.qcow2']!.check).toMatchObject({
      ok: true,
      inspection: { format: 'qcow2', virtualSize: 1024 ** 3 },
    });
    // A link inside the shared folders is shown by its target's real path.
    expect(byName['link-in.raw']).toMatchObject({ kind: 'file', path: path.join(root, 'a.raw') });
    expect(byName['link-out']).toMatchObject({ kind: 'other', refused: 'a link to outside the shared folders' });
    expect(byName['dir-out']).toMatchObject({ kind: 'other', refused: 'a link to outside the shared folders' });
    expect(byName['broken']).toMatchObject({ kind: 'other', refused: 'a broken link' });
    expect(byName['pipe']).toMatchObject({ kind: 'other', refused: 'a named pipe (FIFO)' });
    expect(byName['sock']).toMatchObject({ kind: 'other', refused: 'a socket' });
    // Nothing of what is out of bounds is inspected (or opened: a FIFO would block).
    for (const name of ['link-out', 'dir-out', 'pipe', 'sock']) expect(byName[name]!.check).toBeUndefined();
  });

  it('a subfolder knows its parent; the top of the root has none', async () => {
    const nested = await files.list(path.join(root, 'nested'));
    expect(nested.parent).toBe(root);
    expect(nested.entries.map((e) => e.name)).toEqual(['deeper', 'b.raw']);
  });

  it.each([
    ['the folder above the root', () => path.dirname(root)],
    ['a folder beside it', () => outside],
    ['/etc', () => '/etc'],
    ['a path through ..', () => `${root}/../secret`],
    ['a percent-encoded ..', () => `${root}/%2e%2e/secret`],
    ['a link out of the root', () => path.join(root, 'dir-out')],
  ])('refuses %s', async (_what, p) => {
    expect((await refusal(files.list(p()))).code).toBe('file/outside-roots');
  });

  it('caps a huge folder and inspects only the first files', async () => {
    const big = path.join(root, 'nested', 'deeper');
    const count = MAX_DIRECTORY_ENTRIES + 3;
    await Promise.all(
      Array.from({ length: count }, (_, i) => writeFile(path.join(big, `f${String(i).padStart(5, '0')}.raw`), 'x')),
    );
    const listing = await files.list(big);
    expect(listing.entries).toHaveLength(MAX_DIRECTORY_ENTRIES);
    expect(listing.omitted).toBe(3);
    expect(listing.entries.filter((e) => e.check !== undefined)).toHaveLength(MAX_INSPECTED_ENTRIES);
    expect(listing.entries[0]!.check).toBeDefined();
    expect(listing.entries[MAX_INSPECTED_ENTRIES]!.check).toBeUndefined();
  }, 60_000);
});

describe('HostFiles.resolveFiles', () => {
  it('answers real paths of regular files inside the roots, links followed', async () => {
    expect(await files.resolveFiles([path.join(root, 'a.raw'), path.join(root, 'link-in.raw')])).toEqual([
      path.join(root, 'a.raw'),
      path.join(root, 'a.raw'),
    ]);
  });

  it.each([
    ['a file outside', () => path.join(outside, 'passwd'), 'file/outside-roots'],
    ['a link to a file outside', () => path.join(root, 'link-out'), 'file/outside-roots'],
    ['a path through ..', () => `${root}/../secret/passwd`, 'file/outside-roots'],
    ['an encoded path', () => `${root}/%2e%2e/secret/passwd`, 'file/outside-roots'],
    ['a FIFO', () => path.join(root, 'pipe'), 'file/not-a-file'],
    ['a socket', () => path.join(root, 'sock'), 'file/not-a-file'],
    ['a folder', () => path.join(root, 'nested'), 'file/not-a-file'],
    ['a missing file', () => path.join(root, 'missing.raw'), 'file/not-found'],
  ])('refuses %s', async (_what, p, code) => {
    expect((await refusal(files.resolveFiles([p()]))).code).toBe(code);
  });

  it('refuses device files (/dev shared as a root)', async () => {
    const dev = new HostFiles(await resolveHostRoots(['/dev'], '/'));
    const e = await refusal(dev.resolveFiles(['/dev/null']));
    expect(e.code).toBe('file/not-a-file');
    expect(e.message).toMatch(/\/dev\/null is a character device/);
    const listing = await dev.list('/dev');
    expect(listing.entries.find((x) => x.name === 'null')).toMatchObject({
      kind: 'other',
      refused: 'a character device',
    });
  });

  it('with no roots (the app), every path is refused with a pointer to the native picker', async () => {
    const none = new HostFiles([]);
    expect(none.roots()).toEqual([]);
    const e = await refusal(none.list('/'));
    expect(e.code).toBe('file/outside-roots');
    expect(e.message).toContain('Choose files…');
  });
});
