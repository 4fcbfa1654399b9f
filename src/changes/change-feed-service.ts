import type { Kysely } from 'kysely';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { Principal } from '../auth/principal.js';
import { assertProgramAllowed } from '../auth/program-policy.js';
import type { Database } from '../db/database-types.js';
import {
  changeFeedStore,
  type ChangeEventRow,
  type NewSubscription,
} from '../db/scoped/change-feed-store.js';
import { openSubject, sealSubject } from '../db/subject-seal.js';
import { badUserInput, GatewayError } from '../errors/gateway-errors.js';

/** A decision as the gateway states it in events (CONTRACT §11). */
export interface DecisionStateView {
  eligible: boolean;
  reason: string;
  ruleVersion: number;
  dataAsOf: string;
}

/** What every event shows. */
interface ChangeEventBase {
  /** The event's position, for the cursor. */
  position: string;
  eventId: string;
  occurredAt: Date;
}

/** ELIGIBILITY_CHANGED: the decision on a followed subject changed. */
export interface EligibilityChangeView extends ChangeEventBase {
  kind: 'ELIGIBILITY_CHANGED';
  program: string | null;
  subjectRef: string | null;
  nik: string | null;
  previous: DecisionStateView;
  current: DecisionStateView;
  decisionId: string;
}

/** HOUSEHOLD_CHANGED: a household of the region was added, removed or changed by an import. */
export interface HouseholdChangeView extends ChangeEventBase {
  kind: 'HOUSEHOLD_CHANGED';
  householdId: string;
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  regionCode: string;
  fields: string[];
}

/** VERIFICATION_STATUS_CHANGED: a submission the agreement sent was reviewed or applied. */
export interface VerificationStatusChangeView extends ChangeEventBase {
  kind: 'VERIFICATION_STATUS_CHANGED';
  submissionId: string;
  submissionKind: string;
  householdId: string | null;
  previousStatus: string;
  status: string;
}

/** GRIEVANCE_STATUS_CHANGED: a grievance the agreement's agency opened changed status. */
export interface GrievanceStatusChangeView extends ChangeEventBase {
  kind: 'GRIEVANCE_STATUS_CHANGED';
  grievanceId: string;
  decisionId: string;
  program: string;
  previousStatus: string;
  status: string;
}

/** An event as the GraphQL types and webhook bodies read it. */
export type ChangeEventView =
  | EligibilityChangeView
  | HouseholdChangeView
  | VerificationStatusChangeView
  | GrievanceStatusChangeView;

/** An event and what reading it discloses, for the audit log. */
export interface DisclosedEvent {
  view: ChangeEventView;
  /** The NIKs it is about (clear; hashed before they reach the audit log). */
  subjects: string[];
  /** The id the audit event lists: the decision id, or the event id. */
  auditId: string;
}

/** What the service needs of the eligibility service of the same request. */
export interface SubjectDecider {
  decideBatch(
    niks: readonly string[],
    program: string,
    options: { follow: boolean },
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
    const decisions = await decider.decideBatch(distinct, program, { follow: false });
    const subscribed = await changeFeedStore.subscribe(
      this.deps.db,
      principal.agreement.id,
      program,
      decisions.map((d, i) => subscription(sealKey, distinct[i]!, d)),
    );
    return {
      program,
      requested: distinct.length,
      subscribed,
      alreadySubscribed: distinct.length - subscribed,
    };
  }

  /**
   * An agreement that follows what it checks (`followCheckedDays`): the NIKs just decided are
   * followed, or followed for longer, and the decisions sent become the ones last sent.
   */
  async followChecked(
    niks: readonly string[],
    decisions: ReadonlyArray<{
      program: string;
      eligible: boolean;
      reason: string;
      ruleVersion: number;
      dataAsOf: string;
      subjectRef: string;
    }>,
  ): Promise<void> {
    const { principal, sealKey } = this.deps;
    if (principal.agreement.followCheckedDays === null || decisions.length === 0) return;
    const once = new Map<string, NewSubscription>();
    decisions.forEach((d, i) => once.set(d.subjectRef, subscription(sealKey, niks[i]!, d)));
    await changeFeedStore.followChecked(
      this.deps.db,
      principal.agreement.id,
      decisions[0]!.program,
      [...once.values()],
    );
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
      const { view, subjects, auditId } = changeEventView(row, showNik, sealKey);
      for (const nik of subjects) disclosure.subjects.add(nik);
      disclosure.decisionIds.push(auditId);
      return view;
    });
    return { events, hasNextPage: rows.length > first };
  }
}

/**
 * An event as the GraphQL types and webhook bodies show it, and what it discloses: its
 * subject's NIK (in the view only where `showNik`), or a household's members.
 */
export function changeEventView(
  row: ChangeEventRow,
  showNik: boolean,
  sealKey: Buffer,
): DisclosedEvent {
  const base = { position: row.id, eventId: row.eventId, occurredAt: row.occurredAt };
  switch (row.kind) {
    case 'ELIGIBILITY_CHANGED': {
      const payload = row.payload as {
        decisionId: string;
        previous: DecisionStateView;
        current: DecisionStateView;
      };
      const nik = row.nikSealed ? openSubject(sealKey, row.nikSealed) : null;
      return {
        subjects: nik === null ? [] : [nik],
        auditId: payload.decisionId,
        view: {
          ...base,
          kind: row.kind,
          program: row.program,
          subjectRef: row.subjectRef,
          nik: showNik ? nik : null,
          previous: payload.previous,
          current: payload.current,
          decisionId: payload.decisionId,
        },
      };
    }
    case 'HOUSEHOLD_CHANGED': {
      const payload = row.payload as Omit<HouseholdChangeView, keyof ChangeEventBase | 'kind'>;
      const members = row.subjectsSealed ? openSubject(sealKey, row.subjectsSealed) : '';
      return {
        subjects: members === '' ? [] : members.split(','),
        auditId: row.eventId,
        view: {
          ...base,
          kind: row.kind,
          householdId: payload.householdId,
          change: payload.change,
          regionCode: payload.regionCode,
          fields: payload.fields,
        },
      };
    }
    case 'VERIFICATION_STATUS_CHANGED': {
      const payload = row.payload as Omit<
        VerificationStatusChangeView,
        keyof ChangeEventBase | 'kind'
      >;
      return {
        subjects: [],
        auditId: row.eventId,
        view: {
          ...base,
          kind: row.kind,
          submissionId: payload.submissionId,
          submissionKind: payload.submissionKind,
          householdId: payload.householdId,
          previousStatus: payload.previousStatus,
          status: payload.status,
        },
      };
    }
    case 'GRIEVANCE_STATUS_CHANGED': {
      const payload = row.payload as Omit<
        GrievanceStatusChangeView,
        keyof ChangeEventBase | 'kind'
      >;
      // The opener knows whom it is about; the event names no one.
      return {
        subjects: [],
        auditId: row.eventId,
        view: {
          ...base,
          kind: row.kind,
          grievanceId: payload.grievanceId,
          decisionId: payload.decisionId,
          program: payload.program,
          previousStatus: payload.previousStatus,
          status: payload.status,
        },
      };
    }
  }
}

function subscription(
  sealKey: Buffer,
  nik: string,
  d: {
    eligible: boolean;
    reason: string;
    ruleVersion: number;
    dataAsOf: string;
    subjectRef: string;
  },
): NewSubscription {
  return {
    subjectRef: d.subjectRef,
    nikSealed: sealSubject(sealKey, nik),
    eligible: d.eligible,
    reason: d.reason,
    ruleVersion: d.ruleVersion,
    dataAsOf: d.dataAsOf,
  };
}

/** Whether an agreement's field policy shows the NIK in change events. */
export function showsEventNik(
  fieldPolicy: Record<string, Record<string, string> | undefined>,
): boolean {
  return fieldPolicy.EligibilityChange?.nik === 'show';
}
