import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from './database-types.js';

/**
 * The PostgreSQL-backed job queue (pg-boss, schema `pgboss`): webhook deliveries are its jobs, so
 * an attempt survives a restart of the gateway, is taken by one gateway process at a time
 * (SKIP LOCKED), and a job whose process died mid-attempt expires and runs again. `migrate`
 * installs the schema and the queues as the owner; the serving role only reads and writes its
 * tables (src/db/runtime-role.ts).
 */
export const JOB_SCHEMA = 'pgboss';

/** One job per attempt of a webhook delivery (data: `{ deliveryId }`). */
export const WEBHOOK_QUEUE = 'webhook-delivery';

/**
 * A job whose gateway died mid-attempt (no answer within this) is taken again: at-least-once.
 * Longer than an attempt can take (the POST times out first).
 */
export const WEBHOOK_JOB_EXPIRY_SECONDS = 60;

/** Installs or upgrades the queue's schema and creates the queues (owner, at `migrate`). */
export async function installJobQueue(url: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: url,
    max: 2,
    schema: JOB_SCHEMA,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => {});
  await boss.start();
  try {
    if (!(await boss.getQueue(WEBHOOK_QUEUE))) {
      try {
        await boss.createQueue(WEBHOOK_QUEUE, {
          name: WEBHOOK_QUEUE,
          policy: 'standard',
          // Only for attempts cut off by a dying process: a receiver's failure is retried by the
          // delivery itself, with its own backoff (src/changes/webhook-sender.ts).
          retryLimit: 10,
          retryDelay: 2,
          retryBackoff: true,
          expireInSeconds: WEBHOOK_JOB_EXPIRY_SECONDS,
        });
      } catch (error) {
        // Another migrate created it meanwhile.
        if (!(await boss.getQueue(WEBHOOK_QUEUE))) throw error;
      }
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, close: true });
  }
}

/** pg-boss statements run inside one of our transactions (a job enqueued with its rows). */
export function jobsIn(trx: Transaction<Database>): { executeSql: PgBoss.Db['executeSql'] } {
  return {
    executeSql: async (text: string, values: unknown[]) =>
      trx.executeQuery(CompiledQuery.raw(text, values)),
  };
}

/**
 * Enqueues the next attempt of a webhook delivery in `trx`, now or after `afterSeconds`; the job
 * is taken again if its process dies mid-attempt (after `expirySeconds`).
 */
export async function enqueueDeliveryAttempt(
  boss: PgBoss,
  trx: Transaction<Database>,
  deliveryId: string,
  options: { afterSeconds?: number; expirySeconds?: number } = {},
): Promise<void> {
  await boss.send(
    WEBHOOK_QUEUE,
    { deliveryId },
    {
      db: jobsIn(trx),
      expireInSeconds: options.expirySeconds ?? WEBHOOK_JOB_EXPIRY_SECONDS,
      ...(options.afterSeconds ? { startAfter: options.afterSeconds } : {}),
    },
  );
}

/**
 * Enqueues the first attempt of each delivery in `deliveryIds` in `trx`, with one statement: the
 * dispatcher cuts up to one delivery per 1000 events at once, and one round trip per job kept
 * the workers waiting for the dispatch to commit.
 */
export async function enqueueDeliveryAttempts(
  boss: PgBoss,
  trx: Transaction<Database>,
  deliveryIds: readonly string[],
  options: { expirySeconds?: number } = {},
): Promise<void> {
  if (deliveryIds.length === 0) return;
  const expireInSeconds = options.expirySeconds ?? WEBHOOK_JOB_EXPIRY_SECONDS;
  await boss.insert(
    deliveryIds.map((deliveryId) => ({
      name: WEBHOOK_QUEUE,
      data: { deliveryId },
      expireInSeconds,
    })),
    { db: jobsIn(trx) },
  );
}

/** A queue handle that only sends (the `deliveries` commands); `stop` when done. */
export async function openJobSender(url: string): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    max: 2,
    schema: JOB_SCHEMA,
    migrate: false,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => {});
  await boss.start();
  return boss;
}
