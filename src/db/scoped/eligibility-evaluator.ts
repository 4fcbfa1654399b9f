import { sql, type Kysely } from 'kysely';
import type { Principal } from '../../auth/principal.js';
import type { ReasonCode } from '../../domain/reason-codes.js';
import { compileRule } from './eligibility-rule-sql.js';
import { PREPARED } from '../prepared-statements.js';
import type { Database } from '../database-types.js';
import { inForceAt, type CurrentRule } from '../queries/eligibility-rule-queries.js';
import { restrictionScopeOf } from '../../auth/restriction-policy.js';
import { householdRegionPredicate } from './record-projection.js';
import { notRestricted } from './restriction-sql.js';

/** One decision's facts, in input order. */
export interface EligibilityFacts {
  reason: ReasonCode;
  /** The household's decile (for agreements that show it); null when unknown or not registered. */
  decile: number | null;
}

/** The facts of a statement, with what it read of the snapshot and the rules. */
export interface EligibilityAnswer {
  /** The served snapshot's as-of date (null: none is loaded). */
  asOf: string | null;
  /**
   * The program's current rule version when the statement ran: the facts were decided under the
   * rule passed in, which the caller must not use when this differs from its version.
   */
  currentVersion: number | null;
  facts: EligibilityFacts[];
}

/**
 * Decides eligibility for many NIKs in one query with one array parameter (no parameter limit,
 * one plan): the NIKs are unnested with their position, joined to members and households inside
 * the principal's region scope — a person outside the scope, or whose processing is restricted for
 * the request's purpose (where a restriction stops it), is NOT_REGISTERED, exactly like an
 * unknown NIK — and the program's compiled rule decides the reason. Rows come back in input order,
 * duplicates included.
 */
export async function evaluateEligibility(
  db: Kysely<Database>,
  principal: Principal,
  niks: readonly string[],
  rule: CurrentRule,
): Promise<EligibilityAnswer> {
  if (!principal) throw new Error('eligibility needs a principal');
  const inScope = householdRegionPredicate(principal.agreement.regionScope);
  const visible = notRestricted(restrictionScopeOf(principal), sql`m.nik`);
  // The as-of date is read in the same statement as the data: an import swapping tables between
  // two statements could otherwise pair new data with the old date. So is the program's current
  // rule version in force at that date, which tells the caller whether the rule it passed (cached)
  // is still the one to apply.
  const { rows } = await sql<{
    reason: ReasonCode;
    decile: number | null;
    as_of: string | null;
    current_version: number | null;
  }>`${PREPARED}
    WITH served AS (SELECT as_of FROM snapshot ORDER BY id DESC LIMIT 1)
    SELECT ${compileRule(rule.rule, sql`(SELECT as_of FROM served)`)} AS reason, h.decile,
           (SELECT as_of FROM served) AS as_of,
           (SELECT max(r.version) FROM eligibility_rule r
             WHERE r.program = ${rule.program} AND ${inForceAt(sql`(SELECT as_of FROM served)`)}) AS current_version
      FROM unnest(${[...niks]}::text[]) WITH ORDINALITY AS i(nik, ord)
      LEFT JOIN (member m JOIN household h
                         ON h.household_id = m.household_id AND h.province = m.province AND ${inScope})
             ON m.nik = i.nik::char(16) COLLATE "C" AND ${visible}
     ORDER BY i.ord`.execute(db);
  return {
    asOf: rows[0]?.as_of ?? null,
    currentVersion: rows[0]?.current_version ?? null,
    facts: rows.map((r) => ({
      reason: r.reason,
      decile: r.reason === 'NOT_REGISTERED' ? null : r.decile,
    })),
  };
}
