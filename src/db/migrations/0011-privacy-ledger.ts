import { sql, type Kysely } from 'kysely';

/**
 * The differential-privacy ledger (CONTRACT §8, docs/privacy.md). Amounts are milli-ε integers
 * (ε 0.1 = 100), so sums are exact.
 *
 * - `privacy_client_spend`: ε spent per client per snapshot; the budget comes from the agreement
 *   and is checked by the conditional UPDATE that spends, so it is not stored here.
 * - `privacy_global_spend`: ε spent per snapshot by all researchers together.
 * - `statistics_answer_cache`: the published noisy answer per (snapshot, canonical query key),
 *   shared by all clients; `client_id` is who paid for it. Written in the transaction that spends.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE privacy_client_spend (
      snapshot_id bigint NOT NULL REFERENCES snapshot (id),
      client_id text NOT NULL,
      spent_milli integer NOT NULL DEFAULT 0 CHECK (spent_milli >= 0),
      PRIMARY KEY (snapshot_id, client_id)
    )`.execute(db);
  await sql`
    CREATE TABLE privacy_global_spend (
      snapshot_id bigint PRIMARY KEY REFERENCES snapshot (id),
      spent_milli integer NOT NULL DEFAULT 0 CHECK (spent_milli >= 0)
    )`.execute(db);
  await sql`
    CREATE TABLE statistics_answer_cache (
      snapshot_id bigint NOT NULL REFERENCES snapshot (id),
      query_key text COLLATE "C" NOT NULL,
      answer jsonb NOT NULL,
      epsilon_milli integer NOT NULL CHECK (epsilon_milli > 0),
      client_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (snapshot_id, query_key)
    )`.execute(db);
}
