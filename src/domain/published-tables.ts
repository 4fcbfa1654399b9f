import type { Dimension, Measure, NormalizedStatisticsQuery } from './statistics-query.js';
import { DIMENSIONS, isTargetingMeasure, MEASURES } from './statistics-query.js';

/**
 * The statistics tables each import publishes whole (issue #16; migration 0033): the exact counts
 * and cell keys of every cell of the national grid, in one row per table, so that the largest
 * tables are read, not summed, when they are asked. These are the tables grouped by REGENCY
 * (514 regencies: up to 20,560 cells), by far the largest a researcher may ask for: summing their
 * rollup rows per cell was most of their time. Coarser tables are summed from the rollups in a
 * few milliseconds; DISTRICT tables (dashboards only) would be ten times larger each.
 *
 * A published table answers the query of the same measure and grouping whose filters and region
 * scope only keep some of its cells (`isAnsweredByPublishedTable`): the answer is a slice of it.
 */

/** A published table: a measure and its grouping, in the normalized dimension order. */
export interface PublishedTable {
  measure: Measure;
  groupBy: Dimension[];
}

/** The region level every published table is grouped by, and its code's digits. */
export const PUBLISHED_REGION: Dimension = 'REGENCY';
const PUBLISHED_REGION_DIGITS = 4;

/**
 * Every table the import publishes: for PERSONS and HOUSEHOLDS, REGENCY with up to two of
 * DECILE, PROGRAM, SEX and AGE_BAND (11 each); for each targeting measure, which needs the
 * program of every cell, REGENCY and PROGRAM with up to one of DECILE, SEX and AGE_BAND (4 each).
 */
export function publishedTables(): PublishedTable[] {
  const others: Dimension[] = ['DECILE', 'PROGRAM', 'SEX', 'AGE_BAND'];
  const groupings: Dimension[][] = [[]];
  for (const dimension of others) {
    for (const g of [...groupings]) if (g.length < 2) groupings.push([...g, dimension]);
  }
  const tables: PublishedTable[] = [];
  for (const measure of MEASURES) {
    for (const g of groupings) {
      if (isTargetingMeasure(measure) && !g.includes('PROGRAM')) continue;
      const groupBy = DIMENSIONS.filter((d) => d === PUBLISHED_REGION || g.includes(d));
      tables.push({ measure, groupBy });
    }
  }
  return tables;
}

const PUBLISHED = new Set(publishedTables().map((t) => `${t.measure}:${groupingKey(t)}`));

/** The `statistics_table.grouping` of a table: its dimensions in normalized order, by commas. */
export function groupingKey(table: Pick<PublishedTable, 'groupBy'>): string {
  return table.groupBy.join(',');
}

/**
 * Whether a published table answers `query` for a client with `regionScope`, as a slice of its
 * cells: one of the same measure and grouping, and every filter and scope prefix keeps whole
 * cells of it — region prefixes of a regency or coarser, deciles only with DECILE grouped,
 * programs only with PROGRAM grouped. (A filter on a dimension the table does not group by, or a
 * district or village prefix, changes what each cell counts: such queries are summed from the
 * rollups.)
 */
export function isAnsweredByPublishedTable(
  query: Pick<
    NormalizedStatisticsQuery,
    'measure' | 'groupBy' | 'regionCode' | 'deciles' | 'programs'
  >,
  regionScope: readonly string[],
): boolean {
  if (!PUBLISHED.has(`${query.measure}:${groupingKey(query)}`)) return false;
  if (query.deciles !== null && !query.groupBy.includes('DECILE')) return false;
  if (query.programs !== null && !query.groupBy.includes('PROGRAM')) return false;
  const prefixes = [
    ...(query.regionCode !== null ? [query.regionCode] : []),
    ...(regionScope.includes('*') ? [] : regionScope),
  ];
  return prefixes.every((prefix) => prefix.length <= PUBLISHED_REGION_DIGITS);
}
