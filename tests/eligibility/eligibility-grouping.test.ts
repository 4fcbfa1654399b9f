import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ministryPrincipal } from '../support/test-principal.js';
import { RateLimitedError, UsageLimiter } from '../../src/auth/usage-limiter.js';
import { currentRules, type CurrentRule } from '../../src/db/queries/eligibility-rule-queries.js';
import {
  EligibilityBatcher,
  type EligibilityReads,
} from '../../src/db/scoped/eligibility-batcher.js';
import { evaluateEligibility } from '../../src/db/scoped/eligibility-evaluator.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Concurrent requests share statements: eligibility questions with the same rule and region scope
// are asked together, and quota admissions of one agreement go in one transaction. Grouping must
// never change an answer.

const BUDI = '3201011505809001'; // Kabupaten Bogor (3201), decile 2
const DEWI = '3374010202709004'; // Kota Semarang (3374), unranked household
const AHMAD = '3201010101159003';
const UNKNOWN = '3201019999999999';

let db: TestDatabase;
let log: StatementLog;
let batcher: EligibilityReads;
let pbi: CurrentRule;
beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  const logged = withStatementLog(db);
  log = logged.log;
  batcher = new EligibilityBatcher().on(logged.database.runtime.readDb);
  pbi = (await currentRules(db.db)).find((r) => r.program === 'PBI_JK')!;
});
afterAll(async () => {
  await db.close();
});

const principal = (regionScope: string[], id = 'probe-pks', dailyQuota = 1_000_000) =>
  ministryPrincipal({ id, regionScope, dailyQuota }, 'probe');
const everywhere = principal(['*']);
const bogorOnly = principal(['3201']);

describe('eligibility questions of concurrent requests', () => {
  it('go together in one statement and each caller gets its own answers in its order', async () => {
    const questions = [[BUDI], [DEWI, BUDI], [UNKNOWN], [AHMAD, AHMAD], [DEWI]];
    // Twenty callers at once: the first two go at once, the other eighteen wait and go together.
    const asked = Array.from({ length: 20 }, (_, i) => questions[i % questions.length]!);
    log.clear();
    const answers = await Promise.all(asked.map((niks) => batcher.evaluate(everywhere, niks, pbi)));
    expect(log.statements).toHaveLength(3);
    for (const [i, niks] of asked.entries()) {
      expect(answers[i]).toEqual(await evaluateEligibility(db.db, everywhere, niks, pbi));
    }
  });

  it('never group across region scopes: a person outside one scope stays unregistered there', async () => {
    log.clear();
    const [wide, narrow, wide2, narrow2] = await Promise.all([
      batcher.evaluate(everywhere, [DEWI], pbi),
      batcher.evaluate(bogorOnly, [DEWI], pbi),
      batcher.evaluate(everywhere, [DEWI, BUDI], pbi),
      batcher.evaluate(bogorOnly, [DEWI, BUDI], pbi),
    ]);
    expect(wide!.facts.map((f) => f.reason)).toEqual(['NOT_RANKED']);
    expect(narrow!.facts.map((f) => f.reason)).toEqual(['NOT_REGISTERED']);
    expect(wide2!.facts.map((f) => f.reason)).toEqual(['NOT_RANKED', 'ELIGIBLE']);
    expect(narrow2!.facts.map((f) => f.reason)).toEqual(['NOT_REGISTERED', 'ELIGIBLE']);
    expect(log.statements).toHaveLength(4); // two scopes, two statements each (none shared)
  });

  it('fail together when their statement fails, and the next ones still run', async () => {
    const broken = {
      ...pbi,
      version: pbi.version + 1000,
      rule: { ...pbi.rule, maxDecile: 'not a number' },
    } as never;
    const failing = await Promise.allSettled([
      batcher.evaluate(everywhere, [BUDI], broken),
      batcher.evaluate(everywhere, [BUDI], broken),
      batcher.evaluate(everywhere, [DEWI], broken),
    ]);
    expect(failing.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const after = await batcher.evaluate(everywhere, [BUDI], pbi);
    expect(after.facts[0]!.reason).toBe('ELIGIBLE');
  });
});

describe('quota admissions of concurrent requests', () => {
  it('admit a large batch far from the quota by reserving room, and record its subjects after', async () => {
    const limiter = new UsageLimiter(db.url);
    try {
      const p = principal(['*'], 'reserving-pks', 2_100);
      const batch = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => `s-${from + i}`);
      // 1,000 and 1,100 subjects, 100 of them shared: reserved as 2,000 new ones.
      await Promise.all([
        limiter.admitSubjects(p, batch(0, 1_000)),
        limiter.admitSubjects(p, batch(900, 1_100)),
      ]);
      const usage = () =>
        db.pool
          .query<{ distinct_subjects: number; reserved: number }>(
            "SELECT distinct_subjects, reserved FROM daily_usage WHERE agreement_id = 'reserving-pks'",
          )
          .then((r) => r.rows[0]);
      await limiter.recorded('reserving-pks');
      expect(await usage()).toEqual({ distinct_subjects: 2_000, reserved: 0 });
      // 1,000 again with 100 new: reserving would count 1,000 new (> 2,100), the exact path counts
      // the 100 and admits them; then one more new subject is one too many.
      await limiter.admitSubjects(p, batch(1_100, 1_000));
      expect(await usage()).toEqual({ distinct_subjects: 2_100, reserved: 0 });
      await expect(limiter.admitSubjects(p, ['s-0', 'one-too-many'])).rejects.toBeInstanceOf(
        RateLimitedError,
      );
      await expect(limiter.admitSubjects(p, ['s-0', 's-2099'])).resolves.toBeUndefined();
    } finally {
      await limiter.close();
    }
  });

  it('admit exactly the requests that fit when a group would pass the quota', async () => {
    const limiter = new UsageLimiter(db.url);
    try {
      const p = principal(['*'], 'grouping-pks', 5);
      // One admission runs at once; the nine that arrive meanwhile go as one group, which would
      // pass the quota (1 + 9 > 5) and is therefore decided request by request, in order.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => limiter.admitSubjects(p, [`subject-${i}`])),
      );
      expect(outcomes.map((o) => o.status)).toEqual([
        ...Array<string>(5).fill('fulfilled'),
        ...Array<string>(5).fill('rejected'),
      ]);
      const refused = outcomes[9] as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(RateLimitedError);
      const { rows } = await db.pool.query<{ n: number; used: number }>(
        `SELECT (SELECT count(*)::int FROM daily_subject WHERE agreement_id = 'grouping-pks') AS n,
                (SELECT distinct_subjects FROM daily_usage WHERE agreement_id = 'grouping-pks') AS used`,
      );
      expect(rows[0]).toEqual({ n: 5, used: 5 });
      // A subject already counted today is admitted again at no cost.
      await expect(limiter.admitSubjects(p, ['subject-0'])).resolves.toBeUndefined();
    } finally {
      await limiter.close();
    }
  });
});
