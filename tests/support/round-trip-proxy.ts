import net from 'node:net';

/**
 * One round trip to PostgreSQL: what a client sent up to and including a message the server
 * answers with ReadyForQuery (Sync of the extended protocol, or a simple Query), or one step of
 * a connection's start-up (authentication). `statements` holds the SQL text sent in it (a named
 * prepared statement run again is shown by the text it was parsed with).
 */
export interface RoundTrip {
  /** Which connection (numbered in the order they were opened). */
  connection: number;
  kind: 'query' | 'startup';
  statements: string[];
}

/**
 * A TCP forwarder in front of PostgreSQL that reads the frontend protocol (client → server) and
 * records every round trip of every connection through it: the pools, the LISTEN connection, the
 * job queue, whatever the gateway opens. The most honest count: nothing in the gateway is wrapped.
 */
export interface RoundTripProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Round trips since the last `clear()`. */
  readonly trips: readonly RoundTrip[];
  clear(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export async function startRoundTripProxy(target: {
  host: string;
  port: number;
}): Promise<RoundTripProxy> {
  const open = new Set<net.Socket>();
  let trips: RoundTrip[] = [];
  let connections = 0;
  const server = net.createServer((client) => {
    const connection = ++connections;
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
    upstream.pipe(client);

    const named = new Map<string, string>(); // prepared statement name → text
    let pending: string[] = [];
    let started = false;
    let buffer: Buffer = Buffer.alloc(0);
    const parse = () => {
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) continue; // answered 'N'
          if (code === CANCEL_REQUEST) continue;
          started = true;
          trips.push({ connection, kind: 'startup', statements: [] });
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        switch (type) {
          case 'p': // password / SASL response: a step of the start-up
            trips.push({ connection, kind: 'startup', statements: [] });
            break;
          case 'Q':
            trips.push({ connection, kind: 'query', statements: [cstring(body, 0).text] });
            break;
          case 'P': {
            const name = cstring(body, 0);
            const text = cstring(body, name.next).text;
            if (name.text !== '') named.set(name.text, text);
            pending.push(text);
            break;
          }
          case 'B': {
            const portal = cstring(body, 0);
            const statement = cstring(body, portal.next).text;
            // A named statement parsed in an earlier round trip, run again.
            if (statement !== '' && !pending.includes(named.get(statement) ?? '')) {
              pending.push(named.get(statement) ?? `<prepared ${statement}>`);
            }
            break;
          }
          case 'S':
            trips.push({ connection, kind: 'query', statements: pending });
            pending = [];
            break;
          default: // D(escribe), E(xecute), H (flush), C(lose), d/c/f (copy), X (terminate)
        }
      }
    };
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      parse();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    get trips() {
      return trips;
    },
    clear() {
      trips = [];
    },
    async close() {
      for (const socket of open) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function cstring(buffer: Buffer, start: number): { text: string; next: number } {
  const end = buffer.indexOf(0, start);
  return { text: buffer.toString('utf8', start, end), next: end + 1 };
}
