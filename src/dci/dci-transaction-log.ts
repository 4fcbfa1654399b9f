import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import {
  findDciTransaction,
  pruneDciTransactions,
  saveDciTransactions,
  type DciTransaction,
} from '../db/queries/dci-transaction-queries.js';
import type { Logger } from '../logger.js';

/** How long a transaction's status may wait in this process before it is written. */
const FLUSH_MS = 100;
/** Written at once when this many wait. */
const FLUSH_AT = 500;
/** How often statuses older than the kept days are deleted, and how many at most each time. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5_000;

/**
 * How DCI transactions ended (statuses only; docs/dci.md "Transaction status"), written in groups:
 * one statement per tenth of a second rather than one per request, which cost the DCI door a
 * third of its throughput. A status query in this process sees what still waits; another
 * gateway process sees it within the tenth of a second. A process that dies loses at most what
 * waited (a status query then finds no such transaction; the answers themselves were given).
 * Statuses are kept `keepDays` days (DTKS_DCI_STATUS_DAYS): after a write, at most once a minute,
 * older ones are deleted in a batch, so that the table does not grow with every search for ever.
 */
export class DciTransactionLog {
  private waiting = new Map<string, { clientId: string; transaction: DciTransaction }>();
  /** Taken out of `waiting` by a flush whose statement has not finished yet. */
  private writing = new Map<string, { clientId: string; transaction: DciTransaction }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    private readonly keepDays: number,
  ) {}

  /** Records a transaction as it stands now; written within {@link FLUSH_MS}. */
  record(clientId: string, transaction: DciTransaction): void {
    this.waiting.set(key(clientId, transaction.transactionId), { clientId, transaction });
    if (this.waiting.size >= FLUSH_AT) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** The client's own transaction: what waits here first, then what is written. */
  async find(
    clientId: string,
    by: Parameters<typeof findDciTransaction>[2],
    action: DciTransaction['action'],
  ): Promise<DciTransaction | null> {
    let latest: DciTransaction | null = null;
    for (const w of [...this.writing.values(), ...this.waiting.values()]) {
      const t = w.transaction;
      if (w.clientId !== clientId || t.action !== action) continue;
      const matches =
        'transactionId' in by
          ? t.transactionId === by.transactionId
          : 'correlationId' in by
            ? t.correlationId === by.correlationId
            : t.requests.some((r) => by.referenceIds.includes(r.reference_id));
      if (matches) latest = t;
    }
    return latest ?? findDciTransaction(this.db, clientId, by, action);
  }

  /** Writes what waits (one statement); failures are logged, never thrown at a request. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const taken = this.waiting;
    this.waiting = new Map();
    for (const [k, v] of taken) this.writing.set(k, v);
    this.flushing = this.flushing.then(async () => {
      if (taken.size === 0) return;
      try {
        await saveDciTransactions(this.db, [...taken.values()]);
      } catch (error) {
        this.logger.warn(
          { reason: (error as Error).message, transactions: taken.size },
          'DCI transaction statuses could not be written',
        );
      } finally {
        for (const [k, v] of taken) if (this.writing.get(k) === v) this.writing.delete(k);
      }
      if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
      try {
        await this.prune();
      } catch (error) {
        this.logger.warn(
          { reason: (error as Error).message },
          'old DCI transaction statuses could not be deleted',
        );
      }
    });
    return this.flushing;
  }

  /** Deletes a batch of statuses older than the kept days; how many. */
  async prune(): Promise<number> {
    this.lastPrune = Date.now();
    return pruneDciTransactions(this.db, this.keepDays, PRUNE_BATCH);
  }
}

function key(clientId: string, transactionId: string): string {
  return `${clientId}\u0000${transactionId}`;
}
