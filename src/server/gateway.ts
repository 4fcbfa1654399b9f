import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseHandle } from '../db/database.js';
import type { Logger } from '../logger.js';
import { buildGatewaySchema } from '../schema/build-schema.js';
import { createGraphQLServer } from './graphql-server.js';
import { createHttpServer } from './http-server.js';

export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  port: number;
  /** Stops accepting requests, lets in-flight ones finish (up to `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}

/** Builds the schema and serves it over HTTP on `port` (0 = any free port). */
export async function startGateway(options: {
  database: DatabaseHandle;
  logger: Logger;
  port: number;
  host?: string;
}): Promise<Gateway> {
  const { database, logger } = options;
  const schema = await buildGatewaySchema();
  const apollo = createGraphQLServer(schema, logger);
  await apollo.start();
  const server = createHttpServer({ apollo, db: database.db, readDb: database.readDb, logger });
  await listen(server, options.port, options.host ?? '0.0.0.0');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use; set PORT to another port`)
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
}
