import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, EligibilityRuleDefinition } from '../database-types.js';

/** The version of a program's rule in force for the served snapshot, with the program's name and unit. */
export interface CurrentRule {
  program: string;
  name: string;
  unit: 'HOUSEHOLD' | 'PERSON';
  version: number;
  rule: EligibilityRuleDefinition;
  description: string;
  effectiveFrom: Date;
  /** In force for snapshots as of this date or later; null: from the start. */
  effectiveOn: string | null;
}

/**
 * Whether a version (alias `r`) is in force at `asOf` (a date): published for that day or before,
 * or in force from the start. The version in force is the highest such one (migration 0031).
 */
export function inForceAt(asOf: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(r.effective_on IS NULL OR r.effective_on <= ${asOf})`;
}

/** The served snapshot's as-of date; today (Jakarta) before the first import. */
const SERVED_AS_OF = sql`COALESCE((SELECT s.as_of FROM snapshot s ORDER BY s.id DESC LIMIT 1),
                                  (now() AT TIME ZONE 'Asia/Jakarta')::date)`;

/**
 * Every program with the version of its rule in force for the served snapshot, in program order:
 * the one its decisions apply.
 */
export async function currentRules(db: Kysely<Database>): Promise<CurrentRule[]> {
  return (await rulesRelativeToServed(db)).filter((r) => !r.scheduled);
}

/** The version in force for the served snapshot and the ones scheduled after it, in one read. */
export async function rulesRelativeToServed(
  db: Kysely<Database>,
): Promise<Array<CurrentRule & { scheduled: boolean }>> {
  const { rows } = await sql<CurrentRule & { scheduled: boolean }>`
    WITH served AS (SELECT ${SERVED_AS_OF} AS as_of),
    in_force AS (
      SELECT DISTINCT ON (r.program) r.program, r.version
        FROM eligibility_rule r, served
       WHERE ${inForceAt(sql`served.as_of`)}
       ORDER BY r.program, r.version DESC)
    SELECT r.program, p.name, p.unit, r.version, r.rule, r.description,
           r.effective_from AS "effectiveFrom",
           to_char(r.effective_on, 'YYYY-MM-DD') AS "effectiveOn",
           r.version > f.version AS scheduled
      FROM eligibility_rule r
      JOIN program p ON p.code = r.program
      JOIN in_force f ON f.program = r.program AND r.version >= f.version
     ORDER BY r.program, r.version`.execute(db);
  return rows;
}
