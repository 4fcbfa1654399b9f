import { sql, type Kysely } from 'kysely';

/**
 * Audit events counted per hour as they are written (issue #18, the soak): what `gatewayUse`
 * reports (requests per day, agency, purpose and outcome; per operation; refusals per code) is
 * read from here instead of counting the audit log. Counting the log cost one pass over every
 * event of the range: under load the dashboard's counts kept PostgreSQL busier than all lookups
 * together, and they grow with every request served (bench/results/soak.md).
 *
 * The audit writer adds each batch's counts in the same statement that appends the batch
 * (src/audit/audit-writer.ts), so a count is committed exactly when its events are. Hours are UTC
 * hours: every Jakarta day (UTC+7, no daylight saving) is a whole number of them. Counts only: no
 * subject, officer, request or decision is kept here. Existing events are counted now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_usage (
      hour timestamptz NOT NULL,
      client_id text,
      agency_id text,
      purpose text,
      operation text NOT NULL,
      outcome text NOT NULL,
      error_code text,
      count bigint NOT NULL CHECK (count > 0),
      CONSTRAINT audit_usage_key UNIQUE NULLS NOT DISTINCT
        (hour, client_id, agency_id, purpose, operation, outcome, error_code)
    )`.execute(db);
  // Taken as the audit writers take it, so no batch commits between the count and the table.
  await sql`SELECT pg_advisory_xact_lock(7365428091)`.execute(db);
  await sql`
    INSERT INTO audit_usage (hour, client_id, agency_id, purpose, operation, outcome, error_code, count)
    SELECT date_trunc('hour', at, 'UTC'), client_id, agency_id, purpose, operation, outcome,
           error_code, count(*)
      FROM audit_event
     GROUP BY 1, 2, 3, 4, 5, 6, 7`.execute(db);
}
