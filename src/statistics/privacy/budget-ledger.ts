import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database-types.js';
import {
  claimAnswerKey,
  selectCachedAnswer,
  selectSpent,
  spendClient,
  spendGlobal,
  storeAnswer,
} from '../../db/queries/privacy-ledger-queries.js';
import { GatewayError } from '../../errors/gateway-errors.js';
import { epsilonFromMilli } from './epsilon.js';

/**
 * ε all researchers together may spend on one snapshot: 10.0 (milli-ε). With the demo
 * researcher's 3.0 this admits a few research agreements per snapshot; to become configuration.
 */
export const DEFAULT_GLOBAL_BUDGET_MILLI = 10_000;

/** What is left on a snapshot, in milli-ε, never below 0. */
export interface RemainingBudget {
  clientMilli: number;
  globalMilli: number;
}

/** BUDGET_EXHAUSTED: the query's ε does not fit in the client's or the global budget. */
export class BudgetExhaustedError extends GatewayError {
  constructor(
    readonly epsilonMilli: number,
    readonly remaining: RemainingBudget,
    readonly exhausted: 'CLIENT' | 'GLOBAL',
  ) {
    super(
      'BUDGET_EXHAUSTED',
      exhausted === 'CLIENT'
        ? `this query needs ε ${epsilonFromMilli(epsilonMilli)}; your privacy budget for this snapshot has ${epsilonFromMilli(remaining.clientMilli)} left`
        : `this query needs ε ${epsilonFromMilli(epsilonMilli)}; the privacy budget of all researchers for this snapshot has ${epsilonFromMilli(remaining.globalMilli)} left`,
    );
  }
}

export interface SpendOrReuseRequest<A> {
  snapshotId: number;
  clientId: string;
  /**
   * From canonicalQueryKey: equal questions in the same effective region scope share it, whoever
   * asks. It must name the scope: an answer cached for one scope is never another scope's answer.
   */
  queryKey: string;
  epsilonMilli: number;
  /** The client's budget per snapshot (from its agreement), milli-ε. */
  clientBudgetMilli: number;
  globalBudgetMilli?: number;
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
  constructor(readonly exhausted: 'CLIENT' | 'GLOBAL') {
    super(exhausted);
  }
}

/** What is left of a client's and the global budget on a snapshot (for `me` and errors). */
export async function remaining(
  db: Kysely<Database>,
  snapshotId: number,
  clientId: string,
  clientBudgetMilli: number,
  globalBudgetMilli: number = DEFAULT_GLOBAL_BUDGET_MILLI,
): Promise<RemainingBudget> {
  const spent = await selectSpent(db, snapshotId, clientId);
  return {
    clientMilli: Math.max(0, clientBudgetMilli - spent.clientMilli),
    globalMilli: Math.max(0, globalBudgetMilli - spent.globalMilli),
  };
}

/**
 * Answers a differentially private query at most once per snapshot: a published answer to the
 * same canonical query is returned with `cached: true` and nothing spent; otherwise, in one
 * transaction, the key is claimed (identical concurrent queries wait here and then reuse), the
 * answer is computed, both budgets are spent by conditional updates, and the answer is stored.
 * Nothing is spent unless the answer is stored: a refusal or a failing compute rolls it all back.
 * An unpublished noisy answer that is rolled back costs no privacy, as nobody saw it.
 */
export async function spendOrReuse<A>(
  db: Kysely<Database>,
  request: SpendOrReuseRequest<A>,
): Promise<LedgerAnswer<A>> {
  const { snapshotId, clientId, queryKey, epsilonMilli, clientBudgetMilli } = request;
  const globalBudgetMilli = request.globalBudgetMilli ?? DEFAULT_GLOBAL_BUDGET_MILLI;
  if (!Number.isSafeInteger(epsilonMilli) || epsilonMilli < 1) {
    throw new RangeError('epsilonMilli must be a positive integer');
  }
  const left = () => remaining(db, snapshotId, clientId, clientBudgetMilli, globalBudgetMilli);

  const published = await selectCachedAnswer(db, snapshotId, queryKey);
  if (published)
    return {
      answer: published.answer as A,
      cached: true,
      epsilonSpentMilli: 0,
      remaining: await left(),
    };

  // Optimistic check: refuse before computing when the budget plainly does not fit. The
  // authoritative check is the conditional update below.
  const before = await left();
  if (epsilonMilli > before.clientMilli) {
    throw new BudgetExhaustedError(epsilonMilli, before, 'CLIENT');
  }
  if (epsilonMilli > before.globalMilli) {
    throw new BudgetExhaustedError(epsilonMilli, before, 'GLOBAL');
  }

  let outcome: LedgerAnswer<A>;
  try {
    outcome = await db.transaction().execute(async (trx) => {
      if (!(await claimAnswerKey(trx, snapshotId, queryKey, epsilonMilli, clientId))) {
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
      // Client row first, then global: one lock order, so spenders cannot deadlock.
      const clientSpent = await spendClient(
        trx,
        snapshotId,
        clientId,
        epsilonMilli,
        clientBudgetMilli,
      );
      if (clientSpent === null) throw new DoesNotFit('CLIENT');
      const globalSpent = await spendGlobal(trx, snapshotId, epsilonMilli, globalBudgetMilli);
      if (globalSpent === null) throw new DoesNotFit('GLOBAL');
      await storeAnswer(trx, snapshotId, queryKey, answer);
      return {
        answer,
        cached: false,
        epsilonSpentMilli: epsilonMilli,
        remaining: {
          clientMilli: clientBudgetMilli - clientSpent,
          globalMilli: globalBudgetMilli - globalSpent,
        },
      };
    });
  } catch (error) {
    if (error instanceof DoesNotFit) {
      throw new BudgetExhaustedError(epsilonMilli, await left(), error.exhausted);
    }
    throw error;
  }
  // A reused answer reports the budget as it is now, not as it was before the wait.
  if (outcome.cached) outcome.remaining = await left();
  return outcome;
}
