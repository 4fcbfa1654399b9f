import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe('region reference (loaded by migrate)', () => {
  it('has every province, regency, district and village, each under an existing parent', async () => {
    const { rows } = await db.pool.query<{ level: number; n: number }>(
      'SELECT level, count(*)::int AS n FROM region GROUP BY level ORDER BY level',
    );
    expect(rows).toEqual([
      { level: 1, n: 38 },
      { level: 2, n: 514 },
      { level: 3, n: 7285 },
      { level: 4, n: 83762 },
    ]);
    const orphans = await db.pool.query(
      `SELECT 1 FROM region c LEFT JOIN region p ON p.code = c.parent_code
        WHERE (c.level > 1 AND (p.code IS NULL OR p.level <> c.level - 1 OR left(c.code, length(p.code)) <> p.code))
           OR (c.level = 1 AND c.parent_code IS NOT NULL)`,
    );
    expect(orphans.rowCount).toBe(0);
    const bogor = await db.pool.query("SELECT name FROM region WHERE code = '3201'");
    expect(bogor.rows).toEqual([{ name: 'Kabupaten Bogor' }]);
  });

  it('has the population of Indonesia, every province and every regency', async () => {
    const { rows } = await db.pool.query<{ n: number; total: number }>(
      `SELECT count(*)::int AS n, (SELECT total FROM region_population WHERE code = '0') AS total
         FROM region_population p JOIN region r ON r.code = p.code`,
    );
    expect(rows[0]).toEqual({ n: 38 + 514, total: 284973643 });
  });

  it('keeps programs and their default eligibility rules as versioned data', async () => {
    const { rows } = await db.pool.query(
      "SELECT program, version, rule->>'maxDecile' AS max_decile FROM eligibility_rule ORDER BY program",
    );
    expect(rows).toEqual([
      { program: 'BPNT', version: 1, max_decile: '4' },
      { program: 'PBI_JK', version: 1, max_decile: '5' },
      { program: 'PIP', version: 1, max_decile: '4' },
      { program: 'PKH', version: 1, max_decile: '4' },
    ]);
  });
});
