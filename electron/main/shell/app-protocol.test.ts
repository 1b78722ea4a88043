// The app:// scheme that serves the renderer (issue 8, item 14): which requests name which file of
// the build folder, which are refused, with which type and headers. A real folder on disk with a
// secret next to it, and the handler fed real Request objects, as protocol.handle feeds it.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  APP_SCHEME_PRIVILEGES,
  MIME_TYPES,
  appProtocolHandler,
  registerAppScheme,
  resolveAppRequest,
  serveAppProtocol,
} from './app-protocol.ts';
import { RENDERER_CSP } from '../../../shared/csp.ts';

let root: string;
let renderer: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'imagedrop-app-protocol-'));
  renderer = path.join(root, 'dist', 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Imagedrop</title>');
  await writeFile(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(renderer, 'assets', 'index-abc.js.map'), '{}');
  await writeFile(path.join(root, 'dist', 'secret.txt'), 'SECRET');
  await writeFile(path.join(root, 'secret.html'), 'SECRET');
  // A symlink inside the folder that leads out of it.
  await symlink(path.join(root, 'secret.html'), path.join(renderer, 'assets', 'escape.html'));
  await mkdir(path.join(renderer, 'dir.js'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveAppRequest', () => {
  it.each([
    ['app://imagedrop/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['app://imagedrop/', 'index.html', 'text/html; charset=utf-8'],
    ['app://imagedrop', 'index.html', 'text/html; charset=utf-8'],
    ['app://imagedrop/index.html#/queue', 'index.html', 'text/html; charset=utf-8'],
    ['app://imagedrop/index.html?x=1', 'index.html', 'text/html; charset=utf-8'],
    ['app://imagedrop/assets/index-abc.js', 'assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['app://imagedrop/assets/index-abc.css', 'assets/index-abc.css', 'text/css; charset=utf-8'],
    ['app://imagedrop/assets/My%20Icon.svg', 'assets/My Icon.svg', 'image/svg+xml'],
    ['app://imagedrop//assets//index-abc.js', 'assets//index-abc.js', 'text/javascript; charset=utf-8'],
  ])('%s → %s', (url, file, mime) => {
    expect(resolveAppRequest(url, renderer)).toEqual({ kind: 'file', file: path.join(renderer, file), mime });
  });

  it.each([
    ['app://imagedrop/../secret.txt', 403],
    ['app://imagedrop/assets/../../secret.txt', 403],
    ['app://imagedrop/%2e%2e/secret.txt', 403],
    ['app://imagedrop/%2E%2E/%2E%2E/secret.html', 403],
    ['app://imagedrop/./index.html', 403],
    ['app://imagedrop/..%2fsecret.txt', 400],
    ['app://imagedrop/%2e%2e%2fsecret.txt', 400],
    ['app://imagedrop/..%5csecret.txt', 400],
    ['app://imagedrop/..\\secret.txt', 400],
    ['app://imagedrop/%252e%252e/secret.txt', 400],
    ['app://imagedrop/index.html%00.js', 400],
    ['app://imagedrop/%E0%A4%A', 400],
    ['app://imagedrop/assets/index-abc.js.map', 404],
    ['app://imagedrop/secret', 404],
    ['app://evil/index.html', 404],
    ['app://imagedrop.evil/index.html', 404],
    ['file:///etc/passwd', 404],
    ['https://imagedrop/index.html', 404],
    ['app://user:pw@imagedrop/index.html', 400],
    ['app://imagedrop:1234/index.html', 404],
    ['not a url', 400],
  ])('refuses %s (%i)', (url, status) => {
    expect(resolveAppRequest(url, renderer)).toMatchObject({ kind: 'refused', status });
  });

  it('answers GET and HEAD only', () => {
    expect(resolveAppRequest(APP_INDEX_URL, renderer, 'HEAD').kind).toBe('file');
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS'])
      expect(resolveAppRequest(APP_INDEX_URL, renderer, method)).toMatchObject({ kind: 'refused', status: 405 });
  });

  it('has a type for every kind of file a Vite build of the renderer holds', () => {
    expect(Object.keys(MIME_TYPES)).toEqual(expect.arrayContaining(['.html', '.js', '.css', '.svg', '.png', '.woff2']));
  });
});

describe('the app:// handler', () => {
  const handler = () => appProtocolHandler(renderer);
  const get = (url: string, method = 'GET') => handler()(new Request(url, { method }));

  it('serves the renderer with its type, our CSP and no sniffing', async () => {
    const res = await get(APP_INDEX_URL);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<!doctype html><title>Imagedrop</title>');
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
    });
    const js = await get('app://imagedrop/assets/index-abc.js');
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log(1)',
    ]);
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it.each([
    // A Request (like Chromium for a standard scheme) resolves dot segments, %2e%2e included,
    // before the handler sees the URL: these arrive as app://imagedrop/secret.* and are not there.
    ['app://imagedrop/../secret.txt', 404],
    ['app://imagedrop/%2e%2e/secret.html', 404],
    ['app://imagedrop/..%2fsecret.html', 400], // an encoded slash is not resolved: refused as such
    ['app://imagedrop/assets/escape.html', 403], // a symlink out of the folder
    ['app://imagedrop/dir.js', 404], // a folder
    ['app://imagedrop/missing.js', 404],
    ['app://evil/index.html', 404],
  ])('refuses %s with %i and never a byte of a file outside', async (url, status) => {
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
  });

  it('a POST is 405', async () => {
    expect((await handler()(new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('registers app:// as a standard, secure scheme, then serves it from the folder it is given', async () => {
    const calls: unknown[] = [];
    let served: ((r: Request) => Promise<Response>) | null = null;
    const protocol = {
      registerSchemesAsPrivileged: (schemes: unknown[]) => calls.push(schemes),
      handle: (scheme: string, h: (r: Request) => Promise<Response>) => {
        calls.push(scheme);
        served = h;
      },
    };
    registerAppScheme(protocol);
    serveAppProtocol(protocol, renderer);
    expect(calls).toEqual([[{ scheme: 'app', privileges: APP_SCHEME_PRIVILEGES }], 'app']);
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true, codeCache: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect((await served!(new Request(APP_INDEX_URL))).status).toBe(200);
  });
});
