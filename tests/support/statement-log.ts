import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/db/database-types.js';
import type { TestDatabase } from './test-database.js';

/** The SQL text (with `$n` placeholders, never values) of every read statement, in order. */
export interface StatementLog {
  readonly statements: string[];
  /** The same statements with their parameters (to EXPLAIN one as it ran). */
  readonly queries: Array<{ sql: string; parameters: readonly unknown[] }>;
  clear(): void;
}

/**
 * The same test database with the gateway's read path (`runtime.readDb`, which the scoped
 * registry and the eligibility evaluator use) logging every statement it runs, so a test can count round trips
 * and compare the SQL two requests sent.
 */
export function withStatementLog(database: TestDatabase): {
  database: TestDatabase;
  log: StatementLog;
} {
  const statements: string[] = [];
  const queries: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const readDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: database.runtime.pool }),
    log(event) {
      statements.push(event.query.sql);
      queries.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return {
    database: { ...database, runtime: { ...database.runtime, readDb } },
    log: {
      statements,
      queries,
      clear: () => {
        statements.splice(0);
        queries.splice(0);
      },
    },
  };
}
