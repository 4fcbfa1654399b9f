import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditEventInput } from '../audit/audit-event.js';
import { ChangeEventRunner } from '../changes/change-event-runner.js';
import { showsEventNik } from '../changes/change-feed-service.js';
import { webhookBody } from '../changes/webhook-body.js';
import type { Database } from '../db/database-types.js';
import {
  advanceDciNotifyCursor,
  dciNotifyBatches,
  type DciNotifyBatch,
} from '../db/queries/dci-queries.js';
import { webhookStore } from '../db/scoped/webhook-store.js';
import type { Logger } from '../logger.js';
import type { DciCallbacks } from './dci-callbacks.js';
import { answerHeader } from './dci-envelope.js';

/** The most events one `registry/notify` carries. */
export const EVENTS_PER_NOTIFY = 1_000;

/** Only one process cuts notifications at a time (transaction-scoped advisory lock). */
const NOTIFY_LOCK = 0x64746b6e; // "dtkn"

/** What each kind of change event is called as a DCI record type. */
const RECORD_TYPES: Record<string, string> = {
  ELIGIBILITY_CHANGED: 'EligibilityChange',
  HOUSEHOLD_CHANGED: 'HouseholdChange',
  VERIFICATION_STATUS_CHANGED: 'VerificationStatusChange',
  GRIEVANCE_STATUS_CHANGED: 'GrievanceStatusChange',
};

/**
 * `registry/notify` from the change feeds (docs/dci.md "Notifications"): the new change events of
 * every agreement with a DCI callback address go to `<address>registry/notify`, up to 1000 per
 * message, as DCI callbacks (signed, sealed while they wait, retried for 3 days). The events are
 * the ones the pull API and webhooks carry (the NIK only where the agreement's policy shows it),
 * and each message is audited as a disclosure before it is stored for sending. Woken by the
 * import's commit of new events, and every `everyMs` in case a notification was missed.
 */
export class DciNotifier {
  private readonly runner: ChangeEventRunner;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      /** The database URL, to listen for commits of new events (none: the interval only). */
      url?: string;
      sealKey: Buffer;
      subjectKey: Buffer;
      audit: { record(event: AuditEventInput): Promise<void> };
      callbacks: DciCallbacks;
      registryId: string;
      logger: Logger;
      everyMs?: number;
    },
  ) {
    this.runner = new ChangeEventRunner(() => this.notifyOnce(), {
      ...(deps.url ? { url: deps.url } : {}),
      everyMs: deps.everyMs ?? 1000,
      logger: deps.logger,
      failure: 'DCI notify failed',
    });
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  private async notifyOnce(): Promise<void> {
    let sent = 0;
    for (;;) {
      const batches = await this.deps.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ ok: boolean }>`
          SELECT pg_try_advisory_xact_lock(${NOTIFY_LOCK}) AS ok`.execute(trx);
        if (!rows[0]?.ok) return 0;
        const due = await dciNotifyBatches(trx, EVENTS_PER_NOTIFY);
        for (const batch of due) {
          const events = await webhookStore.eventsAsJson(trx, batch);
          if (events.length > 0) {
            const built = webhookBody(events, {
              showNik: showsEventNik(batch.fieldPolicy),
              sealKey: this.deps.sealKey,
              subjectKey: this.deps.subjectKey,
            });
            const views = (JSON.parse(built.body) as { data: { events: EventView[] } }).data.events;
            // Audited before it is stored for sending: nothing leaves unaudited.
            await this.audit(batch, built.subjects, built.auditIds);
            await this.deps.callbacks.sendIn(
              trx,
              batch.clientId,
              new URL('registry/notify', withSlash(batch.callbackUrl)).toString(),
              this.message(views),
            );
          }
          await advanceDciNotifyCursor(trx, batch.agreementId, batch.lastEventId);
        }
        return due.length;
      });
      if (batches === 0) break;
      sent += batches;
    }
    if (sent > 0) this.deps.callbacks.wake();
  }

  private message(views: EventView[]) {
    return {
      header: answerHeader(null, {
        action: 'notify',
        status: 'succ',
        total: views.length,
        completed: views.length,
        senderId: this.deps.registryId,
      }),
      message: {
        transaction_id: randomUUID(),
        notify_event: views.map((e) => ({
          reference_id: e.eventId,
          timestamp: e.occurredAt,
          data: {
            version: '1.0.0',
            reg_type: 'DTSEN',
            // The spec's event types are REGISTER and NewHouseHoldMember: only a household added
            // to the region is one of them; other changes say what they are by record type.
            ...(e.kind === 'HOUSEHOLD_CHANGED' && e.change === 'ADDED'
              ? { reg_event_type: 'REGISTER' }
              : {}),
            reg_record_type: RECORD_TYPES[e.kind] ?? e.kind,
            reg_records: e,
          },
        })),
      },
    };
  }

  private async audit(batch: DciNotifyBatch, subjects: string[], ids: string[]): Promise<void> {
    await this.deps.audit.record({
      requestId: `dci-notify-${batch.agreementId}-${batch.lastEventId}`,
      clientId: batch.clientId,
      agencyId: batch.agencyId,
      officerId: null,
      purpose: batch.purposes[0] ?? null,
      operation: 'dci:notify',
      outcome: 'DISCLOSED',
      errorCode: null,
      fields: [],
      subjects,
      decisionIds: ids,
    });
  }
}

interface EventView {
  eventId: string;
  occurredAt: string;
  kind: string;
  change?: string;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
