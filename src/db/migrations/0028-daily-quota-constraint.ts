import { sql, type Kysely } from 'kysely';

/**
 * The daily quota of distinct NIKs as a rule of the table itself (issue #18, item 3): the day's
 * row carries the quota it is held to, and no write may take its subjects and the room reserved
 * past it. An admission adds its subjects and counts them in one statement; when they would pass
 * the quota the constraint fails that statement, which undoes the whole of it (no subject is
 * recorded, nothing counted). So an admission is one round trip instead of a transaction of three,
 * and exact under concurrent admissions of other gateway processes (src/auth/usage-limiter.ts).
 * Rows written before this migration are held to no quota until their next admission sets it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE daily_usage ADD COLUMN quota integer NOT NULL DEFAULT 2147483647`.execute(
    db,
  );
  await sql`
    ALTER TABLE daily_usage ADD CONSTRAINT daily_usage_within_quota
      CHECK (distinct_subjects + reserved <= quota)`.execute(db);
}
