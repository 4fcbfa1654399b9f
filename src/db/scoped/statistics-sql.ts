import { sql, type Kysely } from 'kysely';
import { PROGRAMS } from '../../domain/programs.js';
import { AGE_BANDS } from '../../domain/age-bands.js';
import {
  isTargetingMeasure,
  PROGRAM_CODES,
  targetingPrograms,
  type Dimension,
  type Measure,
  type NormalizedStatisticsQuery,
} from '../../domain/statistics-query.js';
import { cuboidFor } from '../../domain/cuboids.js';
import {
  groupingKey,
  isAnsweredByPublishedTable,
  PUBLISHED_REGION,
} from '../../domain/published-tables.js';
import type { Database } from '../database-types.js';
import { countFromBaseTables } from './statistics-base-sql.js';
import { ruleVersionsOf, type CountedCells } from './statistics-counts.js';
import {
  readPublishedTables,
  type PublishedCells,
  type PublishedTablesCache,
} from './statistics-published-sql.js';
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

/**
 * Where the counts of a table came from: a table published whole by the import (the largest
 * tables, src/domain/published-tables.ts), the rollups, or the base tables.
 */
export type StatisticsSource = 'published' | 'rollups' | 'base-tables';

/** The full grid of a table and its exact counts (snapshot, as-of date, rule versions as counted). */
export interface ExactTable extends Pick<CountedCells, 'snapshotId' | 'asOf' | 'ruleVersions'> {
  /** Per grouped dimension (normalized order), its codes in display order. */
  dimensions: { dimension: Dimension; codes: DimensionCode[] }[];
  /** The exact count of every cell of the grid, row-major over `dimensions` (the last fastest). */
  counts: number[];
  /** The cell key of every cell, in the same order (src/db/cell-key-sql.ts; 0: an empty cell). */
  cellKeys: number[];
  source: StatisticsSource;
}

/** A region-code prefix as a filter: 2, 4, 6 or 10 digits. */
export const REGION_CODE_PATTERN = /^[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{4})?)?)?$/;

/**
 * Exact counts of a normalized query over the served snapshot, with the full grid of codes: from
 * a published table when one answers the query and the served snapshot has it, else from the
 * rollups when they cover the query and the snapshot has them, else from the base tables. All
 * three give the same numbers. `source` forces one path (tests and benchmarks); forcing a path
 * that cannot answer throws. `published` keeps the published tables read (a process's own). `db`
 * may be a transaction (the privacy ledger's); every read runs on it. Returns null when no
 * snapshot has been loaded.
 */
export async function countStatistics(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
  options: { source?: StatisticsSource; published?: PublishedTablesCache } = {},
): Promise<ExactTable | null> {
  if (isTargetingMeasure(query.measure) && targetingPrograms(query).length === 0) {
    throw new Error('a targeting measure needs PROGRAM grouped or exactly one program filtered');
  }
  const dimensions = [];
  for (const dimension of query.groupBy) {
    dimensions.push({ dimension, codes: await dimensionCodes(db, dimension, query, regionScope) });
  }
  const publishable = isAnsweredByPublishedTable(query, regionScope);
  if (options.source === 'published' && !publishable) {
    throw new Error('no published statistics table answers this query');
  }
  if (publishable && (options.source === undefined || options.source === 'published')) {
    const read = await readPublishedTables(
      db,
      [query.measure],
      groupingKey(query),
      query.measure,
      options.published,
    );
    if (read === null) return null;
    const table = read.get(query.measure);
    const cells = table ? sliceOf(table, dimensions) : null;
    if (table && cells) {
      return {
        snapshotId: table.snapshotId,
        asOf: table.asOf,
        dimensions,
        ...cells,
        ruleVersions: isTargetingMeasure(query.measure)
          ? ruleVersionsOf(table.ruleVersions, targetingPrograms(query))
          : [],
        source: 'published',
      };
    }
    if (options.source === 'published') {
      throw new Error('the served snapshot has no published table for this query');
    }
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
  const keys = gridKeys(dimensions);
  return {
    snapshotId: counted.snapshotId,
    asOf: counted.asOf,
    dimensions,
    counts: keys.map((key) => counted.counts.get(key) ?? 0),
    cellKeys: keys.map((key) => counted.cellKeys.get(key) ?? 0),
    ruleVersions: counted.ruleVersions,
    source,
  };
}

/**
 * The exact counts of other measures over the grid of `table` (same query otherwise), each with
 * the snapshot it was counted on: the targeting measures' suppression needs three of them
 * (src/statistics/suppression/targeting-protection.ts). When `table` came from a published table,
 * theirs are read in one statement, counts only; otherwise each is counted as `countStatistics`
 * would. The caller checks that the snapshots agree.
 */
export async function countOtherMeasures(
  db: Kysely<Database>,
  query: NormalizedStatisticsQuery,
  regionScope: readonly string[],
  table: ExactTable,
  measures: readonly Measure[],
  published?: PublishedTablesCache,
): Promise<Map<Measure, { snapshotId: number; counts: number[] }>> {
  const out = new Map<Measure, { snapshotId: number; counts: number[] }>();
  const wanted = measures.filter((measure) => {
    if (measure !== query.measure) return true;
    out.set(measure, table);
    return false;
  });
  if (table.source === 'published' && wanted.length > 0) {
    const tables = await readPublishedTables(db, wanted, groupingKey(query), null, published);
    for (const measure of wanted) {
      const read = tables?.get(measure);
      const cells = read ? sliceOf(read, table.dimensions) : null;
      if (read && cells) out.set(measure, { snapshotId: read.snapshotId, counts: cells.counts });
    }
  }
  await Promise.all(
    wanted
      .filter((measure) => !out.has(measure))
      .map(async (measure) => {
        const counted = await countStatistics(
          db,
          { ...query, measure },
          regionScope,
          published ? { published } : {},
        );
        if (!counted) throw new Error('no registry snapshot is loaded');
        out.set(measure, counted);
      }),
  );
  return out;
}

/**
 * The cells of a table as the counting paths list them (`CountedCells.counts`): keyed by their
 * codes joined with `|`, every non-zero cell, and the total of a table without grouping.
 */
export function countsByCell(table: ExactTable): {
  counts: Map<string, number>;
  cellKeys: Map<string, number>;
} {
  const keys = gridKeys(table.dimensions);
  const counts = new Map<string, number>();
  const cellKeys = new Map<string, number>();
  keys.forEach((key, i) => {
    if (table.counts[i] === 0 && table.dimensions.length > 0) return;
    counts.set(key, table.counts[i]!);
    cellKeys.set(key, table.cellKeys[i]!);
  });
  return { counts, cellKeys };
}

/** Each cell's key (`cellKey`: codes joined by `|`) in row-major order over the dimensions. */
function gridKeys(dimensions: readonly { codes: readonly DimensionCode[] }[]): string[] {
  let keys: string[] = [''];
  dimensions.forEach((d, i) => {
    const next: string[] = new Array<string>(keys.length * d.codes.length);
    let at = 0;
    for (const prefix of keys) {
      for (const { code } of d.codes) next[at++] = i === 0 ? code : `${prefix}|${code}`;
    }
    keys = next;
  });
  return keys;
}

/**
 * The cells of `dimensions`' grid in a published table, or null when a code of the grid is not
 * in the table (the region reference changed since the import): the caller then sums the rollups.
 * The table's grid is its regencies and every code of the other dimensions; the query's grid
 * keeps some of them (its filters and region scope), in the same order.
 */
function sliceOf(
  table: PublishedCells,
  dimensions: readonly { dimension: Dimension; codes: readonly DimensionCode[] }[],
): { counts: number[]; cellKeys: number[] } | null {
  const full = dimensions.map((d) =>
    d.dimension === PUBLISHED_REGION
      ? table.regionCodes
      : fixedCodes(d.dimension, { deciles: null, programs: null }).map((c) => c.code),
  );
  if (full.reduce((n, codes) => n * codes.length, 1) !== table.counts.length) return null;
  const positions = dimensions.map((d, k) => {
    const at = new Map(full[k]!.map((code, i) => [code, i]));
    return d.codes.map((c) => at.get(c.code) ?? -1);
  });
  if (positions.some((p) => p.includes(-1))) return null;
  const whole = positions.every(
    (p, k) => p.length === full[k]!.length && p.every((at, i) => at === i),
  );
  if (whole) return { counts: table.counts, cellKeys: table.cellKeys };
  // A table read for its counts only (readPublishedTables) has no cell keys to slice.
  const keyed = table.cellKeys.length === table.counts.length;
  // Row-major strides of the published grid, then every cell of the query's grid in order.
  const strides = full.map((_, k) => full.slice(k + 1).reduce((n, codes) => n * codes.length, 1));
  let sources = [0];
  positions.forEach((p, k) => {
    sources = sources.flatMap((base) => p.map((at) => base + at * strides[k]!));
  });
  return {
    counts: sources.map((i) => table.counts[i]!),
    cellKeys: keyed ? sources.map((i) => table.cellKeys[i]!) : [],
  };
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
    default:
      return fixedCodes(dimension, query);
  }
}

/** The codes of a dimension that is not a region, within the query's filters, in display order. */
function fixedCodes(
  dimension: Dimension,
  query: Pick<NormalizedStatisticsQuery, 'deciles' | 'programs'>,
): DimensionCode[] {
  switch (dimension) {
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
    default:
      throw new Error(`${dimension} is a region dimension`);
  }
}
