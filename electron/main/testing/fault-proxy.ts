// A loopback TCP proxy in front of the real Glance, for fault injection in tests. It follows the
// client's HTTP/1.1 requests (heads and Content-Length bodies) on every connection, so a rule can
// target "the next PUT .../file" and then, after a chosen number of body bytes:
//   cut      close both sides (a dropped connection),
//   stall    stop forwarding for a while (a pause on the wire), then go on,
//   hold     stop forwarding until release() is called,
// or answer  reply with a status itself without contacting Glance (a 503 from a load balancer),
//            at once or, with `drain`, after taking the whole request body (as an S3 server
//            answers 503 SlowDown), with the body and content type given,
// or corrupt flip one body byte in flight (the server then stores other bytes than were sent),
// or late    take the whole request, and hand it to Glance only `ms` later, even if the client
//            has gone by then (a request the server received but processes after a client abort).
import net from 'node:net';
import { readRequestHead } from './http-head.ts';

export type Fault =
  | { readonly kind: 'cut'; readonly afterBytes: number }
  | { readonly kind: 'stall'; readonly afterBytes: number; readonly ms: number }
  | { readonly kind: 'hold'; readonly afterBytes: number }
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly body?: string;
      readonly contentType?: string;
      /** Take the request's whole body first, then answer. */
      readonly drain?: boolean;
    }
  | { readonly kind: 'corrupt'; readonly atByte: number }
  | { readonly kind: 'late'; readonly ms: number };

export interface FaultRule {
  /** Which requests it applies to, e.g. /^PUT \/v2\/images\/[^/]+\/file/. Tested on "METHOD PATH". */
  readonly match: RegExp;
  readonly fault: Fault;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** Adds a rule; rules are used in order, each for its `times`. */
  inject(rule: FaultRule): void;
  /** Releases every 'hold'. */
  release(): void;
  /** Cuts every open connection now (a network failure while, say, an upload is paused). */
  cutAll(): void;
  /** Resolves when a matching request has reached its fault point. */
  reached(): Promise<void>;
  /** Forgets fault points reached so far, so the next reached() waits for a new one. */
  resetReached(): void;
  /** Body bytes forwarded for the requests that matched a rule, in order. */
  readonly forwarded: number[];
  /** Request lines seen ("PUT /v2/images/…/file"). */
  readonly requests: string[];
  /** The head (request line and headers, lower-cased names) of each request, in order. */
  readonly heads: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const holds: (() => void)[] = [];
  let reachedWaiters: (() => void)[] = [];
  let reachedCount = 0;
  let reachedSeen = 0;
  const forwarded: number[] = [];
  const requests: string[] = [];
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();

  const signalReached = () => {
    reachedCount += 1;
    const w = reachedWaiters;
    reachedWaiters = [];
    for (const r of w) r();
  };

  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('data', (d) => client.write(d));
    upstream.on('end', () => client.end());
    upstream.on('error', () => client.destroy());
    let answered = false; // the proxy answered itself: end the client gracefully, like a load balancer
    let late: { ms: number; bytes: Buffer[]; sent: boolean } | null = null; // a 'late' request being taken
    let draining: Extract<Fault, { kind: 'answer' }> | null = null; // an 'answer' waiting for the body's end
    const answer = (fault: Extract<Fault, { kind: 'answer' }>) => {
      answered = true;
      const body = fault.body ?? JSON.stringify({ message: 'Injected by the fault proxy', code: fault.status });
      client.end(
        `HTTP/1.1 ${fault.status} Injected\r\ncontent-type: ${fault.contentType ?? 'application/json'}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      upstream.destroy();
      signalReached();
    };
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!answered) client.destroy();
    });
    client.on('close', () => {
      sockets.delete(client);
      // A late request still reaches Glance after the client went away; its answer goes nowhere.
      if (late && !late.sent) setTimeout(() => upstream.destroy(), late.ms + 10_000).unref();
      else upstream.destroy();
    });
    client.on('error', () => upstream.destroy());

    // Per-connection request parser state.
    let head = Buffer.alloc(0);
    let bodyLeft = -1; // -1: reading a head
    let rule: FaultRule | null = null;
    let ruleIndex = -1;
    let sent = 0;
    let faultDone = false;
    let busy = false;
    const queue: Buffer[] = [];

    const writeUp = (b: Buffer) => {
      if (b.length === 0) return;
      if (late && !late.sent) late.bytes.push(Buffer.from(b));
      else upstream.write(b);
    };
    const sendLate = () => {
      const l = late!;
      setTimeout(() => {
        l.sent = true;
        for (const b of l.bytes) upstream.write(b);
        signalReached();
      }, l.ms);
    };

    async function handle(data: Buffer): Promise<void> {
      if (answered) return; // the rest of that request's body goes nowhere
      let chunk = data;
      while (chunk.length > 0) {
        if (bodyLeft < 0) {
          head = Buffer.concat([head, chunk]);
          const parsed = readRequestHead(head);
          if (!parsed) return;
          const { requestLine } = parsed;
          requests.push(requestLine);
          heads.push(parsed.text.replace(/\r\n([^:\r\n]+):/g, (_m, name: string) => `\r\n${name.toLowerCase()}:`));
          bodyLeft = parsed.contentLength;
          rule = null;
          faultDone = false;
          sent = 0;
          const idx = rules.findIndex((r) => (r.times ?? 1) > 0 && r.match.test(requestLine));
          if (idx >= 0) {
            rule = rules[idx]!;
            rule.times = (rule.times ?? 1) - 1;
            ruleIndex = forwarded.push(0) - 1;
          }
          const rest = head.subarray(parsed.length);
          const headBytes = head.subarray(0, parsed.length);
          head = Buffer.alloc(0);
          if (rule?.fault.kind === 'answer') {
            if (rule.fault.drain && bodyLeft > 0) {
              draining = rule.fault;
              chunk = rest;
              continue;
            }
            answer(rule.fault);
            return;
          }
          if (rule?.fault.kind === 'late') late = { ms: rule.fault.ms, bytes: [], sent: false };
          writeUp(headBytes);
          chunk = rest;
          if (bodyLeft === 0) {
            bodyLeft = -1;
            if (late && !late.sent) sendLate();
          }
          continue;
        }
        const take = Math.min(bodyLeft, chunk.length);
        if (draining) {
          bodyLeft -= take;
          chunk = chunk.subarray(take);
          if (bodyLeft === 0) {
            answer(draining);
            return;
          }
          continue;
        }
        let piece = chunk.subarray(0, take);
        chunk = chunk.subarray(take);
        if (rule?.fault.kind === 'corrupt' && !faultDone && sent + piece.length > rule.fault.atByte) {
          piece = Buffer.from(piece); // a copy: the original belongs to the socket
          const i = rule.fault.atByte - sent;
          piece[i] = piece[i]! ^ 0xff;
          faultDone = true;
          signalReached();
        }
        if (
          rule &&
          !faultDone &&
          rule.fault.kind !== 'answer' &&
          rule.fault.kind !== 'corrupt' &&
          rule.fault.kind !== 'late' &&
          sent + piece.length >= rule.fault.afterBytes
        ) {
          const before = piece.subarray(0, Math.max(0, rule.fault.afterBytes - sent));
          writeUp(before);
          sent += before.length;
          forwarded[ruleIndex] = sent;
          piece = piece.subarray(before.length);
          faultDone = true;
          const fault = rule.fault;
          if (fault.kind === 'cut') {
            signalReached();
            client.destroy();
            upstream.destroy();
            return;
          }
          client.pause();
          signalReached();
          if (fault.kind === 'stall') await new Promise((r) => setTimeout(r, fault.ms));
          else await new Promise<void>((r) => holds.push(r));
          client.resume();
        }
        writeUp(piece);
        sent += piece.length;
        if (rule) forwarded[ruleIndex] = sent;
        bodyLeft -= take;
        if (bodyLeft === 0) {
          bodyLeft = -1;
          if (late && !late.sent) sendLate();
        }
      }
    }

    // Data is processed strictly in order, even while a stall awaits.
    client.on('data', (d: Buffer) => {
      queue.push(d);
      if (busy) return;
      busy = true;
      void (async () => {
        while (queue.length) await handle(queue.shift()!);
        busy = false;
      })();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    inject(rule) {
      rules.push({ ...rule, times: rule.times ?? 1 });
    },
    release() {
      const h = holds.splice(0);
      for (const r of h) r();
    },
    cutAll() {
      for (const s of sockets) s.destroy();
    },
    reached() {
      if (reachedCount > reachedSeen) {
        reachedSeen += 1;
        return Promise.resolve();
      }
      return new Promise((resolve) =>
        reachedWaiters.push(() => {
          reachedSeen += 1;
          resolve();
        }),
      );
    },
    resetReached() {
      reachedSeen = reachedCount;
    },
    forwarded,
    requests,
    heads,
    async close() {
      for (const h of holds.splice(0)) h();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
