import { sql, type Kysely } from 'kysely';

/**
 * DCI transaction statuses are kept for a period (DTKS_DCI_STATUS_DAYS; docs/dci.md "Transaction
 * status"), not for ever: every synchronous search adds one, about 450 bytes with its indexes.
 * The gateway deletes the older ones in small batches; this BRIN index finds them by creation
 * time at almost no cost per insert (rows are written in time order).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX dci_transaction_created_idx ON dci_transaction USING brin (created_at)`.execute(
    db,
  );
}
