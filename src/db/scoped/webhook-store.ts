import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database-types.js';
import { changeFeedStore, type ChangeEventRow } from './change-feed-store.js';

/** A delivery with what an attempt needs of its agreement. */
export interface DeliveryForAttempt {
  id: string;
  messageId: string;
  agreementId: string;
  firstEventId: string;
  lastEventId: string;
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  retryingSince: Date;
  webhookUrl: string | null;
  secretSealed: Buffer | null;
  agencyId: string;
  clientId: string | null;
  purposes: string[];
  programs: string[];
  fieldPolicy: Record<string, Record<string, string> | undefined>;
}

export { CHANGE_EVENTS_CHANNEL } from '../change-outbox.js';

/** The most events one POST carries. */
export const EVENTS_PER_DELIVERY = 1_000;

/**
 * The request-time SQL of webhook deliveries (issue #14): cutting an agreement's new events into
 * deliveries, and recording each attempt. Every statement names its agreement or delivery.
 */
export const webhookStore = {
  /**
   * Puts every event not yet dispatched, of every agreement with a webhook, into deliveries of
   * at most {@link EVENTS_PER_DELIVERY} events, and moves the agreements' cursors; returns the
   * new deliveries' ids. Run in the transaction that enqueues their jobs: both or neither.
   */
  async dispatch(trx: Transaction<Database>): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      WITH pending AS (
        SELECT e.id, e.agreement_id,
               (row_number() OVER (PARTITION BY e.agreement_id ORDER BY e.id) - 1)
                 / ${EVENTS_PER_DELIVERY} AS batch
          FROM agreement a
          LEFT JOIN webhook_cursor c ON c.agreement_id = a.id
          JOIN change_event e ON e.agreement_id = a.id AND e.id > coalesce(c.dispatched_through, 0)
         WHERE a.webhook_url IS NOT NULL AND a.revoked_at IS NULL
      ), batches AS (
        SELECT agreement_id, min(id) AS first_id, max(id) AS last_id, count(*)::int AS events
          FROM pending GROUP BY agreement_id, batch
      ), moved AS (
        INSERT INTO webhook_cursor AS c (agreement_id, dispatched_through)
        SELECT agreement_id, max(last_id) FROM batches GROUP BY agreement_id
        ON CONFLICT (agreement_id) DO UPDATE SET dispatched_through = excluded.dispatched_through
        RETURNING 1
      )
      INSERT INTO webhook_delivery (agreement_id, message_id, first_event_id, last_event_id, events)
      SELECT agreement_id, 'msg_' || agreement_id || '_' || first_id || '_' || last_id,
             first_id, last_id, events
        FROM batches
       ORDER BY agreement_id, first_id
      RETURNING id`.execute(trx);
    return rows.map((r) => String(r.id));
  },

  async forAttempt(db: Kysely<Database>, id: string): Promise<DeliveryForAttempt | null> {
    const { rows } = await sql<DeliveryForAttempt>`
      SELECT d.id::text, d.message_id AS "messageId", d.agreement_id AS "agreementId",
             d.first_event_id::text AS "firstEventId", d.last_event_id::text AS "lastEventId",
             d.state, d.attempts, d.retrying_since AS "retryingSince",
             a.webhook_url AS "webhookUrl", a.webhook_secret_sealed AS "secretSealed",
             a.agency_id AS "agencyId", a.purposes, a.programs, a.field_policy AS "fieldPolicy",
             (SELECT min(c.id) FROM client c WHERE c.agreement_id = a.id) AS "clientId"
        FROM webhook_delivery d JOIN agreement a ON a.id = d.agreement_id
       WHERE d.id = ${id}`.execute(db);
    return rows[0] ?? null;
  },

  /** The delivery's events, in order, of the programs its agreement still covers. */
  async events(db: Kysely<Database>, d: DeliveryForAttempt): Promise<ChangeEventRow[]> {
    const before = String(BigInt(d.firstEventId) - 1n);
    const rows = await changeFeedStore.events(
      db,
      d.agreementId,
      d.programs,
      before,
      EVENTS_PER_DELIVERY + 1,
    );
    return rows.filter((r) => BigInt(r.id) <= BigInt(d.lastEventId));
  },

  /**
   * Takes the lease of an attempt on a PENDING delivery for `seconds`, unless `perAgreement`
   * attempts of its agreement already hold one (in any gateway): false then, and the attempt
   * waits. The agreement's lock makes the count and the lease one step.
   */
  async lease(
    db: Kysely<Database>,
    d: DeliveryForAttempt,
    perAgreement: number,
    seconds: number,
  ): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('webhook-lease'), hashtext(${d.agreementId}))`.execute(
        trx,
      );
      const { rows } = await sql<{ id: string }>`
        UPDATE webhook_delivery d
           SET attempting_until = now() + make_interval(secs => ${seconds})
         WHERE d.id = ${d.id} AND d.state = 'PENDING'
           AND (SELECT count(*) FROM webhook_delivery o
                 WHERE o.agreement_id = ${d.agreementId} AND o.id <> d.id
                   AND o.attempting_until > now()) < ${perAgreement}
        RETURNING d.id`.execute(trx);
      return rows.length > 0;
    });
  },

  /** Records an attempt (and gives its lease back); `state` DELIVERED or DEAD ends the delivery. */
  async recordAttempt(
    db: Kysely<Database>,
    id: string,
    attempt: {
      state: 'PENDING' | 'DELIVERED' | 'DEAD';
      status: number | null;
      error: string | null;
    },
  ): Promise<void> {
    await db
      .updateTable('webhook_delivery')
      .set({
        state: attempt.state,
        attempts: sql`attempts + 1`,
        last_attempt_at: new Date(),
        last_status: attempt.status,
        last_error: attempt.error,
        attempting_until: null,
        ...(attempt.state === 'DELIVERED' ? { delivered_at: new Date() } : {}),
      })
      .where('id', '=', id)
      .where('state', '=', 'PENDING')
      .execute();
  },
};
