import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  suppressCells,
  type CountCell,
  type CountTable,
} from '../../src/statistics/suppression/cell-suppression.js';

// ---------------------------------------------------------------------------------------------
// Independent line-rule checker: shares nothing with the module. It enumerates the full grid as
// code arrays, groups the cells into lines by blanking one dimension, and checks the two rules.
// ---------------------------------------------------------------------------------------------

function allKeys(dimensions: readonly (readonly string[])[]): string[][] {
  let keys: string[][] = [[]];
  for (const codes of dimensions) keys = keys.flatMap((k) => codes.map((c) => [...k, c]));
  return keys;
}

/** Every line of the table (all dimensions fixed but one), as lists of cell keys. */
function allLines(dimensions: readonly (readonly string[])[]): string[][][] {
  const lines: string[][][] = [];
  for (let d = 0; d < dimensions.length; d++) {
    const byRest = new Map<string, string[][]>();
    for (const key of allKeys(dimensions)) {
      const rest = JSON.stringify(key.map((c, i) => (i === d ? null : c)));
      byRest.set(rest, [...(byRest.get(rest) ?? []), key]);
    }
    lines.push(...byRest.values());
  }
  return lines;
}

/** Problems with a suppression: a small cell shown, or a line with one suppressed cell. */
function lineRuleProblems(
  table: { dimensions: string[][]; cells: CountCell[] },
  suppressedKeys: readonly (readonly string[])[],
  k: number,
): string[] {
  const count = new Map(table.cells.map((c) => [JSON.stringify(c.key), c.count]));
  const hidden = new Set(suppressedKeys.map((key) => JSON.stringify(key)));
  const problems: string[] = [];
  const cells = new Set(allKeys(table.dimensions).map((key) => JSON.stringify(key)));
  for (const h of hidden) if (!cells.has(h)) problems.push(`suppressed ${h} is not a cell`);
  if (hidden.size !== suppressedKeys.length) problems.push('a cell is listed twice');
  for (const key of cells) {
    const n = count.get(key) ?? 0;
    if (n >= 1 && n < k && !hidden.has(key)) problems.push(`small cell ${key} (${n}) shown`);
  }
  for (const line of allLines(table.dimensions)) {
    // A line of one cell is its own total: no complement can exist there (exempt, see README).
    if (line.length < 2) continue;
    const inLine = line.filter((key) => hidden.has(JSON.stringify(key)));
    if (inLine.length === 1) problems.push(`lone suppressed cell ${JSON.stringify(inLine[0])}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

/** Builds a table from a nested-array picture; zeros are left out of `cells` (absent = 0). */
function table(
  dimensions: string[][],
  counts: number[],
): { dimensions: string[][]; cells: CountCell[] } {
  const keys = allKeys(dimensions);
  expect(counts.length).toBe(keys.length);
  return {
    dimensions,
    cells: keys.flatMap((key, i) => (counts[i] === 0 ? [] : [{ key, count: counts[i]! }])),
  };
}

const randomTable = fc
  .integer({ min: 0, max: 3 })
  .chain((dims) => fc.array(fc.integer({ min: 1, max: 8 }), { minLength: dims, maxLength: dims }))
  .chain((sizes) => {
    const dimensions = sizes.map((n, d) => Array.from({ length: n }, (_, i) => `d${d}c${i}`));
    const cellCount = sizes.reduce((a, b) => a * b, 1);
    const count = fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      { arbitrary: fc.integer({ min: 1, max: 9 }), weight: 3 },
      { arbitrary: fc.integer({ min: 10, max: 60 }), weight: 4 },
    );
    return fc.record({
      dimensions: fc.constant(dimensions),
      counts: fc.array(count, { minLength: cellCount, maxLength: cellCount }),
      keepZeros: fc.array(fc.boolean(), { minLength: cellCount, maxLength: cellCount }),
      threshold: fc.oneof(fc.constant(10), fc.integer({ min: 1, max: 30 })),
    });
  })
  .map(({ dimensions, counts, keepZeros, threshold }) => {
    // Zeros are sometimes given explicitly, sometimes absent: both must mean 0.
    const cells = allKeys(dimensions).flatMap((key, i) =>
      counts[i] === 0 && !keepZeros[i] ? [] : [{ key, count: counts[i]! }],
    );
    return { dimensions, cells, threshold };
  });

const keysOf = (t: CountTable, k = 10): string[] =>
  suppressCells(t, { threshold: k }).suppressed.map((key) => key.join('/'));

describe('cell suppression for dashboards (issue #6, CONTRACT §8)', () => {
  it('satisfies the independent line-rule checker on random tables', () => {
    fc.assert(
      fc.property(randomTable, (t) => {
        const result = suppressCells(t, { threshold: t.threshold });
        expect(lineRuleProblems(t, result.suppressed, t.threshold)).toEqual([]);
        expect(result.primary + result.complementary).toBe(result.suppressed.length);
        for (const key of allKeys(t.dimensions)) {
          const listed = result.suppressed.some((s) => s.join('\u0000') === key.join('\u0000'));
          expect(result.isSuppressed(key)).toBe(listed);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('adds no complement when the small cells already protect each other', () => {
    fc.assert(
      fc.property(randomTable, (t) => {
        const result = suppressCells(t, { threshold: t.threshold });
        const small = t.cells
          .filter((c) => c.count >= 1 && c.count < t.threshold)
          .map((c) => c.key);
        expect(result.primary).toBe(small.length);
        if (lineRuleProblems(t, small, t.threshold).length === 0) {
          expect(result.complementary).toBe(0);
        }
        // Each complement fixes a line that had one suppressed cell, and a line fixed stays fixed.
        const lines = allLines(t.dimensions).filter((l) => l.length >= 2).length;
        expect(result.complementary).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 200 },
    );
  });

  it('adds exactly one complement, the smallest eligible cell, to a line with one small cell', () => {
    const line = fc
      .array(fc.oneof(fc.constant(0), fc.integer({ min: 10, max: 40 })), {
        minLength: 1,
        maxLength: 12,
      })
      .chain((others) =>
        fc.record({
          others: fc.constant(others),
          at: fc.integer({ min: 0, max: others.length }),
          small: fc.integer({ min: 1, max: 9 }),
        }),
      );
    fc.assert(
      fc.property(line, ({ others, at, small }) => {
        const counts = [...others.slice(0, at), small, ...others.slice(at)];
        const codes = counts.map((_, i) => `c${i}`);
        const result = suppressCells(table([codes], counts));
        expect(result.primary).toBe(1);
        expect(result.complementary).toBe(1);
        // Expected: the first smallest non-zero other cell, else the first zero.
        const candidates = counts.map((n, i) => ({ n, i })).filter(({ i }) => i !== at);
        const nonZero = candidates.filter(({ n }) => n > 0);
        const pool = nonZero.length > 0 ? nonZero : candidates;
        const min = Math.min(...pool.map(({ n }) => n));
        const expected = pool.find(({ n }) => n === min)!.i;
        expect(result.suppressed.map((k) => k[0])).toEqual(
          [`c${at}`, `c${expected}`].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
        );
        expect(result.zeroComplementary).toBe(nonZero.length > 0 ? 0 : 1);
      }),
      { numRuns: 200 },
    );
  });

  it('1-D: one small cell gets the smallest other cell as its complement', () => {
    const t = table([['a', 'b', 'c', 'd']], [3, 20, 15, 40]);
    const result = suppressCells(t);
    expect(result.suppressed).toEqual([['a'], ['c']]);
    expect(result).toMatchObject({ primary: 1, complementary: 1, zeroComplementary: 0 });
  });

  it('1-D: two small cells need no complement', () => {
    expect(keysOf(table([['a', 'b', 'c']], [3, 20, 9]))).toEqual(['a', 'c']);
  });

  it('suppresses nothing in a table without small cells', () => {
    const t = table(
      [
        ['r1', 'r2'],
        ['p1', 'p2', 'p3'],
      ],
      [10, 0, 50, 0, 11, 12],
    );
    expect(suppressCells(t)).toMatchObject({ suppressed: [], primary: 0, complementary: 0 });
  });

  it('2-D: iterates to the fixed point when a complement leaves a lone cell in its crossing line', () => {
    // (r1,c1) is small. Its row takes (r1,c3) = 20, its column (r2,c1) = 50. Column c3 and row r2
    // are now lone; in row r2 both 60s cost the same, and (r2,c3) fixes column c3 too, where
    // (r2,c2) would leave a new lone cell in column c2: a rectangle of four.
    const t = table(
      [
        ['r1', 'r2', 'r3'],
        ['c1', 'c2', 'c3'],
      ],
      [5, 30, 20, 50, 60, 60, 80, 90, 100],
    );
    const result = suppressCells(t);
    expect(result.suppressed.map((k) => k.join('/'))).toEqual(['r1/c1', 'r1/c3', 'r2/c1', 'r2/c3']);
    expect(result).toMatchObject({ primary: 1, complementary: 3 });
    expect(lineRuleProblems(t, result.suppressed, 10)).toEqual([]);
  });

  it('2-D: a chain of complements across rows and columns reaches the fixed point', () => {
    // (a,1) is small. Column 1 takes (b,1) = 30 and row a takes (a,2) = 10, leaving row b and
    // column 2 lone. Row b takes (b,3) = 11 — smallest count wins over (b,2) = 12, which would
    // have fixed column 2 too — so column 2 takes (b,2), column 3 takes (c,3) = 13, and row c
    // then takes (c,1) = 40: each choice broke a crossing line until none was lone.
    const t = table(
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
      [4, 10, 90, 30, 12, 11, 40, 95, 13],
    );
    const result = suppressCells(t);
    expect(result.suppressed.map((k) => k.join('/'))).toEqual([
      'a/1',
      'a/2',
      'b/1',
      'b/2',
      'b/3',
      'c/1',
      'c/3',
    ]);
    expect(result).toMatchObject({ primary: 1, complementary: 6, zeroComplementary: 0 });
    expect(lineRuleProblems(t, result.suppressed, 10)).toEqual([]);
  });

  it('the checker itself flags a shown small cell and a lone suppressed cell', () => {
    const t = table(
      [
        ['r1', 'r2'],
        ['c1', 'c2'],
      ],
      [5, 20, 30, 40],
    );
    expect(lineRuleProblems(t, [], 10)).toHaveLength(1);
    expect(lineRuleProblems(t, [['r1', 'c1']], 10)).toHaveLength(2);
    expect(
      lineRuleProblems(
        t,
        [
          ['r1', 'c1'],
          ['r1', 'c2'],
        ],
        10,
      ),
    ).toHaveLength(2);
    const rectangle = [
      ['r1', 'c1'],
      ['r1', 'c2'],
      ['r2', 'c1'],
      ['r2', 'c2'],
    ];
    expect(lineRuleProblems(t, rectangle, 10)).toEqual([]);
  });

  it('prefers a non-zero complement over a zero, and uses a zero only when nothing else is left', () => {
    // Zeros are published as 0 and may be known to be structural: a non-zero complement is used
    // whenever the line has one, even if larger.
    expect(keysOf(table([['a', 'b', 'c']], [4, 0, 12]))).toEqual(['a', 'c']);
    // Only zeros left: the first zero is suppressed (better than a lone cell equal to the line
    // total), and the result says so.
    const onlyZeros = suppressCells(table([['a', 'b', 'c']], [4, 0, 0]));
    expect(onlyZeros.suppressed).toEqual([['a'], ['b']]);
    expect(onlyZeros).toMatchObject({ primary: 1, complementary: 1, zeroComplementary: 1 });
  });

  it('exempts lines of a single cell (a dimension with one code)', () => {
    // Regency × one program: each program line is one cell, its own total; the regency line is
    // the real one and gets the complement.
    const t = table([['r1', 'r2', 'r3'], ['p1']], [5, 30, 20]);
    expect(keysOf(t)).toEqual(['r1/p1', 'r3/p1']);
    expect(keysOf(table([['only']], [5]))).toEqual(['only']);
  });

  it('0-D: a single total is suppressed when it is 1–9, and there is no line', () => {
    const total = (count: number) => suppressCells({ dimensions: [], cells: [{ key: [], count }] });
    expect(total(7)).toMatchObject({ suppressed: [[]], primary: 1, complementary: 0 });
    expect(total(10).suppressed).toEqual([]);
    expect(total(0).suppressed).toEqual([]);
    expect(suppressCells({ dimensions: [], cells: [] }).suppressed).toEqual([]);
  });

  it('honours the threshold parameter', () => {
    const t = table([['a', 'b', 'c']], [4, 5, 30]);
    expect(keysOf(t, 5)).toEqual(['a', 'b']);
    expect(keysOf(t, 1)).toEqual([]);
    expect(keysOf(t, 31)).toEqual(['a', 'b', 'c']);
  });

  it('is deterministic: same table, any cell order, same answer', () => {
    fc.assert(
      fc.property(randomTable, fc.integer(), (t, seed) => {
        const first = suppressCells(t, { threshold: t.threshold });
        const shuffled = [...t.cells].sort(
          (a, b) => hash(a.key.join('/'), seed) - hash(b.key.join('/'), seed),
        );
        const again = suppressCells({ dimensions: t.dimensions, cells: shuffled }, t);
        expect(again.suppressed).toEqual(first.suppressed);
        expect(again.complementary).toBe(first.complementary);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects malformed tables', () => {
    const d = [['a', 'b']];
    expect(() => suppressCells({ dimensions: [['a'], ['b'], ['c'], ['d']], cells: [] })).toThrow(
      RangeError,
    );
    expect(() => suppressCells({ dimensions: [['a', 'a']], cells: [] })).toThrow(RangeError);
    expect(() => suppressCells({ dimensions: d, cells: [{ key: ['x'], count: 1 }] })).toThrow(
      RangeError,
    );
    expect(() => suppressCells({ dimensions: d, cells: [{ key: ['a', 'b'], count: 1 }] })).toThrow(
      RangeError,
    );
    const twice = [
      { key: ['a'], count: 1 },
      { key: ['a'], count: 2 },
    ];
    expect(() => suppressCells({ dimensions: d, cells: twice })).toThrow(RangeError);
    for (const count of [-1, 1.5, Number.NaN]) {
      expect(() => suppressCells({ dimensions: d, cells: [{ key: ['a'], count }] })).toThrow(
        RangeError,
      );
    }
    expect(() => suppressCells({ dimensions: d, cells: [] }, { threshold: 0 })).toThrow(RangeError);
    expect(() => suppressCells({ dimensions: d, cells: [] }).isSuppressed(['z'])).toThrow(
      RangeError,
    );
  });

  it('completes on a national table of 514 regencies × 10 deciles × 4 programs', () => {
    // Not timed here (numbers belong in benchmarks): it only has to finish and be correct.
    const regencies = Array.from({ length: 514 }, (_, i) => `R${String(i).padStart(4, '0')}`);
    const deciles = Array.from({ length: 10 }, (_, i) => String(i + 1));
    const programs = ['PKH', 'BPNT', 'PBI', 'PIP'];
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
    const cells: CountCell[] = [];
    for (const r of regencies) {
      for (const d of deciles) {
        for (const p of programs) {
          // About a third small, a sixth empty, the rest large: many lines need complements.
          const roll = next() % 6;
          const count = roll === 0 ? 0 : roll <= 2 ? 1 + (next() % 9) : 10 + (next() % 500);
          if (count > 0) cells.push({ key: [r, d, p], count });
        }
      }
    }
    const t = { dimensions: [regencies, deciles, programs], cells };
    const result = suppressCells(t);
    expect(result.primary).toBeGreaterThan(0);
    expect(lineRuleProblems(t, result.suppressed, 10)).toEqual([]);
  });
});

/** A seeded string hash, only to shuffle cells in the determinism test. */
function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 2654435761);
  return h;
}
