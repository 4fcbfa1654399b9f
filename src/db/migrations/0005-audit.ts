import { sql, type Kysely } from 'kysely';

/**
 * The tamper-evident audit log. Every disclosure and every refused attempt is one event; events
 * form a hash chain (`hash = sha256(prev_hash || canonical event)`), and `audit_head` holds the
 * chain's last id and hash so that deleting the newest events is detected too. Writers lock the
 * head row, so concurrent gateway processes extend one chain. Subjects are keyed hashes
 * (HMAC-SHA-256 of the NIK), never raw NIKs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_event (
      id bigint PRIMARY KEY,
      at timestamptz NOT NULL,
      request_id text NOT NULL,
      client_id text,
      agency_id text,
      officer_id text,
      purpose text,
      operation text NOT NULL,
      outcome text NOT NULL,
      error_code text,
      fields text[] NOT NULL DEFAULT '{}',
      subjects text[] NOT NULL DEFAULT '{}',
      decision_ids text[] NOT NULL DEFAULT '{}',
      prev_hash bytea NOT NULL,
      hash bytea NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX audit_event_subjects_idx ON audit_event USING gin (subjects)`.execute(db);
  await sql`CREATE INDEX audit_event_client_at_idx ON audit_event (client_id, at)`.execute(db);
  await sql`
    CREATE TABLE audit_head (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      last_id bigint NOT NULL,
      last_hash bytea NOT NULL
    )`.execute(db);
  // The chain starts from 32 zero bytes at id 0.
  await sql`INSERT INTO audit_head (last_id, last_hash) VALUES (0, decode(repeat('00', 32), 'hex'))`.execute(
    db,
  );
}
