import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NormalizedStatisticsQuery } from '../../domain/statistics-query.js';
import {
  isTargetingMeasure,
  PROGRAM_CODES,
  targetingPrograms,
  type Dimension,
} from '../../domain/statistics-query.js';
import { cuboidId, programMask, PROGRAM_BITS, type Cuboid } from '../../domain/cuboids.js';
import { cellKeySumSql } from '../cell-key-sql.js';
import type { Database } from '../database-types.js';
import {
  countsOf,
  groupedCount,
  regionAndDecileConditions,
  ruleVersionsOf,
  targetingCondition,
  type CountedCells,
} from './statistics-counts.js';

/** The `statistics_rollup.measure` of each measure's rows. */
const MEASURE_CODE = { PERSONS: 'P', HOUSEHOLDS: 'H', TARGETING: 'T' } as const;

/** The served snapshot predates the rollups (imported before migration 0012). */
export const NO_ROLLUPS = 'no-rollups';

function keyExpression(dimension: Dimension): RawBuilder<unknown> {
  switch (dimension) {
    case 'PROVINCE':
      return sql`left(r.region, 2)`;
    case 'REGENCY':
      return sql`left(r.region, 4)`;
    case 'DISTRICT':
      return sql`r.region`;
    case 'DECILE':
      return sql`r.decile::text`;
    case 'PROGRAM':
      return sql`pc.code`;
    case 'SEX':
      return sql`r.sex::text`;
    case 'AGE_BAND':
      return sql`r.age_band`;
  }
}

/**
 * The counts of a query from its cuboid (src/domain/cuboids.ts chooses it): the
 * cuboid's rows within the filters and the region scope, summed per cell. Reads a few rows per
 * region of the cuboid's level, never members. The same counts as the base-table path
 * (statistics-base-sql.ts), which tests/statistics/statistics-rollups.test.ts checks on random queries.
 *
 * A targeting measure reads the `T` rows: per program of the table, the rows whose `programs`
 * (received) and `eligible` bits for it meet the measure's condition, e.g. for
 * ELIGIBLE_NON_RECIPIENTS grouped by PROGRAM:
 *
 *   SELECT pc.code AS k0, coalesce(sum(r.n), 0) AS n
 *     FROM statistics_rollup r JOIN (VALUES ('PKH', 1), …) AS pc (code, bit)
 *       ON ((r.eligible & pc.bit) <> 0 AND NOT (r.programs & pc.bit) <> 0)
 *    WHERE r.measure = 'T' AND r.cuboid = 1 AND … GROUP BY 1
 *
 * Returns null when no snapshot has been loaded, and NO_ROLLUPS when the served snapshot has no
 * rollups for the measure (imported before migration 0012, or before 0015 for a targeting
 * measure): the caller then takes the base tables. The snapshot, its rollup marker and the
 * counts come from one statement; the import swaps the rollups in with the tables and the
 * snapshot row in one transaction, so they always belong together.
 */
export async function countFromRollups(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
  cuboid: Cuboid,
): Promise<CountedCells | null | typeof NO_ROLLUPS> {
  const grouped = query.groupBy;
  const targeting = isTargetingMeasure(query.measure);
  const conditions: RawBuilder<unknown>[] = [
    sql`r.measure = ${targeting ? MEASURE_CODE.TARGETING : MEASURE_CODE[query.measure as 'PERSONS' | 'HOUSEHOLDS']}`,
    sql`r.cuboid = ${cuboidId(cuboid)}`,
    ...regionAndDecileConditions(query, regionScope, { region: 'r.region', decile: 'r.decile' }),
  ];
  const programs = targeting ? targetingPrograms(query) : (query.programs ?? [...PROGRAM_CODES]);
  let from = sql`statistics_rollup r`;
  if (isTargetingMeasure(query.measure)) {
    // One program per cell (or the filter's one): a row counts for each program whose bits meet
    // the measure's condition.
    const bits = sql.join(
      programs.map((p) => sql`(${p}, ${PROGRAM_BITS[p as keyof typeof PROGRAM_BITS]})`),
    );
    const has = (column: string) => sql`(${sql.ref(column)} & pc.bit::smallint) <> 0`;
    from = sql`statistics_rollup r JOIN (VALUES ${bits}) AS pc (code, bit)
                 ON ${targetingCondition(query.measure, has('r.programs'), has('r.eligible'))}`;
  } else if (grouped.includes('PROGRAM')) {
    // One cell per program received: a row counts in every program whose bit it has.
    const bits = sql.join(
      programs.map((p) => sql`(${p}, ${PROGRAM_BITS[p as keyof typeof PROGRAM_BITS] ?? 0})`),
    );
    from = sql`statistics_rollup r JOIN (VALUES ${bits}) AS pc (code, bit)
                 ON (r.programs & pc.bit::smallint) <> 0`;
  } else if (query.programs !== null) {
    conditions.push(sql`(r.programs & ${programMask(query.programs)}::smallint) <> 0`);
  }
  const keys = grouped.map(keyExpression);
  for (const key of keys) conditions.push(sql`${key} IS NOT NULL`);
  const {
    select,
    groupBy: groupClause,
    cell,
  } = groupedCount(keys, sql`coalesce(sum(r.n), 0)`, sql.raw(cellKeySumSql('r.ck')));

  const result = await sql<{
    id: string;
    as_of: string;
    rollups: boolean;
    rule_versions: Record<string, number> | null;
    cells: (string | number | null)[][];
  }>`
    WITH s AS (SELECT id, as_of, rule_versions,
                      rollup_seconds IS NOT NULL AND cell_keys
                        AND ${targeting ? sql`rule_versions IS NOT NULL` : sql`true`} AS rollups
                 FROM snapshot ORDER BY id DESC LIMIT 1),
    g AS (SELECT ${select} FROM ${from}
           WHERE (SELECT rollups FROM s) AND ${sql.join(conditions, sql` AND `)}
           ${groupClause})
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of, s.rollups, s.rule_versions,
           (SELECT coalesce(json_agg(json_build_array(${cell})), '[]'::json) FROM g) AS cells
      FROM s`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  if (!row.rollups) return NO_ROLLUPS;
  return {
    snapshotId: Number(row.id),
    asOf: row.as_of,
    ...countsOf(row.cells),
    ruleVersions: targeting ? ruleVersionsOf(row.rule_versions, targetingPrograms(query)) : [],
  };
}
