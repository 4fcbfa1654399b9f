import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { AccountingPeriod } from '../domain/accounting-period.js';
import {
  clientSpend,
  globalSpend,
  operationCounts,
  quotaUse,
  refusalCounts,
  requestCounts,
  type OperationCountRow,
  type RefusalCountRow,
  type RequestCountRow,
} from '../db/queries/gateway-use-queries.js';
import { badUserInput } from '../errors/gateway-errors.js';

/** The longest range one `gatewayUse` call covers: a year (a leap year's days). */
export const MAX_RANGE_DAYS = 366;

export interface PrivacyBudgetUse {
  snapshotId: number;
  snapshotAsOf: string;
  clientId: string;
  agencyId: string | null;
  agencyName: string | null;
  epsilonSpent: number;
  epsilonBudget: number | null;
  epsilonRemaining: number | null;
}

export interface GlobalPrivacyBudgetUse {
  snapshotId: number;
  snapshotAsOf: string;
  epsilonSpent: number;
  epsilonBudget: number;
  epsilonRemaining: number;
}

export interface DailyQuotaUse {
  day: string;
  agreementId: string;
  agencyId: string;
  agencyName: string;
  distinctSubjects: number;
  reserved: number;
  dailyQuota: number;
  share: number;
}

export interface GatewayUseAnswer {
  from: string;
  to: string;
  requests: RequestCountRow[];
  operations: OperationCountRow[];
  refusals: RefusalCountRow[];
  privacyBudget: PrivacyBudgetUse[];
  globalPrivacyBudget: GlobalPrivacyBudgetUse[];
  quotaUse: DailyQuotaUse[];
}

/** Whole days from `from` to `to`, both included (dates `YYYY-MM-DD`). */
function daysIncluded(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
}

/**
 * What the gateway was used for over Jakarta days `from`–`to` (issue #13): audited requests per
 * day, agency, purpose and outcome, per operation, refusals by code, privacy budget spent on the
 * snapshots served in the range, and daily quota use. Counts of what agencies did: agencies and
 * clients are named, data subjects, officers and requests never (the queries do not read them).
 */
export async function gatewayUse(
  db: Kysely<Database>,
  range: { from: string; to: string },
  privacy: { globalBudgetMilli: number; period: AccountingPeriod },
): Promise<GatewayUseAnswer> {
  const { globalBudgetMilli, period } = privacy;
  const span = daysIncluded(range.from, range.to);
  if (span < 1) throw badUserInput('from: must not be after to');
  if (span > MAX_RANGE_DAYS) {
    throw badUserInput(`to: a range covers at most ${MAX_RANGE_DAYS} days; ask for less`);
  }
  const [requests, operations, refusals, spend, global, quota] = await Promise.all([
    requestCounts(db, range),
    operationCounts(db, range),
    refusalCounts(db, range),
    clientSpend(db, range, period.start),
    globalSpend(db, range, period.start),
    quotaUse(db, range),
  ]);
  return {
    ...range,
    requests,
    operations,
    refusals,
    privacyBudget: spend.map((s) => {
      const budgetMilli = s.budget === null ? null : Math.floor(s.budget * 1000 + 1e-6);
      return {
        snapshotId: s.snapshotId,
        snapshotAsOf: s.asOf,
        clientId: s.clientId,
        agencyId: s.agencyId,
        agencyName: s.agencyName,
        epsilonSpent: s.spentMilli / 1000,
        epsilonBudget: budgetMilli === null ? null : budgetMilli / 1000,
        epsilonRemaining:
          budgetMilli === null ? null : Math.max(0, budgetMilli - s.agencyPeriodMilli) / 1000,
      };
    }),
    globalPrivacyBudget: global.map((g) => ({
      snapshotId: g.snapshotId,
      snapshotAsOf: g.asOf,
      epsilonSpent: g.spentMilli / 1000,
      epsilonBudget: globalBudgetMilli / 1000,
      epsilonRemaining: Math.max(0, globalBudgetMilli - g.periodMilli) / 1000,
    })),
    quotaUse: quota.map((q) => ({
      ...q,
      share: q.dailyQuota === 0 ? 1 : (q.distinctSubjects + q.reserved) / q.dailyQuota,
    })),
  };
}
