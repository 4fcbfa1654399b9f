import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIMENSIONS,
  MAX_MEMBERS_COUNTED,
  MEASURES,
  REGION_DIMENSIONS,
  TARGETING_MEASURES,
  type Dimension,
} from '../../src/domain/statistics-query.js';
import {
  canonicalQueryKey,
  normalizeStatisticsQuery,
  type StatisticsQueryInput,
} from '../../src/statistics/privacy/canonical-query.js';
import {
  bernoulliExp,
  noiseScale,
  sampleDiscreteLaplace,
  type Rational,
} from '../../src/statistics/privacy/discrete-laplace.js';
import {
  budgetMilliFromAgreement,
  epsilonMilliFromInput,
} from '../../src/statistics/privacy/epsilon.js';
import { margin95 } from '../../src/statistics/privacy/margin.js';
import type { RandomSource } from '../../src/statistics/privacy/random-source.js';
import { sensitivity } from '../../src/statistics/privacy/sensitivity.js';

/** A seeded source (mulberry32), for the deterministic runs only. */
function seededSource(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  };
  return { uniformInt: (bound) => Math.floor(next() * bound) };
}

const theory = (t: number) => {
  const q = Math.exp(-1 / t);
  return { variance: (2 * q) / (1 - q) ** 2, pZero: (1 - q) / (1 + q) };
};

describe('discrete Laplace sampler (crypto source)', () => {
  const N = 200_000;
  // Δ = 1, ε = 0.1 → t = 10; Δ = 4, ε = 0.3 → t = 40/3 (a non-integer scale); t = 2/5 exercises
  // the division by s > 1 in Algorithm 2.
  const scales: Rational[] = [noiseScale(1, 100), noiseScale(4, 300), { num: 2, den: 5 }];
  for (const scale of scales) {
    const t = scale.num / scale.den;
    it(`scale ${scale.num}/${scale.den}: integers, mean 0, theoretical variance and P(0)`, () => {
      let sum = 0;
      let sumSquares = 0;
      let sumFourth = 0;
      let zeros = 0;
      for (let i = 0; i < N; i += 1) {
        const x = sampleDiscreteLaplace(scale);
        if (!Number.isInteger(x)) throw new Error(`non-integer sample ${x}`);
        sum += x;
        sumSquares += x * x;
        sumFourth += x ** 4;
        if (x === 0) zeros += 1;
      }
      const { variance, pZero } = theory(t);
      const mean = sum / N;
      const empiricalVariance = sumSquares / N - mean * mean;
      // Six standard errors: a false failure has probability ~1e-9 per check.
      expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(variance / N));
      const varianceTolerance = 6 * Math.sqrt((sumFourth / N - variance ** 2) / N);
      expect(Math.abs(empiricalVariance - variance)).toBeLessThan(varianceTolerance);
      const zeroTolerance = 6 * Math.sqrt((pZero * (1 - pZero)) / N);
      expect(Math.abs(zeros / N - pZero)).toBeLessThan(zeroTolerance);
      // The tolerances would catch a scale 20% off: its variance and P(0) lie outside them.
      const wrong = theory(1.2 * t);
      expect(Math.abs(wrong.variance - variance)).toBeGreaterThan(2 * varianceTolerance);
      expect(Math.abs(wrong.pZero - pZero)).toBeGreaterThan(2 * zeroTolerance);
    });
  }

  it('Bernoulli(exp(−γ)) has frequency exp(−γ), for γ below and above 1', () => {
    const n = 100_000;
    for (const [num, den] of [
      [1, 2],
      [3, 2],
      [7, 3],
      [0, 1],
    ] as const) {
      let hits = 0;
      for (let i = 0; i < n; i += 1) if (bernoulliExp(num, den)) hits += 1;
      const p = Math.exp(-num / den);
      expect(Math.abs(hits / n - p)).toBeLessThanOrEqual(6 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('runs deterministically on an injected source', () => {
    const draw = (seed: number) => {
      const source = seededSource(seed);
      return Array.from({ length: 50 }, () => sampleDiscreteLaplace({ num: 10, den: 1 }, source));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every(Number.isInteger)).toBe(true);
  });

  it('noise scale is 1000·Δ / εMilli, reduced', () => {
    expect(noiseScale(1, 100)).toEqual({ num: 10, den: 1 });
    expect(noiseScale(40, 1000)).toEqual({ num: 40, den: 1 });
    expect(noiseScale(4, 300)).toEqual({ num: 40, den: 3 });
    expect(() => noiseScale(0, 100)).toThrow(RangeError);
  });
});

describe('margin95', () => {
  /** The definition, by summing the probability mass. */
  const bruteForce = (t: number) => {
    const q = Math.exp(-1 / t);
    let covered = (1 - q) / (1 + q);
    let m = 0;
    while (covered < 0.95) {
      m += 1;
      covered += (2 * (1 - q) * q ** m) / (1 + q);
    }
    return m;
  };

  it('matches known values and the definition', () => {
    expect(margin95(10)).toBe(30); // Δ 1, ε 0.1
    expect(margin95(1)).toBe(3); // Δ 1, ε 1.0
    expect(margin95({ num: 100, den: 1 })).toBe(bruteForce(100));
    for (const t of [0.2, 0.5, 1, 2.5, 10, 40 / 3, 100, 400, 4000]) {
      expect(margin95(t)).toBe(bruteForce(t));
    }
  });

  it('grows with the scale', () => {
    let previous = 0;
    for (let t = 0.1; t < 500; t *= 1.07) {
      const m = margin95(t);
      expect(m).toBeGreaterThanOrEqual(previous);
      previous = m;
    }
  });

  it('covers about 95% of the noise', () => {
    const n = 40_000;
    const m = margin95(10);
    let inside = 0;
    for (let i = 0; i < n; i += 1)
      if (Math.abs(sampleDiscreteLaplace({ num: 10, den: 1 })) <= m) inside += 1;
    const q = Math.exp(-0.1);
    const coverage = 1 - (2 * q ** (m + 1)) / (1 + q); // ≈ 0.953, just above 95%
    expect(Math.abs(inside / n - coverage)).toBeLessThan(
      6 * Math.sqrt((coverage * (1 - coverage)) / n),
    );
  });
});

describe('sensitivity', () => {
  it('matches the table for named shapes', () => {
    const rows: [StatisticsQueryInput['measure'], Dimension[], string[] | undefined, number][] = [
      ['HOUSEHOLDS', [], undefined, 1],
      ['HOUSEHOLDS', ['PROVINCE', 'DECILE', 'SEX'], undefined, 1],
      ['HOUSEHOLDS', ['AGE_BAND'], undefined, 1],
      ['HOUSEHOLDS', ['PROGRAM'], undefined, 4],
      ['HOUSEHOLDS', ['PROGRAM', 'REGENCY'], ['PKH', 'PIP'], 2],
      ['HOUSEHOLDS', ['PROGRAM'], ['PKH', 'PKH'], 1],
      ['HOUSEHOLDS', ['DECILE'], ['PKH'], 1],
      ['PERSONS', [], undefined, MAX_MEMBERS_COUNTED],
      ['PERSONS', ['SEX', 'AGE_BAND', 'DISTRICT'], undefined, 10],
      ['PERSONS', ['PROGRAM'], undefined, 40],
      ['PERSONS', ['PROGRAM', 'SEX'], ['BPNT', 'PBI_JK', 'PIP'], 30],
      // Targeting: 1 per household program, MAX_MEMBERS_COUNTED per person program.
      ['RECIPIENTS', ['PROGRAM'], undefined, 1 + 1 + 10 + 10],
      ['ELIGIBLE', ['PROGRAM', 'REGENCY', 'SEX'], ['PKH', 'BPNT'], 2],
      ['ELIGIBLE_NON_RECIPIENTS', ['PROGRAM', 'AGE_BAND'], ['PKH', 'PIP'], 11],
      ['RECIPIENTS_NOT_ELIGIBLE', ['DECILE'], ['PKH'], 1],
      ['RECIPIENTS_NOT_ELIGIBLE', ['DECILE', 'SEX'], ['PBI_JK'], 10],
      ['ELIGIBLE', [], ['PIP', 'PIP'], 10],
    ];
    for (const [measure, groupBy, programs, expected] of rows) {
      expect(sensitivity({ measure, groupBy, programs }), `${measure} ${groupBy.join(',')}`).toBe(
        expected,
      );
    }
  });

  it('covers every shape: 0–3 dimensions, both measures', () => {
    const subsets: Dimension[][] = [[]];
    for (const dimension of DIMENSIONS) {
      for (const subset of [...subsets])
        if (subset.length < 3) subsets.push([...subset, dimension]);
    }
    expect(subsets).toHaveLength(1 + 7 + 21 + 35);
    for (const groupBy of subsets) {
      const programs = groupBy.includes('PROGRAM') ? 4 : 1;
      expect(sensitivity({ measure: 'HOUSEHOLDS', groupBy })).toBe(programs);
      expect(sensitivity({ measure: 'PERSONS', groupBy })).toBe(10 * programs);
      for (const measure of TARGETING_MEASURES) {
        if (groupBy.includes('PROGRAM')) {
          expect(sensitivity({ measure, groupBy })).toBe(22);
        } else {
          // The program is the filter's one; without it the table has no unit.
          expect(sensitivity({ measure, groupBy, programs: ['BPNT'] })).toBe(1);
          expect(sensitivity({ measure, groupBy, programs: ['PBI_JK'] })).toBe(10);
          expect(() => sensitivity({ measure, groupBy })).toThrow(RangeError);
          expect(() => sensitivity({ measure, groupBy, programs: ['PKH', 'PIP'] })).toThrow(
            RangeError,
          );
        }
      }
    }
  });
});

describe('epsilon', () => {
  it('defaults to 0.1 and converts to milli-ε', () => {
    expect(epsilonMilliFromInput(undefined)).toBe(100);
    expect(epsilonMilliFromInput(null)).toBe(100);
    expect(epsilonMilliFromInput(0.1)).toBe(100);
    expect(epsilonMilliFromInput(0.001)).toBe(1);
    expect(epsilonMilliFromInput(0.3)).toBe(300);
    expect(epsilonMilliFromInput(1)).toBe(1000);
  });

  it('refuses zero, negatives, more than 1.0 and more than three decimals', () => {
    for (const bad of [0, -0.1, 1.001, 2, 0.0005, 0.1234, Number.NaN, Infinity]) {
      expect(() => epsilonMilliFromInput(bad)).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
      );
    }
  });

  it('converts agreement budgets, rounding down', () => {
    expect(budgetMilliFromAgreement(3)).toBe(3000);
    expect(budgetMilliFromAgreement(0.3)).toBe(300);
    expect(budgetMilliFromAgreement(null)).toBe(0);
  });
});

describe('canonical query key', () => {
  const dimension = fc.constantFrom(...DIMENSIONS);
  const query = fc.record({
    measure: fc.constantFrom(...MEASURES),
    groupBy: fc
      .uniqueArray(dimension, { maxLength: 3 })
      .filter((g) => g.filter((d) => REGION_DIMENSIONS.includes(d)).length <= 1),
    filter: fc.record({
      regionCode: fc.option(fc.constantFrom('31', '3171', '3171010001', '32'), { nil: null }),
      deciles: fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 5 }),
      programs: fc.array(fc.constantFrom('PKH', 'BPNT', 'PBI_JK', 'PIP'), { maxLength: 5 }),
    }),
    epsilonMilli: fc.integer({ min: 1, max: 1000 }),
  });
  const key = (q: StatisticsQueryInput) => canonicalQueryKey(normalizeStatisticsQuery(q), ['*']);

  it('ignores order and repetition in groupBy and the filter lists', () => {
    fc.assert(
      fc.property(query, fc.integer(), (q, seed) => {
        const shuffle = <T>(items: readonly T[]) =>
          [...items].sort(() => ((seed = (seed * 1103515245 + 12345) | 0) & 1 ? 1 : -1));
        const permuted = {
          ...q,
          groupBy: shuffle(q.groupBy),
          filter: {
            ...q.filter,
            deciles: shuffle([...q.filter.deciles, ...q.filter.deciles]),
            programs: shuffle([...q.filter.programs, ...q.filter.programs]),
          },
        };
        expect(key(permuted)).toBe(key(q));
      }),
    );
  });

  it('gives different questions different keys', () => {
    fc.assert(
      fc.property(query, query, (a, b) => {
        const same =
          JSON.stringify(normalizeStatisticsQuery(a)) ===
          JSON.stringify(normalizeStatisticsQuery(b));
        expect(key(a) === key(b)).toBe(same);
      }),
    );
  });

  it('gives each measure its own key for the same grouping and filter', () => {
    const keys = MEASURES.map((measure) =>
      key({
        measure,
        groupBy: ['PROGRAM', 'DECILE'],
        filter: { programs: ['PIP'] },
        epsilonMilli: 100,
      }),
    );
    expect(new Set(keys).size).toBe(MEASURES.length);
    expect(MEASURES).toHaveLength(6);
  });

  it('treats an empty filter list as no filter, and refuses bad input', () => {
    const base: StatisticsQueryInput = { measure: 'PERSONS', epsilonMilli: 100 };
    expect(key({ ...base, filter: { deciles: [], programs: [] } })).toBe(key(base));
    expect(key({ ...base, epsilonMilli: 200 })).not.toBe(key(base));
    for (const bad of [
      { ...base, groupBy: ['SEX', 'SEX'] as Dimension[] },
      { ...base, groupBy: ['SEX', 'DECILE', 'PROGRAM', 'PROVINCE'] as Dimension[] },
      { ...base, filter: { deciles: [11] } },
      { ...base, filter: { programs: ['BLT'] } },
    ]) {
      expect(() => key(bad)).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
      );
    }
  });
});
