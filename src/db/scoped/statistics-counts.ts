import { sql, type RawBuilder } from 'kysely';
import type { ProgramCode } from '../../domain/programs.js';
import type {
  NormalizedStatisticsQuery,
  RuleVersion,
  TargetingMeasure,
} from '../../domain/statistics-query.js';
import { TARGETING_CONDITIONS } from '../../domain/statistics-query.js';

/** Exact counts of a statistics query as one statement returns them, whatever the source. */
export interface CountedCells {
  snapshotId: number;
  /** The served snapshot's as-of date, `YYYY-MM-DD`. */
  asOf: string;
  /** Count per cell, keyed by the codes joined with `|` (absent: 0). */
  counts: Map<string, number>;
  /**
   * Cell key per cell (src/db/cell-key-sql.ts): the sum of its units' record keys modulo 256,
   * which decides a dashboard cell's perturbation. Same keys as `counts` (absent: an empty cell).
   */
  cellKeys: Map<string, number>;
  /**
   * Targeting measures: the version of the eligibility rule of each program of the table that
   * decided who is eligible, in program order. Empty for PERSONS and HOUSEHOLDS.
   */
  ruleVersions: RuleVersion[];
}

/** The versions of `programs` in a `{ program: version }` record, in the order of `programs`. */
export function ruleVersionsOf(
  recorded: Record<string, number> | null,
  programs: readonly ProgramCode[],
): RuleVersion[] {
  return programs
    .filter((program) => typeof recorded?.[program] === 'number')
    .map((program) => ({ program, version: recorded![program]! }));
}

/**
 * Which units of one program a targeting measure counts, as a predicate on whether the unit
 * receives it and whether it is eligible (`TARGETING_CONDITIONS`).
 */
export function targetingCondition(
  measure: TargetingMeasure,
  recipient: RawBuilder<unknown>,
  eligible: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const want = TARGETING_CONDITIONS[measure];
  const parts: RawBuilder<unknown>[] = [];
  if (want.recipient !== undefined) parts.push(want.recipient ? recipient : sql`NOT ${recipient}`);
  if (want.eligible !== undefined) parts.push(want.eligible ? eligible : sql`NOT ${eligible}`);
  return sql`(${sql.join(parts, sql` AND `)})`;
}

/** The key of a cell in `CountedCells.counts`. */
export const cellKey = (codes: readonly string[]): string => codes.join('|');

/** The counts and cell keys from the statement's `[code…, count, cell key]` arrays. */
export function countsOf(
  cells: readonly (string | number | null)[][],
): Pick<CountedCells, 'counts' | 'cellKeys'> {
  const counts = new Map<string, number>();
  const cellKeys = new Map<string, number>();
  for (const cell of cells) {
    const key = cellKey(cell.slice(0, -2).map(String));
    counts.set(key, Number(cell[cell.length - 2]));
    cellKeys.set(key, Number(cell[cell.length - 1]));
  }
  return { counts, cellKeys };
}

/**
 * The client's region scope and the query's region and decile filters as predicates on a region
 * column (codes or prefixes of them) and a decile column; "*" in the scope is everywhere.
 */
export function regionAndDecileConditions(
  query: Pick<NormalizedStatisticsQuery, 'regionCode' | 'deciles'>,
  regionScope: readonly string[],
  columns: { region: string; decile: string },
): RawBuilder<unknown>[] {
  const region = sql.raw(columns.region);
  const conditions: RawBuilder<unknown>[] = [];
  if (!regionScope.includes('*')) {
    conditions.push(
      regionScope.length === 0
        ? sql`false`
        : sql`${region} LIKE ANY (${regionScope.map((p) => `${p}%`)}::text[])`,
    );
  }
  if (query.regionCode !== null) conditions.push(sql`${region} LIKE ${query.regionCode + '%'}`);
  if (query.deciles !== null) {
    conditions.push(sql`${sql.raw(columns.decile)} = ANY (${query.deciles}::smallint[])`);
  }
  return conditions;
}

/**
 * The parts of a grouped count over the cell's codes: the SELECT list (codes as k0, k1, … and the
 * sums as s0, s1, …), the GROUP BY clause, and each result row of `g` as a `[code…, sum…]` array.
 * With `sums` = [count, cell key] the rows are what `countsOf` reads.
 */
export function groupedCount(
  keys: readonly RawBuilder<unknown>[],
  sums: readonly RawBuilder<unknown>[],
): { select: RawBuilder<unknown>; groupBy: RawBuilder<unknown>; cell: RawBuilder<unknown> } {
  const aliases = [
    ...keys.map((_, i) => sql.raw(`k${i}`)),
    ...sums.map((_, i) => sql.raw(`s${i}`)),
  ];
  return {
    select: sql.join([...keys, ...sums].map((part, i) => sql`${part} AS ${aliases[i]!}`)),
    groupBy:
      keys.length > 0
        ? sql`GROUP BY ${sql.join(
            keys.map((_, i) => sql.lit(i + 1)),
            sql`, `,
          )}`
        : sql``,
    cell: sql.join(aliases.map((a) => sql`g.${a}`)),
  };
}
