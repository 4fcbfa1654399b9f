import { sql, type Kysely } from 'kysely';
import type { Database, EligibilityRuleDefinition } from '../database-types.js';
import { inForceAt } from '../queries/eligibility-rule-queries.js';
import { compileRule } from './eligibility-rule-sql.js';

/*
 * The impact preview of `rules publish` (src/commands/rules.command.ts): an operator's tool with
 * no principal, kept here, behind the one door, because it reads households and members. It
 * returns counts per province and pair of reasons; never a record or a NIK.
 */

/** Decisions of one province that go from one reason to another (or stay: `before = after`). */
export interface ImpactRow {
  province: string;
  provinceName: string;
  before: string;
  after: string;
  decisions: number;
}

export interface RuleImpact {
  /** The served snapshot's as-of date. */
  asOf: string;
  /** The version decisions on it apply now. */
  currentVersion: number;
  rows: ImpactRow[];
}

/**
 * Every registered NIK of the served snapshot decided under the program's rule in force and under
 * `rule`, counted by province and by the pair of reasons (unchanged pairs included, so the total
 * is every decision). One statement; both decisions by the request-time compiler, so the preview
 * decides exactly as `eligibility` would. Null when no snapshot is served.
 */
export async function ruleImpact(
  db: Kysely<Database>,
  program: string,
  rule: EligibilityRuleDefinition,
): Promise<RuleImpact | null> {
  const served = await sql<{ as_of: string }>`
    SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of FROM snapshot ORDER BY id DESC LIMIT 1`.execute(
    db,
  );
  const asOf = served.rows[0]?.as_of;
  if (asOf === undefined) return null;
  const { rows: inForce } = await sql<{ version: number; rule: EligibilityRuleDefinition }>`
    SELECT r.version, r.rule FROM eligibility_rule r
     WHERE r.program = ${program} AND ${inForceAt(sql`${asOf}::date`)}
     ORDER BY r.version DESC LIMIT 1`.execute(db);
  const current = inForce[0];
  if (!current) throw new Error(`program ${program} has no rule in force`);
  const at = sql`${asOf}::date`;
  const { rows } = await sql<ImpactRow>`
    SELECT d.province, coalesce(p.name, d.province) AS "provinceName", d.before, d.after,
           d.decisions
      FROM (SELECT left(h.region_code, 2) AS province, x.before, x.after, count(*)::int AS decisions
              FROM member m JOIN household h ON h.household_id = m.household_id AND h.province = m.province,
                   LATERAL (SELECT ${compileRule(current.rule, at)} AS before,
                                   ${compileRule(rule, at)} AS after) x
             GROUP BY 1, 2, 3) d
      LEFT JOIN region p ON p.code = d.province AND p.level = 1
     ORDER BY d.province, d.before, d.after`.execute(db);
  return { asOf, currentVersion: current.version, rows };
}
