import { sql, type Kysely } from 'kysely';

/**
 * Privacy budgets per agency over an accounting period (issue #16, CONTRACT §8, docs/privacy.md
 * "ε and budgets"), instead of per client and per snapshot.
 *
 * `privacy_spend` is the ledger: one row per ε spent (a researcher's answer published), with the
 * agency and client that paid, when, on which snapshot and for which question. What an agency —
 * or all researchers — spent in the current period is the sum of its rows since the period's
 * start, which the gateway computes from its configuration (`DTKS_PRIVACY_PERIOD_MONTHS`): the
 * period is configuration, not data, so changing it needs no migration. Spending is serialized by
 * an advisory lock (src/db/queries/privacy-ledger-queries.ts), taken after the answer is computed.
 *
 * What was spent before is kept: every published answer of `statistics_answer_cache` is a spend
 * (the cache row and the spend were written in one transaction), at its `created_at`, by its
 * `client_id`. Should the old per-snapshot totals hold more than their answers (they never
 * should), the difference is kept as one row at the snapshot's load time. The per-snapshot tables
 * are then dropped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE privacy_spend (
      id bigserial PRIMARY KEY,
      spent_at timestamptz NOT NULL DEFAULT now(),
      agency_id text NOT NULL,
      client_id text NOT NULL,
      snapshot_id bigint NOT NULL REFERENCES snapshot (id),
      query_key text COLLATE "C" NOT NULL,
      epsilon_milli integer NOT NULL CHECK (epsilon_milli > 0)
    )`.execute(db);
  await sql`CREATE INDEX privacy_spend_agency_idx ON privacy_spend (agency_id, spent_at)`.execute(
    db,
  );
  await sql`CREATE INDEX privacy_spend_time_idx ON privacy_spend (spent_at)`.execute(db);
  await sql`
    INSERT INTO privacy_spend (spent_at, agency_id, client_id, snapshot_id, query_key, epsilon_milli)
    SELECT a.created_at, coalesce(c.agency_id, a.client_id), a.client_id, a.snapshot_id,
           a.query_key, a.epsilon_milli
      FROM statistics_answer_cache a LEFT JOIN client c ON c.id = a.client_id
     ORDER BY a.created_at`.execute(db);
  await sql`
    INSERT INTO privacy_spend (spent_at, agency_id, client_id, snapshot_id, query_key, epsilon_milli)
    SELECT s.loaded_at, coalesce(c.agency_id, p.client_id), p.client_id, p.snapshot_id,
           '(spent before migration 0023)', p.spent_milli - coalesce(a.spent, 0)
      FROM privacy_client_spend p
      JOIN snapshot s ON s.id = p.snapshot_id
      LEFT JOIN client c ON c.id = p.client_id
      LEFT JOIN (SELECT snapshot_id, client_id, sum(epsilon_milli) AS spent
                   FROM statistics_answer_cache GROUP BY 1, 2) a
        ON a.snapshot_id = p.snapshot_id AND a.client_id = p.client_id
     WHERE p.spent_milli > coalesce(a.spent, 0)`.execute(db);
  await sql`DROP TABLE privacy_client_spend, privacy_global_spend`.execute(db);
}
