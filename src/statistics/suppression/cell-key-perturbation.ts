/**
 * The cell-key method for internal dashboards (docs/privacy.md "Internal dashboards"; the method
 * of the Australian Bureau of Statistics' TableBuilder and of the ONS): every count shown is the
 * exact count plus a small perturbation that depends only on the count's cell key — the sum of
 * its units' record keys modulo 256 (src/db/cell-key-sql.ts). The same units therefore always
 * get the same perturbation, whichever query, grouping, filter or region scope counts them:
 * asking again, or asking for the same group another way, gives nothing new. Two counts of
 * different groups get (nearly) independent perturbations, so their difference is the difference
 * of the groups plus noise, never the exact count of a small group.
 *
 * Pure and deterministic. Cells of 1–9 units are still suppressed (with their complements) on
 * top of this, on the exact counts (cell-suppression.ts).
 */

import { CELL_KEYS } from '../../db/cell-key-sql.js';

/** The largest perturbation: a shown count is within this of the exact count. */
export const MAX_PERTURBATION = 4;

/**
 * How many of the 256 cell keys give each perturbation −4 … +4: a triangular distribution
 * (P(k) ∝ 5 − |k|) rounded to 256ths. Symmetric, so sums of shown counts are unbiased.
 */
const KEYS_PER_PERTURBATION = [10, 20, 31, 41, 52, 41, 31, 20, 10] as const;

/** The perturbation of each cell key (the lookup table of the method). */
const PERTURBATION_OF_KEY: readonly number[] = (() => {
  const table: number[] = [];
  KEYS_PER_PERTURBATION.forEach((keys, i) => {
    for (let k = 0; k < keys; k++) table.push(i - MAX_PERTURBATION);
  });
  if (table.length !== CELL_KEYS) throw new Error('the perturbation table must cover every key');
  return table;
})();

/** The perturbation's variance and mean absolute value (stated in docs/privacy.md). */
export const PERTURBATION_VARIANCE =
  KEYS_PER_PERTURBATION.reduce((s, keys, i) => s + keys * (i - MAX_PERTURBATION) ** 2, 0) /
  CELL_KEYS;
export const PERTURBATION_MEAN_ABSOLUTE =
  KEYS_PER_PERTURBATION.reduce((s, keys, i) => s + keys * Math.abs(i - MAX_PERTURBATION), 0) /
  CELL_KEYS;

/** The smallest count a dashboard is shown (besides 0): smaller groups are suppressed. */
export const SMALLEST_SHOWN = 10;

/**
 * The count a dashboard is shown for an exact count of `count` units with cell key `cellKey`:
 * 0 stays 0 (an empty group is published as empty), any other count moves by its key's
 * perturbation and is never shown under SMALLEST_SHOWN (cells of 1–9 are suppressed anyway, so a
 * shown value under 10 would only be a perturbed 10–13).
 */
export function perturbedCount(count: number, cellKey: number): number {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError('a count is a non-negative integer');
  }
  if (!Number.isInteger(cellKey) || cellKey < 0 || cellKey >= CELL_KEYS) {
    throw new RangeError(`a cell key is an integer 0 … ${CELL_KEYS - 1}`);
  }
  if (count === 0) return 0;
  return Math.max(SMALLEST_SHOWN, count + PERTURBATION_OF_KEY[cellKey]!);
}
