import { sql, type Kysely } from 'kysely';

/**
 * Restrictions of processing (issue #17, UU PDP Art. 9–11): a person, through a data subjects'
 * service, or the administrator restricts the processing of a NIK for some purposes and/or
 * agencies (none listed: all of them), and may lift it; who, when and why are kept, the row is
 * never deleted. The scoped SQL leaves restricted records out for the purposes the restriction
 * covers (src/db/scoped/restriction-sql.ts) unless the purpose's legal basis is one a restriction
 * does not stop (src/auth/restriction-policy.ts).
 *
 * `snapshot.restrictions_as_of`: the moment an import read the restrictions for its statistics
 * rollups. Statistics leave out the persons restricted at that moment, from the rollups and the
 * base tables alike, so a restriction reaches statistics from the next import on (null: imported
 * before this migration, nobody left out).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE processing_restriction (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      nik char(16) COLLATE "C" NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
      purposes text[] NOT NULL DEFAULT '{}',
      agency_ids text[] NOT NULL DEFAULT '{}',
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
      requested_by_kind text NOT NULL CHECK (requested_by_kind IN ('SUBJECT_SERVICE', 'ADMIN')),
      requested_by_client text NOT NULL,
      requested_by_officer text,
      restricted_at timestamptz NOT NULL DEFAULT now(),
      lifted_at timestamptz,
      lifted_by_client text,
      lifted_by_officer text,
      lift_reason text CHECK (length(lift_reason) BETWEEN 1 AND 1000),
      CHECK ((lifted_at IS NULL) = (lifted_by_client IS NULL)
             AND (lifted_at IS NULL) = (lift_reason IS NULL))
    )`.execute(db);
  // The scoped SQL asks "is this NIK restricted now?" on every read: only active rows matter.
  await sql`
    CREATE INDEX processing_restriction_active_idx ON processing_restriction (nik)
     WHERE lifted_at IS NULL`.execute(db);
  await sql`CREATE INDEX processing_restriction_nik_idx ON processing_restriction (nik, id)`.execute(
    db,
  );
  await sql`ALTER TABLE snapshot ADD COLUMN restrictions_as_of timestamptz`.execute(db);
}
