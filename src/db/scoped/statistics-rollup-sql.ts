import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NormalizedStatisticsQuery, TargetingMeasure } from '../../domain/statistics-query.js';
import {
  isTargetingMeasure,
  PROGRAM_CODES,
  targetingPrograms,
  type Dimension,
} from '../../domain/statistics-query.js';
import { cuboidId, programMask, PROGRAM_BITS, type Cuboid } from '../../domain/cuboids.js';
import { CELL_KEYS, cellKeySumSql } from '../cell-key-sql.js';
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

/**
 * The column a dimension's cells are grouped on. Raw columns where they can be (decile, sex, age
 * band): casting every row's value to text before grouping cost more than the grouping.
 */
function keyExpression(dimension: Exclude<Dimension, 'PROGRAM'>): RawBuilder<unknown> {
  switch (dimension) {
    case 'PROVINCE':
      return sql`left(r.region, 2)`;
    case 'REGENCY':
      return sql`left(r.region, 4)`;
    case 'DISTRICT':
      return sql`r.region`;
    case 'DECILE':
      return sql`r.decile`;
    case 'SEX':
      return sql`r.sex`;
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
  // A table per program (targeting measures, or PROGRAM grouped): one sum per program over the
  // rows meeting its condition (a FILTER each), in a single pass grouped by the other
  // dimensions; the program cells are spread out below. Joining each row to a list of programs
  // and grouping by the program as well took several times longer on large grids.
  const perProgram = targeting || grouped.includes('PROGRAM');
  const programCondition = (program: string) => {
    const bit = sql.lit(PROGRAM_BITS[program as keyof typeof PROGRAM_BITS]);
    const has = (column: string) => sql`(${sql.ref(column)} & ${bit}::smallint) <> 0`;
    return targeting
      ? targetingCondition(query.measure as TargetingMeasure, has('r.programs'), has('r.eligible'))
      : has('r.programs');
  };
  if (perProgram) {
    conditions.push(sql`(${sql.join(programs.map(programCondition), sql` OR `)})`);
  } else if (query.programs !== null) {
    conditions.push(sql`(r.programs & ${programMask(query.programs)}::smallint) <> 0`);
  }
  const keyDimensions = grouped.filter((d): d is Exclude<Dimension, 'PROGRAM'> => d !== 'PROGRAM');
  const keys = keyDimensions.map(keyExpression);
  for (const key of keys) conditions.push(sql`${key} IS NOT NULL`);
  const sums = perProgram
    ? programs.flatMap((program) => {
        const condition = programCondition(program);
        return [
          sql`coalesce(sum(r.n) FILTER (WHERE ${condition}), 0)`,
          sql`(coalesce(sum(r.ck) FILTER (WHERE ${condition}), 0) % ${sql.lit(CELL_KEYS)})::int`,
        ];
      })
    : [sql`coalesce(sum(r.n), 0)`, sql.raw(cellKeySumSql('r.ck'))];
  const { select, groupBy: groupClause, cell } = groupedCount(keys, sums);
  const from = sql`statistics_rollup r`;

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
  const programAt = grouped.indexOf('PROGRAM');
  let counted: Pick<CountedCells, 'counts' | 'cellKeys'>;
  if (perProgram) {
    // Each row holds every program's sum: one cell per program with a count.
    counted = { counts: new Map(), cellKeys: new Map() };
    const width = keys.length;
    for (const r of row.cells) {
      const before = programAt <= 0 ? '' : r.slice(0, programAt).join('|') + '|';
      const after =
        programAt < 0 || programAt >= width ? '' : '|' + r.slice(programAt, width).join('|');
      const plain = r.slice(0, width).join('|');
      programs.forEach((program, i) => {
        const n = Number(r[width + 2 * i]);
        // Absent means 0; only a total (no grouping) is listed at 0, as a grouped count lists it.
        if (n === 0 && (width > 0 || programAt >= 0)) return;
        const key = programAt < 0 ? plain : before + program + after;
        counted.counts.set(key, n);
        counted.cellKeys.set(key, Number(r[width + 2 * i + 1]));
      });
    }
  } else {
    counted = countsOf(row.cells);
  }
  return {
    snapshotId: Number(row.id),
    asOf: row.as_of,
    ...counted,
    ruleVersions: targeting ? ruleVersionsOf(row.rule_versions, targetingPrograms(query)) : [],
  };
}
