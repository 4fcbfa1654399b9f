import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BudgetExhaustedError,
  remaining,
  spendOrReuse,
} from '../../src/statistics/privacy/budget-ledger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** A fresh snapshot row, so each test has its own budgets. */
async function newSnapshot(): Promise<number> {
  const row = await database.db
    .insertInto('snapshot')
    .values({
      as_of: '2025-01-01',
      households: 0,
      persons: 0,
      recipients: 0,
      warnings: '{}',
      source: 'ledger-test',
      load_seconds: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const spentRows = async (snapshotId: number) => {
  const { rows } = await sql<{ client: number | null; global: number | null }>`
    SELECT (SELECT sum(spent_milli) FROM privacy_client_spend WHERE snapshot_id = ${snapshotId}) AS client,
           (SELECT spent_milli FROM privacy_global_spend WHERE snapshot_id = ${snapshotId}) AS global`.execute(
    database.db,
  );
  return { client: Number(rows[0]?.client ?? 0), global: Number(rows[0]?.global ?? 0) };
};

const answerOf = (value: number) => async () => ({ cells: [{ value }] });

describe('privacy budget ledger', () => {
  it('spends within the budget, then reuses the cached answer for free', async () => {
    const snapshotId = await newSnapshot();
    const base = { snapshotId, clientId: 'bps-researcher', clientBudgetMilli: 3000 };
    const first = await spendOrReuse(database.db, {
      ...base,
      queryKey: 'q1',
      epsilonMilli: 100,
      compute: answerOf(42),
    });
    expect(first).toEqual({
      answer: { cells: [{ value: 42 }] },
      cached: false,
      epsilonSpentMilli: 100,
      remaining: { clientMilli: 2900, globalMilli: 9900 },
    });
    // Another client asking the same question gets the published answer and spends nothing.
    for (const clientId of ['bps-researcher', 'other-researcher']) {
      const again = await spendOrReuse(database.db, {
        ...base,
        clientId,
        queryKey: 'q1',
        epsilonMilli: 100,
        compute: () => Promise.reject(new Error('must not compute')),
      });
      expect(again).toMatchObject({ answer: first.answer, cached: true, epsilonSpentMilli: 0 });
    }
    expect(await spentRows(snapshotId)).toEqual({ client: 100, global: 100 });
    expect(await remaining(database.db, snapshotId, 'bps-researcher', 3000)).toEqual({
      clientMilli: 2900,
      globalMilli: 9900,
    });
  });

  it('refuses with BUDGET_EXHAUSTED when the client budget would be exceeded', async () => {
    const snapshotId = await newSnapshot();
    const base = { snapshotId, clientId: 'r', clientBudgetMilli: 250 };
    await spendOrReuse(database.db, {
      ...base,
      queryKey: 'a',
      epsilonMilli: 200,
      compute: answerOf(1),
    });
    const refused = spendOrReuse(database.db, {
      ...base,
      queryKey: 'b',
      epsilonMilli: 100,
      compute: answerOf(2),
    });
    await expect(refused).rejects.toBeInstanceOf(BudgetExhaustedError);
    await expect(refused).rejects.toMatchObject({
      extensions: { code: 'BUDGET_EXHAUSTED' },
      exhausted: 'CLIENT',
      remaining: { clientMilli: 50, globalMilli: 9800 },
    });
    expect(await spentRows(snapshotId)).toEqual({ client: 200, global: 200 });
  });

  it('refuses when the global budget would be exceeded, whatever the client has left', async () => {
    const snapshotId = await newSnapshot();
    const common = { snapshotId, clientBudgetMilli: 3000, globalBudgetMilli: 500 };
    await spendOrReuse(database.db, {
      ...common,
      clientId: 'a',
      queryKey: 'x',
      epsilonMilli: 400,
      compute: answerOf(1),
    });
    await expect(
      spendOrReuse(database.db, {
        ...common,
        clientId: 'b',
        queryKey: 'y',
        epsilonMilli: 200,
        compute: answerOf(2),
      }),
    ).rejects.toMatchObject({
      exhausted: 'GLOBAL',
      remaining: { clientMilli: 3000, globalMilli: 100 },
    });
    expect(await spentRows(snapshotId)).toEqual({ client: 400, global: 400 });
  });

  it('spends nothing and caches nothing when compute fails', async () => {
    const snapshotId = await newSnapshot();
    const request = {
      snapshotId,
      clientId: 'r',
      clientBudgetMilli: 1000,
      queryKey: 'k',
      epsilonMilli: 100,
    };
    await expect(
      spendOrReuse(database.db, { ...request, compute: () => Promise.reject(new Error('boom')) }),
    ).rejects.toThrow('boom');
    expect(await spentRows(snapshotId)).toEqual({ client: 0, global: 0 });
    const retry = await spendOrReuse(database.db, { ...request, compute: answerOf(5) });
    expect(retry.cached).toBe(false);
  });

  it('50 concurrent distinct queries against a nearly exhausted budget never overspend', async () => {
    const snapshotId = await newSnapshot();
    const base = { snapshotId, clientId: 'r', clientBudgetMilli: 3000 };
    await spendOrReuse(database.db, {
      ...base,
      queryKey: 'warm',
      epsilonMilli: 2300,
      compute: answerOf(0),
    });
    // 700 left, 150 each: exactly 4 fit.
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        spendOrReuse(database.db, {
          ...base,
          queryKey: `q${i}`,
          epsilonMilli: 150,
          compute: async (trx) => {
            await sql`SELECT pg_sleep(0.002)`.execute(trx); // widen the race window
            return { i };
          },
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof BudgetExhaustedError,
    );
    expect(won).toHaveLength(4);
    expect(refused).toHaveLength(46);
    expect(await spentRows(snapshotId)).toEqual({ client: 2300 + 4 * 150, global: 2300 + 4 * 150 });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM statistics_answer_cache WHERE snapshot_id = ${snapshotId}`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe(5);
  });

  it('20 concurrent identical queries spend once and all get the same answer', async () => {
    const snapshotId = await newSnapshot();
    let computed = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spendOrReuse(database.db, {
          snapshotId,
          clientId: `r${i % 3}`,
          clientBudgetMilli: 3000,
          queryKey: 'same',
          epsilonMilli: 100,
          compute: async (trx) => {
            computed += 1;
            await sql`SELECT pg_sleep(0.02)`.execute(trx);
            return { value: 1000 + i };
          },
        }),
      ),
    );
    expect(computed).toBe(1);
    expect(results.filter((r) => !r.cached)).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.answer))).size).toBe(1);
    expect(await spentRows(snapshotId)).toEqual({ client: 100, global: 100 });
  });
});
