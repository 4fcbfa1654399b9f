import { sql, type Kysely } from 'kysely';

/**
 * DCI transactions (issue #15, docs/dci.md): what a partner SP-MIS asked under a
 * `transaction_id`, and how each of its requests (by `reference_id`) ended, so that
 * `registry/txn/status` can say so. Per client: a client sees only its own transactions. No
 * record is kept here, only statuses and reason codes: a status query never discloses again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE dci_transaction (
      client_id text NOT NULL REFERENCES client (id),
      transaction_id text COLLATE "C" NOT NULL,
      action text NOT NULL CHECK (action IN ('search', 'subscribe', 'unsubscribe')),
      correlation_id text COLLATE "C" NOT NULL,
      status text NOT NULL CHECK (status IN ('rcvd', 'pdng', 'succ', 'rjct')),
      -- [{reference_id, timestamp, status, status_reason_code?}], in the order asked
      requests jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (client_id, transaction_id)
    )`.execute(db);
  await sql`CREATE INDEX dci_transaction_correlation_idx ON dci_transaction (client_id, correlation_id)`.execute(
    db,
  );
}
