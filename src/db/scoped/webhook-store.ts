import { sql, type Kysely, type Transaction } from 'kysely';
import type { ChangeEventKind, Database } from '../database-types.js';

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

/** One event of a delivery as webhook JSON text (see `webhookStore.eventsAsJson`). */
export interface EventJson {
  /** The event's JSON, or its part before `nik` (ELIGIBILITY_CHANGED). */
  head: string | null;
  /** ELIGIBILITY_CHANGED: the part after `nik`, to the closing brace; otherwise null. */
  tail: string | null;
  kind: ChangeEventKind;
  /** What the audit event lists for it: the decision id, or the event id. */
  auditId: string;
  nikSealed: Buffer | null;
  /** The members' NIKs of a household event, sealed (comma-separated). */
  subjectsSealed: Buffer | null;
}

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

  /**
   * The delivery's events, in order, of the programs its agreement still covers, each as the
   * JSON text a webhook body carries (CONTRACT §11; the same fields, in the same order, as the
   * pull API's view in src/changes/change-feed-service.ts), built here so that the sender parses
   * and re-serialises nothing. An ELIGIBILITY_CHANGED event comes in two pieces, `head` and
   * `tail`, between which the sender puts its `nik` (shown or null: only the gateway can open
   * the seal); every other kind is whole in `head`, `tail` null.
   */
  async eventsAsJson(
    db: Kysely<Database>,
    d: Pick<DeliveryForAttempt, 'agreementId' | 'firstEventId' | 'lastEventId' | 'programs'>,
  ): Promise<EventJson[]> {
    const { rows } = await sql<EventJson>`
      SELECT '{"sequence":' || e.id || ',"eventId":"' || e.event_id || '","occurredAt":"'
               || to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
               || '","kind":' || to_json(e.kind)::text
               || CASE e.kind
                    WHEN 'ELIGIBILITY_CHANGED' THEN
                      ',"program":' || coalesce(to_json(e.program)::text, 'null')
                      || ',"subjectRef":' || coalesce(to_json(e.subject_ref)::text, 'null')
                    WHEN 'HOUSEHOLD_CHANGED' THEN
                      ',"householdId":' || coalesce((e.payload -> 'householdId')::text, 'null')
                      || ',"change":' || coalesce((e.payload -> 'change')::text, 'null')
                      || ',"regionCode":' || coalesce((e.payload -> 'regionCode')::text, 'null')
                      || ',"fields":' || coalesce((e.payload -> 'fields')::text, 'null') || '}'
                    WHEN 'VERIFICATION_STATUS_CHANGED' THEN
                      ',"submissionId":' || coalesce((e.payload -> 'submissionId')::text, 'null')
                      || ',"submissionKind":'
                      || coalesce((e.payload -> 'submissionKind')::text, 'null')
                      || ',"householdId":' || coalesce((e.payload -> 'householdId')::text, 'null')
                      || ',"previousStatus":'
                      || coalesce((e.payload -> 'previousStatus')::text, 'null')
                      || ',"status":' || coalesce((e.payload -> 'status')::text, 'null') || '}'
                    WHEN 'GRIEVANCE_STATUS_CHANGED' THEN
                      ',"grievanceId":' || coalesce((e.payload -> 'grievanceId')::text, 'null')
                      || ',"decisionId":' || coalesce((e.payload -> 'decisionId')::text, 'null')
                      || ',"program":' || coalesce((e.payload -> 'program')::text, 'null')
                      || ',"previousStatus":'
                      || coalesce((e.payload -> 'previousStatus')::text, 'null')
                      || ',"status":' || coalesce((e.payload -> 'status')::text, 'null') || '}'
                  END AS head,
             CASE WHEN e.kind = 'ELIGIBILITY_CHANGED' THEN
                    ',"previous":' || coalesce((e.payload -> 'previous')::text, 'null')
                    || ',"current":' || coalesce((e.payload -> 'current')::text, 'null')
                    || ',"decisionId":' || coalesce((e.payload -> 'decisionId')::text, 'null')
                    || '}'
             END AS tail,
             e.kind,
             CASE WHEN e.kind = 'ELIGIBILITY_CHANGED' THEN e.payload ->> 'decisionId'
                  ELSE e.event_id::text END AS "auditId",
             e.nik_sealed AS "nikSealed", e.subjects_sealed AS "subjectsSealed"
        FROM change_event e
       WHERE e.agreement_id = ${d.agreementId}
         AND e.id BETWEEN ${d.firstEventId} AND ${d.lastEventId}
         AND (e.program IS NULL OR e.program = ANY(${d.programs}::text[]))
       ORDER BY e.id`.execute(db);
    return rows;
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

  /** Gives the lease of an attempt back without recording it (the attempt failed in the gateway). */
  async releaseLease(db: Kysely<Database>, id: string): Promise<void> {
    await db
      .updateTable('webhook_delivery')
      .set({ attempting_until: null })
      .where('id', '=', id)
      .execute();
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
