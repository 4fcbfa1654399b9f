import { compileFieldPolicy } from '../auth/field-policy.js';
import type { Principal } from '../auth/principal.js';
import type { AccessLogEntry } from '../audit/access-log.js';
import type { EligibilityRuleDefinition } from '../db/database-types.js';
import type { OwnRecord, PersonRecord, ScopedRegistry } from '../db/scoped/scoped-registry.js';
import { isProgramCode, PROGRAMS } from '../domain/programs.js';
import type { ReasonCode } from '../domain/reason-codes.js';
import { forbidden, serviceUnavailable } from '../errors/gateway-errors.js';
import { explainDecision, type Explanation } from './decision-explanation.js';

/** A program decision as the eligibility service gives it (the fields a report uses). */
export interface DecisionFacts {
  program: string;
  eligible: boolean;
  reason: string;
  decisionId: string;
  dataAsOf: string;
  ruleVersion: number;
}

/** Decides a NIK for a program under the request's principal (the eligibility service). */
export interface Decider {
  decide(nik: string, program: string): Promise<DecisionFacts>;
}

/** The rule version current for a program (the eligibility rule cache). */
export interface RuleSource {
  get(
    program: string,
  ): Promise<{ version: number; rule: EligibilityRuleDefinition; description: string } | undefined>;
}

/** The audit log read by subject (src/audit/access-log.ts). */
export interface AccessLogSource {
  subjectOf(nik: string): string;
  entries(subject: string, first: number, beforeId?: number): Promise<AccessLogEntry[]>;
}

/** One program decision in a person's report, explained. */
export interface SubjectDecision extends DecisionFacts {
  programName: string;
  /** The plain-language description of the rule version that decided. */
  ruleDescription: string;
  explanation: Explanation;
}

/** What a data subjects' service is told about the person it identified (CONTRACT §13). */
export interface SubjectReport {
  nik: string;
  /** Whether the NIK is in the served snapshot. */
  registered: boolean;
  person: OwnRecord['person'] | null;
  household: SubjectHouseholdRecord | null;
  decisions: SubjectDecision[];
  generatedAt: Date;
}

/** The person's household; `_key` and `_self` (the person's NIK) are internal. */
export type SubjectHouseholdRecord = OwnRecord['household'] & { _key: string; _self: string };

/** One access to the person's data, as the person is shown it. */
export interface SubjectAccess {
  id: number;
  at: Date;
  agencyId: string | null;
  agencyName: string | null;
  /** The officer at the agency: only where the service's agreement shows it (else null). */
  officerId: string | null;
  purpose: string | null;
  operation: string;
  outcome: string;
  fields: string[];
  /** The access was the person's own request, through a data subjects' service. */
  subjectRequest: boolean;
}

/**
 * A data subject's report (issue #17): their own record in clear, the rest of their household
 * under the service's field policy, each program's current decision explained, and who accessed
 * their data. Only a data subjects' service whose agreement states that it verified the person's
 * identity may ask; the gateway does not verify citizens itself. One instance per request.
 */
export class SubjectReportService {
  constructor(
    private readonly deps: {
      principal: Principal;
      registry: ScopedRegistry;
      decider: Decider;
      rules: RuleSource;
      accessLog: AccessLogSource;
    },
  ) {}

  /** The report on one person; every part of it is audited as the request's disclosure. */
  async report(nik: string): Promise<SubjectReport> {
    this.assertSubjectService();
    const own = await this.deps.registry.ownRecord(nik);
    const programs = this.deps.principal.agreement.programs.filter(isProgramCode);
    const decisions = await Promise.all(
      programs.map(async (program) => {
        const [decision, rule] = await Promise.all([
          this.deps.decider.decide(nik, program),
          this.deps.rules.get(program),
        ]);
        if (!rule) throw serviceUnavailable('the program rules are not loaded');
        return {
          ...decision,
          programName: PROGRAMS[program].name,
          ruleDescription: rule.description,
          explanation: explainDecision({
            programName: PROGRAMS[program].name,
            reason: decision.reason as ReasonCode | 'NOT_ELIGIBLE',
            ruleVersion: decision.ruleVersion,
            rule: rule.rule,
            decile: own?.household.decile ?? null,
            dataAsOf: decision.dataAsOf,
            decisionId: decision.decisionId,
          }),
        };
      }),
    );
    return {
      nik,
      registered: own !== null,
      person: own?.person ?? null,
      household: own ? { ...own.household, _key: own._household, _self: nik } : null,
      decisions,
      generatedAt: new Date(),
    };
  }

  /** The other members of the person's household, under the agreement's field policy. */
  async otherMembers(household: SubjectHouseholdRecord): Promise<PersonRecord[] | null> {
    const members = await this.deps.registry.membersOfHousehold(household._key);
    return members?.filter((m) => m._nik !== household._self) ?? null;
  }

  /** The audit log's keyed hash of the person (what their access history is read by). */
  subjectOf(nik: string): string {
    return this.deps.accessLog.subjectOf(nik);
  }

  /**
   * Accesses to the person's data, newest first, `first` of them before audit event `beforeId`.
   * The officer is shown only where the agreement's field policy shows `SubjectAccess.officerId`.
   */
  async accessHistory(nik: string, first: number, beforeId?: number): Promise<SubjectAccess[]> {
    this.assertSubjectService();
    const showOfficer =
      compileFieldPolicy(this.deps.principal.agreement.fieldPolicy).rule(
        'SubjectAccess',
        'officerId',
      ).rule === 'show';
    const entries = await this.deps.accessLog.entries(this.subjectOf(nik), first, beforeId);
    return entries.map((e) => ({
      id: e.id,
      at: e.at,
      agencyId: e.agencyId,
      agencyName: e.agencyName,
      officerId: showOfficer ? e.officerId : null,
      purpose: e.purpose,
      operation: e.operation,
      outcome: e.outcome,
      fields: e.fields,
      subjectRequest: e.agencyKind === 'SUBJECT_SERVICE',
    }));
  }

  private assertSubjectService(): void {
    const { kind, agreement } = this.deps.principal;
    if (kind !== 'SUBJECT_SERVICE' || !agreement.verifiesSubjectIdentity) {
      throw forbidden(
        'only a data subjects’ service whose agreement states that it verifies identity may ask',
      );
    }
  }
}
