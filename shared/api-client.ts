// Builds the renderer's `window.imagedrop` from a transport. The preload calls it with
// ipcRenderer as the transport; the page `imagedrop serve` serves calls it with HTTP and
// server-sent events (renderer/src/web-transport.ts); the e2e harness injects this same function
// into the page with a Playwright binding as the transport. So the API object the renderer talks
// to is the same code in all three; only the transport differs.
//
// It must stay self-contained (no imports at run time, no outer variables): the e2e harness
// sends its source text into the page. The channel tables come in as an argument for that reason.
import type { EVENT_CHANNELS, INVOKE_CHANNELS, DroppedFile, FileChooser, ImagedropApi, Unsubscribe } from './ipc.ts';

export interface ApiTransport {
  invoke(channel: string, args: readonly unknown[]): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): Unsubscribe;
  pathForFile(file: DroppedFile): string;
  /** How this shell chooses files; 'native' when not given (the app). */
  readonly fileChooser?: FileChooser;
}

export interface ApiChannels {
  readonly invoke: typeof INVOKE_CHANNELS;
  readonly events: typeof EVENT_CHANNELS;
}

export function createImagedropApi(transport: ApiTransport, channels: ApiChannels): ImagedropApi {
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(channels.invoke)) {
    // Trailing undefined arguments are dropped so optional parameters validate alike on every transport.
    api[method] = (...args: unknown[]) => {
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
      return transport.invoke(channel, args);
    };
  }
  for (const [method, channel] of Object.entries(channels.events)) {
    api[method] = (listener: (payload: unknown) => void) => transport.on(channel, listener);
  }
  api.fileChooser = transport.fileChooser ?? 'native';
  api.pathForFile = (file: DroppedFile) => {
    try {
      return transport.pathForFile(file);
    } catch {
      return ''; // not a file on disk (a dragged link, or a File made in the page)
    }
  };
  return Object.freeze(api) as unknown as ImagedropApi;
}
