import { createLogger } from '../../src/logger.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import type { TestDatabase } from './test-database.js';

/** A gateway on a free loopback port over a test database. */
export function startTestGateway(database: TestDatabase): Promise<Gateway> {
  return startGateway({ database, logger: createLogger('silent'), port: 0, host: '127.0.0.1' });
}

/** POSTs a GraphQL operation and returns the status, headers and parsed body. */
export async function graphql(
  gateway: Gateway,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as never,
  };
}
