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

/**
 * Records clients' transactions as they stand now, in one statement (the same id again: its
 * latest state; each key at most once per call). Committed without waiting for the WAL flush:
 * statuses only, which a crash of PostgreSQL may forget for its last fraction of a second
 * (`txn/status` then finds no such transaction).
 */
export async function saveDciTransactions(
  db: Kysely<Database>,
  records: ReadonlyArray<{ clientId: string; transaction: DciTransaction }>,
): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(({ clientId, transaction: t }) => ({
    client_id: clientId,
    transaction_id: t.transactionId,
    action: t.action,
    correlation_id: t.correlationId,
    status: t.status,
    requests: t.requests,
  }));
  await sql`
    INSERT INTO dci_transaction (client_id, transaction_id, action, correlation_id, status, requests)
    SELECT r.client_id, r.transaction_id, r.action, r.correlation_id, r.status, r.requests
      FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit,
           jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
             client_id text, transaction_id text, action text, correlation_id text,
             status text, requests jsonb)
    ON CONFLICT (client_id, transaction_id) DO UPDATE
       SET action = excluded.action, correlation_id = excluded.correlation_id,
           status = excluded.status, requests = excluded.requests, updated_at = now()`.execute(db);
}

/**
 * Deletes up to `limit` transactions created more than `keepDays` days ago (found by the BRIN
 * index of migration 0034); returns how many. Small batches: a backlog is worked off over
 * several calls rather than in one long statement.
 */
export async function pruneDciTransactions(
  db: Kysely<Database>,
  keepDays: number,
  limit: number,
): Promise<number> {
  const result = await sql`
    DELETE FROM dci_transaction
     WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM dci_transaction
        WHERE created_at < now() - make_interval(days => ${keepDays})
        LIMIT ${limit}))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
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
