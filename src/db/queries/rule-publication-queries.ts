import { sql, type Kysely } from 'kysely';
import type { Database, EligibilityRuleDefinition } from '../database-types.js';

/** A rule for persons given to a household program, or the other way round. */
export function unitMismatch(program: string, unit: string, ruleUnit: string): string {
  return `${program} is given to a ${unit}; the rule's unit is ${ruleUnit}`;
}

/** Why a version may not be published (the operator's mistake, said plainly). */
export class RulePublicationRefused extends Error {
  override name = 'RulePublicationRefused';
}

/**
 * Records the program's next rule version, in force from `effectiveOn`. Refused unless that date
 * is after the served snapshot's as-of date (today, Jakarta, before the first import) — a served
 * snapshot's decisions never change under it — and not before a version already published for
 * later. Publications of one program are serialised (the program row is locked).
 */
export async function publishRuleVersion(
  db: Kysely<Database>,
  input: {
    program: string;
    rule: EligibilityRuleDefinition;
    description: string;
    effectiveOn: string;
  },
): Promise<{ version: number }> {
  return db.transaction().execute(async (trx) => {
    const { rows: programs } = await sql<{ unit: string }>`
      SELECT unit FROM program WHERE code = ${input.program} FOR UPDATE`.execute(trx);
    const program = programs[0];
    if (!program) throw new RulePublicationRefused(`unknown program ${input.program}`);
    if (program.unit !== input.rule.unit) {
      throw new RulePublicationRefused(unitMismatch(input.program, program.unit, input.rule.unit));
    }
    const { rows } = await sql<{ served: string; last: string | null; version: number }>`
      SELECT to_char(COALESCE((SELECT as_of FROM snapshot ORDER BY id DESC LIMIT 1),
                              (now() AT TIME ZONE 'Asia/Jakarta')::date), 'YYYY-MM-DD') AS served,
             to_char(max(effective_on), 'YYYY-MM-DD') AS last, max(version) AS version
        FROM eligibility_rule WHERE program = ${input.program}`.execute(trx);
    const { served, last, version } = rows[0]!;
    if (input.effectiveOn <= served) {
      throw new RulePublicationRefused(
        `the effective date must be after ${served}, the as-of date of the snapshot served ` +
          '(its decisions never change under it); the version applies from the first snapshot as of that date or later',
      );
    }
    if (last !== null && input.effectiveOn < last) {
      throw new RulePublicationRefused(
        `a version of ${input.program} is already published for ${last}; a new one must be effective on that date or later`,
      );
    }
    const next = version + 1;
    await sql`
      INSERT INTO eligibility_rule (program, version, rule, description, effective_from, effective_on)
      VALUES (${input.program}, ${next}, ${JSON.stringify(input.rule)}::jsonb, ${input.description},
              ${input.effectiveOn}::timestamp AT TIME ZONE 'Asia/Jakarta', ${input.effectiveOn}::date)`.execute(
      trx,
    );
    return { version: next };
  });
}
