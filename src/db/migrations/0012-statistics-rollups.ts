import { sql, type Kysely } from 'kysely';

/**
 * Statistics rollups (CONTRACT §8, issue #6): exact counts of every grouping a statistics query
 * can need, built by each import from the staged tables and swapped in with them
 * (src/snapshot/statistics-rollup-build.ts), so statistics never scan members.
 *
 * One row per cell of one *cuboid*. A cuboid is a set of dimensions, coded in `cuboid`
 * (src/domain/cuboids.ts): the region level (0 none, 1 province, 2 regency,
 * 3 district) × 16, plus 8 for the decile, 4 for the sex, 2 for the age band and 1 for the
 * programs. A dimension outside the cuboid is NULL; inside it, NULL means "unknown" (no region,
 * no decile, no ACTIVE head, no sex or birth date), which is counted in totals but in no cell.
 * `programs` is the set of programs received, as bits (PKH 1, BPNT 2, PBI_JK 4, PIP 8); the
 * program cells and the "any of these programs" filter are sums over it.
 *
 * `snapshot.rollup_seconds` says the served snapshot has rollups (and what they cost to build);
 * snapshots imported before this migration have none, and their statistics take the base tables.
 *
 * `region_level_idx`: the codes of one level, which every table grouped by a region lists (its
 * full grid); without it each such table read the whole region reference (91,000 rows).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE statistics_rollup (
      measure char(1) NOT NULL CHECK (measure IN ('H', 'P')),
      cuboid smallint NOT NULL CHECK (cuboid BETWEEN 0 AND 63),
      region text COLLATE "C",
      decile smallint,
      sex char(1),
      age_band text,
      programs smallint,
      n bigint NOT NULL
    )`.execute(db);
  await sql`
    CREATE INDEX statistics_rollup_cuboid_idx
        ON statistics_rollup (measure, cuboid, region)`.execute(db);
  await sql`ALTER TABLE snapshot ADD COLUMN rollup_seconds real`.execute(db);
  await sql`CREATE INDEX region_level_idx ON region (level, code)`.execute(db);
}
