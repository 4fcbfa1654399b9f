import type { Kysely, Transaction } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/database-types.js';
import {
  DCI_CALLBACK_QUEUE,
  enqueueDciCallback,
  startJobWorkers,
  type JobWorkers,
} from '../db/job-queue.js';
import {
  findDciCallback,
  insertDciCallback,
  recordDciCallbackAttempt,
} from '../db/queries/dci-queries.js';
import { openSubject, sealSubject } from '../db/subject-seal.js';
import { postToReceiver, retryWaitMs } from '../http/outbound-post.js';
import type { Logger } from '../logger.js';
import { signedEnvelopeJson, type DciSigningKey } from './dci-signature.js';

/** How callbacks are paced; the defaults are the documented ones (docs/dci.md). */
export interface DciCallbackOptions {
  /** Wait before the first retry; doubled after each, with jitter, up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** A callback still failing this long after it was accepted is DEAD. */
  giveUpAfterMs: number;
  /** An attempt that gets no answer within this has failed. */
  timeoutMs: number;
  /** Attempts under way at once in this process. */
  workers: number;
  /** How often an idle worker asks the queue for a job. */
  pollingIntervalSeconds: number;
}

export const DEFAULT_DCI_CALLBACK_OPTIONS: DciCallbackOptions = {
  firstRetryMs: 30_000,
  maxRetryMs: 6 * 3600_000,
  giveUpAfterMs: 3 * 24 * 3600_000,
  timeoutMs: 10_000,
  workers: 4,
  pollingIntervalSeconds: 2,
};

/** A callback as it is built: header and message; the signature is made at each attempt. */
export interface DciCallbackMessage {
  header: Record<string, unknown>;
  message: Record<string, unknown>;
}

/**
 * Sends the callbacks of asynchronous DCI requests (`on-search`, `on-subscribe`,
 * `on-unsubscribe`, `txn-on-status`) to the sender, at least once: the callback is stored (its
 * body sealed: it holds personal data) with its first job in one transaction, and each attempt
 * is a job of the PostgreSQL-backed queue (pg-boss), retried with exponential backoff and jitter
 * for up to 3 days, then DEAD. The body is dropped once the receiver took it (or gave up).
 */
export class DciCallbacks {
  private workers: JobWorkers | null = null;
  private readonly options: DciCallbackOptions;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      pool: pg.Pool;
      sealKey: Buffer;
      signer: DciSigningKey;
      logger: Logger;
      options?: Partial<DciCallbackOptions>;
    },
  ) {
    this.options = { ...DEFAULT_DCI_CALLBACK_OPTIONS, ...deps.options };
  }

  async start(): Promise<void> {
    const { pool, logger } = this.deps;
    this.workers = await startJobWorkers<{ callbackId: string }>(
      pool,
      DCI_CALLBACK_QUEUE,
      this.options,
      (data) => this.attempt(data.callbackId),
      (error) => logger.warn({ reason: error.message }, 'DCI callback queue error'),
    );
  }

  async stop(): Promise<void> {
    await this.workers?.stop();
    this.workers = null;
  }

  /** Stores a callback for the client and enqueues its first attempt; returns at once. */
  async send(clientId: string, url: string, callback: DciCallbackMessage): Promise<void> {
    await this.deps.db.transaction().execute((trx) => this.sendIn(trx, clientId, url, callback));
    this.wake();
  }

  /**
   * The same in the caller's transaction (the callback exists if and only if it commits); call
   * `wake` after the commit.
   */
  async sendIn(
    trx: Transaction<Database>,
    clientId: string,
    url: string,
    callback: DciCallbackMessage,
  ): Promise<void> {
    const workers = this.workers;
    if (!workers) throw new Error('DCI callbacks are not running in this process');
    const id = await insertDciCallback(trx, {
      clientId,
      url,
      action: String(callback.header.action),
      bodySealed: sealSubject(this.deps.sealKey, JSON.stringify(callback)),
    });
    await enqueueDciCallback(workers.boss, trx, id);
  }

  /** Idle workers look for new callbacks at once. */
  wake(): void {
    this.workers?.wake();
  }

  /** One attempt; a receiver's failure is recorded and the next attempt enqueued. */
  private async attempt(id: string): Promise<void> {
    const { db, sealKey, signer } = this.deps;
    const row = await findDciCallback(db, id);
    if (!row || row.state !== 'PENDING' || !row.bodySealed) return;
    const callback = JSON.parse(openSubject(sealKey, row.bodySealed)) as DciCallbackMessage;
    const body = signedEnvelopeJson(callback.header, callback.message, signer);
    const outcome = await postToReceiver(row.url, body, {}, this.options.timeoutMs);
    if (outcome.ok) {
      await recordDciCallbackAttempt(db, id, {
        state: 'DELIVERED',
        status: outcome.status,
        error: null,
      });
      return;
    }
    const wait = retryWaitMs(row.attempts + 1, this.options.firstRetryMs, this.options.maxRetryMs);
    const dead = Date.now() + wait - row.createdAt.getTime() > this.options.giveUpAfterMs;
    await db.transaction().execute(async (trx) => {
      await recordDciCallbackAttempt(trx, id, {
        state: dead ? 'DEAD' : 'PENDING',
        status: outcome.status,
        error: outcome.error,
      });
      if (!dead) {
        await enqueueDciCallback(this.workers!.boss, trx, id, {
          afterSeconds: Math.ceil(wait / 1000),
        });
      }
    });
    this.deps.logger.warn(
      { callbackId: id, attempts: row.attempts + 1, status: outcome.status, dead },
      dead ? 'DCI callback is DEAD' : 'DCI callback failed; will retry',
    );
  }
}
