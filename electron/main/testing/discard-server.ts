// A loopback HTTP server that reads each request body and throws it away, then answers 204.
// The benchmarks measure the client pipeline against it (nothing but the client can limit it).
// Run standalone: `node electron/main/testing/discard-server.ts [port]` prints its port.
import net from 'node:net';
import { readRequestHead } from './http-head.ts';

export interface DiscardServer {
  readonly port: number;
  readonly received: () => number;
  close(): Promise<void>;
}

export function startDiscardServer(port = 0): Promise<DiscardServer> {
  let total = 0;
  const server = net.createServer((socket) => {
    let head = Buffer.alloc(0);
    let remaining = -1;
    socket.on('data', (data: Buffer) => {
      let chunk = data;
      while (chunk.length > 0) {
        if (remaining < 0) {
          head = Buffer.concat([head, chunk]);
          const parsed = readRequestHead(head);
          if (!parsed) return;
          remaining = parsed.contentLength;
          chunk = head.subarray(parsed.length);
          head = Buffer.alloc(0);
        }
        const take = Math.min(remaining, chunk.length);
        remaining -= take;
        total += take;
        chunk = chunk.subarray(take);
        if (remaining === 0) {
          socket.write('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n');
          remaining = -1;
        }
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        received: () => total,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

if (import.meta.main) {
  const s = await startDiscardServer(Number(process.argv[2] ?? 0));
  process.stdout.write(`${s.port}\n`);
}
