import { sql, type Kysely } from 'kysely';

/**
 * Usage counters, second version:
 * - UNLOGGED: they write no WAL, which makes adding the 10,000 subjects of a batch about a third
 *   cheaper. The price: after a crash of PostgreSQL (not a clean restart) the counters start again
 *   from zero, and a replica does not have them; the limiter only ever runs on the primary.
 * - `daily_usage.reserved`: room reserved for subjects admitted but not yet recorded one by one
 *   (see src/auth/usage-limiter.ts), so that recording them can happen after the answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['rate_window', 'daily_subject', 'daily_usage']) {
    await sql`ALTER TABLE ${sql.table(table)} SET UNLOGGED`.execute(db);
  }
  await sql`ALTER TABLE daily_usage ADD COLUMN reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0)`.execute(
    db,
  );
}
