import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type pg from 'pg';
import type { EligibilityRuleDefinition } from '../db/database-types.js';

/**
 * What the import's decisions share (the targeting rollups, the change events): the rules current
 * at import, and a compiler that turns the request-time rule SQL into statements for `pg`.
 */

/** Only compiles (never connects): turns Kysely's SQL into text and parameters. */
export const importCompiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * Every program's rule in force at the imported snapshot's as-of date (the highest version
 * published for that date or before, or in force from the start), as decisions on that snapshot
 * will apply them (`inForceAt` in src/db/queries/eligibility-rule-queries.ts).
 */
export async function rulesAtImport(
  client: pg.PoolClient,
  asOf: string,
): Promise<Array<{ program: string; version: number; rule: EligibilityRuleDefinition }>> {
  const { rows } = await client.query<{
    program: string;
    version: number;
    rule: EligibilityRuleDefinition;
  }>(
    `SELECT DISTINCT ON (program) program, version, rule
       FROM eligibility_rule r
      WHERE r.effective_on IS NULL OR r.effective_on <= $1::date
      ORDER BY program, version DESC`,
    [asOf],
  );
  return rows;
}
