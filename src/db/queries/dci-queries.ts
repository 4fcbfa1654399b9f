import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database-types.js';
import type { DciClientSettings } from '../../auth/principal.js';
import { findClientPolicy, notifyPolicyChange } from './client-queries.js';

/**
 * The DCI door's own rows (migration 0021): a client's key and callback address, the message ids
 * seen (replays), the callbacks to send, and the subscriptions `registry/subscribe` started.
 */

export async function dciClientSettings(
  db: Kysely<Database>,
  clientId: string,
): Promise<DciClientSettings> {
  const policy = await findClientPolicy(db, clientId);
  return policy?.dci ?? { publicKey: null, callbackUrl: null };
}

/** Sets (or, with null, removes) a client's DCI key and its agreement's callback address. */
export async function saveDciClientSettings(
  db: Kysely<Database>,
  clientId: string,
  settings: Partial<DciClientSettings>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const client = await trx
      .selectFrom('client')
      .select('agreement_id')
      .where('id', '=', clientId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!client) return false;
    if (settings.publicKey !== undefined) {
      await trx
        .updateTable('client')
        .set({ dci_public_key: settings.publicKey })
        .where('id', '=', clientId)
        .execute();
    }
    if (settings.callbackUrl !== undefined) {
      await trx
        .updateTable('agreement')
        .set({ dci_callback_url: settings.callbackUrl })
        .where('id', '=', client.agreement_id)
        .execute();
      // Notifications run from now on: the events already written stay readable by `changes`.
      if (settings.callbackUrl !== null) {
        await sql`
          INSERT INTO dci_notify_cursor (agreement_id, notified_through)
          VALUES (${client.agreement_id},
                  (SELECT coalesce(max(id), 0) FROM change_event WHERE agreement_id = ${client.agreement_id}))
          ON CONFLICT (agreement_id) DO UPDATE SET notified_through = excluded.notified_through`.execute(
          trx,
        );
      }
    }
    // Gateways drop their cached policy of the client (and so these settings) at once.
    await notifyPolicyChange(trx, clientId);
    return true;
  });
}

/**
 * A FROM item that turns off the wait for the WAL flush at the commit of the statement's own
 * (implicit) transaction: one round trip, no fsync wait. For rows whose loss in a crash of
 * PostgreSQL (the last fraction of a second before it) is harmless; never for the audit log.
 */
const ASYNC_COMMIT = sql`(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/**
 * Records a message id of the client; false when it was seen already (a replay). Ids older than
 * `keepSeconds` are pruned now and then: older messages are refused by their timestamp anyway.
 *
 * Committed without waiting for the flush (docs/dci.md "Replays"): a crash of PostgreSQL may
 * forget the ids of its last fraction of a second, and such a message, replayed after the
 * recovery and within its 5 minutes, would be taken once more. Every request still needs the
 * client's bearer token, with which a fresh message could ask the same.
 */
export async function firstSeenMessage(
  db: Kysely<Database>,
  clientId: string,
  messageId: string,
  keepSeconds: number,
): Promise<boolean> {
  const { rows } = await sql<{ inserted: boolean }>`
    INSERT INTO dci_message (client_id, message_id)
    SELECT ${clientId}, ${messageId} FROM ${ASYNC_COMMIT}
    ON CONFLICT DO NOTHING
    RETURNING true AS inserted`.execute(db);
  if (Math.random() < 0.01) {
    await sql`DELETE FROM dci_message
               WHERE received_at < now() - make_interval(secs => ${keepSeconds})`.execute(db);
  }
  return rows.length === 1;
}

/** A callback waiting to be sent (its body still sealed). */
export interface DciCallbackRow {
  id: string;
  clientId: string;
  url: string;
  action: string;
  bodySealed: Buffer | null;
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  createdAt: Date;
}

/** Stores a callback to send; its first attempt is enqueued in the same transaction. */
export async function insertDciCallback(
  trx: Transaction<Database>,
  callback: { clientId: string; url: string; action: string; bodySealed: Buffer },
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO dci_callback (client_id, url, action, body_sealed)
    VALUES (${callback.clientId}, ${callback.url}, ${callback.action}, ${callback.bodySealed})
    RETURNING id::text`.execute(trx);
  return rows[0]!.id;
}

export async function findDciCallback(
  db: Kysely<Database>,
  id: string,
): Promise<DciCallbackRow | null> {
  const { rows } = await sql<DciCallbackRow>`
    SELECT id::text, client_id AS "clientId", url, action, body_sealed AS "bodySealed", state,
           attempts, created_at AS "createdAt"
      FROM dci_callback WHERE id = ${id}`.execute(db);
  return rows[0] ?? null;
}

/** Records an attempt; a delivered (or dead) callback drops its body: it is not kept. */
export async function recordDciCallbackAttempt(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  outcome: { state: DciCallbackRow['state']; status: number | null; error: string | null },
): Promise<void> {
  await sql`
    UPDATE dci_callback
       SET state = ${outcome.state}, attempts = attempts + 1, last_attempt_at = now(),
           last_status = ${outcome.status}, last_error = ${outcome.error},
           body_sealed = CASE WHEN ${outcome.state} = 'PENDING' THEN body_sealed END,
           delivered_at = CASE WHEN ${outcome.state} = 'DELIVERED' THEN now() END
     WHERE id = ${id}`.execute(db);
}

/** A callback as operators list it (`dci callbacks`): never its body. */
export interface DciCallbackListing {
  id: string;
  clientId: string;
  action: string;
  url: string;
  state: DciCallbackRow['state'];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** Callbacks, newest first: of one client, in one state, or all. */
export async function listDciCallbacks(
  db: Kysely<Database>,
  filter: { clientId?: string; state?: DciCallbackRow['state']; limit: number },
): Promise<DciCallbackListing[]> {
  const { rows } = await sql<DciCallbackListing>`
    SELECT id::text, client_id AS "clientId", action, url, state, attempts,
           last_status AS "lastStatus", last_error AS "lastError", created_at AS "createdAt",
           delivered_at AS "deliveredAt"
      FROM dci_callback
     WHERE (${filter.clientId ?? null}::text IS NULL OR client_id = ${filter.clientId ?? null})
       AND (${filter.state ?? null}::text IS NULL OR state = ${filter.state ?? null})
     ORDER BY id DESC
     LIMIT ${filter.limit}`.execute(db);
  return rows;
}

/** A subscription `registry/subscribe` started. */
export interface DciSubscriptionRow {
  code: string;
  subjectRef: string;
  nikSealed: Buffer;
  programs: string[];
  status: 'subscribe' | 'unsubscribe';
}

/** The client's live subscriptions of these subjects: subject ref → code (one per subject). */
export async function findLiveDciSubscriptions(
  db: Kysely<Database>,
  clientId: string,
  subjectRefs: readonly string[],
): Promise<Map<string, string>> {
  if (subjectRefs.length === 0) return new Map();
  const { rows } = await sql<{ subjectRef: string; code: string }>`
    SELECT subject_ref AS "subjectRef", code FROM dci_subscription
     WHERE client_id = ${clientId} AND status = 'subscribe'
       AND subject_ref = ANY(${[...subjectRefs]}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.subjectRef, r.code]));
}

/** Records new subscriptions, in one statement. */
export async function insertDciSubscriptions(
  db: Kysely<Database>,
  subscriptions: ReadonlyArray<{
    code: string;
    clientId: string;
    agreementId: string;
    subjectRef: string;
    nikSealed: Buffer;
    programs: readonly string[];
  }>,
): Promise<void> {
  if (subscriptions.length === 0) return;
  const [first] = subscriptions;
  await sql`
    INSERT INTO dci_subscription (code, client_id, agreement_id, subject_ref, nik_sealed, programs)
    SELECT code, ${first!.clientId}, ${first!.agreementId}, subject_ref, nik_sealed,
           ${[...first!.programs]}::text[]
      FROM unnest(${subscriptions.map((s) => s.code)}::text[],
                  ${subscriptions.map((s) => s.subjectRef)}::text[],
                  ${subscriptions.map((s) => s.nikSealed)}::bytea[])
           AS t(code, subject_ref, nik_sealed)`.execute(db);
}

/** The client's own subscriptions among these codes (another client's code is not found). */
export async function findDciSubscriptions(
  db: Kysely<Database>,
  clientId: string,
  codes: readonly string[],
): Promise<DciSubscriptionRow[]> {
  const { rows } = await sql<DciSubscriptionRow>`
    SELECT code, subject_ref AS "subjectRef", nik_sealed AS "nikSealed", programs, status
      FROM dci_subscription
     WHERE client_id = ${clientId} AND code = ANY(${[...codes]}::text[])`.execute(db);
  return rows;
}

export async function endDciSubscriptions(
  db: Kysely<Database>,
  clientId: string,
  codes: readonly string[],
): Promise<void> {
  await sql`
    UPDATE dci_subscription SET status = 'unsubscribe', updated_at = now()
     WHERE client_id = ${clientId} AND code = ANY(${[...codes]}::text[])`.execute(db);
}

/** The next events of one agreement to send as a `registry/notify` callback. */
export interface DciNotifyBatch {
  agreementId: string;
  clientId: string;
  agencyId: string;
  purposes: string[];
  programs: string[];
  fieldPolicy: Record<string, Record<string, string> | undefined>;
  callbackUrl: string;
  firstEventId: string;
  lastEventId: string;
}

/**
 * For every agreement with a callback address and events after its notify cursor: the range of
 * its next (at most `limit`) events. Events are numbered in commit order (the outbox's lock), so
 * a range after the cursor never skips one committed late.
 */
export async function dciNotifyBatches(
  trx: Transaction<Database>,
  limit: number,
): Promise<DciNotifyBatch[]> {
  const { rows } = await sql<DciNotifyBatch>`
    SELECT a.id AS "agreementId", c.id AS "clientId", a.agency_id AS "agencyId", a.purposes,
           a.programs, a.field_policy AS "fieldPolicy", a.dci_callback_url AS "callbackUrl",
           e.first::text AS "firstEventId", e.last::text AS "lastEventId"
      FROM dci_notify_cursor k
      JOIN agreement a ON a.id = k.agreement_id
      JOIN LATERAL (SELECT min(id) AS id FROM client
                     WHERE agreement_id = a.id AND revoked_at IS NULL) c ON c.id IS NOT NULL
      JOIN LATERAL (SELECT min(x.id) AS first, max(x.id) AS last
                      FROM (SELECT id FROM change_event
                             WHERE agreement_id = a.id AND id > k.notified_through
                             ORDER BY id LIMIT ${limit}) x) e ON e.first IS NOT NULL
     WHERE a.dci_callback_url IS NOT NULL AND a.revoked_at IS NULL`.execute(trx);
  return rows;
}

export async function advanceDciNotifyCursor(
  trx: Transaction<Database>,
  agreementId: string,
  through: string,
): Promise<void> {
  await sql`
    UPDATE dci_notify_cursor SET notified_through = ${through}
     WHERE agreement_id = ${agreementId}`.execute(trx);
}
