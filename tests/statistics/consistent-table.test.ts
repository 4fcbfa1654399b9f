import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistentTable, fitToSum } from '../../src/statistics/privacy/consistent-table.js';

/*
 * The researchers' consistent tables (issue #16, docs/privacy.md "Consistent tables"): from noisy
 * cells, non-negative integers whose margins add up to the fitted margins, top-down.
 */

const noisyValue = fc.integer({ min: -40, max: 400 });

describe('fitToSum', () => {
  it('gives non-negative integers with the sum, within one of the least-squares projection', () => {
    fc.assert(
      fc.property(fc.array(noisyValue, { minLength: 1, maxLength: 30 }), fc.nat(2000), (v, sum) => {
        const x = fitToSum(v, sum);
        expect(x.reduce((a, b) => a + b, 0)).toBe(sum);
        for (const xi of x) expect(Number.isInteger(xi) && xi >= 0).toBe(true);
        // The projection: x = max(0, v − λ) for one λ; the rounded cells are within 1 of it,
        // so cells ordered by noisy value stay ordered up to one.
        for (let i = 0; i < v.length; i++) {
          for (let j = 0; j < v.length; j++) {
            if (v[i]! >= v[j]!) expect(x[i]!).toBeGreaterThanOrEqual(x[j]! - 1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is the closest non-negative integer vector with the sum (brute force on small cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 8 }), { minLength: 1, maxLength: 3 }),
        fc.nat(8),
        (v, sum) => {
          const cost = (x: number[]) => x.reduce((s, xi, i) => s + (xi - v[i]!) ** 2, 0);
          let best = Infinity;
          const search = (prefix: number[], left: number) => {
            if (prefix.length === v.length - 1) {
              best = Math.min(best, cost([...prefix, left]));
              return;
            }
            for (let k = 0; k <= left; k++) search([...prefix, k], left - k);
          };
          search([], sum);
          expect(cost(fitToSum(v, sum))).toBe(best);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('consistentTable', () => {
  it('keeps the noisy total, hides nothing, and every margin is the sum of its cells', () => {
    const table = fc
      .array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 3 })
      .chain((sizes) =>
        fc.record({
          sizes: fc.constant(sizes),
          noisy: fc.array(noisyValue, {
            minLength: sizes.reduce((a, b) => a * b, 1),
            maxLength: sizes.reduce((a, b) => a * b, 1),
          }),
        }),
      );
    fc.assert(
      fc.property(table, ({ sizes, noisy }) => {
        const cells = consistentTable(sizes, noisy);
        expect(cells).toHaveLength(noisy.length);
        for (const c of cells) expect(Number.isInteger(c) && c >= 0).toBe(true);
        const total = cells.reduce((a, b) => a + b, 0);
        expect(total).toBe(Math.max(0, Math.round(noisy.reduce((a, b) => a + b, 0))));
        // The first dimension's margin is the noisy margin fitted to the total.
        if (sizes.length > 0) {
          const n = sizes[0]!;
          const stride = noisy.length / n;
          const sums = (values: readonly number[]) =>
            Array.from({ length: n }, (_, i) =>
              values.slice(i * stride, (i + 1) * stride).reduce((a, b) => a + b, 0),
            );
          expect(sums(cells)).toEqual(fitToSum(sums(noisy), total));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves a table already non-negative and consistent as it is', () => {
    expect(consistentTable([2, 3], [5, 0, 12, 7, 7, 1])).toEqual([5, 0, 12, 7, 7, 1]);
    expect(consistentTable([], [-3])).toEqual([0]);
    expect(consistentTable([3], [-4, 2, 10])).toEqual([0, 0, 8]);
  });
});
