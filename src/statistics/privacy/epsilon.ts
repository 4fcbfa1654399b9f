import { badUserInput } from '../../errors/gateway-errors.js';

/**
 * ε is carried as an integer number of thousandths ("milli-ε"): 0.1 is 100. Budgets add up
 * exactly in the ledger and the noise scale Δ/ε = 1000·Δ/εMilli stays an exact rational.
 */

/** ε per query when the query names none: 0.1. */
export const DEFAULT_EPSILON_MILLI = 100;
/** The largest ε one query may spend: 1.0. */
export const MAX_EPSILON_MILLI = 1000;

/**
 * Validates the ε of a query (absent means the default) and returns it in milli-ε. More than 1.0,
 * zero or less, or more than three decimals is BAD_USER_INPUT.
 */
export function epsilonMilliFromInput(epsilon: number | null | undefined): number {
  if (epsilon === null || epsilon === undefined) return DEFAULT_EPSILON_MILLI;
  if (!Number.isFinite(epsilon) || epsilon <= 0 || epsilon > MAX_EPSILON_MILLI / 1000) {
    throw badUserInput('epsilon must be greater than 0 and at most 1.0');
  }
  const milli = Math.round(epsilon * 1000);
  // 0.1 × 1000 is 100.00000000000001 in binary floating point: allow that, not 0.1005.
  if (Math.abs(epsilon * 1000 - milli) > 1e-6 || milli < 1) {
    throw badUserInput('epsilon may have at most three decimals (e.g. 0.1 or 0.25)');
  }
  return milli;
}

/**
 * An agreement's privacy budget (ε per snapshot, or null for no statistics under differential
 * privacy) in milli-ε, rounded down so that rounding never grants more than agreed.
 */
export function budgetMilliFromAgreement(privacyBudget: number | null): number {
  if (privacyBudget === null || !(privacyBudget > 0)) return 0;
  return Math.floor(privacyBudget * 1000 + 1e-6);
}

/** Milli-ε as the ε clients see (100 → 0.1). */
export function epsilonFromMilli(milli: number): number {
  return milli / 1000;
}
