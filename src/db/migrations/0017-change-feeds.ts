import { sql, type Kysely } from 'kysely';

/**
 * Change feeds (issue #14, CONTRACT §11).
 *
 * - `change_subscription`: the subjects a ministry's agreement follows, per program. A row names
 *   its subject by the agency's own pseudonym (`subject_ref`, the `subjectRef` of its decisions:
 *   unlinkable across agencies) and keeps the NIK sealed (AES-256-GCM under a key of the gateway's
 *   data folder, src/db/subject-seal.ts), so a dump of the table alone tells nobody which NIKs an
 *   agency follows, nor whether two agencies follow the same person. It also keeps the decision
 *   last sent to the agency (at subscribing, then in each event): the "previous" of the next event.
 * - `change_event`: the outbox. Events are written in the transaction that swaps a snapshot in
 *   (or changes what they report), so a swap without its events, or events of a swap that rolled
 *   back, cannot exist. Writers hold one advisory lock while they insert, so `id` grows in commit
 *   order and a reader paging by id never skips an event committed late. The event carries the
 *   sealed NIK of its subject (for the audit log, and for agreements whose policy shows the NIK),
 *   never the NIK in clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE change_subscription (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      agreement_id text NOT NULL REFERENCES agreement (id),
      program text NOT NULL REFERENCES program (code),
      subject_ref text COLLATE "C" NOT NULL,
      nik_sealed bytea NOT NULL,
      eligible boolean NOT NULL,
      reason text NOT NULL,
      rule_version integer NOT NULL,
      data_as_of date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (agreement_id, program, subject_ref)
    )`.execute(db);
  await sql`
    CREATE TABLE change_event (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      agreement_id text NOT NULL REFERENCES agreement (id),
      kind text NOT NULL CHECK (kind IN ('ELIGIBILITY_CHANGED')),
      snapshot_id bigint REFERENCES snapshot (id),
      program text,
      subject_ref text COLLATE "C",
      nik_sealed bytea,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX change_event_agreement_idx ON change_event (agreement_id, id)`.execute(db);
}
