import { createHmac, randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal.js';
import type { UsageLimiter } from '../auth/usage-limiter.js';
import { assertProgramAllowed, showsDecisionField } from '../auth/program-policy.js';
import type { EligibilityReads } from '../db/scoped/eligibility-batcher.js';
import { badUserInput, GatewayError, serviceUnavailable } from '../errors/gateway-errors.js';
import type { DisclosureRecord } from '../audit/disclosure-record.js';
import type { RuleCache } from './rule-cache.js';

/** How often a decision is made again when its rule keeps changing under it. */
const MAX_RULE_RETRIES = 3;

/** What a ministry receives for one NIK (the GraphQL EligibilityDecision). */
export interface Decision {
  program: string;
  eligible: boolean;
  reason: string;
  decisionId: string;
  dataAsOf: string;
  ruleVersion: number;
  subjectRef: string;
  decile: number | null;
}

/**
 * Eligibility for one request. Several `eligibility` fields of one operation are batched per
 * program by a DataLoader into one query; `eligibilityBatch` is one query. Every decision gets an
 * id (recorded in the audit log) and a per-agency pseudonym of the NIK. An agreement without
 * detailed reasons gets ELIGIBLE or NOT_ELIGIBLE only, built by the same path for registered and
 * unregistered NIKs, so nothing in the answer tells them apart.
 *
 * The NIKs one request asks to check, single and batch, across all its fields, may not exceed the
 * agreement's batch limit: the operation-policy plugin refuses such an operation before it runs,
 * and this service refuses again where the decisions are made (defence in depth). Once a request
 * has asked for more, every decision of it not yet answered is refused too.
 */
export class EligibilityService {
  private readonly loaders = new Map<string, DataLoader<string, Decision>>();
  /** NIKs this request has asked to check so far (one service per request). */
  private asked = 0;

  constructor(
    private readonly evaluator: EligibilityReads,
    private readonly principal: Principal,
    private readonly rules: RuleCache,
    private readonly subjectRefKey: Buffer,
    /** The audit log's keyed hash of a NIK. */
    private readonly subjectHashOf: (nik: string) => string,
    private readonly disclosure: DisclosureRecord,
    /** Daily quota of distinct NIKs (null: no limits, bench-only). */
    private readonly limiter: UsageLimiter | null,
    /**
     * Told of every batch of decisions answered (change feeds: an agreement that follows what
     * it checks); an error fails the request, as the check is not complete without it.
     */
    private readonly onDecided:
      ((niks: readonly string[], decisions: Decision[]) => Promise<void>) | null = null,
  ) {}

  decide(nik: string, program: string): Promise<Decision> {
    assertProgramAllowed(this.principal, program);
    this.count(1);
    let loader = this.loaders.get(program);
    if (!loader) {
      loader = new DataLoader((niks) => this.decideMany(niks, program), { cache: false });
      this.loaders.set(program, loader);
    }
    return loader.load(nik);
  }

  /** `follow: false`: not followed as a check (subscribing follows them its own way). */
  decideBatch(
    niks: readonly string[],
    program: string,
    options: { follow: boolean } = { follow: true },
  ): Promise<Decision[]> {
    assertProgramAllowed(this.principal, program);
    if (niks.length === 0) throw badUserInput('niks must not be empty');
    this.count(niks.length);
    return this.decideMany(niks, program, options.follow);
  }

  /** Adds NIKs to the request's total; BATCH_TOO_LARGE past the agreement's batch limit. */
  private count(niks: number): void {
    this.asked += niks;
    this.assertWithinLimit();
  }

  private assertWithinLimit(): void {
    const limit = this.principal.agreement.batchLimit;
    if (this.asked > limit) {
      throw new GatewayError(
        'BATCH_TOO_LARGE',
        `this request checks ${this.asked} NIKs; your agreement allows ${limit} per operation`,
      );
    }
  }

  private async decideMany(
    niks: readonly string[],
    program: string,
    follow = true,
  ): Promise<Decision[]> {
    // The rule as cached, however old: the decision statement reads the current version too.
    let rule = await this.rules.forDecision(program);
    if (!rule) throw badUserInput('unknown program');
    // Other fields of the request may have taken it past the limit meanwhile.
    this.assertWithinLimit();
    // The decisions are read at once, the quota (which counts the audit subject hashes, reused
    // by the audit event) as soon as they are computed, and the per-agency references while the
    // database works. The decisions are read-only and are dropped unseen when the quota refuses
    // (its error rejects the whole call).
    const evaluated = this.evaluator.evaluate(this.principal, niks, rule);
    evaluated.catch(() => {}); // handled below, in Promise.all; this only marks it as handled
    // Let the statement leave for the database before hashing ten thousand NIKs here.
    if (niks.length > 100) await new Promise(setImmediate);
    const subjects = niks.map((nik) => this.auditSubject(nik));
    const answered = Promise.all([
      this.limiter?.admitSubjects(this.principal, subjects),
      evaluated,
    ]);
    const refs = niks.map((nik) => this.subjectRefOf(nik));
    let [, { asOf, currentVersion, facts }] = await answered;
    // A rule changed since it was cached: decide again under the current one (rare: a new rule
    // version), so that no decision applies a rule that was no longer current when it was made.
    for (let attempt = 0; currentVersion !== rule.version; attempt++) {
      if (attempt === MAX_RULE_RETRIES) throw serviceUnavailable('the program rule is changing');
      rule = await this.rules.forDecision(program);
      // Another request may have read the rules anew meanwhile.
      if (rule?.version !== currentVersion) {
        await this.rules.reload(this.evaluator.db);
        rule = await this.rules.forDecision(program);
      }
      if (!rule) throw badUserInput('unknown program');
      ({ asOf, currentVersion, facts } = await this.evaluator.evaluate(this.principal, niks, rule));
    }
    this.assertWithinLimit();
    if (asOf === null) throw serviceUnavailable('no registry snapshot is loaded yet');
    const detailed = this.principal.agreement.detailedReasons;
    const showDecile = showsDecisionField(this.principal, 'decile');
    const decisions = facts.map((fact, i) => {
      const nik = niks[i]!;
      const eligible = fact.reason === 'ELIGIBLE';
      const decision: Decision = {
        program,
        eligible,
        reason: detailed ? fact.reason : eligible ? 'ELIGIBLE' : 'NOT_ELIGIBLE',
        decisionId: randomUUID(),
        dataAsOf: asOf,
        ruleVersion: rule.version,
        subjectRef: refs[i]!,
        decile: showDecile ? fact.decile : null,
      };
      this.disclosure.subjects.add(nik);
      this.disclosure.decisionIds.push(decision.decisionId);
      return decision;
    });
    if (follow && this.onDecided) await this.onDecided(niks, decisions);
    return decisions;
  }

  private auditSubject(nik: string): string {
    let hash = this.disclosure.subjectHashes.get(nik);
    if (hash === undefined) {
      hash = this.subjectHashOf(nik);
      this.disclosure.subjectHashes.set(nik, hash);
    }
    return hash;
  }

  /**
   * The agency's pseudonym of a NIK (`subjectRef`): stable for one agency, unlinkable across
   * agencies (the agency is part of the MAC input).
   */
  subjectRefOf(nik: string): string {
    return createHmac('sha256', this.subjectRefKey)
      .update(`${this.principal.agencyId}\n${nik}`)
      .digest('base64url');
  }
}
