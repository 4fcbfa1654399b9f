import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/** How one request of a DCI transaction ended (never its records). */
export interface DciRequestStatus {
  reference_id: string;
  timestamp: string;
  status: 'rcvd' | 'pdng' | 'succ' | 'rjct';
  status_reason_code?: string;
}

export interface DciTransaction {
  transactionId: string;
  action: 'search' | 'subscribe' | 'unsubscribe';
  correlationId: string;
  status: 'rcvd' | 'pdng' | 'succ' | 'rjct';
  requests: DciRequestStatus[];
}

/** Records a client's transaction as it stands now (the same id again: its latest state). */
export async function saveDciTransaction(
  db: Kysely<Database>,
  clientId: string,
  t: DciTransaction,
): Promise<void> {
  await sql`
    INSERT INTO dci_transaction (client_id, transaction_id, action, correlation_id, status, requests)
    VALUES (${clientId}, ${t.transactionId}, ${t.action}, ${t.correlationId}, ${t.status},
            ${JSON.stringify(t.requests)}::jsonb)
    ON CONFLICT (client_id, transaction_id) DO UPDATE
       SET action = excluded.action, correlation_id = excluded.correlation_id,
           status = excluded.status, requests = excluded.requests, updated_at = now()`.execute(db);
}

/**
 * The client's own transaction named by its id, the correlation id it was given, or (the latest)
 * one holding any of these reference ids; null when there is none. Never another client's.
 */
export async function findDciTransaction(
  db: Kysely<Database>,
  clientId: string,
  by: { transactionId: string } | { correlationId: string } | { referenceIds: readonly string[] },
  action: DciTransaction['action'],
): Promise<DciTransaction | null> {
  const where =
    'transactionId' in by
      ? sql`transaction_id = ${by.transactionId}`
      : 'correlationId' in by
        ? sql`correlation_id = ${by.correlationId}`
        : sql`EXISTS (SELECT 1 FROM jsonb_array_elements(requests) r
                       WHERE r ->> 'reference_id' = ANY(${[...by.referenceIds]}::text[]))`;
  const { rows } = await sql<DciTransaction>`
    SELECT transaction_id AS "transactionId", action, correlation_id AS "correlationId", status,
           requests
      FROM dci_transaction
     WHERE client_id = ${clientId} AND action = ${action} AND ${where}
     ORDER BY updated_at DESC
     LIMIT 1`.execute(db);
  return rows[0] ?? null;
}
