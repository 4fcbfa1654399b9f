import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { EligibilityRuleDefinition, MemberCondition } from '../db/database-types.js';
import { compileRule, memberCondition } from '../db/scoped/eligibility-rule-sql.js';
import { PROGRAM_BITS } from '../domain/cuboids.js';
import { isProgramCode, PROGRAMS, type ProgramCode } from '../domain/programs.js';
import type { RuleVersion } from '../domain/statistics-query.js';
import { importCompiler, rulesAtImport } from './rules-at-import.js';

/**
 * The eligibility decisions of the targeting rollups (issue #13), as SQL text for the rollup
 * build's passes, from the rules in force at the snapshot's as-of date (`rulesAtImport`) compiled by the request-time compiler (`compileRule`,
 * CONTRACT §5), so the rollups decide exactly as `eligibility` and the base-table path do.
 *
 * `compileRule` decides one member `m` of a household `h`. Its ELIGIBLE is a conjunction: `m` is
 * registered and ACTIVE, `h` is not REJECTED, ranked, within the decile threshold, some ACTIVE
 * member of `h` matches a qualifying condition (when the rule has them) and `m` matches a target
 * group (when it has them). The build scans members once per pass, so the part that looks at
 * other members of the household — a correlated NOT EXISTS per member — is taken out and
 * computed as a flag per household in the pass that groups members by household:
 *
 * - person program: ELIGIBLE(m) = compileRule(rule without qualifying)(m, h) = 'ELIGIBLE'
 *   AND w.q_<program> (some ACTIVE member qualifies);
 * - household program — eligible when at least one of its ACTIVE members is decided ELIGIBLE:
 *   w.active > 0 AND compileRule(rule without qualifying nor target)(m*, h) = 'ELIGIBLE'
 *   AND w.q_<program> AND w.t_<program> (some ACTIVE member is in the target group), where m*
 *   stands for any ACTIVE member (`HOUSEHOLD_MEMBER`): without those two parts the decision
 *   looks at `m` only for being registered and ACTIVE.
 *
 * tests/statistics/statistics-rollups.test.ts checks these against the base-table path, which
 * runs `compileRule` whole.
 */

/** A program's rule as the build decides with it. */
interface BuildRule {
  program: ProgramCode;
  version: number;
  rule: EligibilityRuleDefinition;
}

/** What the build's passes need to decide the targeting units. */
export interface TargetingRuleSql {
  /** The version of each program's rule used (recorded as `snapshot.rule_versions`). */
  versions: RuleVersion[];
  /**
   * Columns of the household pass (members `m` of every status, grouped by household): the
   * flags of the qualifying and target-group conditions over the household's ACTIVE members.
   */
  householdFlags: string[];
  /**
   * The bits of the household programs a household is eligible for, over household `h`, its
   * household-pass row `w` and `HOUSEHOLD_MEMBER` as `m`.
   */
  householdEligible: string;
  /** The bits of the person programs member `m` of household `h` is eligible for (`w` too). */
  personEligible: string;
  /** Whether `personEligible` reads the household-pass row `w`. */
  personNeedsHousehold: boolean;
}

/**
 * The stand-in for "an ACTIVE member" in a household's decision (joined as `m`): a constant row
 * the planner folds away.
 */
export const HOUSEHOLD_MEMBER = `(SELECT ''::text AS nik, 'ACTIVE'::text AS status)`;

/**
 * The rules in force at the snapshot's as-of date (`asOf`, YYYY-MM-DD) and the SQL of their
 * decisions.
 */
export async function targetingRuleSql(
  client: pg.PoolClient,
  asOf: string,
): Promise<TargetingRuleSql> {
  const rules: BuildRule[] = (await rulesAtImport(client, asOf))
    .filter((r): r is BuildRule => isProgramCode(r.program))
    .sort((a, b) => PROGRAM_BITS[a.program] - PROGRAM_BITS[b.program]);
  const text = (raw: RawBuilder<unknown>) => inline(raw, client);
  const asOfSql = sql.raw(`${client.escapeLiteral(asOf)}::date`);
  const anyOf = (conditions: MemberCondition[]) =>
    sql.join(
      conditions.map((c) => sql`(${memberCondition(c, 'm', asOfSql)})`),
      sql` OR `,
    );
  const flag = (name: string, conditions: MemberCondition[]) =>
    `coalesce(bool_or(${text(anyOf(conditions))}) FILTER (WHERE m.status = 'ACTIVE'), false) AS ${name}`;

  const householdFlags: string[] = [];
  const householdTerms: string[] = [];
  const personTerms: string[] = [];
  let personNeedsHousehold = false;
  for (const { program, rule } of rules) {
    const bit = PROGRAM_BITS[program];
    const key = program.toLowerCase();
    const qualifying = rule.qualifyingMember?.length ? rule.qualifyingMember : null;
    const target = rule.targetGroup?.length ? rule.targetGroup : null;
    const conditions: string[] = [];
    if (qualifying) {
      householdFlags.push(flag(`q_${key}`, qualifying));
      conditions.push(`w.q_${key}`);
    }
    if (PROGRAMS[program].unit === 'HOUSEHOLD') {
      if (target) {
        householdFlags.push(flag(`t_${key}`, target));
        conditions.push(`w.t_${key}`);
      }
      const base = { ...rule, qualifyingMember: undefined, targetGroup: undefined };
      const decision = text(compileRule(base, asOfSql));
      householdTerms.push(
        `CASE WHEN w.active > 0 AND (${decision}) = 'ELIGIBLE'${conditions.map((c) => ` AND ${c}`).join('')} THEN ${bit} ELSE 0 END`,
      );
    } else {
      if (qualifying) personNeedsHousehold = true;
      const decision = text(compileRule({ ...rule, qualifyingMember: undefined }, asOfSql));
      personTerms.push(
        `CASE WHEN (${decision}) = 'ELIGIBLE'${conditions.map((c) => ` AND coalesce(${c}, false)`).join('')} THEN ${bit} ELSE 0 END`,
      );
    }
  }
  const bits = (terms: string[]) => (terms.length > 0 ? `(${terms.join(' | ')})` : '0');
  return {
    versions: rules.map((r) => ({ program: r.program, version: r.version })),
    householdFlags,
    householdEligible: bits(householdTerms),
    personEligible: bits(personTerms),
    personNeedsHousehold,
  };
}

/**
 * The compiled SQL with its parameters written in as literals: the build's statements are
 * CREATE TABLE … AS, which take no parameters. A rule's values are numbers, booleans and code
 * strings; anything else is refused.
 */
function inline(raw: RawBuilder<unknown>, client: pg.PoolClient): string {
  const compiled = raw.compile(importCompiler);
  return compiled.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = compiled.parameters[Number(n) - 1];
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'string') return client.escapeLiteral(value);
    throw new Error(`an eligibility rule holds a value the statistics build cannot use (${n})`);
  });
}
