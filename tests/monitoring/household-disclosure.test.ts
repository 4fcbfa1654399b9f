import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hiddenRegencies,
  notVerifiedSince,
  publishableRungs,
  type RegencyHistogram,
} from '../../src/monitoring/household-disclosure.js';

/**
 * The household rule of verification progress (docs/privacy.md, "Operational figures"): whatever
 * dates are asked, the figures shown for a regency never differ from one another, from 0 or from
 * the total by 1–9 households.
 */
const MONTHS = Array.from({ length: 24 }, (_, i) => {
  const y = 2024 + Math.floor(i / 12);
  return `${y}-${String((i % 12) + 1).padStart(2, '0')}-01`;
});

const histogram = fc
  .record({
    never: fc.nat(40),
    counts: fc.array(fc.oneof(fc.constant(0), fc.nat(6), fc.nat(30)), {
      minLength: 24,
      maxLength: 24,
    }),
  })
  .map(({ never, counts }): RegencyHistogram => {
    const months = counts.flatMap((n, i) => (n === 0 ? [] : [{ month: MONTHS[i]!, n }]));
    return {
      regency: '3201',
      province: '32',
      neverVerified: never,
      months,
      households: never + months.reduce((s, m) => s + m.n, 0),
    };
  });

describe('publishableRungs', () => {
  it('keeps every pair of figures that can be shown 0 or at least 10 apart', () => {
    fc.assert(
      fc.property(histogram, (h) => {
        const rungs = publishableRungs(h);
        const shown = [h.neverVerified, ...MONTHS.map((m) => notVerifiedSince(h, m))].filter((v) =>
          rungs.has(v),
        );
        const all = [0, h.households, ...shown];
        for (const a of all) {
          for (const b of all) {
            const d = Math.abs(a - b);
            if (d !== 0 && d < 10) return false;
          }
        }
        return rungs.has(h.households) && rungs.has(0);
      }),
      { numRuns: 500 },
    );
  });

  it('shows every figure when no month moves the count by 1–9', () => {
    const h: RegencyHistogram = {
      regency: '3201',
      province: '32',
      neverVerified: 20,
      months: [
        { month: '2025-01-01', n: 10 },
        { month: '2025-02-01', n: 15 },
      ],
      households: 45,
    };
    expect([...publishableRungs(h)].sort((a, b) => a - b)).toEqual([0, 20, 30, 45]);
  });

  it('drops the last rung when the total is less than 10 above it', () => {
    const h: RegencyHistogram = {
      regency: '3171',
      province: '31',
      neverVerified: 10,
      months: [{ month: '2025-05-01', n: 5 }],
      households: 15,
    };
    expect([...publishableRungs(h)].sort((a, b) => a - b)).toEqual([0, 15]);
  });
});

describe('hiddenRegencies', () => {
  const row = (regency: string, households: number) => ({
    regency,
    province: regency.slice(0, 2),
    households,
  });

  it('hides a small regency and, alone in its province, the smallest other one', () => {
    const hidden = hiddenRegencies([
      row('3201', 500),
      row('3202', 40),
      row('3203', 4),
      row('3204', 40),
      row('3205', 0),
      row('3171', 3),
      row('3172', 2),
      row('3173', 90),
    ]);
    expect([...hidden.primary].sort()).toEqual(['3171', '3172', '3203']);
    // 3202 and 3204 tie at 40: the lower code. Province 31 already hides two.
    expect([...hidden.complementary]).toEqual(['3202']);
  });
});
