// The event stream over a real HTTP connection, with a core that records and answers: each batch
// the core sends goes out once, in order, with an id; a page that reconnects with the last id it
// saw gets the whole queue and what was removed meanwhile; a page that does not read is dropped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, type Unsubscribe } from '../../../shared/ipc.ts';
import type { UploadSnapshot } from '../../../shared/upload.ts';
import { EventStream, type EventSourceCore } from './events.ts';

class RecordingCore implements EventSourceCore {
  readonly listeners = {
    changed: new Set<(b: readonly UploadSnapshot[]) => void>(),
    removed: new Set<(ids: readonly string[]) => void>(),
    opened: new Set<(p: readonly string[]) => void>(),
  };
  queue: UploadSnapshot[] = [];
  readonly engine = { list: () => this.queue };
  onUploadsChanged(l: (b: readonly UploadSnapshot[]) => void): Unsubscribe {
    this.listeners.changed.add(l);
    return () => this.listeners.changed.delete(l);
  }
  onUploadsRemoved(l: (ids: readonly string[]) => void): Unsubscribe {
    this.listeners.removed.add(l);
    return () => this.listeners.removed.delete(l);
  }
  onFilesOpened(l: (p: readonly string[]) => void): Unsubscribe {
    this.listeners.opened.add(l);
    return () => this.listeners.opened.delete(l);
  }
  changed(batch: UploadSnapshot[]): void {
    for (const l of this.listeners.changed) l(batch);
  }
  removed(ids: string[]): void {
    for (const l of this.listeners.removed) l(ids);
  }
}

const job = (id: string, bytesSent = 0) => ({ id, bytesSent }) as unknown as UploadSnapshot;

interface Message {
  id?: string;
  event?: string;
  data?: unknown;
}

/** Reads SSE messages from a live response. */
function reader(res: http.IncomingMessage) {
  const messages: Message[] = [];
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const m: Message = {};
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) m.id = line.slice(4);
        else if (line.startsWith('event: ')) m.event = line.slice(7);
        else if (line.startsWith('data: ')) m.data = JSON.parse(line.slice(6));
      }
      if (m.event) messages.push(m);
    }
  });
  return messages;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function serve(core: RecordingCore, options = {}) {
  const stream = new EventStream(core, options);
  const server = http.createServer((req, res) =>
    stream.attach(res, req.headers['last-event-id'] as string | undefined),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as AddressInfo).port;
  const open = (headers: Record<string, string> = {}) =>
    new Promise<{ res: http.IncomingMessage; messages: Message[] }>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers }, (res) => resolve({ res, messages: reader(res) }));
    });
  return { stream, open };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('EventStream', () => {
  it('forwards every core batch once, in order, to every page, each with an increasing id', async () => {
    const core = new RecordingCore();
    const { stream, open } = await serve(core);
    const a = await open();
    const b = await open();
    await until(() => stream.clients === 2);
    core.changed([job('j1', 1)]);
    core.changed([job('j1', 2), job('j2', 0)]);
    core.removed(['j2']);
    await until(() => a.messages.length === 3 && b.messages.length === 3);
    expect(a.messages).toEqual([
      { id: '1', event: EVENT_CHANNELS.onUploadsChanged, data: [{ id: 'j1', bytesSent: 1 }] },
      {
        id: '2',
        event: EVENT_CHANNELS.onUploadsChanged,
        data: [
          { id: 'j1', bytesSent: 2 },
          { id: 'j2', bytesSent: 0 },
        ],
      },
      { id: '3', event: EVENT_CHANNELS.onUploadsRemoved, data: ['j2'] },
    ]);
    expect(b.messages).toEqual(a.messages);
    expect(a.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('a page reconnecting with Last-Event-ID gets the whole queue and the removals it missed', async () => {
    const core = new RecordingCore();
    const { stream, open } = await serve(core);
    const first = await open();
    await until(() => stream.clients === 1);
    core.changed([job('j1')]);
    await until(() => first.messages.length === 1);
    first.res.destroy();
    await until(() => stream.clients === 0);
    core.queue = [job('j1', 9), job('j3', 1)];
    core.changed([job('j1', 9)]);
    core.removed(['j2']);
    const again = await open({ 'Last-Event-ID': '1' });
    await until(() => again.messages.length === 2);
    expect(again.messages).toEqual([
      {
        id: '3',
        event: EVENT_CHANNELS.onUploadsChanged,
        data: [
          { id: 'j1', bytesSent: 9 },
          { id: 'j3', bytesSent: 1 },
        ],
      },
      { id: '3', event: EVENT_CHANNELS.onUploadsRemoved, data: ['j2'] },
    ]);
    // Up to date, or a first connection: nothing is replayed.
    const fresh = await open({ 'Last-Event-ID': '3' });
    await until(() => stream.clients === 2);
    core.changed([job('j3', 2)]);
    await until(() => fresh.messages.length === 1);
    expect(fresh.messages[0]).toMatchObject({ id: '4', data: [{ id: 'j3', bytesSent: 2 }] });
  });

  it('drops a page that stops reading instead of buffering for ever, and lets go of the core on close', async () => {
    const core = new RecordingCore();
    const { stream, open } = await serve(core, { maxBufferedBytes: 64 * 1024 });
    const stuck = await open();
    stuck.res.pause();
    await until(() => stream.clients === 1);
    const big = Array.from({ length: 200 }, (_, i) => job(`job-${i}-${'x'.repeat(200)}`));
    for (let i = 0; i < 400 && stream.clients > 0; i += 1) {
      core.changed(big);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(stream.clients).toBe(0);
    stream.close();
    expect(core.listeners.changed.size + core.listeners.removed.size + core.listeners.opened.size).toBe(0);
  });
});
