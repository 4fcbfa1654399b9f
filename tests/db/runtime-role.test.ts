import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureRuntimeLogin,
  grantRuntimeRights,
  RUNTIME_WRITES,
} from '../../src/db/runtime-role.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { inject } from 'vitest';

/** The serving role's rights (src/db/runtime-role.ts), as PostgreSQL reports them. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function privileges(table: string): Promise<string[]> {
  const { rows } = await db.runtime.pool.query<{ p: string }>(
    `SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','TRIGGER','REFERENCES']) p
      WHERE has_table_privilege($1, p) ORDER BY p`,
    [table],
  );
  return rows.map((r) => r.p);
}

describe('the runtime role', () => {
  it('reads every table and writes only the listed ones, the audit tables by INSERT alone', async () => {
    const { rows } = await db.pool.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'u')`,
    );
    expect(rows.length).toBeGreaterThan(15);
    for (const { relname } of rows) {
      const expected = ['SELECT', ...(RUNTIME_WRITES[relname] ?? [])].sort();
      expect(await privileges(relname), relname).toEqual(expected);
    }
    expect(await privileges('audit_event')).toEqual(['INSERT', 'SELECT']);
    expect(await privileges('audit_checkpoint')).toEqual(['INSERT', 'SELECT']);
  });

  it('reads a snapshot an import swaps in (tables created after the grants)', async () => {
    await importText(db, validSnapshot());
    for (const table of ['household', 'member', 'program_recipient', 'statistics_rollup']) {
      expect(await privileges(table), table).toEqual(['SELECT']);
    }
    const { rows } = await db.runtime.pool.query('SELECT count(*)::int AS n FROM member');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('is granted safely by commands running at the same moment', async () => {
    await Promise.all(Array.from({ length: 6 }, () => grantRuntimeRights(db.db)));
    await Promise.all(
      Array.from({ length: 3 }, () =>
        ensureRuntimeLogin(db.db, inject('runtimeLogin'), inject('runtimePassword')),
      ),
    );
    expect(await privileges('audit_event')).toEqual(['INSERT', 'SELECT']);
  });
});
