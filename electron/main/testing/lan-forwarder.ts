// A TCP forwarder on this machine's first non-loopback IPv4 address (port 0) to a loopback
// service: the real Keystone reached as another machine would reach it, for the "plain http:// to
// a host that is not loopback" warnings. Fails clearly when the machine has no such address.
import net from 'node:net';
import os from 'node:os';

export interface LanForwarder {
  /** http://<lan address>:<port> */
  readonly origin: string;
  readonly host: string;
  close(): Promise<void>;
}

export async function startLanForwarder(target: { host: string; port: number }): Promise<LanForwarder> {
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!lan) throw new Error('This test needs a non-loopback IPv4 address on this machine.');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, lan, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://${lan}:${port}`,
    host: lan,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
