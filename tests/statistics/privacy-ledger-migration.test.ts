import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as accountingPeriods } from '../../src/db/migrations/0023-privacy-accounting-periods.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * Migration 0023 (issue #16): budgets move from per client and snapshot to per agency and
 * accounting period, and what was spent before is kept. The test puts a database back in the
 * state before it — the per-snapshot tables with spending, and the answers those spends paid
 * for — and runs the migration.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('migration 0023 (privacy accounting periods)', () => {
  it('keeps every ε spent, dated when its answer was published, charged to the agency', async () => {
    const snapshot = await db.db
      .insertInto('snapshot')
      .values({
        as_of: '2026-03-31',
        households: 0,
        persons: 0,
        recipients: 0,
        warnings: '{}',
        source: 'migration-test',
        load_seconds: 0,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    await sql`DROP TABLE privacy_spend`.execute(db.db);
    await sql`
      CREATE TABLE privacy_client_spend (
        snapshot_id bigint NOT NULL REFERENCES snapshot (id), client_id text NOT NULL,
        spent_milli integer NOT NULL DEFAULT 0, PRIMARY KEY (snapshot_id, client_id))`.execute(
      db.db,
    );
    await sql`
      CREATE TABLE privacy_global_spend (
        snapshot_id bigint PRIMARY KEY REFERENCES snapshot (id),
        spent_milli integer NOT NULL DEFAULT 0)`.execute(db.db);
    // A researcher of the agency BPS, and a client since removed (charged under its own id).
    const researcher = DEMO_CLIENTS.find((c) => c.clientId === 'bps-researcher')!;
    await saveClient(db.db, registration(researcher, 'unused-hash'));
    const payer = 'bps-researcher';
    // Two published answers, and 50 milli-ε more in the old total than they account for.
    await sql`
      INSERT INTO statistics_answer_cache (snapshot_id, query_key, answer, epsilon_milli, client_id,
                                           created_at)
      VALUES (${snapshot.id}, 'q1', '[]', 100, ${payer}, '2026-04-02T03:00:00Z'),
             (${snapshot.id}, 'q2', '[]', 250, ${payer}, '2026-05-09T03:00:00Z'),
             (${snapshot.id}, 'q3', '[]', 30, 'gone-client', now() + interval '1 hour')`.execute(
      db.db,
    );
    await sql`INSERT INTO privacy_client_spend VALUES (${snapshot.id}, ${payer}, 400)`.execute(
      db.db,
    );
    await sql`INSERT INTO privacy_client_spend VALUES (${snapshot.id}, 'gone-client', 30)`.execute(
      db.db,
    );
    await sql`INSERT INTO privacy_global_spend VALUES (${snapshot.id}, 430)`.execute(db.db);

    await accountingPeriods(db.db as never);

    const { rows } = await sql<{ agency_id: string; epsilon_milli: number; spent_at: Date }>`
      SELECT agency_id, epsilon_milli, spent_at FROM privacy_spend ORDER BY spent_at`.execute(
      db.db,
    );
    expect(rows.map((r) => [r.agency_id, r.epsilon_milli])).toEqual([
      ['bps', 100],
      ['bps', 250],
      ['bps', 50], // the rest of the old total, at the snapshot's load time (today)
      ['gone-client', 30],
    ]);
    expect(rows.reduce((s, r) => s + r.epsilon_milli, 0)).toBe(430);
    expect(rows.map((r) => r.spent_at.toISOString()).slice(0, 2)).toEqual([
      '2026-04-02T03:00:00.000Z',
      '2026-05-09T03:00:00.000Z',
    ]);
    const { rows: tables } = await sql<{ name: string }>`
      SELECT relname AS name FROM pg_class
       WHERE relname IN ('privacy_client_spend', 'privacy_global_spend')`.execute(db.db);
    expect(tables).toEqual([]);
  });
});
