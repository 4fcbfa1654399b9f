import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database-types.js';
import { currentSnapshot } from '../db/queries/snapshot-query.js';
import type { PublishedTablesCache } from '../db/scoped/statistics-published-sql.js';
import {
  countOtherMeasures,
  countStatistics,
  REGION_CODE_PATTERN,
  type ExactTable,
} from '../db/scoped/statistics-sql.js';
import { badUserInput, forbidden, serviceUnavailable } from '../errors/gateway-errors.js';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import { accountingPeriod } from '../domain/accounting-period.js';
import { remaining, spendOrReuse, type Payer } from './privacy/budget-ledger.js';
import type {
  Dimension,
  Measure,
  NormalizedStatisticsQuery,
  RuleVersion,
} from '../domain/statistics-query.js';
import { isTargetingMeasure, targetingPrograms } from '../domain/statistics-query.js';
import { canonicalQueryKey, normalizeStatisticsQuery } from './privacy/canonical-query.js';
import { consistentTable } from './privacy/consistent-table.js';
import { noiseScale, sampleDiscreteLaplace } from './privacy/discrete-laplace.js';
import {
  budgetMilliFromAgreement,
  epsilonFromMilli,
  epsilonMilliFromInput,
} from './privacy/epsilon.js';
import { margin95 } from './privacy/margin.js';
import { cryptoRandomSource, type RandomSource } from './privacy/random-source.js';
import { sensitivity } from './privacy/sensitivity.js';
import { perturbedCount } from './suppression/cell-key-perturbation.js';
import { DEFAULT_SUPPRESSION_THRESHOLD, suppressGrid } from './suppression/cell-suppression.js';
import { dashboardFilterRefusal } from './suppression/dashboard-filters.js';
import {
  reorder,
  tableOfCells,
  type AnswerCell,
  type StatisticsTable,
  type TableDimension,
} from './statistics-table.js';
import { targetingProtectionCounts } from './suppression/targeting-protection.js';

/** A statistics question as the schema receives it (CONTRACT §8). */
export interface StatisticsArgs {
  measure: Measure;
  groupBy?: Dimension[] | null;
  filter?: {
    regionCode?: string | null;
    deciles?: number[] | null;
    programs?: string[] | null;
  } | null;
  epsilon?: number | null;
}

export type StatisticsMethod = 'DIFFERENTIAL_PRIVACY' | 'SUPPRESSION' | 'EXACT';

/** How a differentially private table's noise was made (CONTRACT §8: stated with each answer). */
export interface NoiseDescription {
  mechanism: 'DISCRETE_LAPLACE';
  epsilon: number;
  sensitivity: number;
  scale: number;
}

export interface StatisticsAnswer {
  /** The table in compact form; `StatisticsResult.cells` is made from it when asked for. */
  table: StatisticsTable;
  method: StatisticsMethod;
  epsilonSpent: number;
  /** DIFFERENTIAL_PRIVACY only; null otherwise. */
  noise: NoiseDescription | null;
  /** Figures published exactly beside the table, outside its guarantee (DP only). */
  invariants: string[];
  budgetRemaining: number | null;
  dataAsOf: string;
  cached: boolean;
  /** Targeting measures: the eligibility rule versions that decided the table (else empty). */
  ruleVersions: RuleVersion[];
}

/**
 * What the ledger stores for a researcher's query: the published noisy table (plain JSON), in the
 * normalized order of its dimensions. Answers stored before the compact form hold `cells`.
 */
interface StoredNoisyAnswer {
  dataAsOf: string;
  dimensions?: TableDimension[];
  values?: number[];
  margin95?: number;
  cells?: AnswerCell[];
  /** Absent in answers stored before the targeting measures (all PERSONS or HOUSEHOLDS). */
  ruleVersions?: RuleVersion[];
}

/**
 * What researchers' tables are published beside exactly: the registry totals of `snapshot`,
 * readable by any client. The guarantee is stated given them (docs/privacy.md).
 */
export const DP_INVARIANTS = ['snapshot.households', 'snapshot.persons'] as const;

/** Raised inside the ledger transaction when the served snapshot changed under the query. */
class SnapshotChanged extends Error {}

/**
 * Statistics for one principal (CONTRACT §8): researchers get differentially private counts
 * spent from their budget, internal dashboards counts perturbed by the cell-key method with cell
 * suppression on top (and only filters that cannot be differenced, dashboard-filters.ts), the
 * administrator (scope statistics:exact) exact counts. Other kinds never get here (the gate).
 *
 * Researchers may not group by DISTRICT nor filter below the regency (a regionCode of 6 or 10
 * digits): BAD_USER_INPUT, since it is the question that is not offered to them, not the field.
 *
 * The targeting measures (RECIPIENTS, ELIGIBLE, …) count each program in its own unit, so their
 * tables must name the program of every cell (PROGRAM grouped, or one program filtered):
 * BAD_USER_INPUT otherwise, before anything is spent. Their answers name the rule versions.
 */
export class StatisticsService {
  private readonly random: RandomSource;

  constructor(
    private readonly deps: {
      principal: Principal;
      /** Primary database: the privacy ledger writes. */
      db: Kysely<Database>;
      readDb: Kysely<Database>;
      disclosure: DisclosureRecord;
      random?: RandomSource;
      globalBudgetMilli?: number;
      /** Months of the privacy accounting period (DTKS_PRIVACY_PERIOD_MONTHS); default 12. */
      privacyPeriodMonths?: number;
      /** Told of every ε spent (milli-ε), for the metrics. */
      onSpent?: (agencyId: string, epsilonMilli: number) => void;
      /** The process's published tables, read once per snapshot (shared by its requests). */
      published?: PublishedTablesCache;
    },
  ) {
    this.random = deps.random ?? cryptoRandomSource;
  }

  /**
   * The client's agency's privacy budget (ε) left in the current accounting period; null without
   * a budget.
   */
  async budgetRemaining(): Promise<number | null> {
    if (this.deps.principal.agreement.privacyBudget === null) return null;
    const left = await remaining(this.deps.db, this.payer());
    return epsilonFromMilli(left.agencyMilli);
  }

  /**
   * Who pays for a researcher's answer: the client's agency (all its clients together), from the
   * budget of the agreement the client asks under, in the accounting period of now.
   */
  private payer(): Payer {
    const p = this.deps.principal;
    return {
      agencyId: p.agencyId,
      clientId: p.clientId,
      agencyBudgetMilli: budgetMilliFromAgreement(p.agreement.privacyBudget),
      ...(this.deps.globalBudgetMilli !== undefined
        ? { globalBudgetMilli: this.deps.globalBudgetMilli }
        : {}),
      period: accountingPeriod(new Date(), this.deps.privacyPeriodMonths ?? 12),
    };
  }

  async query(args: StatisticsArgs): Promise<StatisticsAnswer> {
    const p = this.deps.principal;
    const regionCode = args.filter?.regionCode ?? null;
    if (regionCode !== null && !REGION_CODE_PATTERN.test(regionCode)) {
      throw badUserInput('regionCode is a region-code prefix of 2, 4, 6 or 10 digits');
    }
    const researcher = p.kind === 'RESEARCHER';
    const epsilonMilli = researcher ? epsilonMilliFromInput(args.epsilon) : 0;
    if (!researcher && args.epsilon !== null && args.epsilon !== undefined) {
      throw badUserInput('epsilon applies only to differentially private statistics (researchers)');
    }
    const query = normalizeStatisticsQuery({
      measure: args.measure,
      groupBy: args.groupBy ?? [],
      filter: args.filter ?? null,
      epsilonMilli,
    });
    const order = [...new Set(args.groupBy ?? [])];
    if (isTargetingMeasure(query.measure) && targetingPrograms(query).length === 0) {
      throw badUserInput(
        `${query.measure} counts per program, each in its own unit (households for PKH and BPNT, persons for PBI_JK and PIP): group by PROGRAM or filter on exactly one program`,
      );
    }

    // The key names the question and the region scope it was answered in: the cache must never
    // hand one scope's table to another (and the audit records which table was given).
    const queryKey = canonicalQueryKey(query, p.agreement.regionScope);
    let answer: StatisticsAnswer;
    if (researcher) {
      if (query.groupBy.includes('DISTRICT') || (regionCode !== null && regionCode.length > 4)) {
        throw badUserInput(
          'DISTRICT statistics are not available to researchers: group by REGENCY or coarser and filter on a province or regency',
        );
      }
      answer = await this.differentiallyPrivate(query, queryKey);
    } else if (p.kind === 'INTERNAL') {
      const refusal = dashboardFilterRefusal(query);
      if (refusal !== null) throw badUserInput(refusal);
      const table = await this.exact(query);
      answer = this.suppressed(table, await this.targetingProtection(query, table));
    } else if (p.kind === 'ADMIN' && p.agreement.scopes.includes('statistics:exact')) {
      answer = this.plain(await this.exact(query));
    } else {
      throw forbidden('your agreement does not allow statistics of this kind');
    }
    const d = this.deps.disclosure;
    d.aggregates.push(`${answer.method}:${queryKey}`);
    d.fields.add('StatisticsCell.value');
    return { ...answer, table: reorder(answer.table, order) };
  }

  /** How tables are counted: from the process's published tables when it keeps them. */
  private counting(): { published?: PublishedTablesCache } {
    return this.deps.published ? { published: this.deps.published } : {};
  }

  private async exact(query: NormalizedStatisticsQuery): Promise<ExactTable> {
    const table = await countStatistics(
      this.deps.readDb,
      query,
      this.deps.principal.agreement.regionScope,
      this.counting(),
    );
    if (!table) throw serviceUnavailable('no registry snapshot is loaded yet');
    return table;
  }

  private plain(table: ExactTable): StatisticsAnswer {
    const { counts } = table;
    return {
      table: {
        dimensions: dimensionsOf(table),
        values: counts,
        suppressed: new Array<boolean>(counts.length).fill(false),
        margin95: new Array<null>(counts.length).fill(null),
      },
      method: 'EXACT',
      epsilonSpent: 0,
      noise: null,
      invariants: [],
      budgetRemaining: null,
      dataAsOf: table.asOf,
      cached: false,
      ruleVersions: table.ruleVersions,
    };
  }

  /**
   * Suppressed on the table's own counts, or on `protection` (a count per cell) when given: the
   * targeting measures' shared counts, so that all four hide the same cells.
   */
  private suppressed(table: ExactTable, protection: number[] | null): StatisticsAnswer {
    const { counts, cellKeys } = table;
    const hidden = suppressGrid(
      table.dimensions.map((d) => d.codes.map((c) => c.code)),
      protection ?? counts,
    );
    // One loop, not a callback per cell and list: a table may have 20,560 cells.
    const values = new Array<number | null>(counts.length);
    const suppressed = new Array<boolean>(counts.length);
    for (let i = 0; i < counts.length; i++) {
      suppressed[i] = hidden[i] === 1;
      values[i] = suppressed[i] ? null : perturbedCount(counts[i]!, cellKeys[i]!);
    }
    return {
      table: {
        dimensions: dimensionsOf(table),
        values,
        suppressed,
        margin95: new Array<null>(counts.length).fill(null),
      },
      method: 'SUPPRESSION',
      epsilonSpent: 0,
      noise: null,
      invariants: [],
      budgetRemaining: null,
      dataAsOf: table.asOf,
      cached: false,
      ruleVersions: table.ruleVersions,
    };
  }

  /**
   * For a targeting table, the counts its suppression is decided on
   * (suppression/targeting-protection.ts): RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE and
   * ELIGIBLE_NON_RECIPIENTS of the same grid, from the same snapshot. Null for other measures.
   */
  private async targetingProtection(
    query: NormalizedStatisticsQuery,
    table: ExactTable,
  ): Promise<number[] | null> {
    if (!isTargetingMeasure(query.measure)) return null;
    const groups = await countOtherMeasures(
      this.deps.readDb,
      query,
      this.deps.principal.agreement.regionScope,
      table,
      ['RECIPIENTS', 'RECIPIENTS_NOT_ELIGIBLE', 'ELIGIBLE_NON_RECIPIENTS'],
      this.deps.published,
    );
    if ([...groups.values()].some((t) => t.snapshotId !== table.snapshotId)) {
      throw serviceUnavailable('a new registry snapshot is being served; try again');
    }
    return targetingProtectionCounts(
      {
        recipients: groups.get('RECIPIENTS')!.counts,
        recipientsNotEligible: groups.get('RECIPIENTS_NOT_ELIGIBLE')!.counts,
        eligibleNonRecipients: groups.get('ELIGIBLE_NON_RECIPIENTS')!.counts,
      },
      DEFAULT_SUPPRESSION_THRESHOLD,
    );
  }

  private async differentiallyPrivate(
    query: NormalizedStatisticsQuery,
    queryKey: string,
  ): Promise<StatisticsAnswer> {
    const p = this.deps.principal;
    const snapshot = await currentSnapshot(this.deps.db);
    if (!snapshot) throw serviceUnavailable('no registry snapshot is loaded yet');
    const snapshotId = Number(snapshot.id);
    const delta = sensitivity({
      measure: query.measure,
      groupBy: query.groupBy,
      programs: query.programs ?? undefined,
    });
    const scale = noiseScale(delta, query.epsilonMilli);
    const margin = margin95(scale);
    let outcome;
    try {
      outcome = await spendOrReuse<StoredNoisyAnswer>(this.deps.db, {
        ...this.payer(),
        snapshotId,
        queryKey,
        epsilonMilli: query.epsilonMilli,
        compute: async (trx) => {
          const table = await countStatistics(trx, query, p.agreement.regionScope, this.counting());
          if (!table || table.snapshotId !== snapshotId) throw new SnapshotChanged();
          // Noise on every cell, then a consistent table from the noisy cells alone
          // (privacy/consistent-table.ts): non-negative integers whose margins add up.
          const noisy = table.counts.map(
            (count) => count + sampleDiscreteLaplace(scale, this.random),
          );
          return {
            dataAsOf: table.asOf,
            ruleVersions: table.ruleVersions,
            dimensions: dimensionsOf(table),
            values: consistentTable(
              table.dimensions.map((d) => d.codes.length),
              noisy,
            ),
            margin95: margin,
          };
        },
      });
    } catch (error) {
      if (error instanceof SnapshotChanged) {
        throw serviceUnavailable('a new registry snapshot is being served; try again');
      }
      throw error;
    }
    if (outcome.epsilonSpentMilli > 0) {
      this.deps.onSpent?.(p.agencyId, outcome.epsilonSpentMilli);
    }
    const stored = outcome.answer;
    return {
      table: stored.cells
        ? tableOfCells(stored.cells)
        : {
            dimensions: stored.dimensions!,
            values: stored.values!,
            suppressed: stored.values!.map(() => false),
            margin95: stored.values!.map(() => stored.margin95!),
          },
      method: 'DIFFERENTIAL_PRIVACY',
      epsilonSpent: epsilonFromMilli(outcome.epsilonSpentMilli),
      // Derived from the question, which the cache key fixes: the same for a stored answer.
      noise: {
        mechanism: 'DISCRETE_LAPLACE',
        epsilon: epsilonFromMilli(query.epsilonMilli),
        sensitivity: delta,
        scale: scale.num / scale.den,
      },
      invariants: [...DP_INVARIANTS],
      budgetRemaining: epsilonFromMilli(outcome.remaining.agencyMilli),
      dataAsOf: outcome.answer.dataAsOf,
      cached: outcome.cached,
      ruleVersions: outcome.answer.ruleVersions ?? [],
    };
  }
}

/** The table's dimensions as the compact form lists them. */
function dimensionsOf(table: ExactTable): TableDimension[] {
  return table.dimensions.map((d) => ({
    dimension: d.dimension,
    codes: d.codes.map((c) => c.code),
    labels: d.codes.map((c) => c.label),
  }));
}
