// The page's transport under imagedrop serve, with fetch and EventSource that record and answer:
// each call is a same-origin JSON POST answered by a Result, events come from one stream, and
// reads wait for that stream to be open so that no event falls between the two.
import './testing/setup.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getApi, hasApi } from './bridge.ts';
import { createWebApi, isServedPage, STREAM_WAIT_MS, TRANSPORT_META_NAME } from './web-transport.ts';

class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static created: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeEventSource.created.push(this);
  }
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }
  send(channel: string, payload: unknown): void {
    this.dispatchEvent(new MessageEvent(channel, { data: JSON.stringify(payload) }));
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function setup(
  answer: (url: string, init: RequestInit) => Response | Promise<Response> = () => json({ ok: true, value: [] }),
) {
  FakeEventSource.created = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => answer(String(url), init ?? {}));
  const writeClipboard = vi.fn(async (_text: string) => {});
  const api = createWebApi({
    fetch: fetch as unknown as typeof globalThis.fetch,
    EventSource: FakeEventSource as unknown as typeof EventSource,
    writeClipboard,
  });
  return { api, fetch, writeClipboard };
}

afterEach(() => {
  document.head.querySelector(`meta[name="${TRANSPORT_META_NAME}"]`)?.remove();
});

describe('the web transport (imagedrop serve)', () => {
  it('POSTs each call to /api/<name> as a JSON argument list and answers the server’s Result', async () => {
    const { api, fetch } = setup(() => json({ ok: true, value: ['/srv/a.raw'] }));
    expect(await api.chooseHostFiles(['/srv/a.raw'])).toEqual({ ok: true, value: ['/srv/a.raw'] });
    expect(fetch).toHaveBeenCalledWith('/api/choose-host-files', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '[["/srv/a.raw"]]',
      credentials: 'same-origin',
      cache: 'no-store',
    });
    expect(api.fileChooser).toBe('host-browser');
    expect(api.pathForFile(new File(['x'], 'a.raw'))).toBe('');
  });

  it('passes a refusal through as it came (signed out), and says so when the server is gone or answers no Result', async () => {
    const signedOut = {
      ok: false,
      error: { code: 'serve/signed-out', message: 'Open the address again.', retryable: false },
    };
    expect(await setup(() => json(signedOut, 401)).api.listUploads()).toEqual(signedOut);
    const gone = await setup(() => Promise.reject(new TypeError('Failed to fetch'))).api.listUploads();
    expect(gone).toMatchObject({ ok: false, error: { code: 'serve/unreachable', retryable: true } });
    const proxy = await setup(() => new Response('<html>Bad Gateway</html>', { status: 502 })).api.listUploads();
    expect(proxy).toMatchObject({
      ok: false,
      error: { code: 'serve/unreachable', message: expect.stringContaining('HTTP 502') },
    });
  });

  it('one event stream for every subscription; events reach their own listeners until unsubscribed', () => {
    const { api } = setup();
    const batches: unknown[] = [];
    const removed: unknown[] = [];
    const off = api.onUploadsChanged((b) => batches.push(b));
    api.onUploadsRemoved((ids) => removed.push(ids));
    expect(FakeEventSource.created.map((s) => s.url)).toEqual(['/api/events']);
    const stream = FakeEventSource.created[0]!;
    stream.send('imagedrop:uploads-changed', [{ id: 'j1' }]);
    stream.send('imagedrop:uploads-removed', ['j0']);
    off();
    stream.send('imagedrop:uploads-changed', [{ id: 'j2' }]);
    expect(batches).toEqual([[{ id: 'j1' }]]);
    expect(removed).toEqual([['j0']]);
  });

  it('calls made after subscribing wait until the stream is open', async () => {
    const { api, fetch } = setup();
    api.onUploadsChanged(() => {});
    const listed = api.listUploads();
    await new Promise((r) => setTimeout(r, 20));
    expect(fetch).not.toHaveBeenCalled();
    FakeEventSource.created[0]!.open();
    expect(await listed).toEqual({ ok: true, value: [] });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('a stream that does not open in time does not hold the calls for ever', async () => {
    vi.useFakeTimers();
    const { api, fetch } = setup();
    api.onUploadsChanged(() => {});
    const listed = api.listUploads();
    await vi.advanceTimersByTimeAsync(STREAM_WAIT_MS);
    expect(await listed).toEqual({ ok: true, value: [] });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('copyText: the server validates the call, then the text goes to this browser’s clipboard', async () => {
    const { api, writeClipboard } = setup(() => json({ ok: true, value: null }));
    expect(await api.copyText('image-1')).toEqual({ ok: true, value: null });
    expect(writeClipboard).toHaveBeenCalledWith('image-1');
    writeClipboard.mockRejectedValueOnce(new DOMException('Document is not focused.', 'NotAllowedError'));
    expect(await api.copyText('image-2')).toMatchObject({ ok: false, error: { code: 'serve/clipboard' } });
    const refused = setup(() =>
      json({ ok: false, error: { code: 'ipc/invalid-request', message: 'x', retryable: false } }),
    );
    await refused.api.copyText('image-3');
    expect(refused.writeClipboard).not.toHaveBeenCalled();
  });

  it('the bridge uses it only in a page served by serve, and the preload’s API before it', () => {
    expect(isServedPage()).toBe(false);
    expect(hasApi()).toBe(false);
    const meta = document.createElement('meta');
    meta.name = TRANSPORT_META_NAME;
    meta.content = 'http';
    document.head.append(meta);
    expect(isServedPage()).toBe(true);
    expect(hasApi()).toBe(true);
    expect(getApi().fileChooser).toBe('host-browser');
    const preload = { fileChooser: 'native' } as unknown as typeof window.imagedrop;
    window.imagedrop = preload;
    expect(getApi()).toBe(preload);
    delete window.imagedrop;
  });
});
