import { sql, type Kysely } from 'kysely';
import type { EligibilityRuleDefinition } from '../database-types.js';

/**
 * Programs and their eligibility rules as versioned data (CONTRACT §5). A rule change is a new
 * row with the next version; decisions name the version they used. These are the shipped defaults.
 */
export const DEFAULT_RULES: Record<
  string,
  { rule: EligibilityRuleDefinition; description: string }
> = {
  PKH: {
    rule: {
      unit: 'HOUSEHOLD',
      maxDecile: 4,
      qualifyingMember: [
        { pregnant: true },
        { maxAge: 5 },
        { minAge: 6, maxAge: 21, inSchool: true },
        { minAge: 60 },
        { disability: 'SEVERE' },
      ],
    },
    description:
      'Household in decile 1–4 with at least one active member who is pregnant, aged 5 or under, ' +
      'aged 6–21 and in school, aged 60 or over, or severely disabled.',
  },
  BPNT: {
    rule: { unit: 'HOUSEHOLD', maxDecile: 4 },
    description: 'Household in decile 1–4.',
  },
  PBI_JK: {
    rule: { unit: 'PERSON', maxDecile: 5 },
    description: 'Person in a household of decile 1–5.',
  },
  PIP: {
    rule: {
      unit: 'PERSON',
      maxDecile: 4,
      targetGroup: [{ minAge: 6, maxAge: 21, inSchool: true }],
    },
    description: 'Person aged 6–21 and in school, in a household of decile 1–4.',
  },
};

const PROGRAM_NAMES: Record<string, string> = {
  PKH: 'Program Keluarga Harapan',
  BPNT: 'Bantuan Pangan Non-Tunai (Sembako)',
  PBI_JK: 'Penerima Bantuan Iuran Jaminan Kesehatan',
  PIP: 'Program Indonesia Pintar',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE program (
      code text PRIMARY KEY,
      name text NOT NULL,
      unit text NOT NULL CHECK (unit IN ('HOUSEHOLD', 'PERSON'))
    )`.execute(db);
  await sql`
    CREATE TABLE eligibility_rule (
      program text NOT NULL REFERENCES program (code),
      version integer NOT NULL CHECK (version > 0),
      rule jsonb NOT NULL,
      description text NOT NULL,
      effective_from timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (program, version)
    )`.execute(db);
  for (const [code, { rule, description }] of Object.entries(DEFAULT_RULES)) {
    await sql`INSERT INTO program (code, name, unit) VALUES (${code}, ${PROGRAM_NAMES[code]}, ${rule.unit})`.execute(
      db,
    );
    await sql`
      INSERT INTO eligibility_rule (program, version, rule, description)
      VALUES (${code}, 1, ${JSON.stringify(rule)}::jsonb, ${description})`.execute(db);
  }
}
