import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * SQL of the differential-privacy ledger (migrations 0011 and 0023): the published answers, and
 * the spends per agency with their time, summed over the accounting period.
 */

/** A committed cached answer, or undefined. */
export async function selectCachedAnswer(
  db: Kysely<Database>,
  snapshotId: number,
  queryKey: string,
): Promise<{ answer: unknown; epsilonMilli: number } | undefined> {
  const row = await db
    .selectFrom('statistics_answer_cache')
    .select(['answer', 'epsilon_milli'])
    .where('snapshot_id', '=', snapshotId)
    .where('query_key', '=', queryKey)
    .executeTakeFirst();
  return row && { answer: row.answer, epsilonMilli: row.epsilon_milli };
}

/**
 * Claims a cache key inside the spending transaction with a placeholder answer. When another
 * transaction holds the same key uncommitted, this waits for it: if it commits, nothing is
 * inserted (false) and its answer is there to read; if it rolls back, the claim succeeds.
 */
export async function claimAnswerKey(
  trx: Kysely<Database>,
  snapshotId: number,
  queryKey: string,
  epsilonMilli: number,
  clientId: string,
): Promise<boolean> {
  const { rows } = await sql<{ claimed: number }>`
    INSERT INTO statistics_answer_cache (snapshot_id, query_key, answer, epsilon_milli, client_id)
    VALUES (${snapshotId}, ${queryKey}, 'null'::jsonb, ${epsilonMilli}, ${clientId})
    ON CONFLICT (snapshot_id, query_key) DO NOTHING
    RETURNING 1 AS claimed`.execute(trx);
  return rows.length === 1;
}

/** Fills the claimed key with the answer (same transaction, so nobody saw the placeholder). */
export async function storeAnswer(
  trx: Kysely<Database>,
  snapshotId: number,
  queryKey: string,
  answer: unknown,
): Promise<void> {
  await trx
    .updateTable('statistics_answer_cache')
    .set({ answer: JSON.stringify(answer) })
    .where('snapshot_id', '=', snapshotId)
    .where('query_key', '=', queryKey)
    .execute();
}

/** The advisory lock that serializes spending (any 64-bit constant unique to this use). */
const SPENDING_LOCK = 7_365_428_116;

/**
 * Takes the spending lock for the rest of the transaction: the sums read after it and the spend
 * written before commit cannot interleave with another spender's, so no interleaving spends past
 * a budget. Taken after the answer is computed, so computations still run side by side.
 */
export async function lockSpending(trx: Kysely<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${SPENDING_LOCK})`.execute(trx);
}

/** What an agency and all researchers have spent since `since` (0 when nothing yet). */
export async function selectSpentSince(
  db: Kysely<Database>,
  agencyId: string,
  since: Date,
): Promise<{ agencyMilli: number; globalMilli: number }> {
  const { rows } = await sql<{ agency_milli: string; global_milli: string }>`
    SELECT coalesce(sum(epsilon_milli) FILTER (WHERE agency_id = ${agencyId}), 0) AS agency_milli,
           coalesce(sum(epsilon_milli), 0) AS global_milli
      FROM privacy_spend WHERE spent_at >= ${since}`.execute(db);
  const row = rows[0]!;
  return { agencyMilli: Number(row.agency_milli), globalMilli: Number(row.global_milli) };
}

/** Records one spend (in the transaction that publishes the answer it paid for). */
export async function recordSpend(
  trx: Kysely<Database>,
  spend: {
    agencyId: string;
    clientId: string;
    snapshotId: number;
    queryKey: string;
    epsilonMilli: number;
  },
): Promise<void> {
  await trx
    .insertInto('privacy_spend')
    .values({
      agency_id: spend.agencyId,
      client_id: spend.clientId,
      snapshot_id: spend.snapshotId,
      query_key: spend.queryKey,
      epsilon_milli: spend.epsilonMilli,
    })
    .execute();
}
