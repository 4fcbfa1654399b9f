import { sql, type Kysely } from 'kysely';

/**
 * Grievances (sanggah, issue #17, CONTRACT §13): a data subjects' service or a ministry contests a
 * decision, citing its `decision_id`; the grievance is routed to the region of the person's
 * household (or, for a person not in the registry, the region they state) and handled by that
 * region's local government: OPEN → IN_REVIEW → RESOLVED (with a verification submission) or
 * DISMISSED (with a reason). Past `due_at` while still open it is escalated: the province's local
 * government sees it too (src/auth/grievance-routing.ts).
 *
 * `public_id` is the opaque id clients see; `id` orders lists. The NIK is kept for the audit's
 * subject and the person's own pull query; the text is the opener's words, never in an error or
 * a log. `change_event` gains GRIEVANCE_STATUS_CHANGED, for the opener's agreement.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE grievance (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      public_id text NOT NULL UNIQUE,
      nik char(16) COLLATE "C" NOT NULL CHECK (nik ~ '^[0-9]{16}$'),
      decision_id text NOT NULL,
      program text NOT NULL,
      household_id text,
      region_code text NOT NULL CHECK (region_code ~ '^[0-9]{4,10}$'),
      text text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
      status text NOT NULL DEFAULT 'OPEN'
        CHECK (status IN ('OPEN', 'IN_REVIEW', 'RESOLVED', 'DISMISSED')),
      opened_by_client text NOT NULL,
      opened_by_agency text NOT NULL,
      opened_by_officer text,
      opened_at timestamptz NOT NULL DEFAULT now(),
      due_at timestamptz NOT NULL,
      reviewed_at timestamptz,
      closed_at timestamptz,
      handled_by_client text,
      handled_by_officer text,
      submission_id text,
      dismissal_reason text CHECK (length(dismissal_reason) BETWEEN 1 AND 1000),
      CHECK ((status = 'RESOLVED') = (submission_id IS NOT NULL)),
      CHECK ((status = 'DISMISSED') = (dismissal_reason IS NOT NULL)),
      CHECK ((status IN ('RESOLVED', 'DISMISSED')) = (closed_at IS NOT NULL))
    )`.execute(db);
  // A regency's work list (the routing predicate leads with it), and an opener's list.
  await sql`CREATE INDEX grievance_regency_idx ON grievance (left(region_code, 4), id)`.execute(db);
  await sql`CREATE INDEX grievance_opener_idx ON grievance (opened_by_agency, id)`.execute(db);
  await sql`ALTER TABLE change_event DROP CONSTRAINT change_event_kind_check`.execute(db);
  await sql`
    ALTER TABLE change_event
      ADD CONSTRAINT change_event_kind_check
        CHECK (kind IN ('ELIGIBILITY_CHANGED', 'HOUSEHOLD_CHANGED', 'VERIFICATION_STATUS_CHANGED',
                        'GRIEVANCE_STATUS_CHANGED'))`.execute(db);
}
