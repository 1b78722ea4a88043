// The data PUT with `Expect: 100-continue`: the headers go first, and the body only once the
// server says `100 Continue`. Glance (eventlet) answers a PUT it refuses (401, 403, 404, 409, 413
// over the quota, 415, 400) with its final status before reading the body, so a refused upload
// sends no byte of it instead of the megabytes that fit in the socket buffers.
//
// undici sends Expect only over HTTP/2 (its `expectContinue` option) and refuses the header over
// HTTP/1.1, which is what Glance speaks; Node's own http client can do it, so this one request
// uses that: a connection of its own (no pool), the same TLS settings as the session, the same
// error classification and the same capped read of the answer as every other request.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { ImagedropError } from '../errors.ts';
import {
  BODY_LENGTH_MISMATCH,
  CONNECT_TIMEOUT_MS,
  MAX_RESPONSE_BYTES,
  abortReason,
  networkError,
  readCaFile,
  readCapped,
  type HttpResponse,
  type Service,
  type TlsSettings,
} from './http.ts';

/** A server that ignores Expect never says 100: the body goes anyway after this long (as curl does). */
export const EXPECT_CONTINUE_TIMEOUT_MS = 1_000;

export interface ExpectPutOptions {
  readonly headers: Record<string, string>;
  /** Exactly `size` bytes; anything else is a BODY_LENGTH_MISMATCH (the file changed). */
  readonly body: Readable;
  readonly size: number;
  readonly signal: AbortSignal;
  readonly tls: TlsSettings;
  readonly service: Service;
  /** How long the answer may take once the last byte is sent (the server writes its store first). */
  readonly responseTimeoutMs: number;
  readonly continueTimeoutMs?: number;
}

/** What became of the body: whether any of it was sent (a refused request sends none). */
export interface ExpectPutResponse extends HttpResponse {
  readonly bodyBytesSent: number;
}

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** At most this much of what the server sent is kept, to read an answer a reset cut off. */
const RAW_ANSWER_BYTES = 64 * 1024;

/**
 * The answer in the first bytes the server sent, when a connection reset reached Node before its
 * HTTP parser did (a refusal mid-body: the server answers, closes with our body still arriving, and
 * our next write fails). Null when those bytes hold no complete status line and headers.
 */
export function answerFromRaw(raw: Buffer): HttpResponse | null {
  let text = raw.toString('latin1');
  // Informational answers (100 Continue) come first: the answer is the one after them.
  while (/^HTTP\/1\.[01] 1\d\d\b/.test(text) && text.includes('\r\n\r\n')) {
    text = text.slice(text.indexOf('\r\n\r\n') + 4);
  }
  raw = Buffer.from(text, 'latin1');
  const end = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})\b/.exec(text);
  if (end < 0 || !status) return null;
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length']);
  const body = raw.subarray(end + 4);
  return {
    status: Number(status[1]),
    headers,
    text: (Number.isFinite(length) ? body.subarray(0, length) : body).toString('utf8'),
  };
}

export async function putWithExpectContinue(url: string, options: ExpectPutOptions): Promise<ExpectPutResponse> {
  const { signal, body, size, service } = options;
  if (signal.aborted) throw abortReason(signal, url, service);
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const ca = secure && options.tls.cacertPath ? await readCaFile(options.tls.cacertPath) : undefined;

  return new Promise<ExpectPutResponse>((resolve, reject) => {
    let settled = false;
    let sent = 0;
    let bodyStarted = false;
    let bodyEnded = false;
    let response: IncomingMessage | null = null;
    let raw = Buffer.alloc(0);
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, run: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        run();
      }, ms);
      timers.add(t);
      return t;
    };
    const clearTimers = () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };

    const request = (secure ? https : http).request({
      method: 'PUT',
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      headers: {
        accept: 'application/json', // error bodies follow Accept: JSON in Glance's own shape
        ...options.headers,
        'content-length': String(size),
        expect: '100-continue',
      },
      agent: false, // a connection of its own: a cut one never poisons a pool
      ...(secure
        ? {
            servername: target.hostname.replace(/^\[(.*)\]$/, '$1'),
            rejectUnauthorized: options.tls.verify !== false,
            ...(ca === undefined ? {} : { ca }),
          }
        : {}),
    });

    const finish = (error: unknown, value?: ExpectPutResponse) => {
      if (settled) return;
      settled = true;
      clearTimers();
      signal.removeEventListener('abort', onAbort);
      if (!bodyEnded) {
        // Refused before (or while) the body went: stop reading the file, drop the connection.
        body.removeListener('data', onData);
        body.destroy();
        request.destroy();
      }
      if (value) resolve(value);
      else reject(signal.aborted ? abortReason(signal, url, service) : networkError(error, url, service));
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    const onData = (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > size) {
        finish(coded(`The body yielded more than the ${size} bytes announced.`, BODY_LENGTH_MISMATCH));
        return;
      }
      if (!request.write(chunk)) body.pause();
    };
    const startBody = () => {
      if (bodyStarted || response || settled) return;
      bodyStarted = true;
      request.on('drain', () => body.resume());
      body.on('data', onData);
      body.once('error', (e) => finish(e));
      body.once('end', () => {
        if (settled) return;
        if (sent !== size) {
          finish(coded(`The body ended after ${sent} of the ${size} bytes announced.`, BODY_LENGTH_MISMATCH));
          return;
        }
        bodyEnded = true;
        request.end();
        later(options.responseTimeoutMs, () =>
          finish(coded(`No answer within ${options.responseTimeoutMs} ms of the last byte.`, 'ETIMEDOUT')),
        );
      });
    };

    request.on('socket', (socket) => {
      socket.on('data', (d: Buffer) => {
        if (raw.length < RAW_ANSWER_BYTES) raw = Buffer.concat([raw, d.subarray(0, RAW_ANSWER_BYTES - raw.length)]);
      });
      const connectTimer = later(CONNECT_TIMEOUT_MS, () =>
        finish(coded(`Could not connect within ${CONNECT_TIMEOUT_MS} ms.`, 'UND_ERR_CONNECT_TIMEOUT')),
      );
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        timers.delete(connectTimer);
        later(options.continueTimeoutMs ?? EXPECT_CONTINUE_TIMEOUT_MS, startBody);
      });
    });
    request.on('continue', startBody);
    request.on('error', (e) => {
      // After the answer, the server closing its side mid-body is how a refusal ends: not an error.
      if (response) return;
      // The server answered and reset the connection, and the reset reached Node's parser first:
      // the answer is in the bytes it sent all the same.
      const answer = answerFromRaw(raw);
      if (answer && answer.status >= 200) finish(null, { ...answer, bodyBytesSent: bodyStarted ? sent : 0 });
      else finish(e);
    });
    request.on('response', (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const answered = (text: string) =>
        finish(null, { status, headers: res.headers, text, bodyBytesSent: bodyStarted ? sent : 0 });
      readCapped(res, res.headers, url, service, status, MAX_RESPONSE_BYTES).then(answered, (e: unknown) => {
        // A refusal whose body a reset cut short is still that refusal (its status says it).
        if (status >= 400 && !(e instanceof ImagedropError)) answered(answerFromRaw(raw)?.text ?? '');
        else finish(e);
      });
    });
    request.flushHeaders();
  });
}
