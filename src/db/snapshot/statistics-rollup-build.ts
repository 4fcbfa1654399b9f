import type pg from 'pg';
import { ageBandSql } from '../../statistics/age-bands.js';
import { MAX_MEMBERS_COUNTED } from '../../statistics/privacy/sensitivity.js';
import {
  builtCuboids,
  cuboidId,
  PROGRAM_BITS,
  type Cuboid,
} from '../../statistics/rollups/cuboid.js';

/** The staged rollup table and its index, renamed to the served names by the swap. */
const ROLLUP_NEXT = 'statistics_rollup_next';
const ROLLUP_NEXT_INDEX = 'statistics_rollup_next_cuboid_idx';

/** Work tables of the build (UNLOGGED, not TEMP: parallel workers can read them). */
const WORK_TABLES = [
  'statistics_work_received',
  'statistics_work_household',
  'statistics_work_finest',
];

/**
 * Builds `statistics_rollup_next` from the staged tables (`household_next`, `member_next`,
 * `program_recipient_next`) with the snapshot's as-of date: every cuboid it keeps (`isBuilt` in
 * src/statistics/rollups/cuboid.ts) for both measures, counted exactly as the base-table path
 * counts (src/db/scoped/statistics-base-sql.ts):
 *
 * - PERSONS: ACTIVE members, the first MAX_MEMBERS_COUNTED by NIK of each household; their own
 *   sex, age band and programs.
 * - HOUSEHOLDS: every household; the sex and age band of its head (the ACTIVE member with
 *   relationship HEAD, smallest NIK); the programs of any of its ACTIVE members.
 *
 * The passes: the programs of each recipient NIK; each household's ACTIVE members, programs and
 * head (one scan of members); the finest cuboid of each measure (persons: one scan of members
 * with their households, less the members beyond the cap of the few large households); then
 * the other cuboids from the finest with GROUPING SETS. Returns the seconds it took.
 */
export async function buildStatisticsRollups(client: pg.PoolClient, asOf: string): Promise<number> {
  const started = process.hrtime.bigint();
  const household = 'household_next';
  const member = 'member_next';
  const recipient = 'program_recipient_next';
  const asOfDate = `${client.escapeLiteral(asOf)}::date`;
  const band = ageBandSql(asOfDate, 'm.birth_date');
  const programBits = Object.entries(PROGRAM_BITS)
    .map(([code, bit]) => `WHEN ${client.escapeLiteral(code)} THEN ${bit}`)
    .join(' ');
  const dropWork = `DROP TABLE IF EXISTS ${WORK_TABLES.join(', ')}`;
  await client.query(`DROP TABLE IF EXISTS ${ROLLUP_NEXT}`);
  await client.query(dropWork);
  // Room for the groupings to hash in memory rather than sort on disk (this session only).
  await client.query("SET work_mem = '256MB'");
  try {
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_received AS
      SELECT nik, bit_or(CASE program ${programBits} ELSE 0 END)::smallint AS programs
        FROM ${recipient} GROUP BY nik`);
    await client.query('ANALYZE statistics_work_received');
    // The head as its NIK followed by its sex and age band, so that min() picks the smallest NIK
    // and carries its attributes (NIKs are 16 characters, compared in the C collation).
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_household AS
      SELECT m.household_id, count(*)::int AS active,
             bit_or(coalesce(r.programs, 0))::smallint AS programs,
             min(CASE WHEN m.relationship = 'HEAD'
                      THEN m.nik || coalesce(m.sex, '-') || coalesce(${band}, '') END) AS head
        FROM ${member} m LEFT JOIN statistics_work_received r USING (nik)
       WHERE m.status = 'ACTIVE'
       GROUP BY m.household_id`);
    // Fresh tables have no statistics: without them the planner guesses a few rows and picks
    // nested loops over millions.
    await client.query('ANALYZE statistics_work_household');
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_finest AS
      WITH counted AS (
        SELECT left(h.region_code, 6) AS region, h.decile, m.sex, ${band} AS age_band,
               coalesce(r.programs, 0)::smallint AS programs, count(*) AS n
          FROM ${member} m JOIN ${household} h USING (household_id)
          LEFT JOIN statistics_work_received r USING (nik)
         WHERE m.status = 'ACTIVE'
         GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT left(h.region_code, 6), h.decile, m.sex, ${band},
               coalesce(r.programs, 0)::smallint, -count(*)
          FROM statistics_work_household w
          JOIN ${household} h USING (household_id)
          CROSS JOIN LATERAL (
            SELECT nik, sex, birth_date FROM ${member} x
             WHERE x.household_id = w.household_id AND x.status = 'ACTIVE'
             ORDER BY nik OFFSET ${MAX_MEMBERS_COUNTED}) m
          LEFT JOIN statistics_work_received r USING (nik)
         WHERE w.active > ${MAX_MEMBERS_COUNTED}
         GROUP BY 1, 2, 3, 4, 5)
      SELECT 'P'::char(1) AS measure, region, decile, sex, age_band, programs, sum(n) AS n
        FROM counted GROUP BY 2, 3, 4, 5, 6 HAVING sum(n) <> 0
      UNION ALL
      SELECT 'H'::char(1), left(h.region_code, 6), h.decile,
             nullif(substr(w.head, 17, 1), '-')::char(1), nullif(substr(w.head, 18), ''),
             coalesce(w.programs, 0)::smallint, count(*)
        FROM ${household} h LEFT JOIN statistics_work_household w USING (household_id)
       GROUP BY 2, 3, 4, 5, 6`);
    await client.query('ANALYZE statistics_work_finest');
    await client.query(
      `CREATE TABLE ${ROLLUP_NEXT} (LIKE statistics_rollup INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    // Above the district, from the finest table summed to regencies (far fewer rows); the
    // district cuboids from the finest itself. Every input row updates one hash table per
    // cuboid, so this split is most of the build's speed.
    const [aboveDistrict, district] = [0, 1].map((part) =>
      builtCuboids().filter((c) => (c.regionLevel === 3) === (part === 1)),
    );
    await client.query(
      rollupInsert(
        `SELECT measure, left(region, 4) AS r, left(region, 2) AS p, decile, sex, age_band,
                programs, sum(n) AS n
           FROM statistics_work_finest GROUP BY 1, 2, 3, 4, 5, 6, 7`,
        [
          { level: 2, column: 'r' },
          { level: 1, column: 'p' },
        ],
        aboveDistrict!,
      ),
    );
    await client.query(
      rollupInsert(
        `SELECT measure, region AS d, decile, sex, age_band, programs, n FROM statistics_work_finest`,
        [{ level: 3, column: 'd' }],
        district!,
      ),
    );
    await client.query(
      `CREATE INDEX ${ROLLUP_NEXT_INDEX} ON ${ROLLUP_NEXT} (measure, cuboid, region)`,
    );
    await client.query(`ANALYZE ${ROLLUP_NEXT}`);
  } finally {
    await client.query('RESET work_mem');
    await client.query(dropWork);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The INSERT of some cuboids into the staged rollups with GROUPING SETS over `source`, which has
 * the columns measure, decile, sex, age_band, programs, n and one column per region level
 * (finest first in `regions`).
 */
function rollupInsert(
  source: string,
  regions: { level: 1 | 2 | 3; column: string }[],
  cuboids: Cuboid[],
): string {
  const columnOf = (level: number) => regions.find((r) => r.level === level)?.column;
  const sets = cuboids
    .sort((a, b) => cuboidId(a) - cuboidId(b))
    .map((c) => {
      const region = c.regionLevel === 0 ? undefined : columnOf(c.regionLevel);
      if (c.regionLevel !== 0 && region === undefined) {
        throw new Error(`no column for region level ${c.regionLevel}`);
      }
      const columns = [
        region,
        c.decile ? 'decile' : undefined,
        c.sex ? 'sex' : undefined,
        c.ageBand ? 'age_band' : undefined,
        c.programs ? 'programs' : undefined,
      ].filter((x) => x !== undefined);
      return `(${columns.join(', ')})`;
    });
  const level = `CASE ${regions.map((r) => `WHEN GROUPING(${r.column}) = 0 THEN ${r.level}`).join(' ')} ELSE 0 END`;
  const region = `CASE ${regions.map((r) => `WHEN GROUPING(${r.column}) = 0 THEN ${r.column}`).join(' ')} END`;
  return `
    INSERT INTO ${ROLLUP_NEXT} (measure, cuboid, region, decile, sex, age_band, programs, n)
    SELECT measure,
           (${level} * 16 + (1 - GROUPING(decile)) * 8 + (1 - GROUPING(sex)) * 4
            + (1 - GROUPING(age_band)) * 2 + (1 - GROUPING(programs)))::smallint,
           ${region}, decile, sex, age_band, programs, sum(n)::bigint
      FROM (${source}) f
     GROUP BY measure, GROUPING SETS (${sets.join(', ')})`;
}

/** Swaps the built rollups in; inside the caller's swap transaction. */
export async function swapInStatisticsRollups(client: pg.PoolClient): Promise<void> {
  await client.query('DROP TABLE statistics_rollup');
  await client.query(`ALTER TABLE ${ROLLUP_NEXT} RENAME TO statistics_rollup`);
  await client.query(`ALTER INDEX ${ROLLUP_NEXT_INDEX} RENAME TO statistics_rollup_cuboid_idx`);
}

/** Drops a built but unused rollup table (an import that failed after building it). */
export async function dropStatisticsRollups(client: pg.PoolClient): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${ROLLUP_NEXT}`);
}
