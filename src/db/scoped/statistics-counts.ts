/** Exact counts of a statistics query as one statement returns them, whatever the source. */
export interface CountedCells {
  snapshotId: number;
  /** The served snapshot's as-of date, `YYYY-MM-DD`. */
  asOf: string;
  /** Count per cell, keyed by the codes joined with `|` (absent: 0). */
  counts: Map<string, number>;
}

/** The key of a cell in `CountedCells.counts`. */
export const cellKey = (codes: readonly string[]): string => codes.join('|');

/** The counts map from the statement's `[code…, count]` arrays. */
export function countsOf(cells: readonly (string | number | null)[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    counts.set(cellKey(cell.slice(0, -1).map(String)), Number(cell[cell.length - 1]));
  }
  return counts;
}
