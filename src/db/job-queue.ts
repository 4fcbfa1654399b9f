import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from './database-types.js';

/**
 * The PostgreSQL-backed job queue (pg-boss, schema `pgboss`): webhook deliveries and DCI callbacks
 * are its jobs, so an attempt survives a restart of the gateway, is taken by one gateway process
 * at a time (SKIP LOCKED), and a job whose process died mid-attempt expires and runs again. `migrate`
 * installs the schema and the queues as the owner; the serving role only reads and writes its
 * tables (src/db/runtime-role.ts).
 */
export const JOB_SCHEMA = 'pgboss';

/** One job per attempt of a webhook delivery (data: `{ deliveryId }`). */
export const WEBHOOK_QUEUE = 'webhook-delivery';

/** One job per attempt of a DCI callback (data: `{ callbackId }`). */
export const DCI_CALLBACK_QUEUE = 'dci-callback';

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
    for (const queue of [WEBHOOK_QUEUE, DCI_CALLBACK_QUEUE]) {
      if (await boss.getQueue(queue)) continue;
      try {
        await boss.createQueue(queue, {
          name: queue,
          policy: 'standard',
          // Only for attempts cut off by a dying process: a receiver's failure is retried by the
          // delivery itself, with its own backoff (src/changes/webhook-deliveries.ts,
          // src/dci/dci-callbacks.ts).
          retryLimit: 10,
          retryDelay: 2,
          retryBackoff: true,
          expireInSeconds: WEBHOOK_JOB_EXPIRY_SECONDS,
        });
      } catch (error) {
        // Another migrate created it meanwhile.
        if (!(await boss.getQueue(queue))) throw error;
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

/** Enqueues an attempt of a DCI callback in `trx`, now or after `afterSeconds`. */
export async function enqueueDciCallback(
  boss: PgBoss,
  trx: Transaction<Database>,
  callbackId: string,
  options: { afterSeconds?: number } = {},
): Promise<void> {
  await boss.send(
    DCI_CALLBACK_QUEUE,
    { callbackId },
    {
      db: jobsIn(trx),
      expireInSeconds: WEBHOOK_JOB_EXPIRY_SECONDS,
      ...(options.afterSeconds ? { startAfter: options.afterSeconds } : {}),
    },
  );
}

/** A queue's workers in this process: the queue handle, and a way to wake idle workers. */
export interface JobWorkers {
  boss: PgBoss;
  /** Idle workers wait out their polling interval: wake them for new jobs. */
  wake(): void;
  /** Attempts under way are cut off: their jobs expire and run again (at least once). */
  stop(): Promise<void>;
}

/**
 * Starts `workers` workers on `queue`, each taking one job at a time (SKIP LOCKED: one process
 * per job) and, after one, looking for the next at once rather than after its interval.
 */
export async function startJobWorkers<T extends object>(
  pool: { query(text: string, values: unknown[]): Promise<unknown> },
  queue: string,
  options: { workers: number; pollingIntervalSeconds: number; maintenanceIntervalSeconds?: number },
  handle: (data: T) => Promise<void>,
  onError: (error: Error) => void,
): Promise<JobWorkers> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) as never },
    schema: JOB_SCHEMA,
    migrate: false,
    supervise: true,
    schedule: false,
    ...(options.maintenanceIntervalSeconds !== undefined
      ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds }
      : {}),
  });
  boss.on('error', onError);
  await boss.start();
  const ids: string[] = [];
  for (let i = 0; i < options.workers; i++) {
    let id = '';
    id = await boss.work<T>(
      queue,
      { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds },
      async ([job]) => {
        if (!job) return;
        await handle(job.data);
        boss.notifyWorker(id);
      },
    );
    ids.push(id);
  }
  return {
    boss,
    wake: () => {
      for (const id of ids) boss.notifyWorker(id);
    },
    stop: () => boss.stop({ graceful: false, wait: true, close: false }),
  };
}
