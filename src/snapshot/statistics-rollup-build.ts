import type pg from 'pg';
import { ageBandSql } from '../db/age-band-sql.js';
import { cellKeySumSql, recordKeySql } from '../db/cell-key-sql.js';
import {
  HOUSEHOLD_PROGRAMS,
  MAX_MEMBERS_COUNTED,
  PERSON_PROGRAMS,
  type RuleVersion,
} from '../domain/statistics-query.js';
import {
  builtCuboids,
  cuboidId,
  dimensionCount,
  DISTRICT_CUBOID,
  hasTargeting,
  programMask,
  PROGRAM_BITS,
  REGION_DIGITS,
  type Cuboid,
} from '../domain/cuboids.js';
import { countedInStatistics } from '../db/scoped/restriction-sql.js';
import { HOUSEHOLD_MEMBER, targetingRuleSql } from './targeting-rule-sql.js';

/** The staged rollup table and its index, renamed to the served names by the swap. */
const ROLLUP_NEXT = 'statistics_rollup_next';
const ROLLUP_NEXT_INDEX = 'statistics_rollup_next_cuboid_idx';

/** Work tables of the build (UNLOGGED, not TEMP: parallel workers can read them). */
const WORK_TABLES = [
  'statistics_work_received',
  'statistics_work_household',
  'statistics_work_excess',
  'statistics_work_units',
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
 * What the build produced: its time, the rule versions the targeting rows were decided with, and
 * the moment it read the restrictions of processing (the persons restricted then are left out).
 */
export interface RollupBuild {
  seconds: number;
  ruleVersions: RuleVersion[];
  /** `now()` of the build as PostgreSQL text (full precision), for `snapshot.restrictions_as_of`. */
  restrictionsAsOf: string;
}

/**
 * Builds `statistics_rollup_next` from the staged tables (`household_next`, `member_next`,
 * `program_recipient_next`) with the snapshot's as-of date: every cuboid it keeps (`isBuilt` in
 * src/domain/cuboids.ts) for every measure, counted exactly as the base-table path counts
 * (src/db/scoped/statistics-base-sql.ts):
 *
 * - P (PERSONS): ACTIVE members, the first MAX_MEMBERS_COUNTED by NIK of each household; their
 *   own sex, age band and programs.
 * - H (HOUSEHOLDS): every household; the sex and age band of its head (the ACTIVE member with
 *   relationship HEAD, smallest NIK); the programs of any of its ACTIVE members.
 * - T (the targeting measures), only in the cuboids with programs: for the household programs,
 *   every household that receives one (a member of any status is a recipient) or is eligible
 *   for one, with its head's sex and age band; for the person programs, the candidates — members
 *   who are ACTIVE or receive a person program, the first MAX_MEMBERS_COUNTED by NIK of each
 *   household — that receive or are eligible for one, with their own sex and age band.
 *   `programs` holds what the unit receives, `eligible` what it is eligible for under the rules
 *   current at import (src/snapshot/targeting-rule-sql.ts), both limited to its unit's programs.
 *
 * The passes: the programs of each recipient NIK; each household's members (all statuses, one
 * scan of members): ACTIVE count, candidates, programs received, head, the rules' household
 * flags; the members beyond the caps (only in the few large households); every member and every
 * household once with its household, programs and eligibility (one parallel scan of members),
 * grouped on the keys of both its measures at once (`statistics_work_units`); then, in one
 * statement (`createRollupTable`), the finest cuboid of each measure summed from that (the
 * district cuboid) and every cuboid above the district from its smallest parent. Counts are
 * int4 so that sums stay in integer arithmetic (a sum of int8 is numeric, several times slower);
 * no count comes near 2^31.
 *
 * Members restricted at the start of the build are left out, as if not in the registry
 * (`countedInStatistics`); the base-table path leaves out the same ones (`statisticsMembers`).
 */
export async function buildStatisticsRollups(
  client: pg.PoolClient,
  asOf: string,
): Promise<RollupBuild> {
  const started = process.hrtime.bigint();
  const household = 'household_next';
  // The restrictions read now are the ones the snapshot's statistics honour until the next import.
  const { rows: clock } = await client.query<{ now: string; restricted: boolean }>(
    `SELECT now()::text AS now,
            EXISTS (SELECT 1 FROM processing_restriction WHERE lifted_at IS NULL) AS restricted`,
  );
  const restrictionsAsOf = clock[0]!.now;
  // Without restrictions the members are read as they are (the build's plans stay as measured).
  const member = clock[0]!.restricted
    ? `(SELECT m0.* FROM member_next m0
         WHERE ${countedInStatistics(`${client.escapeLiteral(restrictionsAsOf)}::timestamptz`, 'm0.nik')})`
    : 'member_next';
  const recipient = 'program_recipient_next';
  const asOfDate = `${client.escapeLiteral(asOf)}::date`;
  const band = ageBandSql(asOfDate, 'm.birth_date');
  const programBits = Object.entries(PROGRAM_BITS)
    .map(([code, bit]) => `WHEN ${client.escapeLiteral(code)} THEN ${bit}`)
    .join(' ');
  const personBits = programMask(PERSON_PROGRAMS);
  const personPrograms = `ARRAY[${PERSON_PROGRAMS.map((p) => client.escapeLiteral(p)).join(', ')}]`;
  const householdBits = programMask(HOUSEHOLD_PROGRAMS);
  const dropWork = `DROP TABLE IF EXISTS ${WORK_TABLES.join(', ')}`;
  await client.query(`DROP TABLE IF EXISTS ${ROLLUP_NEXT}`);
  await client.query(dropWork);
  for (const [name, value] of Object.entries(BUILD_SETTINGS)) {
    await client.query(`SET ${name} = '${value}'`);
  }
  let ruleVersions: RuleVersion[];
  try {
    const rules = await targetingRuleSql(client, asOf);
    ruleVersions = rules.versions;
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_received AS
      SELECT nik, bit_or(CASE program ${programBits} ELSE 0 END)::smallint AS programs
        FROM ${recipient} GROUP BY nik`);
    // Fresh tables have no statistics: without them the planner guesses a few rows and picks
    // nested loops over millions.
    await client.query('ANALYZE statistics_work_received');
    // The head as its NIK followed by its sex and age band, so that min() picks the smallest NIK
    // and carries its attributes (NIKs are 16 characters, compared in the C collation).
    // `received`: the programs of any member, whatever the status (a household whose only
    // recipient died still receives: an inclusion error to count).
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_household AS
      SELECT m.household_id,
             count(*) FILTER (WHERE m.status = 'ACTIVE')::int AS active,
             count(*) FILTER (WHERE m.status = 'ACTIVE'
                                 OR (r.programs & ${personBits}) <> 0)::int AS candidates,
             coalesce(bit_or(r.programs) FILTER (WHERE m.status = 'ACTIVE'), 0)::smallint AS programs,
             coalesce(bit_or(r.programs), 0)::smallint AS received,
             min(CASE WHEN m.relationship = 'HEAD' AND m.status = 'ACTIVE'
                      THEN m.nik || coalesce(m.sex, '-') || coalesce(${band}, '') END) AS head
             ${rules.householdFlags.map((f) => `, ${f}`).join('\n             ')}
        FROM ${member} m LEFT JOIN statistics_work_received r USING (nik)
       GROUP BY m.household_id`);
    await client.query('ANALYZE statistics_work_household');
    // The members beyond each cap: of PERSONS (ACTIVE members) and of the person programs'
    // targeting (the candidates), only in the households over it.
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_excess AS
      SELECT nik, bool_or(persons) AS persons, bool_or(targeting) AS targeting
        FROM (SELECT x.nik, true AS persons, false AS targeting
                FROM statistics_work_household w
                CROSS JOIN LATERAL (
                  SELECT nik FROM ${member} x
                   WHERE x.household_id = w.household_id AND x.status = 'ACTIVE'
                   ORDER BY nik OFFSET ${MAX_MEMBERS_COUNTED}) x
               WHERE w.active > ${MAX_MEMBERS_COUNTED}
              UNION ALL
              SELECT x.nik, false, true
                FROM statistics_work_household w
                CROSS JOIN LATERAL (
                  SELECT x.nik FROM ${member} x
                   WHERE x.household_id = w.household_id
                     AND (x.status = 'ACTIVE'
                          OR EXISTS (SELECT FROM ${recipient} r
                                      WHERE r.nik = x.nik AND r.program = ANY (${personPrograms})))
                   ORDER BY x.nik OFFSET ${MAX_MEMBERS_COUNTED}) x
               WHERE w.candidates > ${MAX_MEMBERS_COUNTED}) e
       GROUP BY nik`);
    await client.query('ANALYZE statistics_work_excess');
    // Each member and each household once, grouped on the keys of both its measures: `programs`
    // for P or H (-1: not counted there), `t_received` and `t_eligible` for T (-1: not a
    // candidate). The finest cuboid sums it per measure below.
    const candidate = `((m.status = 'ACTIVE' OR (r.programs & ${personBits}) <> 0)
                         AND e.targeting IS NOT TRUE)`;
    // Grouped by hash: the planner expects about as many groups as rows (it multiplies the keys'
    // distinct counts), so it would sort the 10 M rows of a 10 M registry on disk first, about
    // 5 s slower there; there are about an eighth as many groups (docs/scale.md).
    await client.query('SET enable_sort = off');
    await client.query(`
      CREATE UNLOGGED TABLE statistics_work_units AS
      SELECT 'P'::char(1) AS measure, left(h.region_code, 6) AS region, h.decile, m.sex,
             ${band} AS age_band,
             CASE WHEN m.status = 'ACTIVE' AND e.persons IS NOT TRUE
                  THEN coalesce(r.programs, 0) ELSE -1 END::smallint AS programs,
             CASE WHEN ${candidate} THEN coalesce(r.programs, 0) & ${personBits}
                  ELSE -1 END::smallint AS t_received,
             CASE WHEN ${candidate} THEN ${rules.personEligible} ELSE -1 END::smallint AS t_eligible,
             count(*)::int AS n, ${cellKeySumSql(recordKeySql('m.nik::text'))} AS ck
        FROM ${member} m JOIN ${household} h USING (household_id)
        LEFT JOIN statistics_work_received r USING (nik)
        LEFT JOIN statistics_work_excess e USING (nik)
        ${rules.personNeedsHousehold ? 'LEFT JOIN statistics_work_household w USING (household_id)' : ''}
       WHERE m.status = 'ACTIVE' OR r.programs IS NOT NULL
       GROUP BY 2, 3, 4, 5, 6, 7, 8
      UNION ALL
      SELECT 'H', left(h.region_code, 6), h.decile,
             nullif(substr(w.head, 17, 1), '-')::char(1), nullif(substr(w.head, 18), ''),
             coalesce(w.programs, 0)::smallint,
             (coalesce(w.received, 0) & ${householdBits})::smallint,
             (${rules.householdEligible})::smallint,
             count(*)::int, ${cellKeySumSql(recordKeySql('h.household_id'))}
        FROM ${household} h LEFT JOIN statistics_work_household w USING (household_id)
        CROSS JOIN ${HOUSEHOLD_MEMBER} m
       GROUP BY 2, 3, 4, 5, 6, 7, 8`);
    await client.query('RESET enable_sort');
    // The finest cuboid of each measure, summed from the units (read by the district cuboid and
    // by the regency cuboid above it).
    await client.query(
      createRollupTable(`
        SELECT measure, region, decile, sex, age_band, programs, NULL::smallint AS eligible,
               sum(n)::int AS n, ${cellKeySumSql('ck')} AS ck
          FROM statistics_work_units WHERE programs >= 0
         GROUP BY 1, 2, 3, 4, 5, 6
        UNION ALL
        SELECT 'T', region, decile, sex, age_band, t_received, t_eligible, sum(n)::int,
               ${cellKeySumSql('ck')}
          FROM statistics_work_units WHERE t_received >= 0 AND (t_received | t_eligible) <> 0
         GROUP BY 2, 3, 4, 5, 6, 7`),
    );
    // The constraints of statistics_rollup (migrations 0012, 0015), checked in one scan.
    await client.query(`
      ALTER TABLE ${ROLLUP_NEXT}
        ALTER COLUMN measure SET NOT NULL, ALTER COLUMN cuboid SET NOT NULL,
        ALTER COLUMN n SET NOT NULL,
        ADD CHECK (measure IN ('H', 'P', 'T')), ADD CHECK (cuboid BETWEEN 0 AND 63)`);
    await client.query(
      `CREATE INDEX ${ROLLUP_NEXT_INDEX} ON ${ROLLUP_NEXT} (measure, cuboid, region)`,
    );
    await client.query(`ANALYZE ${ROLLUP_NEXT}`);
  } finally {
    for (const name of [...Object.keys(BUILD_SETTINGS), 'enable_sort']) {
      await client.query(`RESET ${name}`);
    }
    await client.query(dropWork);
  }
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    ruleVersions,
    restrictionsAsOf,
  };
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
 * The CREATE TABLE … AS of the staged rollups: the finest cuboid (`finestSql`, a MATERIALIZED
 * CTE) as the district cuboid, and every cuboid above the district, each a MATERIALIZED CTE
 * grouping its parent (`parentOf`), which
 * comes earlier in the list (grouping by the NULL columns of the dimensions a cuboid lacks costs
 * nothing). Reading the smallest parent rather than the finest table for every cuboid, and
 * writing all rows with one bulk CREATE TABLE AS rather than INSERTs, is most of the build's
 * speed. `eligible` is kept in every cuboid (it only splits T rows), and a cuboid without
 * programs drops the T rows (`hasTargeting`). The outer casts give the columns the types of
 * `statistics_rollup`.
 */
function createRollupTable(finestSql: string): string {
  const finest = 'finest';
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
      SELECT measure, ${select.join(', ')}, eligible, sum(n)::int AS n,
             ${cellKeySumSql('ck')} AS ck
        FROM ${parent === 'finest' ? finest : name(parent)}
       ${hasTargeting(c) ? '' : "WHERE measure <> 'T'"}
       GROUP BY 1, 2, 3, 4, 5, 6, 7)`;
  });
  const columns = ['region', ...DIMENSIONS.map((d) => d.column), 'eligible'].join(', ');
  const selects = [
    `SELECT measure, ${cuboidId(DISTRICT_CUBOID)} AS cuboid, ${columns}, n, ck FROM ${finest}`,
    ...cuboids.map((c) => `SELECT measure, ${cuboidId(c)}, ${columns}, n, ck FROM ${name(c)}`),
  ];
  return `
    CREATE TABLE ${ROLLUP_NEXT} AS
    WITH ${finest} AS MATERIALIZED (${finestSql}),
    ${ctes.join(',\n')}
    SELECT measure::char(1) AS measure, cuboid::smallint AS cuboid,
           region::text COLLATE "C" AS region, decile::smallint AS decile, sex::char(1) AS sex,
           age_band::text AS age_band, programs::smallint AS programs, n::bigint AS n,
           eligible::smallint AS eligible, ck::int AS ck
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
