import type { Kysely } from 'kysely';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { Principal } from '../auth/principal.js';
import { assertProgramAllowed } from '../auth/program-policy.js';
import type { Database } from '../db/database-types.js';
import { changeFeedStore, type ChangeEventRow } from '../db/scoped/change-feed-store.js';
import { openSubject, sealSubject } from '../db/subject-seal.js';
import { badUserInput, GatewayError } from '../errors/gateway-errors.js';

/** A decision as the gateway states it in events (CONTRACT §11). */
export interface DecisionStateView {
  eligible: boolean;
  reason: string;
  ruleVersion: number;
  dataAsOf: string;
}

/** An event as the GraphQL types read it. */
export interface ChangeEventView {
  /** The event's position, for the cursor. */
  position: string;
  eventId: string;
  kind: 'ELIGIBILITY_CHANGED';
  occurredAt: Date;
  program: string | null;
  subjectRef: string | null;
  nik: string | null;
  previous: DecisionStateView;
  current: DecisionStateView;
  decisionId: string;
}

/** What the service needs of the eligibility service of the same request. */
export interface SubjectDecider {
  decideBatch(
    niks: readonly string[],
    program: string,
  ): Promise<
    Array<{
      eligible: boolean;
      reason: string;
      ruleVersion: number;
      dataAsOf: string;
      subjectRef: string;
    }>
  >;
  subjectRefOf(nik: string): string;
}

/**
 * Change feeds for one request (issue #14): following subjects and reading the events about them.
 *
 * Subscribing is checking: the NIKs are decided like an `eligibilityBatch` of the same size (the
 * batch limit, the daily quota and the audit apply as they do there), and the decision the
 * agency would get now is kept as the "previous" of the first event. Only the agency's own
 * pseudonym and the sealed NIK are stored (src/db/subject-seal.ts).
 */
export class ChangeFeedService {
  constructor(
    private readonly deps: {
      principal: Principal;
      db: Kysely<Database>;
      readDb: Kysely<Database>;
      decider: SubjectDecider;
      sealKey: Buffer;
      disclosure: DisclosureRecord;
    },
  ) {}

  async subscribe(program: string, niks: readonly string[]) {
    const { principal, decider, sealKey } = this.deps;
    assertProgramAllowed(principal, program);
    const distinct = [...new Set(niks)];
    if (distinct.length === 0) throw badUserInput('niks must not be empty');
    const decisions = await decider.decideBatch(distinct, program);
    const subscribed = await changeFeedStore.subscribe(
      this.deps.db,
      principal.agreement.id,
      program,
      decisions.map((d, i) => ({
        subjectRef: d.subjectRef,
        nikSealed: sealSubject(sealKey, distinct[i]!),
        eligible: d.eligible,
        reason: d.reason,
        ruleVersion: d.ruleVersion,
        dataAsOf: d.dataAsOf,
      })),
    );
    return {
      program,
      requested: distinct.length,
      subscribed,
      alreadySubscribed: distinct.length - subscribed,
    };
  }

  async unsubscribe(program: string, niks: readonly string[]) {
    const { principal, decider, disclosure } = this.deps;
    assertProgramAllowed(principal, program);
    const distinct = [...new Set(niks)];
    if (distinct.length === 0) throw badUserInput('niks must not be empty');
    const limit = principal.agreement.batchLimit;
    if (distinct.length > limit) {
      throw new GatewayError(
        'BATCH_TOO_LARGE',
        `this request names ${distinct.length} NIKs; your agreement allows ${limit} per operation`,
      );
    }
    for (const nik of distinct) disclosure.subjects.add(nik);
    const unsubscribed = await changeFeedStore.unsubscribe(
      this.deps.db,
      principal.agreement.id,
      program,
      distinct.map((nik) => decider.subjectRefOf(nik)),
    );
    return {
      program,
      requested: distinct.length,
      unsubscribed,
      notSubscribed: distinct.length - unsubscribed,
    };
  }

  /**
   * The agreement's events after position `after` (0: from the start), `first` of them, and
   * whether more follow. Each event read is a disclosure about its subject (audited).
   */
  async events(
    first: number,
    after: string,
  ): Promise<{ events: ChangeEventView[]; hasNextPage: boolean }> {
    const { principal, sealKey, disclosure } = this.deps;
    const rows = await changeFeedStore.events(
      this.deps.readDb,
      principal.agreement.id,
      principal.agreement.programs,
      after,
      first + 1,
    );
    const showNik = showsEventNik(principal.agreement.fieldPolicy);
    const events = rows.slice(0, first).map((row) => {
      const { view, nik } = changeEventView(row, showNik, sealKey);
      if (nik !== null) disclosure.subjects.add(nik);
      disclosure.decisionIds.push(view.decisionId);
      return view;
    });
    return { events, hasNextPage: rows.length > first };
  }
}

/**
 * An event as the GraphQL types and webhook bodies show it, and its subject's NIK (for the audit
 * log; in the view only where `showNik`).
 */
export function changeEventView(
  row: ChangeEventRow,
  showNik: boolean,
  sealKey: Buffer,
): { view: ChangeEventView; nik: string | null } {
  const payload = row.payload as {
    decisionId: string;
    previous: DecisionStateView;
    current: DecisionStateView;
  };
  const nik = row.nikSealed ? openSubject(sealKey, row.nikSealed) : null;
  return {
    nik,
    view: {
      position: row.id,
      eventId: row.eventId,
      kind: row.kind,
      occurredAt: row.occurredAt,
      program: row.program,
      subjectRef: row.subjectRef,
      nik: showNik ? nik : null,
      previous: payload.previous,
      current: payload.current,
      decisionId: payload.decisionId,
    },
  };
}

/** Whether an agreement's field policy shows the NIK in change events. */
export function showsEventNik(
  fieldPolicy: Record<string, Record<string, string> | undefined>,
): boolean {
  return fieldPolicy.EligibilityChange?.nik === 'show';
}
