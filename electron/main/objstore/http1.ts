// One HTTP/1.1 request on Node's own http/https modules, keep-alive, with an AbortSignal, a
// timeout for the answer's headers (counted once the body is sent) and one between the answer's
// body chunks, and the answer read whole. The object store uses this rather than undici: measured
// here, undici spent about twice the CPU of node:http sending 16 MiB bodies (0.31 against 0.15
// CPU-s per 512 MiB into a discard server), and on 2 cores the client's CPU is the store's loss.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export interface HttpOptions {
  readonly method: string;
  /** Lower-case names; `host` and `content-length` included (they are signed). */
  readonly headers: Record<string, string>;
  readonly body: Buffer | AsyncIterable<Uint8Array> | null;
  readonly signal: AbortSignal;
  readonly agent: http.Agent;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

let sharedHttp: http.Agent | undefined;
let sharedHttps: https.Agent | undefined;

/** The shared keep-alive agent for a scheme. */
export function defaultAgent(protocol: string): http.Agent {
  if (protocol === 'https:') return (sharedHttps ??= new https.Agent({ keepAlive: true, keepAliveMsecs: 4_000 }));
  return (sharedHttp ??= new http.Agent({ keepAlive: true, keepAliveMsecs: 4_000 }));
}

function timeoutError(what: string): Error {
  return Object.assign(new Error(`${what} timed out`), { code: 'ETIMEDOUT' });
}

/** Resolves when the request can take more, or when it is gone (its error then comes through 'error'). */
function writable(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

export function sendHttp(url: string, o: HttpOptions): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    const module = target.protocol === 'https:' ? https : http;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const req = module.request(
      target,
      { method: o.method, headers: o.headers, agent: o.agent, signal: o.signal },
      (res) => {
        arm(o.bodyTimeoutMs, 'the answer');
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          arm(o.bodyTimeoutMs, 'the answer');
        });
        res.on('end', () =>
          finish(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
        res.on('error', (e) => finish(() => reject(e)));
        res.on('aborted', () =>
          finish(() => reject(Object.assign(new Error('the answer was cut'), { code: 'ECONNRESET' }))),
        );
      },
    );
    function arm(ms: number, what: string): void {
      clearTimeout(timer);
      timer = setTimeout(() => req.destroy(timeoutError(what)), ms);
    }
    req.on('error', (e) => finish(() => reject(e)));
    const sent = () => {
      if (!settled) arm(o.headersTimeoutMs, 'waiting for the answer');
    };
    if (o.body === null) {
      req.end(sent);
    } else if (Buffer.isBuffer(o.body)) {
      req.end(o.body, sent);
    } else {
      const body = o.body;
      void (async () => {
        for await (const chunk of body) {
          if (req.destroyed) return;
          if (!req.write(chunk)) await writable(req);
        }
        if (!req.destroyed) req.end(sent);
      })().catch((e: unknown) => req.destroy(e instanceof Error ? e : new Error(String(e))));
    }
  });
}
