import { sql, Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.js';
import type { Database } from '../../src/db/database-types.js';
import { PREPARED, PREPARED_TEXT } from '../../src/db/prepared-statements.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Statements that opt in are sent as named prepared statements; the rest are not. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('named prepared statements', () => {
  it('names the statements that opt in, once per connection, and leaves the others unnamed', async () => {
    const pool = createPool(db.url, { max: 1 }); // one connection: the statements below share it
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      const named = async () =>
        (await pool.query<{ n: string }>(`SELECT name AS n FROM pg_prepared_statements`)).rows.map(
          (r) => r.n,
        );
      expect(await named()).toEqual([]);
      for (const x of [1, 2, 3]) {
        const { rows } = await sql<{ x: number }>`${PREPARED}SELECT ${x}::int AS x`.execute(kysely);
        expect(rows).toEqual([{ x }]);
      }
      await pool.query(`${PREPARED_TEXT}SELECT $1::text AS t`, ['raw']);
      await sql`SELECT ${4}::int AS x`.execute(kysely); // not opted in
      const names = await named();
      expect(names).toHaveLength(2); // one per opted-in text, however often it ran
      for (const name of names) expect(name).toMatch(/^dtks_[A-Za-z0-9_-]{24}$/);
    } finally {
      await kysely.destroy();
    }
  });
});
