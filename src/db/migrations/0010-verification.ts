import { sql, type Kysely } from 'kysely';

/**
 * Verification and validation (verivali, CONTRACT §9): what local governments send back. One row
 * per submission (a visit to a registered household) or proposal (usulan baru: a household not
 * yet registered). Nothing here changes the served snapshot; approved rows are exported for the
 * central ranking cycle and marked APPLIED when a later snapshot reflects them.
 *
 * - `public_id` is the opaque id clients see; `id` orders the list and pages it.
 * - `region_code` is the household's village code at submission (the proposed one for a
 *   proposal), so the list and review are region-scoped without reading the registry.
 * - `payload` holds the validated changes, NIKs in clear (the central cycle needs them): this
 *   table is personal data like the registry and is read only through `src/db/scoped/`.
 * - `added_niks` repeats the NIKs of added and proposed members, so a NIK can be checked against
 *   pending submissions (GIN index) without unpacking every payload.
 * - UNIQUE (client_id, idempotency_key) makes concurrent duplicates store exactly one row;
 *   `fingerprint` (SHA-256 of the canonical input) tells a retry from a conflicting reuse.
 * - `review_decision` keeps the review when the status later moves on to APPLIED (history).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE verification_submission (
      id bigserial PRIMARY KEY,
      public_id text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('SUBMISSION', 'PROPOSAL')),
      client_id text NOT NULL,
      agency_id text NOT NULL,
      officer_id text,
      region_code char(10) COLLATE "C",
      household_id text COLLATE "C",
      kk_number char(16) COLLATE "C",
      outcome text CHECK (outcome IN ('CONFIRMED', 'UPDATED', 'MOVED', 'DECEASED', 'NOT_FOUND', 'DUPLICATE')),
      visited_at date NOT NULL,
      payload jsonb NOT NULL,
      added_niks text[] COLLATE "C" NOT NULL DEFAULT '{}',
      note text,
      idempotency_key text NOT NULL,
      fingerprint text NOT NULL,
      status text NOT NULL DEFAULT 'SUBMITTED'
        CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'APPLIED')),
      submitted_at timestamptz NOT NULL DEFAULT now(),
      reviewer_client_id text,
      reviewer_agency_id text,
      reviewer_officer_id text,
      review_decision text CHECK (review_decision IN ('APPROVED', 'REJECTED')),
      reviewed_at timestamptz,
      review_note text,
      applied_at timestamptz,
      applied_snapshot_id bigint REFERENCES snapshot (id),
      UNIQUE (client_id, idempotency_key),
      CHECK ((kind = 'SUBMISSION') = (outcome IS NOT NULL)),
      CHECK (kind = 'PROPOSAL' OR household_id IS NOT NULL),
      CHECK (kind = 'SUBMISSION' OR kk_number IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX verification_submission_region_idx ON verification_submission (region_code, id)`.execute(
    db,
  );
  await sql`CREATE INDEX verification_submission_household_idx ON verification_submission (household_id)`.execute(
    db,
  );
  // The export reads approvals by time; the APPLIED check at import reads rows still APPROVED.
  await sql`CREATE INDEX verification_submission_approved_idx ON verification_submission (reviewed_at)
    WHERE review_decision = 'APPROVED'`.execute(db);
  await sql`CREATE INDEX verification_submission_awaiting_idx ON verification_submission (id)
    WHERE status = 'APPROVED'`.execute(db);
  await sql`CREATE INDEX verification_submission_added_niks_idx ON verification_submission
    USING gin (added_niks)`.execute(db);
}
