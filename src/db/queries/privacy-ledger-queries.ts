import { sql, type Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * SQL of the differential-privacy ledger (migration 0011). The spending statements are
 * conditional upserts: the row lock they take makes concurrent spenders queue, and PostgreSQL
 * re-checks the condition on the row as the previous spender committed it, so no interleaving
 * spends past the budget.
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

/**
 * Adds `epsilonMilli` to a client's spending on a snapshot when the result stays within
 * `budgetMilli`; returns the new total, or null when it would not fit. The caller guarantees
 * epsilonMilli ≤ budgetMilli (the first insert is not conditional).
 */
export async function spendClient(
  trx: Kysely<Database>,
  snapshotId: number,
  clientId: string,
  epsilonMilli: number,
  budgetMilli: number,
): Promise<number | null> {
  const { rows } = await sql<{ spent_milli: number }>`
    INSERT INTO privacy_client_spend AS s (snapshot_id, client_id, spent_milli)
    VALUES (${snapshotId}, ${clientId}, ${epsilonMilli})
    ON CONFLICT (snapshot_id, client_id) DO UPDATE SET spent_milli = s.spent_milli + EXCLUDED.spent_milli
      WHERE s.spent_milli + EXCLUDED.spent_milli <= ${budgetMilli}
    RETURNING s.spent_milli`.execute(trx);
  return rows[0]?.spent_milli ?? null;
}

/** Like spendClient, for all researchers together on a snapshot. */
export async function spendGlobal(
  trx: Kysely<Database>,
  snapshotId: number,
  epsilonMilli: number,
  budgetMilli: number,
): Promise<number | null> {
  const { rows } = await sql<{ spent_milli: number }>`
    INSERT INTO privacy_global_spend AS g (snapshot_id, spent_milli)
    VALUES (${snapshotId}, ${epsilonMilli})
    ON CONFLICT (snapshot_id) DO UPDATE SET spent_milli = g.spent_milli + EXCLUDED.spent_milli
      WHERE g.spent_milli + EXCLUDED.spent_milli <= ${budgetMilli}
    RETURNING g.spent_milli`.execute(trx);
  return rows[0]?.spent_milli ?? null;
}

/** What a client and all researchers have spent on a snapshot (0 when nothing yet). */
export async function selectSpent(
  db: Kysely<Database>,
  snapshotId: number,
  clientId: string,
): Promise<{ clientMilli: number; globalMilli: number }> {
  const { rows } = await sql<{ client_milli: number; global_milli: number }>`
    SELECT
      coalesce((SELECT spent_milli FROM privacy_client_spend
                WHERE snapshot_id = ${snapshotId} AND client_id = ${clientId}), 0) AS client_milli,
      coalesce((SELECT spent_milli FROM privacy_global_spend
                WHERE snapshot_id = ${snapshotId}), 0) AS global_milli`.execute(db);
  const row = rows[0]!;
  return { clientMilli: Number(row.client_milli), globalMilli: Number(row.global_milli) };
}
