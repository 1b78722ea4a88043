// The core's events to every signed-in page, as server-sent events. The core already throttles
// upload snapshots (≤ 4 batches a second for all jobs together: upload/progress-pump.ts); this
// forwards each batch as it comes, once to each page, and adds no timer of its own but a
// keep-alive comment (so that an SSH tunnel or a proxy does not close a quiet stream).
//
// Each event has an id. A page whose stream broke reconnects with the last id it saw
// (EventSource does this itself); it is then sent the whole queue once, and the ids of jobs
// removed since, so that nothing it missed stays wrong.
import type { ServerResponse } from 'node:http';
import { EVENT_CHANNELS, type Unsubscribe } from '../../../shared/ipc.ts';
import type { UploadId, UploadSnapshot } from '../../../shared/upload.ts';

/** What the stream needs of the core. */
export interface EventSourceCore {
  onUploadsChanged(listener: (batch: readonly UploadSnapshot[]) => void): Unsubscribe;
  onUploadsRemoved(listener: (ids: readonly UploadId[]) => void): Unsubscribe;
  onFilesOpened(listener: (paths: readonly string[]) => void): Unsubscribe;
  readonly engine: { list(): UploadSnapshot[] };
}

export const KEEPALIVE_MS = 20_000;
/** A page that reads slower than this much is queued for it is dropped (it reconnects and catches up). */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Removed job ids remembered for pages that reconnect. */
const REMOVED_KEPT = 10_000;
/** How long EventSource waits before it reconnects. */
const RETRY_MS = 2000;

export interface EventStreamOptions {
  readonly keepaliveMs?: number;
  readonly maxBufferedBytes?: number;
}

export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #off: Unsubscribe[];
  readonly #core: EventSourceCore;
  readonly #removed: { seq: number; id: UploadId }[] = [];
  readonly #maxBuffered: number;
  readonly #timer: NodeJS.Timeout;
  #seq = 0;

  constructor(core: EventSourceCore, options: EventStreamOptions = {}) {
    this.#core = core;
    this.#maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.#off = [
      core.onUploadsChanged((batch) => this.#broadcast(EVENT_CHANNELS.onUploadsChanged, batch)),
      core.onUploadsRemoved((ids) => {
        const seq = this.#broadcast(EVENT_CHANNELS.onUploadsRemoved, ids);
        for (const id of ids) this.#removed.push({ seq, id });
        if (this.#removed.length > REMOVED_KEPT) this.#removed.splice(0, this.#removed.length - REMOVED_KEPT);
      }),
      core.onFilesOpened((paths) => this.#broadcast(EVENT_CHANNELS.onFilesOpened, paths)),
    ];
    this.#timer = setInterval(() => {
      for (const res of this.#clients) this.#write(res, ': keep-alive\n\n');
    }, options.keepaliveMs ?? KEEPALIVE_MS);
    this.#timer.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Answers GET /api/events (already checked and signed in). */
  attach(res: ServerResponse, lastEventId: string | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    const last = lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : null;
    if (last !== null && last < this.#seq) {
      // A page catching up after a broken stream: the whole queue, then what left it meanwhile.
      this.#write(res, this.#message(this.#seq, EVENT_CHANNELS.onUploadsChanged, this.#core.engine.list()));
      const gone = this.#removed.filter((r) => r.seq > last).map((r) => r.id);
      if (gone.length > 0) this.#write(res, this.#message(this.#seq, EVENT_CHANNELS.onUploadsRemoved, gone));
    }
  }

  #message(seq: number, channel: string, payload: unknown): string {
    // JSON.stringify escapes every line break, so the data is one line.
    return `id: ${seq}\nevent: ${channel}\ndata: ${JSON.stringify(payload)}\n\n`;
  }

  #broadcast(channel: string, payload: unknown): number {
    this.#seq += 1;
    const text = this.#message(this.#seq, channel, payload);
    for (const res of this.#clients) this.#write(res, text);
    return this.#seq;
  }

  #write(res: ServerResponse, text: string): void {
    if (res.writableLength > this.#maxBuffered) {
      this.#clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  /** Ends every stream (the server is stopping) and lets go of the core. */
  close(): void {
    clearInterval(this.#timer);
    for (const off of this.#off) off();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
