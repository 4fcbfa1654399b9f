import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NormalizedStatisticsQuery } from '../../domain/statistics-query.js';
import { PROGRAM_CODES, type Dimension } from '../../domain/statistics-query.js';
import { cuboidId, programMask, PROGRAM_BITS, type Cuboid } from '../../domain/cuboids.js';
import type { Database } from '../database-types.js';
import {
  countsOf,
  groupedCount,
  regionAndDecileConditions,
  type CountedCells,
} from './statistics-counts.js';

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
 * Returns null when no snapshot has been loaded, and NO_ROLLUPS when the served snapshot has no
 * rollups: the caller then takes the base tables. The snapshot, its rollup marker and the counts
 * come from one statement; the import swaps the rollups in with the tables and the snapshot row
 * in one transaction, so they always belong together.
 */
export async function countFromRollups(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
  cuboid: Cuboid,
): Promise<CountedCells | null | typeof NO_ROLLUPS> {
  const grouped = query.groupBy;
  const conditions: RawBuilder<unknown>[] = [
    sql`r.measure = ${query.measure === 'PERSONS' ? 'P' : 'H'}`,
    sql`r.cuboid = ${cuboidId(cuboid)}`,
    ...regionAndDecileConditions(query, regionScope, { region: 'r.region', decile: 'r.decile' }),
  ];
  const programs = query.programs ?? [...PROGRAM_CODES];
  let from = sql`statistics_rollup r`;
  if (grouped.includes('PROGRAM')) {
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
  const { select, groupBy: groupClause, cell } = groupedCount(keys, sql`coalesce(sum(r.n), 0)`);

  const result = await sql<{
    id: string;
    as_of: string;
    rollups: boolean;
    cells: (string | number | null)[][];
  }>`
    WITH s AS (SELECT id, as_of, rollup_seconds IS NOT NULL AS rollups
                 FROM snapshot ORDER BY id DESC LIMIT 1),
    g AS (SELECT ${select} FROM ${from}
           WHERE (SELECT rollups FROM s) AND ${sql.join(conditions, sql` AND `)}
           ${groupClause})
    SELECT s.id::text AS id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of, s.rollups,
           (SELECT coalesce(json_agg(json_build_array(${cell})), '[]'::json) FROM g) AS cells
      FROM s`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  if (!row.rollups) return NO_ROLLUPS;
  return { snapshotId: Number(row.id), asOf: row.as_of, counts: countsOf(row.cells) };
}
