import { sql, type Kysely } from 'kysely';
import { PROGRAMS } from '../../domain/programs.js';
import { AGE_BANDS } from '../../domain/age-bands.js';
import type { NormalizedStatisticsQuery } from '../../domain/statistics-query.js';
import {
  isTargetingMeasure,
  PROGRAM_CODES,
  targetingPrograms,
  type Dimension,
} from '../../domain/statistics-query.js';
import { cuboidFor } from '../../domain/cuboids.js';
import type { Database } from '../database-types.js';
import { countFromBaseTables } from './statistics-base-sql.js';
import type { CountedCells } from './statistics-counts.js';
import { countFromRollups, NO_ROLLUPS } from './statistics-rollup-sql.js';

/**
 * The exact counts behind `statistics` (CONTRACT §8) and the codes of their dimensions. The
 * counts come from the statistics rollups the import builds (statistics-rollup-sql.ts) when they
 * cover the query, else from the base tables (statistics-base-sql.ts), which define what is
 * counted; both give the same numbers.
 */

export { cellKey } from './statistics-counts.js';

const SEXES = [
  { code: 'M', label: 'Male (laki-laki)' },
  { code: 'F', label: 'Female (perempuan)' },
];

const REGION_LEVEL: Partial<Record<Dimension, number>> = { PROVINCE: 1, REGENCY: 2, DISTRICT: 3 };

/** One code of a dimension with its label. */
export interface DimensionCode {
  code: string;
  label: string;
}

/** Where the counts of a table came from. */
export type StatisticsSource = 'rollups' | 'base-tables';

/** The full grid of a table and its exact counts. */
export interface ExactTable extends CountedCells {
  /** Per grouped dimension (normalized order), its codes in display order. */
  dimensions: { dimension: Dimension; codes: DimensionCode[] }[];
  source: StatisticsSource;
}

/** A region-code prefix as a filter: 2, 4, 6 or 10 digits. */
export const REGION_CODE_PATTERN = /^[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{4})?)?)?$/;

/**
 * Exact counts of a normalized query over the served snapshot, with the full grid of codes: from
 * the rollups when they cover the query and the served snapshot has them, else from the base
 * tables. `source` forces one path (tests and benchmarks); forcing rollups that cannot answer
 * throws. `db` may be a transaction (the privacy ledger's); every read runs on it. Returns null
 * when no snapshot has been loaded.
 */
export async function countStatistics(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
  options: { source?: StatisticsSource } = {},
): Promise<ExactTable | null> {
  if (isTargetingMeasure(query.measure) && targetingPrograms(query).length === 0) {
    throw new Error('a targeting measure needs PROGRAM grouped or exactly one program filtered');
  }
  const cuboid = options.source === 'base-tables' ? null : cuboidFor(query, regionScope);
  if (options.source === 'rollups' && cuboid === null) {
    throw new Error('the statistics rollups do not cover this query (a village region)');
  }
  let counted: CountedCells | null;
  let source: StatisticsSource = 'base-tables';
  const fromRollups = cuboid ? await countFromRollups(db, query, regionScope, cuboid) : NO_ROLLUPS;
  if (fromRollups === NO_ROLLUPS) {
    if (options.source === 'rollups') throw new Error('the served snapshot has no rollups');
    counted = await countFromBaseTables(db, query, regionScope);
  } else {
    counted = fromRollups;
    source = 'rollups';
  }
  if (!counted) return null;
  const dimensions = [];
  for (const dimension of query.groupBy) {
    dimensions.push({ dimension, codes: await dimensionCodes(db, dimension, query, regionScope) });
  }
  return { ...counted, dimensions, source };
}

/**
 * The codes of a dimension in display order. Regions: those of the region reference at the
 * dimension's level that lie within the filter and the region scope (a region containing the
 * filter's region counts as within). Others: their fixed code lists.
 */
async function dimensionCodes(
  db: Kysely<Database>,
  dimension: Dimension,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
): Promise<DimensionCode[]> {
  switch (dimension) {
    case 'PROVINCE':
    case 'REGENCY':
    case 'DISTRICT': {
      const within = (prefix: string) =>
        sql`(code LIKE ${prefix + '%'} OR ${prefix} LIKE code || '%')`;
      const conditions = [sql`level = ${REGION_LEVEL[dimension]!}`];
      if (query.regionCode !== null) conditions.push(within(query.regionCode));
      if (!regionScope.includes('*')) {
        conditions.push(
          regionScope.length === 0
            ? sql`false`
            : sql`(${sql.join(regionScope.map(within), sql` OR `)})`,
        );
      }
      const rows = await sql<{ code: string; name: string }>`
        SELECT code, name FROM region WHERE ${sql.join(conditions, sql` AND `)} ORDER BY code`.execute(
        db,
      );
      return rows.rows.map((r) => ({ code: r.code, label: r.name }));
    }
    case 'DECILE':
      return (query.deciles ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).map((d) => ({
        code: String(d),
        label: `Decile ${d}`,
      }));
    case 'PROGRAM':
      return PROGRAM_CODES.filter((p) => query.programs?.includes(p) ?? true).map((p) => ({
        code: p,
        label: PROGRAMS[p].name,
      }));
    case 'SEX':
      return SEXES.map((s) => ({ ...s }));
    case 'AGE_BAND':
      return AGE_BANDS.map((b) => ({ code: b.code, label: b.label }));
  }
}
