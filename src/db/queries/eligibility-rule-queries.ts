import type { Kysely } from 'kysely';
import type { Database, EligibilityRuleDefinition } from '../database-types.js';

/** The current (highest) version of a program's rule, with the program's name and unit. */
export interface CurrentRule {
  program: string;
  name: string;
  unit: 'HOUSEHOLD' | 'PERSON';
  version: number;
  rule: EligibilityRuleDefinition;
  description: string;
  effectiveFrom: Date;
}

/** Every program with the current version of its rule, in program order. */
export async function currentRules(db: Kysely<Database>): Promise<CurrentRule[]> {
  const rows = await db
    .selectFrom('eligibility_rule as r')
    .innerJoin('program as p', 'p.code', 'r.program')
    .select([
      'r.program',
      'p.name',
      'p.unit',
      'r.version',
      'r.rule',
      'r.description',
      'r.effective_from',
    ])
    .where(({ eb, selectFrom }) =>
      eb(
        'r.version',
        '=',
        selectFrom('eligibility_rule as x')
          .select(({ fn }) => fn.max('x.version').as('v'))
          .whereRef('x.program', '=', 'r.program'),
      ),
    )
    .orderBy('r.program')
    .execute();
  return rows.map((r) => ({
    program: r.program,
    name: r.name,
    unit: r.unit,
    version: r.version,
    rule: r.rule,
    description: r.description,
    effectiveFrom: r.effective_from,
  }));
}
