import { sql, type Kysely } from 'kysely';

/**
 * Indexes for local governments' work lists (`households(filter, orderBy)`, src/db/scoped/
 * work-list-sql.ts). A local government's scope is usually a regency, which the work lists write
 * as `left(region_code, 4) = '3201'`; leading with that expression, a page walks the regency's
 * households in the order asked for and stops after the page, or the count reads one index range,
 * so the cost of a page is bounded by the regency, never by the country:
 *
 * - by regency, then household id (the ID order);
 * - by regency, then last verification, never-verified first (the LAST_VERIFIED order, its keyset
 *   and `notVerifiedSince`, all one index range);
 * - by last verification alone, for scopes wider than a regency (a province, the country).
 *
 * The import gives the staged tables the same indexes, read from the catalogue
 * (src/snapshot/staging-tables.ts), so every later snapshot has them too. Members and program
 * recipients need nothing new: member_household_idx and program_recipient_pkey (nik, program)
 * answer the EXISTS of the member and program filters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX household_regency_idx
        ON household ((left(region_code, 4)), household_id)`.execute(db);
  await sql`
    CREATE INDEX household_regency_verified_idx
        ON household ((left(region_code, 4)), (COALESCE(verified_at, '-infinity'::date)), household_id)`.execute(
    db,
  );
  await sql`
    CREATE INDEX household_last_verified_idx
        ON household ((COALESCE(verified_at, '-infinity'::date)), household_id)`.execute(db);
  await sql`ANALYZE household`.execute(db);
}
