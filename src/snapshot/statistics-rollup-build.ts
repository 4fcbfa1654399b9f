import type pg from 'pg';
import { ageBandSql } from '../db/age-band-sql.js';
import { MAX_MEMBERS_COUNTED } from '../domain/statistics-query.js';
import {
  builtCuboids,
  cuboidId,
  dimensionCount,
  DISTRICT_CUBOID,
  PROGRAM_BITS,
  REGION_DIGITS,
  type Cuboid,
} from '../domain/cuboids.js';

/** The staged rollup table and its index, renamed to the served names by the swap. */
const ROLLUP_NEXT = 'statistics_rollup_next';
const ROLLUP_NEXT_INDEX = 'statistics_rollup_next_cuboid_idx';

/** Work tables of the build (UNLOGGED, not TEMP: parallel workers can read them). */
const WORK_TABLES = [
  'statistics_work_received',
  'statistics_work_household',
  'statistics_work_excess',
  'statistics_work_finest',
];

/**
 * Session settings of the build, reset afterwards: room for the groupings to hash in memory and
 * the index to sort in memory, and parallel workers for the scans of members (within the
 * server's own max_parallel_workers_per_gather).
 */
const BUILD_SETTINGS = {
  work_mem: '256MB',
  maintenance_work_mem: '512MB',
  parallel_setup_cost: '0',
  parallel_tuple_cost: '0',
};

/**
 * Builds `statistics_rollup_next` from the staged tables (`household_next`, `member_next`,
 * `program_recipient_next`) with the snapshot's as-of date: every cuboid it keeps (`isBuilt` in
 * src/domain/cuboids.ts) for both measures, counted exactly as the base-table path
 * counts (src/db/scoped/statistics-base-sql.ts):
 *
 * - PERSONS: ACTIVE members, the first MAX_MEMBERS_COUNTED by NIK of each household; their own
 *   sex, age band and programs.
 * - HOUSEHOLDS: every household; the sex and age band of its head (the ACTIVE member with
 *   relationship HEAD, smallest NIK); the programs of any of its ACTIVE members.
 *
 * The passes: the programs of each recipient NIK; each household's ACTIVE members, programs and
 * head (one scan of members); the members beyond the cap (only in the few large households); the
 * finest cuboid of each measure (one scan of members with their households and programs), which
 * is also the district cuboid; then every cuboid above the district from its smallest parent
 * (`createRollupTable`). Counts are int4 so that sums stay in integer arithmetic (a sum of int8 is
 * numeric, several times slower); no count comes near 2^31. Returns the seconds it took.
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
  for (const [name, value] of Object.entries(BUILD_SETTINGS)) {
    await client.query(`SET ${name} = '${value}'`);
  }
  try {
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_received AS
      SELECT nik, bit_or(CASE program ${programBits} ELSE 0 END)::smallint AS programs
        FROM ${recipient} GROUP BY nik`);
    // Fresh tables have no statistics: without them the planner guesses a few rows and picks
    // nested loops over millions.
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
    await client.query('ANALYZE statistics_work_household');
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_excess AS
      SELECT x.nik
        FROM statistics_work_household w
        CROSS JOIN LATERAL (
          SELECT nik FROM ${member} x
           WHERE x.household_id = w.household_id AND x.status = 'ACTIVE'
           ORDER BY nik OFFSET ${MAX_MEMBERS_COUNTED}) x
       WHERE w.active > ${MAX_MEMBERS_COUNTED}`);
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_finest AS
      SELECT 'P'::char(1) AS measure, left(h.region_code, 6) AS region, h.decile, m.sex,
             ${band} AS age_band, coalesce(r.programs, 0)::smallint AS programs, count(*)::int AS n
        FROM ${member} m JOIN ${household} h USING (household_id)
        LEFT JOIN statistics_work_received r USING (nik)
       WHERE m.status = 'ACTIVE'
         AND NOT EXISTS (SELECT FROM statistics_work_excess e WHERE e.nik = m.nik)
       GROUP BY 2, 3, 4, 5, 6
      UNION ALL
      SELECT 'H', left(h.region_code, 6), h.decile,
             nullif(substr(w.head, 17, 1), '-')::char(1), nullif(substr(w.head, 18), ''),
             coalesce(w.programs, 0)::smallint, count(*)::int
        FROM ${household} h LEFT JOIN statistics_work_household w USING (household_id)
       GROUP BY 2, 3, 4, 5, 6`);
    await client.query(createRollupTable('statistics_work_finest'));
    // The constraints of statistics_rollup (migration 0012), checked in one scan.
    await client.query(`
      ALTER TABLE ${ROLLUP_NEXT}
        ALTER COLUMN measure SET NOT NULL, ALTER COLUMN cuboid SET NOT NULL,
        ALTER COLUMN n SET NOT NULL,
        ADD CHECK (measure IN ('H', 'P')), ADD CHECK (cuboid BETWEEN 0 AND 63)`);
    await client.query(
      `CREATE INDEX ${ROLLUP_NEXT_INDEX} ON ${ROLLUP_NEXT} (measure, cuboid, region)`,
    );
    await client.query(`ANALYZE ${ROLLUP_NEXT}`);
  } finally {
    for (const name of Object.keys(BUILD_SETTINGS)) await client.query(`RESET ${name}`);
    await client.query(dropWork);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The dimensions besides the region, in `statistics_rollup` column order: their columns, and how
 * many values each takes (NULL included).
 */
const DIMENSIONS = [
  { key: 'decile', column: 'decile', type: 'smallint', values: 11 },
  { key: 'sex', column: 'sex', type: 'char(1)', values: 3 },
  { key: 'ageBand', column: 'age_band', type: 'text', values: 5 },
  { key: 'programs', column: 'programs', type: 'smallint', values: 16 },
] as const;

/** The same, fewest values first: the order in which a parent adds a dimension. */
const FEWEST_VALUES_FIRST = [...DIMENSIONS].sort((a, b) => a.values - b.values);

/**
 * The parent a cuboid above the district is summed from: the same region level with the one
 * dimension more that has the fewest values (so the fewest rows to read), or, for a cuboid with
 * every dimension, the one a region level finer (the finest table below the regency).
 */
function parentOf(c: Cuboid): Cuboid | 'finest' {
  const missing = FEWEST_VALUES_FIRST.find((d) => !c[d.key]);
  if (missing) return { ...c, [missing.key]: true };
  return c.regionLevel === 2 ? 'finest' : { ...c, regionLevel: (c.regionLevel + 1) as 1 | 2 };
}

/**
 * The CREATE TABLE … AS of the staged rollups: the finest table as the district cuboid, and every
 * cuboid above the district, each a MATERIALIZED CTE grouping its parent (`parentOf`), which
 * comes earlier in the list (grouping by the NULL columns of the dimensions a cuboid lacks costs
 * nothing). Reading the smallest parent rather than the finest table for every cuboid, and
 * writing all rows with one bulk CREATE TABLE AS rather than INSERTs, is most of the build's
 * speed. The outer casts give the columns the types of `statistics_rollup`.
 */
function createRollupTable(finest: string): string {
  const cuboids = builtCuboids()
    .filter((c) => c.regionLevel < 3)
    .sort((a, b) => b.regionLevel - a.regionLevel || dimensionCount(b) - dimensionCount(a));
  const name = (c: Cuboid) => `c${cuboidId(c)}`;
  const ctes = cuboids.map((c) => {
    const parent = parentOf(c);
    const coarser = parent === 'finest' || parent.regionLevel > c.regionLevel;
    const digits = REGION_DIGITS[c.regionLevel];
    const region = !coarser ? 'region' : digits === 0 ? 'NULL::text' : `left(region, ${digits})`;
    const select = [
      `${region} AS region`,
      ...DIMENSIONS.map((d) => (c[d.key] ? d.column : `NULL::${d.type} AS ${d.column}`)),
    ];
    return `${name(c)} AS MATERIALIZED (
      SELECT measure, ${select.join(', ')}, sum(n)::int AS n
        FROM ${parent === 'finest' ? finest : name(parent)}
       GROUP BY 1, 2, 3, 4, 5, 6)`;
  });
  const columns = ['region', ...DIMENSIONS.map((d) => d.column)].join(', ');
  const selects = [
    `SELECT measure, ${cuboidId(DISTRICT_CUBOID)} AS cuboid, ${columns}, n FROM ${finest}`,
    ...cuboids.map((c) => `SELECT measure, ${cuboidId(c)}, ${columns}, n FROM ${name(c)}`),
  ];
  return `
    CREATE TABLE ${ROLLUP_NEXT} AS
    WITH ${ctes.join(',\n')}
    SELECT measure::char(1) AS measure, cuboid::smallint AS cuboid,
           region::text COLLATE "C" AS region, decile::smallint AS decile, sex::char(1) AS sex,
           age_band::text AS age_band, programs::smallint AS programs, n::bigint AS n
      FROM (${selects.join('\n    UNION ALL ')}) u`;
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
