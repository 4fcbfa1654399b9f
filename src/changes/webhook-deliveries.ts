import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { Database } from '../db/database-types.js';
import { postToReceiver, retryWaitMs } from '../http/outbound-post.js';
import {
  enqueueDeliveryAttempt,
  enqueueDeliveryAttempts,
  startJobWorkers,
  WEBHOOK_JOB_EXPIRY_SECONDS,
  WEBHOOK_QUEUE,
  type JobWorkers,
} from '../db/job-queue.js';
import { webhookStore, type DeliveryForAttempt } from '../db/scoped/webhook-store.js';
import { openSubject } from '../db/subject-seal.js';
import type { Logger } from '../logger.js';
import { ChangeEventRunner } from './change-event-runner.js';
import { showsEventNik } from './change-feed-service.js';
import { webhookBody, type WebhookBody } from './webhook-body.js';
import { signWebhook, type WebhookSigningKey } from './webhook-signature.js';

/** How deliveries are paced; the defaults are the documented ones (docs/change-feeds.md). */
export interface WebhookDeliveryOptions {
  /** Wait before the first retry of a failed attempt; doubled after each, with jitter. */
  firstRetryMs: number;
  /** The longest wait between two attempts. */
  maxRetryMs: number;
  /** A delivery still failing this long after its first attempt is DEAD. */
  giveUpAfterMs: number;
  /** An attempt that gets no answer within this has failed. */
  timeoutMs: number;
  /**
   * How often new events are cut into deliveries when nobody says so: a commit of new events
   * notifies the dispatcher at once (CHANGE_EVENTS_CHANNEL); this is the fallback.
   */
  dispatchEveryMs: number;
  /** Attempts under way at once in this process (a slow receiver holds one of them). */
  workers: number;
  /** Attempts under way at once for one agreement, across all gateways. */
  perAgreement: number;
  /**
   * How long an attempt held back by `perAgreement` waits for one of this process's attempts of
   * the same agreement to end before it is put back in the queue for a second.
   */
  holdBackWaitMs: number;
  /** How often an idle worker asks the queue for a job. */
  pollingIntervalSeconds: number;
  /** An attempt whose process died is taken again after this (seconds). */
  jobExpirySeconds: number;
  /** How often the queue's housekeeping runs (expiring such attempts, archiving done jobs). */
  maintenanceIntervalSeconds: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookDeliveryOptions = {
  firstRetryMs: 30_000,
  maxRetryMs: 6 * 3600_000,
  giveUpAfterMs: 3 * 24 * 3600_000,
  timeoutMs: 10_000,
  dispatchEveryMs: 500,
  workers: 8,
  perAgreement: 4,
  holdBackWaitMs: 500,
  pollingIntervalSeconds: 1,
  jobExpirySeconds: WEBHOOK_JOB_EXPIRY_SECONDS,
  maintenanceIntervalSeconds: 30,
};

/** Only one process cuts deliveries at a time (transaction-scoped advisory lock). */
const DISPATCH_LOCK = 0x64746b77; // "dtkw"

/**
 * Pushes change events to agreements' webhooks (issue #14, CONTRACT §11): Standard Webhooks,
 * many events per POST, at least once with the same `webhook-id` on every attempt, exponential
 * backoff with jitter for up to 3 days, then DEAD.
 *
 * Two loops, both on the PostgreSQL-backed job queue (pg-boss): the dispatcher cuts every
 * agreement's new events into deliveries and enqueues one job per delivery in the same
 * transaction (so a delivery never lacks its job); workers take jobs (SKIP LOCKED: one process
 * per job), POST, and on failure record the attempt and enqueue the next one for later, again in
 * one transaction. A process dying mid-attempt leaves its job to expire and run again. Each
 * receiver is called with a timeout, by a bounded number of workers, apart from imports and
 * GraphQL requests, so a slow or dead receiver delays nobody else for long.
 */
export class WebhookDeliveries {
  private workers: JobWorkers | null = null;
  /** Cuts deliveries on each commit of new events, and every `dispatchEveryMs`. */
  private readonly dispatcher: ChangeEventRunner;
  /** This process's attempts under way, per agreement, and who waits for one of them to end. */
  private readonly underWay = new Map<string, { count: number; waiters: Set<() => void> }>();
  private readonly options: WebhookDeliveryOptions;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      pool: pg.Pool;
      /** The database URL, to listen for commits of new events (none: the interval only). */
      url?: string;
      sealKey: Buffer;
      signing: WebhookSigningKey;
      subjectKey: Buffer;
      audit: { record(event: AuditEventInput): Promise<void> };
      logger: Logger;
      options?: Partial<WebhookDeliveryOptions>;
    },
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, ...deps.options };
    // The import notifies when its swap commits events: deliveries are cut at once instead of
    // up to an interval later (the first POST came up to 0.5 s after the commit: a third of the
    // delivery time at 1 M persons).
    this.dispatcher = new ChangeEventRunner(() => this.dispatchOnce(), {
      ...(deps.url ? { url: deps.url } : {}),
      everyMs: this.options.dispatchEveryMs,
      logger: deps.logger,
      failure: 'webhook dispatch failed',
    });
  }

  async start(): Promise<void> {
    const { pool, logger } = this.deps;
    this.workers = await startJobWorkers<{ deliveryId: string }>(
      pool,
      WEBHOOK_QUEUE,
      this.options,
      (data) => this.attempt(data.deliveryId),
      (error) => logger.warn({ reason: error.message }, 'webhook job queue error'),
    );
    await this.dispatcher.start();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    // Attempts under way are cut off: their jobs expire and run again (at least once).
    await this.workers?.stop();
    this.workers = null;
  }

  /** The queue, while the workers run. */
  private get boss() {
    return this.workers?.boss ?? null;
  }

  /** Cuts new events into deliveries and enqueues them (one process at a time). */
  private async dispatchOnce(): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    const enqueued = await this.deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ ok: boolean }>`
        SELECT pg_try_advisory_xact_lock(${DISPATCH_LOCK}) AS ok`.execute(trx);
      if (!rows[0]?.ok) return 0;
      const ids = await webhookStore.dispatch(trx);
      await enqueueDeliveryAttempts(boss, trx, ids, {
        expirySeconds: this.options.jobExpirySeconds,
      });
      return ids.length;
    });
    // Idle workers wait out their polling interval: wake them for the new jobs.
    if (enqueued > 0) this.workers?.wake();
  }

  /** One attempt of a delivery; never throws for a receiver's failure (the next is enqueued). */
  private async attempt(id: string): Promise<void> {
    const { db } = this.deps;
    const d = await webhookStore.forAttempt(db, id);
    if (!d || d.state !== 'PENDING') return;
    if (!d.webhookUrl) {
      await webhookStore.recordAttempt(db, id, {
        state: 'DEAD',
        status: null,
        error: 'the agreement has no webhook URL any more',
      });
      return;
    }
    // A receiver gets at most `perAgreement` attempts at once: a slow one cannot hold every
    // worker while other agreements' deliveries wait. Held back (after the short wait of
    // `takeLease`), the attempt is tried again in a second (not counted as an attempt).
    if (!(await this.takeLease(d))) {
      await db.transaction().execute((trx) =>
        enqueueDeliveryAttempt(this.boss!, trx, id, {
          afterSeconds: 1,
          expirySeconds: this.options.jobExpirySeconds,
        }),
      );
      return;
    }
    const mine = this.underWay.get(d.agreementId) ?? { count: 0, waiters: new Set() };
    this.underWay.set(d.agreementId, mine);
    mine.count += 1;
    try {
      await this.send(d, d.webhookUrl);
    } catch (error) {
      // Not an answer of the receiver (that is recorded): say, the audit log could not be
      // written. The job fails and is tried again; until then the lease holds nobody back.
      await webhookStore.releaseLease(db, id).catch(() => undefined);
      throw error;
    } finally {
      mine.count -= 1;
      // One slot came free: one waiter (the longest waiting) may take it.
      const [first] = mine.waiters;
      first?.();
      if (mine.count === 0 && mine.waiters.size === 0) this.underWay.delete(d.agreementId);
    }
  }

  /**
   * Leases the attempt (as long as the job: a gateway dying mid-attempt frees both at once). While
   * the agreement has `perAgreement` attempts under way, and one of them in this process, waits
   * up to `holdBackWaitMs` for one of those to end: deliveries of a fast receiver then follow
   * each other at once instead of a second apart. Attempts held only by other gateways are not
   * waited for (nothing here would say when they end).
   */
  private async takeLease(d: DeliveryForAttempt): Promise<boolean> {
    const { db } = this.deps;
    const { perAgreement, jobExpirySeconds, holdBackWaitMs } = this.options;
    const until = Date.now() + holdBackWaitMs;
    for (;;) {
      if (await webhookStore.lease(db, d, perAgreement, jobExpirySeconds)) return true;
      const mine = this.underWay.get(d.agreementId);
      const left = until - Date.now();
      if (!mine || mine.count === 0 || left <= 0 || !this.boss) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          mine.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        mine.waiters.add(wake);
      });
    }
  }

  /** Sends the leased delivery once and records the outcome. */
  private async send(d: DeliveryForAttempt, url: string): Promise<void> {
    const { db } = this.deps;
    const id = d.id;
    const built = webhookBody(await webhookStore.eventsAsJson(db, d), {
      showNik: showsEventNik(d.fieldPolicy),
      sealKey: this.deps.sealKey,
      subjectKey: this.deps.subjectKey,
    });
    const signed = signWebhook(
      { id: d.messageId, timestamp: Math.floor(Date.now() / 1000), body: built.body },
      {
        signing: this.deps.signing,
        secret: d.secretSealed ? openSubject(this.deps.sealKey, d.secretSealed) : null,
      },
    );
    // Audited before it is sent: if the audit log cannot be written, nothing leaves (the attempt
    // fails in the gateway and its job is tried again). An attempt that then cannot connect is
    // on record too: the log errs on the side of disclosure.
    await this.audit(d, built);
    const outcome = await postToReceiver(url, signed.body, signed.headers, this.options.timeoutMs);
    if (outcome.ok) {
      await webhookStore.recordAttempt(db, id, {
        state: 'DELIVERED',
        status: outcome.status,
        error: null,
      });
      return;
    }
    const wait = this.nextWait(d.attempts + 1);
    const dead = Date.now() + wait - d.retryingSince.getTime() > this.options.giveUpAfterMs;
    await db.transaction().execute(async (trx) => {
      await webhookStore.recordAttempt(trx, id, {
        state: dead ? 'DEAD' : 'PENDING',
        status: outcome.status,
        error: outcome.error,
      });
      if (!dead) {
        await enqueueDeliveryAttempt(this.boss!, trx, id, {
          afterSeconds: Math.ceil(wait / 1000),
          expirySeconds: this.options.jobExpirySeconds,
        });
      }
    });
    this.deps.logger.warn(
      { deliveryId: id, attempts: d.attempts + 1, status: outcome.status, dead },
      dead ? 'webhook delivery is DEAD' : 'webhook delivery failed; will retry',
    );
  }

  /** Exponential backoff with equal jitter. */
  private nextWait(attempts: number): number {
    return retryWaitMs(attempts, this.options.firstRetryMs, this.options.maxRetryMs);
  }

  private async audit(d: DeliveryForAttempt, sent: WebhookBody): Promise<void> {
    await this.deps.audit.record({
      requestId: `${d.messageId}#${d.attempts + 1}`,
      clientId: d.clientId,
      agencyId: d.agencyId,
      officerId: null,
      purpose: d.purposes[0] ?? null,
      operation: 'webhook:changes',
      outcome: 'DISCLOSED',
      errorCode: null,
      fields: [],
      subjects: sent.subjects,
      decisionIds: sent.auditIds,
    });
  }
}
