/**
 * Post-processing of a researcher's noisy table (docs/privacy.md "Consistent tables"): from the
 * noisy cells, non-negative integer cells whose margins add up, fitted top-down as the US Census
 * Bureau's TopDown algorithm fits its geographic levels. The table's total is the rounded noisy
 * total (at least 0); the margin of the first dimension is the noisy margin fitted to that total;
 * each slice of the second dimension is fitted to its first-dimension margin; the cells of each
 * line are fitted to their two-dimension margin. Each fit is the closest non-negative vector
 * (least squares) with the required sum, rounded to integers keeping the sum.
 *
 * Post-processing of differentially private values spends no budget and weakens nothing: it reads
 * only the noisy cells, never the exact counts. Deterministic for given noisy cells.
 */

/**
 * The consistent table of `noisy` (row-major over dimensions of sizes `sizes`, the last fastest).
 * Every cell is a non-negative integer, nothing is hidden, and for every prefix of the dimensions
 * the cells of each slice add up to that slice's fitted margin.
 */
export function consistentTable(sizes: readonly number[], noisy: readonly number[]): number[] {
  const size = sizes.reduce((a, b) => a * b, 1);
  if (noisy.length !== size) throw new RangeError('one noisy value per cell of the grid');
  if (size === 0) return [];
  const total = Math.max(0, Math.round(noisy.reduce((a, b) => a + b, 0)));
  return fitBlock(sizes, noisy, 0, total);
}

/**
 * The cells of one block (all cells sharing the first dimensions before `sizes`) fitted to
 * `total`: its first dimension's slices are fitted to `total`, then each slice recursively.
 */
function fitBlock(
  sizes: readonly number[],
  noisy: readonly number[],
  offset: number,
  total: number,
): number[] {
  if (sizes.length === 0) return [total];
  const [n, ...rest] = sizes as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  const margins = Array.from({ length: n }, (_, i) => {
    let sum = 0;
    for (let k = 0; k < stride; k++) sum += noisy[offset + i * stride + k]!;
    return sum;
  });
  const fitted = fitToSum(margins, total);
  return fitted.flatMap((t, i) => fitBlock(rest, noisy, offset + i * stride, t));
}

/**
 * The non-negative integers closest to `values` (least squares) that add up to `sum` (an integer
 * ≥ 0): the projection onto the simplex, x = max(0, v − λ) with λ making the sum, then rounded
 * down and the remainder given to the largest fractional parts (earlier cells first on ties).
 */
export function fitToSum(values: readonly number[], sum: number): number[] {
  if (!Number.isSafeInteger(sum) || sum < 0) throw new RangeError('sum is an integer >= 0');
  const n = values.length;
  if (n === 0) {
    if (sum !== 0) throw new RangeError('no cells to hold a non-zero sum');
    return [];
  }
  if (sum === 0) return values.map(() => 0);
  // λ: sort descending, find the largest k with v(k) − (prefix(k) − sum) / k > 0.
  const sorted = [...values].sort((a, b) => b - a);
  let prefix = 0;
  let lambda = 0;
  for (let k = 1; k <= n; k++) {
    prefix += sorted[k - 1]!;
    const candidate = (prefix - sum) / k;
    if (sorted[k - 1]! - candidate > 0) lambda = candidate;
  }
  const real = values.map((v) => Math.max(0, v - lambda));
  const floors = real.map(Math.floor);
  let left = sum - floors.reduce((a, b) => a + b, 0);
  const order = real
    .map((r, i) => ({ i, fraction: r - floors[i]! }))
    .sort((a, b) => b.fraction - a.fraction || a.i - b.i);
  // Rounding error can leave the remainder a cell or two beyond n in either direction only by
  // floating-point slack; cycle so the sum is always exact.
  for (let j = 0; left > 0; j = (j + 1) % n, left--) floors[order[j]!.i]!++;
  for (let j = n - 1; left < 0; j = (j - 1 + n) % n) {
    const i = order[j]!.i;
    if (floors[i]! > 0) {
      floors[i]!--;
      left++;
    }
  }
  return floors;
}
