import { sql, type Kysely } from 'kysely';

/**
 * Data subjects' services (issue #17, CONTRACT §13): a kind of client that answers a person about
 * their own data, on behalf of that person, after verifying who they are (a "Cek Bansos" channel
 * of the ministry). The gateway does not verify citizens' identities itself: the agreement of such
 * a client records that the service does (`verifies_subject_identity`), and the gateway answers
 * `myRecord` only under an agreement that says so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE agency DROP CONSTRAINT agency_kind_check`.execute(db);
  await sql`
    ALTER TABLE agency
      ADD CONSTRAINT agency_kind_check
        CHECK (kind IN ('MINISTRY', 'LOCAL_GOV', 'RESEARCHER', 'INTERNAL', 'ADMIN', 'SUBJECT_SERVICE'))`.execute(
    db,
  );
  await sql`
    ALTER TABLE agreement
      ADD COLUMN verifies_subject_identity boolean NOT NULL DEFAULT false`.execute(db);
}
