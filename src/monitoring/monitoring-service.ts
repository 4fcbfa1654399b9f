import type { Kysely } from 'kysely';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database-types.js';
import { accountingPeriod } from '../domain/accounting-period.js';
import { VerificationProgressReads } from '../db/scoped/verification-progress-reads.js';
import { gatewayUse, type GatewayUseAnswer } from './gateway-use.js';
import type { GatewayUseCache } from './gateway-use-cache.js';
import type { HistogramCache } from './histogram-cache.js';
import { snapshotHistory, type SnapshotHistoryEntry } from './snapshot-history.js';
import {
  checkProgressFilter,
  verificationProgress,
  type VerificationProgressAnswer,
  type VerificationProgressFilter,
} from './verification-progress.js';

/**
 * Operational figures for internal dashboards and the administrator (issue #13), one service per
 * request. The gate admits only those (`operations:read`); this service decides what of the
 * figures may be shown and notes every answer for the audit: outcome DISCLOSED, no subjects, and
 * a decision id that says what was asked (`OPERATIONS:field:arguments`), as statistics do.
 */
export class MonitoringService {
  constructor(
    private readonly deps: {
      principal: Principal;
      readDb: Kysely<Database>;
      disclosure: DisclosureRecord;
      /** The ε all researchers together may spend per accounting period, in milli-ε. */
      globalBudgetMilli: number;
      /** Months of the privacy accounting period. */
      privacyPeriodMonths: number;
      /** The gateway's cache of household histograms (per snapshot and scope). */
      histograms: HistogramCache;
      /** The gateway's cache of `gatewayUse` answers (15 s). */
      gatewayUse: GatewayUseCache;
    },
  ) {}

  /** Verification progress per regency of the principal's region scope. */
  async verificationProgress(
    filter: VerificationProgressFilter | null | undefined,
  ): Promise<VerificationProgressAnswer> {
    const checked = checkProgressFilter(filter ?? {});
    const reads = new VerificationProgressReads(this.deps.principal, this.deps.readDb);
    const scope = this.deps.principal.agreement.regionScope;
    const answer = await verificationProgress(reads, checked, async () =>
      this.deps.histograms.get(await reads.servedSnapshotId(), scope, () =>
        reads.householdsByLastVerification(null),
      ),
    );
    this.disclosed('verificationProgress', checked, [
      'RegencyVerificationProgress.households',
      'RegencyVerificationProgress.submissions',
    ]);
    return answer;
  }

  /** The snapshots loaded, newest first. */
  async snapshotHistory(first: number | null | undefined): Promise<SnapshotHistoryEntry[]> {
    const answer = await snapshotHistory(this.deps.readDb, first);
    this.disclosed('snapshotHistory', { first: first ?? null }, [
      'SnapshotHistoryEntry.households',
    ]);
    return answer;
  }

  /**
   * Gateway use over Jakarta days `from`–`to` (both included), counted at most 15 s ago
   * (GatewayUseCache).
   */
  async gatewayUse(from: string, to: string): Promise<GatewayUseAnswer> {
    const period = accountingPeriod(new Date(), this.deps.privacyPeriodMonths);
    const key = `${from}|${to}|${this.deps.globalBudgetMilli}|${period.start.toISOString()}`;
    const answer = await this.deps.gatewayUse.get(key, () =>
      gatewayUse(
        this.deps.readDb,
        { from, to },
        { globalBudgetMilli: this.deps.globalBudgetMilli, period },
      ),
    );
    this.disclosed('gatewayUse', { from, to }, ['GatewayUse.requests']);
    return answer;
  }

  private disclosed(
    field: string,
    args: Record<string, string | number | null>,
    fields: readonly string[],
  ): void {
    const d = this.deps.disclosure;
    const asked = Object.entries(args)
      .map(([name, value]) => `${name}=${value ?? '-'}`)
      .join(';');
    d.aggregates.push(`OPERATIONS:${field}:${asked}`);
    for (const f of fields) d.fields.add(f);
  }
}
