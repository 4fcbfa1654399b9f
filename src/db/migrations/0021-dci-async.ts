import { sql, type Kysely } from 'kysely';

/**
 * The asynchronous DCI API and its signatures (issue #15, docs/dci.md).
 *
 * - `client.dci_public_key`: the sender's Ed25519 public key (32 bytes; `clients create …
 *   --dci-key FILE`). A client with a key must sign every DCI message with it.
 * - `agreement.dci_callback_url`: where the agreement's SP-MIS takes callbacks (`on-search`, …).
 *   A request's `sender_uri` must lie under it: the gateway never POSTs personal data to an
 *   address the request alone named.
 * - `dci_message`: message ids seen per client in the last minutes, so that a replayed message is
 *   refused (older messages are refused by their timestamp).
 * - `dci_callback`: one callback to send (at least once, with retries, on the job queue). Its
 *   body holds personal data, so it is sealed (src/db/subject-seal.ts) and dropped once sent.
 * - `dci_subscription`: what `registry/subscribe` started, by subscription code: the followed
 *   subject as the change feeds keep it (the agency's pseudonym and the sealed NIK), and the
 *   programs it is followed for.
 * - `dci_notify_cursor`: per agreement with a callback address, the last change event already put
 *   in a `registry/notify` callback (set to the newest event when the address is registered:
 *   notifications run from then on; the pull API has the history).
 * - `dci_transaction` also records subscribe and unsubscribe transactions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE client ADD COLUMN dci_public_key bytea CHECK (octet_length(dci_public_key) = 32)`.execute(
    db,
  );
  await sql`
    ALTER TABLE agreement
      ADD COLUMN dci_callback_url text CHECK (dci_callback_url ~ '^https?://')`.execute(db);
  await sql`
    CREATE TABLE dci_message (
      client_id text NOT NULL REFERENCES client (id),
      message_id text COLLATE "C" NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (client_id, message_id)
    )`.execute(db);
  await sql`CREATE INDEX dci_message_received_idx ON dci_message (received_at)`.execute(db);
  await sql`
    CREATE TABLE dci_callback (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      client_id text NOT NULL REFERENCES client (id),
      url text NOT NULL CHECK (url ~ '^https?://'),
      action text NOT NULL,
      body_sealed bytea,
      state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'DEAD')),
      attempts integer NOT NULL DEFAULT 0,
      last_attempt_at timestamptz,
      last_status integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX dci_callback_state_idx ON dci_callback (state) WHERE state <> 'DELIVERED'`.execute(
    db,
  );
  await sql`
    CREATE TABLE dci_subscription (
      code text COLLATE "C" PRIMARY KEY,
      client_id text NOT NULL REFERENCES client (id),
      agreement_id text NOT NULL REFERENCES agreement (id),
      subject_ref text COLLATE "C" NOT NULL,
      nik_sealed bytea NOT NULL,
      programs text[] NOT NULL,
      status text NOT NULL DEFAULT 'subscribe' CHECK (status IN ('subscribe', 'unsubscribe')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX dci_subscription_client_idx ON dci_subscription (client_id, subject_ref)`.execute(
    db,
  );
  await sql`
    CREATE TABLE dci_notify_cursor (
      agreement_id text PRIMARY KEY REFERENCES agreement (id),
      notified_through bigint NOT NULL DEFAULT 0
    )`.execute(db);
}
