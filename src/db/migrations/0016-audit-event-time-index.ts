import { sql, type Kysely } from 'kysely';

/**
 * The audit log by time (issue #13, `gatewayUse`): the operational dashboard counts events per
 * Jakarta day over a date range, across every client. The existing indexes serve one client's
 * events by time and a subject's events; without this one a range of a day would read the whole
 * log, which only grows. Events are appended in nearly the order of `at`, so the range is a
 * compact part of the table as well as of the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX audit_event_at_idx ON audit_event (at)`.execute(db);
}
