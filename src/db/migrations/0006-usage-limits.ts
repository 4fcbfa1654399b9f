import { sql, type Kysely } from 'kysely';

/**
 * Usage limits shared by every gateway process on the database: requests per client per minute
 * (fixed windows) and distinct NIKs checked per agreement per day (anti-enumeration; subjects are
 * the audit log's keyed hashes, never NIKs). Old rows are pruned by the limiter itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rate_window (
      client_id text NOT NULL,
      window_start timestamptz NOT NULL,
      requests integer NOT NULL,
      PRIMARY KEY (client_id, window_start)
    )`.execute(db);
  await sql`
    CREATE TABLE daily_subject (
      agreement_id text NOT NULL,
      day date NOT NULL,
      subject text NOT NULL,
      PRIMARY KEY (agreement_id, day, subject)
    )`.execute(db);
  await sql`
    CREATE TABLE daily_usage (
      agreement_id text NOT NULL,
      day date NOT NULL,
      distinct_subjects integer NOT NULL,
      PRIMARY KEY (agreement_id, day)
    )`.execute(db);
}
