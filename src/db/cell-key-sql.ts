/**
 * The SQL of the cell-key method's record keys (docs/privacy.md "Internal dashboards"): a unit's
 * record key is a number 0–255 fixed by its identity (the NIK of a person, the id of a household)
 * and a secret seed (migration 0022), and a cell's key is the sum of its units' record keys modulo
 * 256. The perturbation of a count depends on the count and its cell key only, so the same units
 * always get the same perturbation, whichever query counts them.
 *
 * One text for the base-table path and the rollup build, so both give every cell the same key;
 * tests/statistics/statistics-rollups.test.ts checks it. The seed is read by the statement (an
 * uncorrelated subquery, evaluated once), so it never appears in SQL text or parameters.
 */

/** The number of cell keys: record keys and cell keys are 0 … CELL_KEYS − 1. */
export const CELL_KEYS = 256;

/** A unit's record key; `unit` is a text expression (the NIK or the household id). */
export function recordKeySql(unit: string): string {
  return `(hashtextextended(${unit}, (SELECT seed FROM statistics_cell_key)) & ${CELL_KEYS - 1})`;
}

/** The cell key of a group: the sum of `keys` (record keys or cell keys of parts) modulo 256. */
export function cellKeySumSql(keys: string): string {
  return `(coalesce(sum(${keys}), 0) % ${CELL_KEYS})::int`;
}
