import type { Kysely } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import { restrictionScopeOf } from '../../auth/restriction-policy.js';
import type { Database } from '../database-types.js';
import type { CurrentRule } from '../queries/eligibility-rule-queries.js';
import { evaluateEligibility, type EligibilityAnswer } from './eligibility-evaluator.js';

interface Waiting {
  niks: readonly string[];
  resolve(result: EligibilityAnswer): void;
  reject(error: unknown): void;
}

interface Group {
  db: Kysely<Database>;
  principal: Principal;
  rule: CurrentRule;
  waiting: Waiting[];
  inFlight: number;
}

/** At most this many statements of one group run at once; later questions wait and go together. */
const MAX_IN_FLIGHT = 2;
/** Questions this large run on their own (a batch needs no company, and would delay singles). */
const SOLO_ABOVE = 1_000;
/** The most NIKs one grouped statement carries. */
const MAX_GROUPED = 2_000;

/**
 * Asks the registry questions of concurrent requests together. Requests that share a program rule
 * (and version) and a region scope — for example fifty ministry officers each checking one NIK —
 * are answered by one statement instead of fifty: the first questions go at once, and while
 * statements are out, the ones that arrive queue and go in the next. Each caller gets the facts of
 * its own NIKs, in its order, with the as-of date of the statement that answered it.
 *
 * Grouping crosses requests but never region scopes, rules or the restrictions that apply (agency
 * and purpose where a restriction stops the decision), so it cannot change an answer: the
 * statement is the one each request would have run, over more NIKs.
 */
export class EligibilityBatcher {
  /** Per database a request reads (the primary, or the read replica): never grouped across. */
  private readonly groups = new Map<Kysely<Database>, Map<string, Group>>();

  /** The questions of requests that read `db` (src/db/read-router.ts). */
  on(db: Kysely<Database>): EligibilityReads {
    return { db, evaluate: (principal, niks, rule) => this.evaluate(db, principal, niks, rule) };
  }

  evaluate(
    db: Kysely<Database>,
    principal: Principal,
    niks: readonly string[],
    rule: CurrentRule,
  ): Promise<EligibilityAnswer> {
    if (niks.length > SOLO_ABOVE) return evaluateEligibility(db, principal, niks, rule);
    // Restrictions differ by agency and purpose where they stop the decision: part of the key.
    const restrictions = restrictionScopeOf(principal);
    const restricted =
      restrictions === null ? '-' : `${restrictions.agencyId}\n${restrictions.purpose ?? '*'}`;
    const key = `${rule.program}\n${rule.version}\n${principal.agreement.regionScope.join(',')}\n${restricted}`;
    let groups = this.groups.get(db);
    if (!groups) this.groups.set(db, (groups = new Map()));
    let group = groups.get(key);
    if (!group) {
      group = { db, principal, rule, waiting: [], inFlight: 0 };
      groups.set(key, group);
    }
    const g = group;
    const of = groups;
    return new Promise((resolve, reject) => {
      g.waiting.push({ niks, resolve, reject });
      this.pump(of, key, g);
    });
  }

  private pump(groups: Map<string, Group>, key: string, group: Group): void {
    while (group.inFlight < MAX_IN_FLIGHT && group.waiting.length > 0) {
      const taken: Waiting[] = [];
      let count = 0;
      while (group.waiting.length > 0) {
        const next = group.waiting[0]!;
        if (taken.length > 0 && count + next.niks.length > MAX_GROUPED) break;
        taken.push(group.waiting.shift()!);
        count += next.niks.length;
      }
      group.inFlight++;
      void this.run(group, taken).finally(() => {
        group.inFlight--;
        if (group.inFlight === 0 && group.waiting.length === 0) {
          groups.delete(key);
          if (groups.size === 0) this.groups.delete(group.db);
        } else this.pump(groups, key, group);
      });
    }
  }

  private async run(group: Group, taken: Waiting[]): Promise<void> {
    try {
      const niks = taken.length === 1 ? taken[0]!.niks : taken.flatMap((w) => w.niks);
      const { asOf, currentVersion, facts } = await evaluateEligibility(
        group.db,
        group.principal,
        niks,
        group.rule,
      );
      let at = 0;
      for (const w of taken) {
        w.resolve({ asOf, currentVersion, facts: facts.slice(at, at + w.niks.length) });
        at += w.niks.length;
      }
    } catch (error) {
      for (const w of taken) w.reject(error);
    }
  }
}

/** Eligibility questions answered from one database: the one a request reads. */
export interface EligibilityReads {
  db: Kysely<Database>;
  evaluate(
    principal: Principal,
    niks: readonly string[],
    rule: CurrentRule,
  ): Promise<EligibilityAnswer>;
}
