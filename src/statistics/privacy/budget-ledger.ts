import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database-types.js';
import {
  claimAnswerKey,
  lockSpending,
  recordSpend,
  selectCachedAnswer,
  selectSpentSince,
  storeAnswer,
} from '../../db/queries/privacy-ledger-queries.js';
import { GatewayError } from '../../errors/gateway-errors.js';
import type { AccountingPeriod } from '../../domain/accounting-period.js';
import { epsilonFromMilli } from './epsilon.js';

/**
 * ε all researchers together may spend in one accounting period, by default: 10.0 (milli-ε);
 * `DTKS_GLOBAL_PRIVACY_BUDGET` sets it.
 */
export const DEFAULT_GLOBAL_BUDGET_MILLI = 10_000;

/** What is left in the accounting period, in milli-ε, never below 0. */
export interface RemainingBudget {
  agencyMilli: number;
  globalMilli: number;
}

/** BUDGET_EXHAUSTED: the query's ε does not fit in the agency's or the global budget. */
export class BudgetExhaustedError extends GatewayError {
  constructor(
    readonly epsilonMilli: number,
    readonly remaining: RemainingBudget,
    readonly exhausted: 'AGENCY' | 'GLOBAL',
    period: AccountingPeriod,
  ) {
    super(
      'BUDGET_EXHAUSTED',
      exhausted === 'AGENCY'
        ? `this query needs ε ${epsilonFromMilli(epsilonMilli)}; your agency's privacy budget for ${period.label} has ${epsilonFromMilli(remaining.agencyMilli)} left`
        : `this query needs ε ${epsilonFromMilli(epsilonMilli)}; the privacy budget of all researchers for ${period.label} has ${epsilonFromMilli(remaining.globalMilli)} left`,
    );
  }
}

/** Who pays, from which budgets, in which period. */
export interface Payer {
  agencyId: string;
  clientId: string;
  /** The agency's budget per period (from the agreement the client asks under), milli-ε. */
  agencyBudgetMilli: number;
  globalBudgetMilli?: number;
  period: AccountingPeriod;
}

export interface SpendOrReuseRequest<A> extends Payer {
  snapshotId: number;
  /**
   * From canonicalQueryKey: equal questions in the same effective region scope share it, whoever
   * asks. It must name the scope: an answer cached for one scope is never another scope's answer.
   */
  queryKey: string;
  epsilonMilli: number;
  /**
   * Produces the noisy answer (plain JSON data). It runs inside the ledger's transaction and must
   * do its reads on `trx`, never on the pool: callers waiting on the same key hold pool
   * connections, and a second connection could then never come.
   */
  compute: (trx: Transaction<Database>) => Promise<A>;
}

export interface LedgerAnswer<A> {
  answer: A;
  /** True when the answer was published before: nothing was spent. */
  cached: boolean;
  epsilonSpentMilli: number;
  remaining: RemainingBudget;
}

/** Thrown inside the transaction to roll it back; turned into BudgetExhaustedError outside. */
class DoesNotFit extends Error {
  constructor(readonly exhausted: 'AGENCY' | 'GLOBAL') {
    super(exhausted);
  }
}

/** What is left of an agency's and the global budget in the period (for `me` and errors). */
export async function remaining(db: Kysely<Database>, payer: Payer): Promise<RemainingBudget> {
  const spent = await selectSpentSince(db, payer.agencyId, payer.period.start);
  return left(payer, spent);
}

function left(payer: Payer, spent: { agencyMilli: number; globalMilli: number }): RemainingBudget {
  const global = payer.globalBudgetMilli ?? DEFAULT_GLOBAL_BUDGET_MILLI;
  return {
    agencyMilli: Math.max(0, payer.agencyBudgetMilli - spent.agencyMilli),
    globalMilli: Math.max(0, global - spent.globalMilli),
  };
}

/**
 * Answers a differentially private query at most once per snapshot: a published answer to the
 * same canonical query is returned with `cached: true` and nothing spent; otherwise, in one
 * transaction, the key is claimed (identical concurrent queries wait here and then reuse), the
 * answer is computed, the spending lock is taken, the agency's and all researchers' spending in
 * the period are summed and checked, the spend is recorded and the answer stored. Nothing is
 * spent unless the answer is stored: a refusal or a failing compute rolls it all back. An
 * unpublished noisy answer that is rolled back costs no privacy, as nobody saw it.
 */
export async function spendOrReuse<A>(
  db: Kysely<Database>,
  request: SpendOrReuseRequest<A>,
): Promise<LedgerAnswer<A>> {
  const { snapshotId, queryKey, epsilonMilli, period } = request;
  if (!Number.isSafeInteger(epsilonMilli) || epsilonMilli < 1) {
    throw new RangeError('epsilonMilli must be a positive integer');
  }
  const now = () => remaining(db, request);

  const published = await selectCachedAnswer(db, snapshotId, queryKey);
  if (published)
    return {
      answer: published.answer as A,
      cached: true,
      epsilonSpentMilli: 0,
      remaining: await now(),
    };

  // Optimistic check: refuse before computing when the budget plainly does not fit. The
  // authoritative check is the one under the spending lock below.
  const before = await now();
  if (epsilonMilli > before.agencyMilli) {
    throw new BudgetExhaustedError(epsilonMilli, before, 'AGENCY', period);
  }
  if (epsilonMilli > before.globalMilli) {
    throw new BudgetExhaustedError(epsilonMilli, before, 'GLOBAL', period);
  }

  let outcome: LedgerAnswer<A>;
  try {
    outcome = await db.transaction().execute(async (trx) => {
      if (!(await claimAnswerKey(trx, snapshotId, queryKey, epsilonMilli, request.clientId))) {
        // Another transaction published it while we waited for its claim.
        const other = await selectCachedAnswer(trx, snapshotId, queryKey);
        return {
          answer: other!.answer as A,
          cached: true,
          epsilonSpentMilli: 0,
          remaining: before,
        };
      }
      const answer = await request.compute(trx);
      await lockSpending(trx);
      const budget = left(request, await selectSpentSince(trx, request.agencyId, period.start));
      if (epsilonMilli > budget.agencyMilli) throw new DoesNotFit('AGENCY');
      if (epsilonMilli > budget.globalMilli) throw new DoesNotFit('GLOBAL');
      await recordSpend(trx, { ...request, epsilonMilli });
      await storeAnswer(trx, snapshotId, queryKey, answer);
      return {
        answer,
        cached: false,
        epsilonSpentMilli: epsilonMilli,
        remaining: {
          agencyMilli: budget.agencyMilli - epsilonMilli,
          globalMilli: budget.globalMilli - epsilonMilli,
        },
      };
    });
  } catch (error) {
    if (error instanceof DoesNotFit) {
      throw new BudgetExhaustedError(epsilonMilli, await now(), error.exhausted, period);
    }
    throw error;
  }
  // A reused answer reports the budget as it is now, not as it was before the wait.
  if (outcome.cached) outcome.remaining = await now();
  return outcome;
}
