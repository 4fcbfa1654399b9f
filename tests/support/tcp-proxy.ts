import net from 'node:net';

/**
 * A TCP forwarder between the gateway and PostgreSQL that a test can cut: `down()` destroys every
 * open connection and resets new ones (the server is unreachable), `up()` forwards again. The
 * database and the gateway stay real; only the wire between them fails.
 */
export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** `latencyMs`: each answer from the server is held this long (a distant server). */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: { latencyMs?: number } = {},
): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let reachable = true;
  const server = net.createServer((client) => {
    if (!reachable) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    const latency = options.latencyMs ?? 0;
    if (latency === 0) upstream.pipe(client);
    // Equal delays fire in order, so the stream stays in order.
    else upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), latency));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const down = () => {
    reachable = false;
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    down,
    up() {
      reachable = true;
    },
    async close() {
      down();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
