import type { Dimension } from '../domain/statistics-query.js';

/**
 * A statistics table in compact form (CONTRACT §8): its dimensions, each with its codes in order,
 * and parallel lists over the cells in row-major order (the last dimension varies fastest). The
 * service works on this form; the cell objects of `StatisticsResult.cells` are made from it only
 * when a client asks for them, since completing tens of thousands of cell objects and their keys
 * was most of a large table's time.
 */
export interface TableDimension {
  dimension: Dimension;
  codes: string[];
  labels: string[];
}

export interface StatisticsTable {
  dimensions: TableDimension[];
  /** The count shown per cell; null when suppressed. */
  values: (number | null)[];
  suppressed: boolean[];
  /** The 95% margin of a noisy value; null for exact and suppressed values. */
  margin95: (number | null)[];
}

/** One cell as `StatisticsResult.cells` lists it. */
export interface AnswerCell {
  key: { dimension: Dimension; code: string; label: string }[];
  value: number | null;
  suppressed: boolean;
  margin95: number | null;
}

/** The number of cells of a grid of these dimensions (1 with none: the total). */
export function cellCount(dimensions: readonly { codes: readonly unknown[] }[]): number {
  return dimensions.reduce((n, d) => n * d.codes.length, 1);
}

/** The cell objects of a table, row-major. */
export function cellsOf(table: StatisticsTable): AnswerCell[] {
  const { dimensions } = table;
  const count = cellCount(dimensions);
  const strides = stridesOf(dimensions.map((d) => d.codes.length));
  // One key object per code, shared by the cells that have it (never changed once made).
  const keys = dimensions.map((d) =>
    d.codes.map((code, at) => ({ dimension: d.dimension, code, label: d.labels[at]! })),
  );
  const cells = new Array<AnswerCell>(count);
  for (let i = 0; i < count; i++) {
    cells[i] = {
      key: keys.map((codes, k) => codes[Math.floor(i / strides[k]!) % codes.length]!),
      value: table.values[i] ?? null,
      suppressed: table.suppressed[i]!,
      margin95: table.margin95[i] ?? null,
    };
  }
  return cells;
}

/**
 * The table with its dimensions in the order `asked` (a permutation of the table's), its cells
 * row-major in that order: the service counts in the normalized order, clients get theirs.
 */
export function reorder(table: StatisticsTable, asked: readonly Dimension[]): StatisticsTable {
  const from = table.dimensions;
  if (asked.length !== from.length || asked.every((d, i) => from[i]!.dimension === d)) {
    return table;
  }
  const position = asked.map((d) => from.findIndex((f) => f.dimension === d));
  const dimensions = position.map((p) => from[p]!);
  const sourceStrides = stridesOf(from.map((d) => d.codes.length));
  const sizes = dimensions.map((d) => d.codes.length);
  const count = cellCount(dimensions);
  const values = new Array<number | null>(count);
  const suppressed = new Array<boolean>(count);
  const margin95 = new Array<number | null>(count);
  const coordinates = sizes.map(() => 0);
  for (let i = 0; i < count; i++) {
    let source = 0;
    for (let k = 0; k < sizes.length; k++) source += coordinates[k]! * sourceStrides[position[k]!]!;
    values[i] = table.values[source]!;
    suppressed[i] = table.suppressed[source]!;
    margin95[i] = table.margin95[source]!;
    // Next coordinates, the last dimension fastest.
    for (let k = sizes.length - 1; k >= 0; k--) {
      if (++coordinates[k]! < sizes[k]!) break;
      coordinates[k] = 0;
    }
  }
  return { dimensions, values, suppressed, margin95 };
}

/** A table from cell objects (researchers' answers stored before the compact form). */
export function tableOfCells(cells: readonly AnswerCell[]): StatisticsTable {
  const dims = cells[0]?.key.length ?? 0;
  const dimensions: TableDimension[] = Array.from({ length: dims }, (_, k) => ({
    dimension: cells[0]!.key[k]!.dimension,
    codes: [],
    labels: [],
  }));
  const seen = dimensions.map(() => new Set<string>());
  for (const cell of cells) {
    cell.key.forEach((k, i) => {
      if (!seen[i]!.has(k.code)) {
        seen[i]!.add(k.code);
        dimensions[i]!.codes.push(k.code);
        dimensions[i]!.labels.push(k.label);
      }
    });
  }
  return {
    dimensions,
    values: cells.map((c) => c.value),
    suppressed: cells.map((c) => c.suppressed),
    margin95: cells.map((c) => c.margin95),
  };
}

function stridesOf(sizes: readonly number[]): number[] {
  const strides = new Array<number>(sizes.length);
  let stride = 1;
  for (let k = sizes.length - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= sizes[k]!;
  }
  return strides;
}
