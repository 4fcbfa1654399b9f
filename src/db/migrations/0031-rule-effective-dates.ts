import { sql, type Kysely } from 'kysely';

/**
 * Rule versions published as data (issue #19, `rules publish`): each version after the first is in
 * force from a date, `effective_on`, and a decision uses the version in force at its snapshot's
 * as-of date (CONTRACT §5): the highest version whose `effective_on` is on or before it. A null
 * `effective_on` is in force from the start: the shipped defaults, and any version recorded before
 * this migration, so the version each program decides with today does not change.
 * `effective_from` stays when the version was recorded (for a published version, the start of its
 * day in Jakarta).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE eligibility_rule ADD COLUMN effective_on date`.execute(db);
}
