import { describe, expect, it, vi } from 'vitest';
import { createImagedropApi, type ApiTransport } from './api-client.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type ImagedropApi } from './ipc.ts';

function fakeTransport() {
  const invoke = vi.fn(async (channel: string, args: readonly unknown[]) => ({ ok: true, value: { channel, args } }));
  const listeners = new Map<string, (p: unknown) => void>();
  const transport: ApiTransport = {
    invoke,
    on: (channel, listener) => {
      listeners.set(channel, listener);
      return () => listeners.delete(channel);
    },
    pathForFile: (file) => {
      if (file.name === 'link') throw new TypeError('not a File');
      return `/abs/${file.name}`;
    },
  };
  return { transport, invoke, listeners };
}

describe('createImagedropApi', () => {
  it('gives every contract method, each on its own channel', async () => {
    const { transport, invoke } = fakeTransport();
    const api = createImagedropApi(transport, { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS });
    for (const [method, channel] of Object.entries(INVOKE_CHANNELS)) {
      await (api[method as keyof ImagedropApi] as (...a: unknown[]) => Promise<unknown>)('x');
      expect(invoke).toHaveBeenLastCalledWith(channel, ['x']);
    }
    expect(Object.isFrozen(api)).toBe(true);
  });

  it("says how files are chosen: 'native' unless the transport says otherwise (serve: the host browser)", () => {
    const { transport } = fakeTransport();
    const channels = { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS };
    expect(createImagedropApi(transport, channels).fileChooser).toBe('native');
    expect(createImagedropApi({ ...transport, fileChooser: 'host-browser' }, channels).fileChooser).toBe(
      'host-browser',
    );
  });

  it('drops trailing undefined arguments (optional parameters)', async () => {
    const { transport, invoke } = fakeTransport();
    const api = createImagedropApi(transport, { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS });
    await api.resumeUploads(['a'], undefined);
    expect(invoke).toHaveBeenLastCalledWith('imagedrop:resume-uploads', [['a']]);
  });

  it('subscribes to events and returns the disposer', () => {
    const { transport, listeners } = fakeTransport();
    const api = createImagedropApi(transport, { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS });
    const seen: unknown[] = [];
    const off = api.onUploadsChanged((b) => seen.push(b));
    listeners.get('imagedrop:uploads-changed')!([{ id: 'a' }]);
    expect(seen).toEqual([[{ id: 'a' }]]);
    off();
    expect(listeners.has('imagedrop:uploads-changed')).toBe(false);
  });

  it("answers '' for a drop that is not a file on disk", () => {
    const { transport } = fakeTransport();
    const api = createImagedropApi(transport, { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS });
    expect(api.pathForFile({ name: 'disk.qcow2', size: 1 })).toBe('/abs/disk.qcow2');
    expect(api.pathForFile({ name: 'link', size: 0 })).toBe('');
  });

  it('is self-contained, so its source can be sent into a page', () => {
    const source = createImagedropApi.toString();
    // No import bindings and no helpers from outside the function body.
    expect(source).not.toMatch(/__vite_ssr_import|require\(|import\(/);
    const rebuilt = new Function(`return (${source})`)() as typeof createImagedropApi;
    const { transport } = fakeTransport();
    expect(Object.keys(rebuilt(transport, { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS })).length).toBe(
      Object.keys(INVOKE_CHANNELS).length + Object.keys(EVENT_CHANNELS).length + 2, // + pathForFile, fileChooser
    );
  });
});
