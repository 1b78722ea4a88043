import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeFrame, FakeWebContents, type FakeFrame } from '../testing/fake-electron.ts';
import { appFiles, isRendererUrl, isTrustedSender, type WindowLike } from './trust.ts';

const files = appFiles('/opt/Imagedrop/resources/app.asar/dist/electron');
const url = files.rendererUrl;

function window(frameUrl = url): { win: WindowLike & { destroyed: boolean }; wc: FakeWebContents; top: FakeFrame } {
  const wc = new FakeWebContents();
  wc.mainFrame = fakeFrame(frameUrl, 42);
  const win = {
    destroyed: false,
    isDestroyed() {
      return this.destroyed;
    },
    webContents: wc,
  };
  return { win, wc, top: wc.mainFrame };
}

describe('appFiles', () => {
  it('finds the preload and the renderer next to the bundled main script, and shows it on app://', () => {
    expect(files.preload).toBe(path.join('/opt/Imagedrop/resources/app.asar/dist/electron/preload.cjs'));
    expect(files.rendererDir).toBe(path.join('/opt/Imagedrop/resources/app.asar/dist/renderer'));
    expect(files.indexHtml).toBe(path.join('/opt/Imagedrop/resources/app.asar/dist/renderer/index.html'));
    expect(url).toBe('app://imagedrop/index.html');
  });
});

describe('isRendererUrl', () => {
  it('accepts our renderer, with or without a fragment', () => {
    expect(isRendererUrl(url, url)).toBe(true);
    expect(isRendererUrl(`${url}#/queue`, url)).toBe(true);
  });

  it.each([
    `${url}.evil.html`,
    `${url}/x`,
    url.replace('index.html', 'index.htm'),
    url.replace('index.html', 'assets/index.js'),
    'app://imagedrop/',
    'app://imagedrop/Index.html',
    'app://evil/index.html',
    'app://imagedrop.evil/index.html',
    'app://imagedrop:8080/index.html',
    'app://user@imagedrop/index.html',
    `${url}?x=1`,
    // The old file:// renderer, and the same path anywhere else, no longer pass.
    'file:///opt/Imagedrop/resources/app.asar/dist/renderer/index.html',
    'file://evil.example/opt/Imagedrop/resources/app.asar/dist/renderer/index.html',
    'https://imagedrop/index.html',
    'http://imagedrop/index.html',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    '',
    'index.html',
  ])('refuses %s', (candidate) => {
    expect(isRendererUrl(candidate, url)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('accepts the top frame of our window showing our renderer', () => {
    const { win, wc, top } = window();
    expect(isTrustedSender(wc, top, win, url)).toBe(true);
  });

  it('accepts a fresh frame object for the same top frame (same frame tree node)', () => {
    const { win, wc } = window();
    expect(isTrustedSender(wc, fakeFrame(url, 42), win, url)).toBe(true);
  });

  it('refuses our window once it shows another URL', () => {
    const { win, wc, top } = window('https://evil.example/');
    expect(isTrustedSender(wc, top, win, url)).toBe(false);
  });

  it('refuses a subframe, even one showing our renderer', () => {
    const { win, wc, top } = window();
    const child = fakeFrame(url, 43, top);
    expect(isTrustedSender(wc, child, win, url)).toBe(false);
  });

  it('refuses a top frame of another frame tree', () => {
    const { win, wc } = window();
    expect(isTrustedSender(wc, fakeFrame(url, 7), win, url)).toBe(false);
  });

  it('refuses another webContents', () => {
    const { win, top } = window();
    expect(isTrustedSender(new FakeWebContents(), top, win, url)).toBe(false);
  });

  it('refuses when the window is destroyed, missing, or the frame is gone', () => {
    const { win, wc, top } = window();
    expect(isTrustedSender(wc, top, null, url)).toBe(false);
    expect(isTrustedSender(wc, null, win, url)).toBe(false);
    expect(isTrustedSender(null, top, win, url)).toBe(false);
    expect(isTrustedSender(wc, { ...top, detached: true }, win, url)).toBe(false);
    expect(isTrustedSender(wc, { ...top, isDestroyed: () => true }, win, url)).toBe(false);
    wc.destroyed = true;
    expect(isTrustedSender(wc, top, win, url)).toBe(false);
    wc.destroyed = false;
    win.destroyed = true;
    expect(isTrustedSender(wc, top, win, url)).toBe(false);
  });
});
