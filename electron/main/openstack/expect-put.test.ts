// The Expect: 100-continue PUT against local servers that do what Glance does at its edges: say
// 100 and read the body, refuse before it, or answer mid-body and reset the connection (what
// Glance does past image_size_cap). The real Glance is in expect-usage.int.test.ts.
import net from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answerFromRaw, putWithExpectContinue } from './expect-put.ts';

const MiB = 1 << 20;

/** A server that says 100, reads `refuseAfter` body bytes, then answers 413 and resets (RST). */
async function refusingServer(refuseAfter: number) {
  const body = JSON.stringify({
    message: 'The incoming image is too large',
    code: '413 Request Entity Too Large',
    title: 'x',
  });
  const server = net.createServer((socket) => {
    let head = '';
    let got = 0;
    let answered = false;
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      if (answered) return;
      if (!head.includes('\r\n\r\n')) {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        got += Buffer.byteLength(head.slice(head.indexOf('\r\n\r\n') + 4), 'latin1');
      } else got += d.length;
      if (got >= refuseAfter) {
        answered = true;
        socket.write(
          `HTTP/1.1 413 Request Entity Too Large\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          () => socket.resetAndDestroy(),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v2/images/x/file`, server };
}

/** A body of `size` bytes that keeps coming as fast as it is taken. */
function endless(size: number): Readable {
  let left = size;
  const chunk = Buffer.alloc(64 * 1024, 3);
  return new Readable({
    read() {
      const n = Math.min(chunk.length, left);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
}

describe('putWithExpectContinue', () => {
  it('an answer mid-body followed by a reset is that answer, not a broken connection (10 runs)', async () => {
    const { url, server } = await refusingServer(4 * MiB);
    try {
      for (let i = 0; i < 10; i++) {
        const res = await putWithExpectContinue(url, {
          headers: {},
          body: endless(512 * MiB),
          size: 512 * MiB,
          signal: AbortSignal.timeout(30_000),
          tls: {},
          service: 'glance',
          responseTimeoutMs: 30_000,
        });
        expect(res.status).toBe(413);
        expect(res.bodyBytesSent).toBeGreaterThanOrEqual(4 * MiB);
        expect(res.bodyBytesSent).toBeLessThan(512 * MiB);
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a refusal whose body a reset cuts short is still that refusal', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        // The head of a 413 that promises a body, then a reset instead of the body.
        socket.write('HTTP/1.1 413 Request Entity Too Large\r\ncontent-length: 100\r\nconnection: close\r\n\r\n', () =>
          setTimeout(() => socket.resetAndDestroy(), 20),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const res = await putWithExpectContinue(`http://127.0.0.1:${port}/v2/images/x/file`, {
        headers: {},
        body: endless(MiB),
        size: MiB,
        signal: AbortSignal.timeout(30_000),
        tls: {},
        service: 'glance',
        responseTimeoutMs: 30_000,
      });
      expect(res).toMatchObject({ status: 413, text: '', bodyBytesSent: 0 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reads an answer out of the raw bytes a reset left', () => {
    const raw = Buffer.from(
      'HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}trailing',
      'latin1',
    );
    expect(answerFromRaw(raw)).toEqual({
      status: 413,
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      text: '{}',
    });
    // After a 100 Continue, the answer is the one that follows it.
    expect(answerFromRaw(Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), raw]))).toMatchObject({
      status: 413,
      text: '{}',
    });
    expect(answerFromRaw(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'))).toBeNull();
    expect(answerFromRaw(Buffer.from('HTTP/1.1 413 Too'))).toBeNull();
    expect(answerFromRaw(Buffer.from('garbage\r\n\r\n'))).toBeNull();
  });
});
