import { sql, type Kysely } from 'kysely';

/**
 * The legal basis of each purpose of an agreement (issue #17, UU PDP Art. 20): `{"VERIVALI":
 * "PUBLIC_TASK", …}`. What a restriction of processing stops depends on it: a purpose whose basis
 * is a public task (an eligibility decision) is recorded as restricted and shown to the person,
 * but not stopped (docs/subjects.md). A purpose with no recorded basis is treated as resting on
 * consent, the basis under which a restriction always applies (fail closed).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE agreement
      ADD COLUMN purpose_legal_basis jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(purpose_legal_basis) = 'object')`.execute(db);
}
