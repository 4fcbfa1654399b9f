import { sql, type Kysely } from 'kysely';

/**
 * An index for work lists narrower than a regency (a district or village filter, issue #18): by
 * region code, then last verification (never verified first), then household id, with
 * `verified_at` itself included. A district's households lie scattered over the table (one heap
 * page each at 10 M persons), so reading them to filter, sort and count cost one page read per
 * household. With this index the count and the choice of a page's households read the index alone
 * (an index-only scan: `verified_at` is included because PostgreSQL answers an expression from an
 * index only when the columns under it are there too), and only the page's own households are
 * read from the table (src/db/scoped/scoped-registry.ts `householdPage`). The import gives the
 * staged tables the same index, read from the catalogue (src/snapshot/staging-tables.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX household_region_verified_idx
        ON household (region_code, (COALESCE(verified_at, '-infinity'::date)), household_id)
        INCLUDE (verified_at)`.execute(db);
  await sql`ANALYZE household`.execute(db);
}
