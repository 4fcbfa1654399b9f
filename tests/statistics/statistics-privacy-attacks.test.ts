import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noiseScale,
  sampleDiscreteLaplace,
  type Rational,
} from '../../src/statistics/privacy/discrete-laplace.js';
import { epsilonMilliFromInput } from '../../src/statistics/privacy/epsilon.js';
import { sensitivity, type QueryShape } from '../../src/statistics/privacy/sensitivity.js';
import {
  HOUSEHOLDS_HEADER,
  importText,
  MEMBERS_HEADER,
  RECIPIENTS_HEADER,
} from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * Attacks on researcher statistics (issue #6): a differencing attack must not learn whether a
 * household is in the data better than ε-differential privacy allows, and PERSONS counts cap a
 * household at 10 members (the cap the sensitivity relies on).
 */

// ---------------------------------------------------------------------------------------------
// 1. Differencing attack on the sampler, many trials.
// ---------------------------------------------------------------------------------------------

/**
 * The best accuracy any test can reach in telling a dataset with the target household from the
 * one without it (equal priors), from an ε-DP answer: e^ε / (1 + e^ε).
 */
const accuracyBound = (epsilon: number) => Math.exp(epsilon) / (1 + Math.exp(epsilon));

const TRIALS = 20_000;
/**
 * Statistical tolerance. Each trial is an independent 0/1 "guessed right", so by Hoeffding
 * P(observed accuracy ≥ expected + δ) ≤ exp(−2·n·δ²) = exp(−36) ≈ 2·10⁻¹⁶ for n = 20 000 and
 * δ = 0.03. The expected accuracy is at most the bound when the mechanism is ε-DP, so the upper
 * checks cannot flake; the lower checks below have the same margin the other way.
 */
const TOLERANCE = 0.03;

/**
 * The strongest attacker: it knows every other household, so it knows each query's count without
 * the target (subtracted here) and how much the target would add to each (`shifts`, one per
 * published noisy cell). It sees the noisy cells and guesses "in" exactly when the likelihood
 * ratio P(y | in) / P(y | out) exceeds 1 — the optimal (maximum a posteriori) test for equal
 * priors. Under discrete Laplace noise of one scale t for all cells, log P(y | in) − log P(y | out)
 * = Σ (|y| − |y − shift|) / t, so the sign of Σ (|y| − |y − shift|) decides. Half the trials have
 * the target in, half out; returns the share of right guesses.
 */
function differencingAttack(scale: Rational, shifts: readonly number[]): number {
  let right = 0;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const targetIn = trial % 2 === 0;
    let logRatio = 0;
    for (const shift of shifts) {
      const observed = (targetIn ? shift : 0) + sampleDiscreteLaplace(scale);
      logRatio += Math.abs(observed) - Math.abs(observed - shift);
    }
    if (logRatio > 0 === targetIn) right += 1;
  }
  return right / TRIALS;
}

/** The scale the service uses for a query shape at a requested ε (statistics-service.ts). */
function serviceScale(shape: QueryShape, epsilon: number): Rational {
  return noiseScale(sensitivity(shape), epsilonMilliFromInput(epsilon));
}

/** A scale `factor` times too small (the bug the checks must catch). */
const shrunk = (scale: Rational, factor: number): Rational => ({
  num: scale.num,
  den: scale.den * factor,
});

const HOUSEHOLDS_TOTAL: QueryShape = { measure: 'HOUSEHOLDS', groupBy: [] };

describe('differencing attack against the noise (20 000 trials each)', () => {
  for (const epsilon of [0.1, 1.0]) {
    it(`ε = ${epsilon}: with/without the target's decile — accuracy within e^ε/(1+e^ε), and reaching it`, () => {
      // Q1: households of a regency, all deciles (includes the target when present: +1).
      // Q2: the same without the target's decile (never includes it: +0). Two queries of ε each,
      // charged 2ε; Q2 does not depend on the target, so even the single-query bound holds.
      const accuracy = differencingAttack(serviceScale(HOUSEHOLDS_TOTAL, epsilon), [1, 0]);
      expect(accuracy).toBeLessThanOrEqual(accuracyBound(2 * epsilon) + TOLERANCE);
      expect(accuracy).toBeLessThanOrEqual(accuracyBound(epsilon) + TOLERANCE);
      // The likelihood-ratio attack is optimal: discrete Laplace of scale 1/ε meets the bound
      // exactly (accuracy = P(noise ≥ 0) = e^ε/(1+e^ε)), so the check above is tight.
      expect(accuracy).toBeGreaterThanOrEqual(accuracyBound(epsilon) - TOLERANCE);
    });

    it(`ε = ${epsilon}: two queries that both contain the target — within the composed 2ε`, () => {
      // E.g. the target's regency and the target's decile: the target adds 1 to both answers.
      const accuracy = differencingAttack(serviceScale(HOUSEHOLDS_TOTAL, epsilon), [1, 1]);
      expect(accuracy).toBeLessThanOrEqual(accuracyBound(2 * epsilon) + TOLERANCE);
    });

    it(`ε = ${epsilon}: PERSONS with a household of 14 members (capped to 10) — within ε`, () => {
      const scale = serviceScale({ measure: 'PERSONS', groupBy: [] }, epsilon);
      const accuracy = differencingAttack(scale, [10]);
      expect(accuracy).toBeLessThanOrEqual(accuracyBound(epsilon) + TOLERANCE);
    });

    it(`ε = ${epsilon}: HOUSEHOLDS by PROGRAM, the target receiving all 4 programs — within ε`, () => {
      // One query, one ε: the target moves four cells by 1 each (sensitivity 4).
      const scale = serviceScale({ measure: 'HOUSEHOLDS', groupBy: ['PROGRAM'] }, epsilon);
      const accuracy = differencingAttack(scale, [1, 1, 1, 1]);
      expect(accuracy).toBeLessThanOrEqual(accuracyBound(epsilon) + TOLERANCE);
    });
  }

  it('the same checks fail against noise of a tenth of the scale (they can detect a leak)', () => {
    // ε = 0.1 with scale 1 instead of 10: expected accuracy 1/(1+e^−1) ≈ 0.731 against a
    // bound of 0.525 (0.550 for 2ε); ε = 1 with scale 0.1: expected accuracy ≈ 1.
    for (const epsilon of [0.1, 1.0]) {
      const scale = shrunk(serviceScale(HOUSEHOLDS_TOTAL, epsilon), 10);
      const accuracy = differencingAttack(scale, [1, 0]);
      expect(accuracy).toBeGreaterThan(accuracyBound(2 * epsilon) + TOLERANCE);
    }
    // PERSONS at ε = 0.1 with scale 1 instead of 10: expected accuracy ≈ 0.70 against 0.525.
    const persons = shrunk(serviceScale({ measure: 'PERSONS', groupBy: [] }, 0.1), 10);
    expect(differencingAttack(persons, [10])).toBeGreaterThan(accuracyBound(0.1) + TOLERANCE);
  });

  it('…and against PROGRAM noise that ignores the four cells a household moves (sensitivity 1)', () => {
    // ε = 1, scale 1 instead of 4: expected accuracy ≈ 0.82 against a bound of 0.731.
    const scale = shrunk(serviceScale({ measure: 'HOUSEHOLDS', groupBy: ['PROGRAM'] }, 1.0), 4);
    const accuracy = differencingAttack(scale, [1, 1, 1, 1]);
    expect(accuracy).toBeGreaterThan(accuracyBound(1.0) + TOLERANCE);
  });
});

// ---------------------------------------------------------------------------------------------
// A hand-made snapshot for the end-to-end checks.
// ---------------------------------------------------------------------------------------------

/*
 * - Regency 3201: 198 households in village 3201011001 with deciles 1 and 3–10 (22 each), and the
 *   target household T in village 3201011002, the only one with decile 2. Filtering the deciles
 *   without 2 isolates the target: the exact difference of the two counts is 1.
 * - Regency 3171: BIG with 14 ACTIVE members (and one DECEASED), SMALL with 3. BIG's members by
 *   NIK: 6 men then 8 women (a woman's NIK has 40 added to the birth day), written in reverse NIK
 *   order so that file order is not NIK order. Its first 10 ACTIVE by NIK: 6 M, 4 F (the last
 *   10 would be 2 M, 8 F). The DECEASED woman's NIK sorts first among the women: she must not
 *   take one of the 10 places. SMALL: 1 M, 2 F.
 */
const OTHER_DECILES = [1, 3, 4, 5, 6, 7, 8, 9, 10];

function attackSnapshot() {
  const households = [HOUSEHOLDS_HEADER];
  const household = (id: string, kk: string, region: string, decile: number) =>
    `${id},${kk},${region},,${decile},,,,,,,,,PENDING,,SIKS_DROID`;
  for (let i = 0; i < 198; i += 1) {
    const decile = OTHER_DECILES[i % OTHER_DECILES.length]!;
    households.push(
      household(`R${i}`, `320101${String(i).padStart(10, '0')}`, '3201011001', decile),
    );
  }
  households.push(household('T', '3201019999999999', '3201011002', 2));
  households.push(household('BIG', '3171010000000001', '3171011001', 5));
  households.push(household('SMALL', '3171010000000002', '3171011001', 5));

  const member = (
    nik: string,
    hh: string,
    sex: string,
    birth: string,
    rel: string,
    status: string,
  ) => `${nik},${hh},Person ${nik.slice(-4)},${sex},${birth},${rel},,NONE,,${status}`;
  // NIK: district 317101, birth 01-01-90 (day + 40 for a woman), then a 4-digit serial.
  const bigMember = (sex: 'M' | 'F', serial: number, status = 'ACTIVE') =>
    member(
      `317101${sex === 'M' ? '01' : '41'}0190${String(serial).padStart(4, '0')}`,
      'BIG',
      sex,
      '1990-01-01',
      serial === 1 ? 'HEAD' : 'CHILD',
      status,
    );
  const big = [
    ...[1, 2, 3, 4, 5, 6].map((serial) => bigMember('M', serial)),
    bigMember('F', 0, 'DECEASED'),
    ...[7, 8, 9, 10, 11, 12, 13, 14].map((serial) => bigMember('F', serial)),
  ];
  const small = [
    member('3171010202850001', 'SMALL', 'M', '1985-02-02', 'HEAD', 'ACTIVE'),
    member('3171014202850002', 'SMALL', 'F', '1985-02-02', 'SPOUSE', 'ACTIVE'),
    member('3171014202850003', 'SMALL', 'F', '1985-02-02', 'CHILD', 'ACTIVE'),
  ];
  return {
    households: households.join('\n'),
    members: [MEMBERS_HEADER, ...big.reverse(), ...small].join('\n'),
    recipients: RECIPIENTS_HEADER,
  };
}

interface Cell {
  key: { dimension: string; code: string }[];
  value: number | null;
  suppressed: boolean;
}
interface Result {
  cells: Cell[];
  method: string;
  epsilonSpent: number;
  cached: boolean;
}

const STATISTICS = `query S($q: StatisticsQuery!) {
  statistics(query: $q) {
    cells { key { dimension code } value suppressed }
    method epsilonSpent cached
  }
}`;

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, attackSnapshot());
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

async function ask(clientId: string, purpose: string, q: Record<string, unknown>): Promise<Result> {
  const r = await graphql(gateway, STATISTICS, {
    variables: { q },
    headers: await access.as(clientId, purpose),
  });
  expect(r.body.errors ?? []).toEqual([]);
  return (r.body.data as { statistics: Result }).statistics;
}

const single = (result: Result): number => {
  expect(result.cells).toHaveLength(1);
  return result.cells[0]!.value!;
};

describe('differencing attack through the API', () => {
  const ALL_DECILES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const withTarget = { regionCode: '3201', deciles: ALL_DECILES };
  const withoutTarget = { regionCode: '3201', deciles: OTHER_DECILES };

  it('the difference of two noisy answers that differ by one household is not the exact one', async () => {
    const exact = async (filter: object) =>
      single(await ask('gateway-admin', 'OVERSIGHT', { measure: 'HOUSEHOLDS', filter }));
    const exactIn = await exact(withTarget);
    const exactOut = await exact(withoutTarget);
    expect([exactIn, exactOut]).toEqual([199, 198]);

    // 12 trials, ε = 0.100 … 0.210: each ε is a new question (no cached answer to reuse). The
    // 24 queries would spend 3.72 > the researcher's 3.0, so the ledger's spending is reset
    // before each trial (the cached answers stay: they are keyed by ε too).
    let revealed = 0;
    for (let i = 0; i < 12; i += 1) {
      const epsilon = (100 + 10 * i) / 1000;
      await sql`DELETE FROM privacy_spend`.execute(db.db);
      const noisy = async (filter: object) => {
        const result = await ask('bps-researcher', 'RESEARCH', {
          measure: 'HOUSEHOLDS',
          filter,
          epsilon,
        });
        expect(result).toMatchObject({
          method: 'DIFFERENTIAL_PRIVACY',
          cached: false,
          epsilonSpent: epsilon,
        });
        return single(result);
      };
      const difference = (await noisy(withTarget)) - (await noisy(withoutTarget));
      if (difference === exactIn - exactOut) revealed += 1;
    }
    // P(noisy difference = exact) is 2.5 % at ε = 0.1 and 4.8 % at ε = 0.21; 6 or more of 12
    // happens with probability ≈ 2.5·10⁻⁶ (Poisson-binomial tail; 0.47 expected).
    expect(revealed).toBeLessThanOrEqual(5);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The 10-member cap.
// ---------------------------------------------------------------------------------------------

describe('PERSONS counts at most 10 ACTIVE members per household, the first 10 by NIK', () => {
  it('a household of 14 counts as 10, one of 3 as 3', async () => {
    const result = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'PERSONS',
      filter: { regionCode: '3171' },
    });
    expect(result.method).toBe('EXACT');
    expect(single(result)).toBe(10 + 3);
  });

  it('grouped by SEX: the big household contributes its first 10 ACTIVE by NIK (6 M, 4 F)', async () => {
    const result = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'PERSONS',
      groupBy: ['SEX'],
      filter: { regionCode: '3171' },
    });
    const bySex = Object.fromEntries(result.cells.map((c) => [c.key[0]!.code, c.value]));
    // BIG: 6 M + 4 F; SMALL: 1 M + 2 F.
    expect(bySex).toEqual({ M: 6 + 1, F: 4 + 2 });
  });
});
