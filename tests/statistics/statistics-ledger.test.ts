import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BudgetExhaustedError,
  remaining,
  spendOrReuse,
} from '../../src/statistics/privacy/budget-ledger.js';
import type { AccountingPeriod } from '../../src/domain/accounting-period.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/**
 * A period starting now: spends of earlier tests fall before it, so each test has its own
 * budgets (the global one included).
 */
function freshPeriod(): AccountingPeriod {
  const start = new Date(Date.now() - 1);
  return { start, end: new Date(start.getTime() + 365 * 86_400_000), label: 'this test' };
}

/** A fresh snapshot row (answers are cached per snapshot). */
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

/** ε recorded on a snapshot: by the agency given, and by everyone. */
const spentRows = async (snapshotId: number, agencyId = 'bps') => {
  const { rows } = await sql<{ agency: string; total: string }>`
    SELECT coalesce(sum(epsilon_milli) FILTER (WHERE agency_id = ${agencyId}), 0) AS agency,
           coalesce(sum(epsilon_milli), 0) AS total
      FROM privacy_spend WHERE snapshot_id = ${snapshotId}`.execute(database.db);
  return { agency: Number(rows[0]!.agency), global: Number(rows[0]!.total) };
};

const answerOf = (value: number) => async () => ({ cells: [{ value }] });

describe('privacy budget ledger', () => {
  it('spends within the budget, then reuses the cached answer for free', async () => {
    const snapshotId = await newSnapshot();
    const period = freshPeriod();
    const base = {
      snapshotId,
      agencyId: 'bps',
      clientId: 'bps-researcher',
      agencyBudgetMilli: 3000,
      period,
    };
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
      remaining: { agencyMilli: 2900, globalMilli: 9900 },
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
    expect(await spentRows(snapshotId)).toEqual({ agency: 100, global: 100 });
    expect(await remaining(database.db, base)).toEqual({ agencyMilli: 2900, globalMilli: 9900 });
  });

  it('refuses with BUDGET_EXHAUSTED when the agency budget would be exceeded', async () => {
    const snapshotId = await newSnapshot();
    const base = {
      snapshotId,
      agencyId: 'bps',
      clientId: 'r',
      agencyBudgetMilli: 250,
      period: freshPeriod(),
    };
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
      exhausted: 'AGENCY',
      remaining: { agencyMilli: 50, globalMilli: 9800 },
    });
    expect(await spentRows(snapshotId)).toEqual({ agency: 200, global: 200 });
  });

  it('refuses when the global budget would be exceeded, whatever the client has left', async () => {
    const snapshotId = await newSnapshot();
    const common = {
      snapshotId,
      agencyBudgetMilli: 3000,
      globalBudgetMilli: 500,
      period: freshPeriod(),
    };
    await spendOrReuse(database.db, {
      ...common,
      agencyId: 'bps',
      clientId: 'a',
      queryKey: 'x',
      epsilonMilli: 400,
      compute: answerOf(1),
    });
    await expect(
      spendOrReuse(database.db, {
        ...common,
        agencyId: 'univ',
        clientId: 'b',
        queryKey: 'y',
        epsilonMilli: 200,
        compute: answerOf(2),
      }),
    ).rejects.toMatchObject({
      exhausted: 'GLOBAL',
      remaining: { agencyMilli: 3000, globalMilli: 100 },
    });
    expect(await spentRows(snapshotId)).toEqual({ agency: 400, global: 400 });
  });

  it('spends nothing and caches nothing when compute fails', async () => {
    const snapshotId = await newSnapshot();
    const request = {
      snapshotId,
      agencyId: 'bps',
      clientId: 'r',
      agencyBudgetMilli: 1000,
      period: freshPeriod(),
      queryKey: 'k',
      epsilonMilli: 100,
    };
    await expect(
      spendOrReuse(database.db, { ...request, compute: () => Promise.reject(new Error('boom')) }),
    ).rejects.toThrow('boom');
    expect(await spentRows(snapshotId)).toEqual({ agency: 0, global: 0 });
    const retry = await spendOrReuse(database.db, { ...request, compute: answerOf(5) });
    expect(retry.cached).toBe(false);
  });

  it('50 concurrent distinct queries against a nearly exhausted budget never overspend', async () => {
    const snapshotId = await newSnapshot();
    const base = {
      snapshotId,
      agencyId: 'bps',
      clientId: 'r',
      agencyBudgetMilli: 3000,
      period: freshPeriod(),
    };
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
    expect(await spentRows(snapshotId)).toEqual({ agency: 2300 + 4 * 150, global: 2300 + 4 * 150 });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM statistics_answer_cache WHERE snapshot_id = ${snapshotId}`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe(5);
  });

  it('20 concurrent identical queries spend once and all get the same answer', async () => {
    const snapshotId = await newSnapshot();
    const period = freshPeriod();
    let computed = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spendOrReuse(database.db, {
          snapshotId,
          agencyId: 'bps',
          clientId: `r${i % 3}`,
          agencyBudgetMilli: 3000,
          period,
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
    expect(await spentRows(snapshotId)).toEqual({ agency: 100, global: 100 });
  });

  it('charges the agency: its clients share one budget, across snapshots, until the period ends', async () => {
    const period = freshPeriod();
    const payer = (clientId: string) => ({
      agencyId: 'lembaga',
      clientId,
      agencyBudgetMilli: 300,
      period,
    });
    const first = await newSnapshot();
    await spendOrReuse(database.db, {
      ...payer('lembaga-a'),
      snapshotId: first,
      queryKey: 'a',
      epsilonMilli: 200,
      compute: answerOf(1),
    });
    // A second client of the agency, on a new snapshot (a quarterly refresh): the same budget.
    const second = await newSnapshot();
    await expect(
      spendOrReuse(database.db, {
        ...payer('lembaga-b'),
        snapshotId: second,
        queryKey: 'b',
        epsilonMilli: 200,
        compute: answerOf(2),
      }),
    ).rejects.toMatchObject({ exhausted: 'AGENCY', remaining: { agencyMilli: 100 } });
    const fits = await spendOrReuse(database.db, {
      ...payer('lembaga-b'),
      snapshotId: second,
      queryKey: 'b',
      epsilonMilli: 100,
      compute: answerOf(2),
    });
    expect(fits.remaining.agencyMilli).toBe(0);
    // The next accounting period starts afresh (here: a period beginning after these spends).
    const next = { ...freshPeriod(), label: 'next period' };
    expect(await remaining(database.db, { ...payer('lembaga-a'), period: next })).toMatchObject({
      agencyMilli: 300,
    });
  });
});
