import { documentIdOf, publishDocuments } from '../../src/db/queries/document-queries.js';
import { DASHBOARD_APP } from '../../src/demo/demo-agreements.js';
import type { Gateway } from '../../src/server/gateway.js';
import type { TestDatabase } from './test-database.js';
import type { GraphQLResult } from './test-gateway.js';

/**
 * Trusted documents for tests (CONTRACT §10): a client whose agreement is "trusted documents
 * only" (the demo `pusdatin-dashboard`) cannot send query text, so tests that ask something as it
 * publish the operation first, as an operator would, and send its id.
 */

/**
 * Publishes `query` as a document of `app` (default `dtks-dashboard`, the demo dashboard's) in a
 * version of its own (`test-<id prefix>`: publishing the same text again changes nothing), as the
 * owner of the database; returns its id.
 */
export async function publishTestDocument(
  db: TestDatabase,
  query: string,
  app: string = DASHBOARD_APP,
): Promise<string> {
  const id = documentIdOf(query);
  await publishDocuments(
    db.db,
    app,
    `test-${id.slice('sha256:'.length, 19)}`,
    new Map([[id, query]]),
  );
  return id;
}

/** Publishes `query` (see {@link publishTestDocument}) and POSTs it by `documentId`. */
export async function graphqlDocument(
  gateway: Gateway,
  db: TestDatabase,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResult> {
  const documentId = await publishTestDocument(db, query);
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ documentId, variables: options.variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as never,
  };
}
