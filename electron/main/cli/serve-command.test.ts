import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './index.ts';
import { findRendererDir } from './serve-command.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-serve-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  return { io: { stdout, stderr, env, cwd: dir }, out, err };
}

describe('cli serve', () => {
  it('is listed in help with its flags', async () => {
    const { io: streams, out } = io();
    expect(await main(['help'], streams, new AbortController().signal)).toBe(0);
    expect(out.join('')).toContain('serve [--port N] [--root DIR]... [--host ADDR --cert FILE --key FILE]');
  });

  it('a bad flag or an unsafe bind: exit 2 and one sentence on stderr, nothing on stdout', async () => {
    for (const [argv, sentence] of [
      [['--port', 'x'], /^--port x is not a port number/],
      [
        ['--host', '0.0.0.0'],
        /^Imagedrop serves your files and cloud sign-ins, so it listens on 0\.0\.0\.0 only with TLS/,
      ],
      [['--root', 'missing'], /^--root missing: .* does not exist/],
    ] as const) {
      const { io: streams, out, err } = io({ IMAGEDROP_DATA_DIR: path.join(dir, 'data'), IMAGEDROP_RENDERER_DIR: dir });
      await writeFile(path.join(dir, 'index.html'), '<html><head></head></html>');
      expect(await main(['serve', ...argv], streams, new AbortController().signal)).toBe(2);
      expect(err.join('')).toMatch(sentence);
      expect(err.join('').trim().split('\n')).toHaveLength(1);
      expect(out).toEqual([]);
    }
  });

  it('an unbuilt web app: how to build it', async () => {
    const { io: streams, err } = io({ IMAGEDROP_DATA_DIR: path.join(dir, 'data'), IMAGEDROP_RENDERER_DIR: dir });
    expect(await main(['serve'], streams, new AbortController().signal)).toBe(2);
    expect(err.join('')).toMatch(/^The web app is not built .*run `npm run build:renderer`/);
  });

  it('finds dist/renderer going up from the bundle or the sources, or takes IMAGEDROP_RENDERER_DIR', async () => {
    await mkdir(path.join(dir, 'dist', 'renderer'), { recursive: true });
    await mkdir(path.join(dir, 'dist', 'cli', 'chunks'), { recursive: true });
    await writeFile(path.join(dir, 'dist', 'renderer', 'index.html'), '');
    expect(findRendererDir({}, path.join(dir, 'dist', 'cli', 'chunks'))).toBe(path.join(dir, 'dist', 'renderer'));
    expect(findRendererDir({ IMAGEDROP_RENDERER_DIR: 'elsewhere' }, dir)).toBe(path.resolve('elsewhere'));
  });
});
