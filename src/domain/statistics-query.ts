import { PROGRAM_CODES } from './programs.js';

/**
 * The vocabulary of a statistics question (CONTRACT §8), shared by the statistics service
 * (src/statistics/), its SQL (src/db/scoped/statistics-*.ts) and the rollup build
 * (src/snapshot/statistics-rollup-build.ts).
 */
export type Measure = 'PERSONS' | 'HOUSEHOLDS';
export type Dimension =
  'PROVINCE' | 'REGENCY' | 'DISTRICT' | 'DECILE' | 'PROGRAM' | 'SEX' | 'AGE_BAND';

/** Every dimension, in the order a normalized query lists them. */
export const DIMENSIONS: readonly Dimension[] = [
  'PROVINCE',
  'REGENCY',
  'DISTRICT',
  'DECILE',
  'PROGRAM',
  'SEX',
  'AGE_BAND',
];

/** The region levels; a table groups by at most one of them. */
export const REGION_DIMENSIONS: readonly Dimension[] = ['PROVINCE', 'REGENCY', 'DISTRICT'];

/** The programs a household or person can be counted in (one cell each when PROGRAM is grouped). */
export { PROGRAM_CODES };

/**
 * PERSONS statistics count at most this many ACTIVE members per household (the first ones in a
 * fixed order; the SQL must apply the same cap). Without a cap one large household could move a
 * count by its whole size and the noise would have to cover the largest household in the
 * registry. Larger households are counted as 10 persons: a small downward bias, documented in
 * docs/privacy.md.
 */
export const MAX_MEMBERS_COUNTED = 10;

/**
 * A statistics question in one form (src/statistics/privacy/canonical-query.ts makes it):
 * groupBy in the DIMENSIONS order, filter lists sorted and deduplicated, an empty list the same as
 * no filter (null). The SQL consumes this form, so that two inputs with one key always compute
 * the same table.
 */
export interface NormalizedStatisticsQuery {
  measure: Measure;
  groupBy: Dimension[];
  regionCode: string | null;
  deciles: number[] | null;
  programs: string[] | null;
  epsilonMilli: number;
}
