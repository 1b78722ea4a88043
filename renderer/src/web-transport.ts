// The transport of a page served by `imagedrop serve` (electron/main/serve): each call is a POST
// of its arguments to /api/<name>, answered with the same Result the app's IPC gives, and the
// events arrive as server-sent events from /api/events. The server adds a meta tag to the page it
// serves (isServedPage); the app's own page has window.imagedrop from the preload instead. The
// session cookie goes along by itself (same origin), and the page never sees the secret.
import { createImagedropApi } from '../../shared/api-client.ts';
import type { AppError } from '../../shared/errors.ts';
import { isAppError } from '../../shared/errors.ts';
import { CHANNEL_PREFIX, EVENT_CHANNELS, INVOKE_CHANNELS, type ImagedropApi } from '../../shared/ipc.ts';
import type { Result } from '../../shared/result.ts';

/** The meta tag the server adds (electron/main/serve/static.ts writes the same). */
export const TRANSPORT_META_NAME = 'imagedrop-transport';

/** Calls made while the event stream opens wait for it this long at most (then go ahead). */
export const STREAM_WAIT_MS = 5000;

export function isServedPage(doc: Document | undefined = globalThis.document): boolean {
  return doc?.querySelector(`meta[name="${TRANSPORT_META_NAME}"]`)?.getAttribute('content') === 'http';
}

export interface WebTransportDeps {
  readonly fetch: typeof fetch;
  readonly EventSource: typeof EventSource;
  readonly writeClipboard: (text: string) => Promise<void>;
}

function failure(error: AppError): Result<never> {
  return { ok: false, error };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  return v.ok === true ? 'value' in v : v.ok === false && isAppError(v.error);
}

const UNREACHABLE: AppError = {
  code: 'serve/unreachable',
  message:
    'The Imagedrop server does not answer: check that imagedrop serve still runs (and your SSH tunnel), then reload this page.',
  retryable: true,
};

export function createWebApi(
  deps: WebTransportDeps = {
    fetch: (...args) => globalThis.fetch(...args),
    EventSource: globalThis.EventSource,
    writeClipboard: (text) => navigator.clipboard.writeText(text),
  },
): ImagedropApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  let opened: Promise<void> = Promise.resolve();

  /** One stream for every event, opened with the first subscription. */
  function openStream(): void {
    if (source) return;
    const stream = new deps.EventSource('/api/events');
    source = stream;
    let markOpen = () => {};
    opened = new Promise<void>((resolve) => {
      markOpen = resolve;
    });
    const timer = setTimeout(markOpen, STREAM_WAIT_MS);
    stream.addEventListener('open', () => {
      clearTimeout(timer);
      markOpen();
    });
    stream.addEventListener('error', () => {
      // Closed for good (the server refused it: signed out). Calls then say why themselves.
      if (stream.readyState === deps.EventSource.CLOSED) {
        clearTimeout(timer);
        markOpen();
      }
    });
    for (const channel of Object.values(EVENT_CHANNELS)) {
      stream.addEventListener(channel, (event) => {
        let payload: unknown;
        try {
          payload = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
      });
    }
  }

  async function invoke(channel: string, args: readonly unknown[]): Promise<unknown> {
    // Reads made right after subscribing wait for the stream: no event can fall between the two.
    await opened;
    let response: Response;
    try {
      response = await deps.fetch(`/api/${channel.slice(CHANNEL_PREFIX.length)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(args),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return failure(UNREACHABLE);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!isResult(body)) {
      return failure({
        ...UNREACHABLE,
        message: `The Imagedrop server answered HTTP ${response.status}: reload this page.`,
      });
    }
    // The server validated the call; the clipboard is this browser's own.
    if (body.ok && channel === INVOKE_CHANNELS.copyText) {
      try {
        await deps.writeClipboard(String(args[0]));
      } catch {
        return failure({
          code: 'serve/clipboard',
          message: 'The browser did not let Imagedrop write to the clipboard: select the text and copy it yourself.',
          retryable: true,
        });
      }
    }
    return body;
  }

  return createImagedropApi(
    {
      invoke,
      on(channel, listener) {
        openStream();
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
        return () => {
          listeners.get(channel)?.delete(listener);
        };
      },
      // A file dropped on this page comes from the viewer's machine: it has no path on the host.
      pathForFile: () => '',
      fileChooser: 'host-browser',
    },
    { invoke: INVOKE_CHANNELS, events: EVENT_CHANNELS },
  );
}
