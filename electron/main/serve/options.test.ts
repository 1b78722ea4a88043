import { describe, expect, it } from 'vitest';
import { ImagedropError } from '../errors.ts';
import { parseServeArgs, serveArgvFrom } from './options.ts';

function problem(argv: string[]): string {
  try {
    parseServeArgs(argv, '/work');
  } catch (e) {
    expect(e).toBeInstanceOf(ImagedropError);
    expect((e as ImagedropError).code).toBe('serve/bad-option');
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseServeArgs', () => {
  it('defaults: a free port on 127.0.0.1, the current folder shared', () => {
    expect(parseServeArgs([], '/work')).toEqual({ port: 0, host: '127.0.0.1', roots: ['/work'] });
  });

  it('takes --port, repeated --root, --host with --cert and --key', () => {
    expect(
      parseServeArgs(
        ['--port', '8443', '--root', '/srv/a', '--root', 'b', '--host', '0.0.0.0', '--cert', 'c.pem', '--key', 'k.pem'],
        '/work',
      ),
    ).toEqual({ port: 8443, host: '0.0.0.0', roots: ['/srv/a', 'b'], certFile: 'c.pem', keyFile: 'k.pem' });
  });

  it('takes an IPv6 address with or without brackets', () => {
    expect(parseServeArgs(['--host', '[::1]'], '/w').host).toBe('::1');
    expect(parseServeArgs(['--host', '::1'], '/w').host).toBe('::1');
  });

  it.each([
    [['--port', 'http'], /--port http is not a port number/],
    [['--port', '70000'], /--port 70000 is not a port number/],
    [['--port', '-1'], /--port/],
    [['--cert', 'c.pem'], /both --cert FILE and --key FILE/],
    [['--host', 'a b'], /--host a b is not an address/],
    [['--bogus'], /Unknown option '--bogus'.*usage: serve/],
    [['disk.qcow2'], /serve takes no file names \(disk.qcow2\): share their folder with --root DIR/],
  ])('%j: one sentence', (argv, message) => {
    expect(problem(argv)).toMatch(message);
  });
});

describe('serveArgvFrom (the packaged app)', () => {
  it('finds `serve` after the executable, or after the app path when unpackaged', () => {
    expect(serveArgvFrom(['/opt/Imagedrop/imagedrop', 'serve', '--port', '0'], false)).toEqual(['--port', '0']);
    expect(serveArgvFrom(['/usr/bin/electron', '.', 'serve'], true)).toEqual([]);
    expect(
      serveArgvFrom(['/opt/Imagedrop/imagedrop', '--ozone-platform=headless', 'serve', '--root', '/srv'], false),
    ).toEqual(['--root', '/srv']);
  });

  it('a normal start, or a file named like a flag value, is not serve', () => {
    expect(serveArgvFrom(['/opt/Imagedrop/imagedrop'], false)).toBeNull();
    expect(serveArgvFrom(['/opt/Imagedrop/imagedrop', 'disk.qcow2', 'serve'], false)).toBeNull();
    expect(serveArgvFrom(['/usr/bin/electron', '.'], true)).toBeNull();
  });
});
