import { sql, type Kysely } from 'kysely';

/**
 * Webhook deliveries of change events (issue #14, CONTRACT §11).
 *
 * - Agreements gain `webhook_url` (where their events are pushed; null: pull only) and
 *   `webhook_secret_sealed` (the per-agreement Standard Webhooks secret, sealed like followed NIKs,
 *   src/db/subject-seal.ts, because the gateway needs it back to sign).
 * - `webhook_delivery`: one POST's worth of an agreement's events (a range of the outbox), with
 *   its Standard Webhooks message id (`webhook-id`, the same on every attempt), its state
 *   (PENDING until the receiver answers 2xx, DELIVERED, or DEAD once retries ran out) and what
 *   the last attempt got. The attempts themselves are jobs of the PostgreSQL-backed queue
 *   (pg-boss, schema `pgboss`, installed by `migrate`).
 * - `webhook_cursor`: per agreement, the last event already put in a delivery.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE agreement
      ADD COLUMN webhook_url text CHECK (webhook_url ~ '^https?://'),
      ADD COLUMN webhook_secret_sealed bytea`.execute(db);
  await sql`
    CREATE TABLE webhook_delivery (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      agreement_id text NOT NULL REFERENCES agreement (id),
      message_id text COLLATE "C" NOT NULL UNIQUE,
      first_event_id bigint NOT NULL,
      last_event_id bigint NOT NULL CHECK (last_event_id >= first_event_id),
      events integer NOT NULL CHECK (events > 0),
      replay boolean NOT NULL DEFAULT false,
      state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'DEAD')),
      attempts integer NOT NULL DEFAULT 0,
      last_attempt_at timestamptz,
      last_status integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      retrying_since timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX webhook_delivery_agreement_idx ON webhook_delivery (agreement_id, id)`.execute(
    db,
  );
  await sql`CREATE INDEX webhook_delivery_state_idx ON webhook_delivery (state) WHERE state <> 'DELIVERED'`.execute(
    db,
  );
  await sql`
    CREATE TABLE webhook_cursor (
      agreement_id text PRIMARY KEY REFERENCES agreement (id),
      dispatched_through bigint NOT NULL DEFAULT 0
    )`.execute(db);
}
