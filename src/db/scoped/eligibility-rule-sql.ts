import { sql, type RawBuilder } from 'kysely';
import type { EligibilityRuleDefinition, MemberCondition } from '../database-types.js';

/**
 * Compiles an eligibility rule (data, table `eligibility_rule`) into the SQL that decides it.
 *
 * The result is one CASE expression over a person row `m` and its household `h`, evaluating the
 * reasons in the contract's order of precedence (CONTRACT §5):
 *
 *   CASE WHEN m.nik IS NULL                  THEN 'NOT_REGISTERED'
 *        WHEN m.status <> 'ACTIVE'           THEN 'INACTIVE'
 *        WHEN h.verification_status = 'REJECTED' THEN 'HOUSEHOLD_REJECTED'
 *        WHEN h.decile IS NULL               THEN 'NOT_RANKED'
 *        WHEN h.decile > 4                   THEN 'ABOVE_DECILE_THRESHOLD'
 *        WHEN NOT EXISTS (an ACTIVE member q of h matching a qualifying condition)
 *                                            THEN 'NO_QUALIFYING_MEMBER'   -- household rules
 *        WHEN NOT (m matches a target-group condition) THEN 'NOT_IN_TARGET_GROUP' -- person rules
 *        ELSE 'ELIGIBLE' END
 *
 * Ages are completed years at the snapshot's as-of date (`asOf`, an SQL expression, so that the
 * date and the data come from the same statement), computed by PostgreSQL's `age()`; an unknown
 * birth date matches no age condition.
 */
export function compileRule(
  rule: EligibilityRuleDefinition,
  asOf: RawBuilder<unknown>,
  /** The members table other members are read from (an import decides on `member_next`). */
  memberTable: 'member' | 'member_next' = 'member',
): RawBuilder<string> {
  const branches: RawBuilder<unknown>[] = [
    sql`WHEN m.nik IS NULL THEN 'NOT_REGISTERED'`,
    sql`WHEN m.status <> 'ACTIVE' THEN 'INACTIVE'`,
    sql`WHEN h.verification_status = 'REJECTED' THEN 'HOUSEHOLD_REJECTED'`,
    sql`WHEN h.decile IS NULL THEN 'NOT_RANKED'`,
    sql`WHEN h.decile > ${rule.maxDecile} THEN 'ABOVE_DECILE_THRESHOLD'`,
  ];
  if (rule.qualifyingMember && rule.qualifyingMember.length > 0) {
    branches.push(sql`WHEN NOT EXISTS (
        SELECT 1 FROM ${sql.table(memberTable)} q
         WHERE q.household_id = h.household_id AND q.province = h.province AND q.status = 'ACTIVE'
           AND (${anyOf(rule.qualifyingMember, 'q', asOf)})
      ) THEN 'NO_QUALIFYING_MEMBER'`);
  }
  if (rule.targetGroup && rule.targetGroup.length > 0) {
    branches.push(sql`WHEN NOT (${anyOf(rule.targetGroup, 'm', asOf)}) THEN 'NOT_IN_TARGET_GROUP'`);
  }
  return sql<string>`CASE ${sql.join(branches, sql` `)} ELSE 'ELIGIBLE' END`;
}

function anyOf(
  conditions: MemberCondition[],
  alias: 'q' | 'm',
  asOf: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql.join(
    conditions.map((c) => sql`(${memberCondition(c, alias, asOf)})`),
    sql` OR `,
  );
}

/**
 * One member condition on the member row `alias`: all present fields must hold; a NULL never
 * satisfies a condition (COALESCE to false). Shared with the work-list filters, so that "a child
 * under 6" means the same there as in the PKH rule.
 */
export function memberCondition(
  c: MemberCondition,
  alias: 'q' | 'm',
  asOf: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const a = sql.raw(alias);
  const age = sql`date_part('year', age(${asOf}, ${a}.birth_date))`;
  const parts: RawBuilder<unknown>[] = [];
  if (c.pregnant !== undefined)
    parts.push(sql`${a}.pregnant IS ${sql.raw(c.pregnant ? 'TRUE' : 'FALSE')}`);
  if (c.inSchool !== undefined)
    parts.push(sql`${a}.in_school IS ${sql.raw(c.inSchool ? 'TRUE' : 'FALSE')}`);
  if (c.disability !== undefined) parts.push(sql`${a}.disability = ${c.disability}`);
  if (c.minAge !== undefined) parts.push(sql`${age} >= ${c.minAge}`);
  if (c.maxAge !== undefined) parts.push(sql`${age} <= ${c.maxAge}`);
  if (parts.length === 0) return sql`true`;
  return sql`COALESCE(${sql.join(parts, sql` AND `)}, false)`;
}
