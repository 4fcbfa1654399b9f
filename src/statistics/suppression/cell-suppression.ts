/**
 * Cell suppression for internal dashboards (CONTRACT §8, issue #6): exact counts, cells with
 * 1 ≤ count < k suppressed (primary), then complementary suppression until no line of the table
 * (all dimensions fixed but one) has exactly one suppressed cell, because a line's total is
 * considered published (dashboard margins, or a coarser query) and would give that cell away.
 *
 * Pure and deterministic: the result depends only on the dimensions' code order and the counts,
 * never on the order in which cells are given. See README.md for the rules chosen.
 */

/** One cell of the input: its code in every dimension (in dimension order) and its exact count. */
export interface CountCell {
  readonly key: readonly string[];
  readonly count: number;
}

/**
 * A table of 0–3 dimensions. `dimensions[d]` lists the codes of dimension d in display order
 * (this order is the tie-breaker of complementary suppression). The table is the full grid:
 * a cell absent from `cells` counts 0.
 */
export interface CountTable {
  readonly dimensions: readonly (readonly string[])[];
  readonly cells: Iterable<CountCell>;
}

/** Options of {@link suppressCells}. */
export interface SuppressionOptions {
  /** Cells with 1 ≤ count < threshold are suppressed. Integer ≥ 1; default 10 (CONTRACT §8). */
  readonly threshold?: number;
}

/** Which cells to suppress, and why. */
export interface SuppressionResult {
  /** Keys of the suppressed cells, in grid order (row-major over the dimensions' code order). */
  readonly suppressed: readonly (readonly string[])[];
  /** Cells suppressed for their own count (1 ≤ count < threshold). */
  readonly primary: number;
  /** Cells suppressed only to protect another cell of one of their lines. */
  readonly complementary: number;
  /**
   * Complementary cells whose count is 0, chosen because their line had no other unsuppressed
   * non-zero cell. They protect only against a reader who cannot tell the cell is an empty one
   * (see README.md); a caller that knows its zeros are structural should also hide the margin.
   */
  readonly zeroComplementary: number;
  /**
   * Whether the cell with this key (codes in dimension order) is suppressed; throws RangeError
   * for a key that is not a cell of the table.
   */
  isSuppressed(key: readonly string[]): boolean;
}

/** Default threshold k: cells 1–9 are suppressed. */
export const DEFAULT_SUPPRESSION_THRESHOLD = 10;

/** At most three dimensions, as in `StatisticsQuery.groupBy`. */
export const MAX_SUPPRESSION_DIMENSIONS = 3;

/**
 * Decides which cells of a dashboard table to suppress.
 *
 * Primary: every cell with 1 ≤ count < threshold. Zero cells are published as 0 and are never
 * primary. Complementary: while some line of ≥ 2 cells has exactly one suppressed cell, suppress
 * one more cell of that line — the cheapest by (non-zero before zero, smallest count, most other
 * lone lines fixed minus new lone lines created, grid position). Lines of a single cell (a
 * dimension with one code) are exempt: the cell is its own total, so no complement can exist.
 *
 * Termination: each step of the loop either discards a queued line or suppresses one cell not
 * suppressed before; suppressed cells only grow and there are finitely many, and a line is queued
 * only when its suppressed count goes from 0 to 1 (or initially), which happens at most once per
 * line since counts never decrease. So the loop ends after at most cells + lines steps, and at
 * the end no line has exactly one suppressed cell (a line left at 1 would still be queued).
 * A complement always exists: a lone line of ≥ 2 cells has an unsuppressed cell.
 *
 * @throws RangeError on more than 3 dimensions, duplicate codes, a key of the wrong length or
 *   with an unknown code, a cell given twice, a count that is not a non-negative safe integer, or
 *   a threshold that is not an integer ≥ 1.
 */
export function suppressCells(
  table: CountTable,
  options: SuppressionOptions = {},
): SuppressionResult {
  const threshold = options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
  const grid = Grid.of(table.dimensions);
  const counts = grid.readCounts(table.cells);
  const { suppressed, primary, complementary, zeroComplementary } = suppressDense(
    grid,
    counts,
    threshold,
  );
  const keys: (readonly string[])[] = [];
  for (let i = 0; i < counts.length; i++) if (suppressed[i] === 1) keys.push(grid.keyOf(i));
  return {
    suppressed: keys,
    primary,
    complementary,
    zeroComplementary,
    isSuppressed: (key) => {
      const i = grid.indexOf(key);
      if (i < 0) throw new RangeError(`cell ${JSON.stringify(key)} is not in the table`);
      return suppressed[i] === 1;
    },
  };
}

/**
 * The same rule on a full grid given as counts in row-major order (the last dimension fastest):
 * 1 for each suppressed cell. The form the statistics service uses, without a key per cell.
 */
export function suppressGrid(
  dimensions: readonly (readonly string[])[],
  counts: ArrayLike<number>,
  options: SuppressionOptions = {},
): Uint8Array {
  const grid = Grid.of(dimensions);
  if (counts.length !== grid.size) {
    throw new RangeError(`${counts.length} counts for a grid of ${grid.size} cells`);
  }
  const dense = new Float64Array(grid.size);
  for (let i = 0; i < grid.size; i++) {
    const count = counts[i]!;
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`cell ${i}: count must be an integer >= 0`);
    }
    dense[i] = count;
  }
  return suppressDense(grid, dense, options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD).suppressed;
}

/** Primary and complementary suppression over dense counts (see {@link suppressCells}). */
function suppressDense(
  grid: Grid,
  counts: Float64Array,
  threshold: number,
): { suppressed: Uint8Array; primary: number; complementary: number; zeroComplementary: number } {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RangeError(`threshold must be an integer >= 1, got ${threshold}`);
  }
  const size = counts.length;
  const dims = grid.sizes.length;

  const suppressed = new Uint8Array(size);
  let primary = 0;
  for (let i = 0; i < size; i++) {
    const c = counts[i]!;
    if (c >= 1 && c < threshold) {
      suppressed[i] = 1;
      primary++;
    }
  }

  // Suppressed cells per line, per dimension; a line of dimension d is keyed by the other
  // dimensions' coordinates (grid.lineOf), so one array of size / sizes[d] per dimension.
  const lineCounts = grid.sizes.map((n) => new Int32Array(n === 0 ? 0 : size / n));
  for (let i = 0; i < size; i++) {
    if (suppressed[i] === 1) {
      for (let d = 0; d < dims; d++) lineCounts[d]![grid.lineOf(d, i)]!++;
    }
  }

  // FIFO of (dimension, line) pairs that may hold a lone suppressed cell, seeded in a fixed order
  // so that the outcome is deterministic.
  const queueDim: number[] = [];
  const queueLine: number[] = [];
  for (let d = 0; d < dims; d++) {
    if (grid.sizes[d]! < 2) continue;
    const perLine = lineCounts[d]!;
    for (let line = 0; line < perLine.length; line++) {
      if (perLine[line] === 1) {
        queueDim.push(d);
        queueLine.push(line);
      }
    }
  }

  let complementary = 0;
  let zeroComplementary = 0;
  for (let head = 0; head < queueDim.length; head++) {
    const d = queueDim[head]!;
    const line = queueLine[head]!;
    if (lineCounts[d]![line] !== 1) continue;
    const chosen = cheapestComplement(grid, counts, suppressed, lineCounts, d, line);
    suppressed[chosen] = 1;
    complementary++;
    if (counts[chosen] === 0) zeroComplementary++;
    for (let e = 0; e < dims; e++) {
      const other = grid.lineOf(e, chosen);
      const now = ++lineCounts[e]![other]!;
      if (now === 1 && grid.sizes[e]! >= 2) {
        queueDim.push(e);
        queueLine.push(other);
      }
    }
  }

  return { suppressed, primary, complementary, zeroComplementary };
}

/**
 * The cell to suppress next in a line with exactly one suppressed cell. Cost order: a non-zero
 * cell before a zero one (a zero is only as secret as the reader's ignorance of empty cells), then
 * the smallest count (least information lost), then the cell that fixes the most other lone lines
 * net of the lone lines it creates (fewer further complements), then the first in grid order.
 */
function cheapestComplement(
  grid: Grid,
  counts: Float64Array,
  suppressed: Uint8Array,
  lineCounts: readonly Int32Array[],
  d: number,
  line: number,
): number {
  let best = -1;
  let bestZero = true;
  let bestCount = Infinity;
  let bestGain = -Infinity;
  for (const cell of grid.cellsOfLine(d, line)) {
    if (suppressed[cell] === 1) continue;
    const count = counts[cell]!;
    const zero = count === 0;
    if (best >= 0) {
      if (zero && !bestZero) continue;
      if (zero === bestZero && count > bestCount) continue;
    }
    let gain = 0;
    for (let e = 0; e < grid.sizes.length; e++) {
      if (e === d || grid.sizes[e]! < 2) continue;
      const other = lineCounts[e]![grid.lineOf(e, cell)];
      if (other === 1) gain++;
      else if (other === 0) gain--;
    }
    const better =
      best < 0 ||
      (bestZero && !zero) ||
      count < bestCount ||
      // Same zero-ness and count here; cells come in grid order, so ties keep the first.
      gain > bestGain;
    if (better) {
      best = cell;
      bestZero = zero;
      bestCount = count;
      bestGain = gain;
    }
  }
  if (best < 0) throw new Error('internal: a lone suppressed cell in a line of one cell');
  return best;
}

/** Row-major indexing of a 0–3 dimensional grid of codes. */
class Grid {
  private constructor(
    private readonly codes: readonly (readonly string[])[],
    private readonly codeIndex: readonly ReadonlyMap<string, number>[],
    /** Number of codes per dimension. */
    readonly sizes: readonly number[],
    /** Index step of one code in each dimension (the last dimension varies fastest). */
    private readonly strides: readonly number[],
    readonly size: number,
  ) {}

  static of(dimensions: readonly (readonly string[])[]): Grid {
    if (dimensions.length > MAX_SUPPRESSION_DIMENSIONS) {
      throw new RangeError(
        `at most ${MAX_SUPPRESSION_DIMENSIONS} dimensions, got ${dimensions.length}`,
      );
    }
    const codeIndex = dimensions.map((codes, d) => {
      const index = new Map<string, number>();
      codes.forEach((code, i) => {
        if (index.has(code)) throw new RangeError(`dimension ${d}: code ${code} listed twice`);
        index.set(code, i);
      });
      return index;
    });
    const sizes = dimensions.map((codes) => codes.length);
    const strides = new Array<number>(sizes.length);
    let size = 1;
    for (let d = sizes.length - 1; d >= 0; d--) {
      strides[d] = size;
      size *= sizes[d]!;
    }
    return new Grid(dimensions, codeIndex, sizes, strides, size);
  }

  /** Exact counts in grid order; cells not given are 0. */
  readCounts(cells: Iterable<CountCell>): Float64Array {
    const counts = new Float64Array(this.size);
    const seen = new Uint8Array(this.size);
    for (const { key, count } of cells) {
      const i = this.indexOf(key);
      if (i < 0) throw new RangeError(`cell ${JSON.stringify(key)} is not in the table`);
      if (seen[i] === 1) throw new RangeError(`cell ${JSON.stringify(key)} given twice`);
      if (!Number.isSafeInteger(count) || count < 0) {
        throw new RangeError(`cell ${JSON.stringify(key)}: count must be an integer >= 0`);
      }
      seen[i] = 1;
      counts[i] = count;
    }
    return counts;
  }

  /** Grid index of a key, or -1 when the key does not name a cell of this grid. */
  indexOf(key: readonly string[]): number {
    if (key.length !== this.sizes.length) return -1;
    let i = 0;
    for (let d = 0; d < key.length; d++) {
      const c = this.codeIndex[d]!.get(key[d]!);
      if (c === undefined) return -1;
      i += c * this.strides[d]!;
    }
    return i;
  }

  keyOf(i: number): readonly string[] {
    return this.codes.map((codes, d) => codes[Math.floor(i / this.strides[d]!) % this.sizes[d]!]!);
  }

  /**
   * The line of dimension d through cell i, numbered 0 … size / sizes[d] − 1: the cell's index
   * with dimension d's coordinate removed (i = high·sizes[d]·stride + c·stride + low).
   */
  lineOf(d: number, i: number): number {
    const stride = this.strides[d]!;
    const low = i % stride;
    const high = Math.floor(i / (stride * this.sizes[d]!));
    return high * stride + low;
  }

  /** Cells of line `line` of dimension d, in grid order. */
  *cellsOfLine(d: number, line: number): Generator<number> {
    const stride = this.strides[d]!;
    const n = this.sizes[d]!;
    const base = Math.floor(line / stride) * stride * n + (line % stride);
    for (let c = 0; c < n; c++) yield base + c * stride;
  }
}
