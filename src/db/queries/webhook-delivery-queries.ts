import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database-types.js';
import { EVENTS_PER_DELIVERY } from '../scoped/webhook-store.js';

/** One delivery as operators see it (`dtks-gateway deliveries list`). */
export interface DeliveryRow {
  id: string;
  clientId: string | null;
  messageId: string;
  events: number;
  firstEventId: string;
  lastEventId: string;
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  replay: boolean;
  createdAt: Date;
  deliveredAt: Date | null;
}

const agreementOf = (clientId: string) =>
  sql`(SELECT agreement_id FROM client WHERE id = ${clientId})`;

/** Deliveries, newest first, of one client's agreement or all, in one state or all. */
export async function listDeliveries(
  db: Kysely<Database>,
  filter: { clientId?: string; state?: DeliveryRow['state']; limit: number },
): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>`
    SELECT d.id::text, (SELECT min(c.id) FROM client c WHERE c.agreement_id = d.agreement_id) AS "clientId",
           d.message_id AS "messageId", d.events, d.first_event_id::text AS "firstEventId",
           d.last_event_id::text AS "lastEventId", d.state, d.attempts, d.last_status AS "lastStatus",
           d.last_error AS "lastError", d.replay, d.created_at AS "createdAt",
           d.delivered_at AS "deliveredAt"
      FROM webhook_delivery d
     WHERE (${filter.clientId ?? null}::text IS NULL OR d.agreement_id = ${agreementOf(filter.clientId ?? '')})
       AND (${filter.state ?? null}::text IS NULL OR d.state = ${filter.state ?? null})
     ORDER BY d.id DESC
     LIMIT ${filter.limit}`.execute(db);
  return rows;
}

/**
 * Makes deliveries PENDING again, with a fresh retry window and the same message id (a
 * receiver deduplicates them): the given ids, or every DEAD one (of one client); DELIVERED ones
 * are left alone (`replay` sends them again). Returns the ids to enqueue.
 */
export async function reopenDeliveries(
  trx: Transaction<Database>,
  which: { ids: string[] } | { dead: true; clientId?: string },
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    UPDATE webhook_delivery d
       SET state = 'PENDING', retrying_since = now(), last_error = NULL
     WHERE d.state <> 'DELIVERED'
       AND ${
         'ids' in which
           ? sql`d.id = ANY(${which.ids}::bigint[])`
           : sql`d.state = 'DEAD' AND (${which.clientId ?? null}::text IS NULL
                 OR d.agreement_id = ${agreementOf(which.clientId ?? '')})`
       }
    RETURNING d.id::text`.execute(trx);
  return rows.map((r) => r.id);
}

/**
 * New deliveries (new message ids, marked as replays) of a client's events committed since a
 * moment, at most {@link EVENTS_PER_DELIVERY} per delivery. Returns their ids to enqueue.
 */
export async function replayDeliveries(
  trx: Transaction<Database>,
  clientId: string,
  since: Date,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    WITH events AS (
      SELECT e.id, e.agreement_id,
             (row_number() OVER (ORDER BY e.id) - 1) / ${EVENTS_PER_DELIVERY} AS batch
        FROM change_event e
       WHERE e.agreement_id = ${agreementOf(clientId)} AND e.created_at >= ${since}
    ), batches AS (
      SELECT agreement_id, min(id) AS first_id, max(id) AS last_id, count(*)::int AS events
        FROM events GROUP BY agreement_id, batch
    )
    INSERT INTO webhook_delivery (agreement_id, message_id, first_event_id, last_event_id, events, replay)
    SELECT agreement_id,
           'msg_' || agreement_id || '_' || first_id || '_' || last_id || '_replay_' ||
             substr(md5(random()::text || clock_timestamp()::text), 1, 12),
           first_id, last_id, events, true
      FROM batches ORDER BY first_id
    RETURNING id::text`.execute(trx);
  return rows.map((r) => r.id);
}

/** Whether a client exists and its agreement has a webhook. */
export async function clientWebhook(
  db: Kysely<Database>,
  clientId: string,
): Promise<{ exists: boolean; url: string | null }> {
  const row = await db
    .selectFrom('client as c')
    .innerJoin('agreement as a', 'a.id', 'c.agreement_id')
    .select('a.webhook_url')
    .where('c.id', '=', clientId)
    .executeTakeFirst();
  return { exists: row !== undefined, url: row?.webhook_url ?? null };
}
