import type pg from 'pg';
import type { Logger } from '../logger.js';
import {
  canonicalEvent,
  chainHash,
  normalizeEventInput,
  type AuditEventInput,
} from './audit-event.js';

/**
 * A write to the audit log failed (or was refused): the request it belongs to must not disclose
 * anything and answers SERVICE_UNAVAILABLE. The message names no content; `cause` holds the
 * database error for logs.
 */
export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

export interface AuditWriterOptions {
  /** Most events in one transaction (default 1000). */
  maxBatch?: number;
  /** Logs one line per failed batch. */
  logger?: Logger;
  /**
   * Statement timeout of the batch transaction, including the wait for the head lock (default
   * 10 000 ms): a stuck writer elsewhere fails requests instead of hanging them.
   */
  statementTimeoutMs?: number;
}

interface PreparedEvent {
  input: AuditEventInput;
  at: Date;
}

interface Pending extends PreparedEvent {
  resolve(): void;
  reject(error: Error): void;
}

const DEFAULT_MAX_BATCH = 1000;
const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/**
 * The group-committing audit writer. `record` queues an event and settles when the transaction
 * holding it has committed (or failed). While one batch commits, new events queue; the next batch
 * takes all of them (up to `maxBatch`). So concurrent requests share one transaction and one WAL
 * flush instead of paying one each, and a single writer uses one pool connection at a time.
 *
 * Several writers (in one or several processes) may share a database: each batch locks the
 * `audit_head` row, so they extend one chain in turn.
 */
export class AuditWriter {
  /** Batches committed so far (for tests and metrics). */
  batchesCommitted = 0;
  /** Events committed so far. */
  eventsCommitted = 0;
  /** Batches whose commit failed (their events were rejected). */
  batchesFailed = 0;

  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  private readonly statementTimeoutMs: number;
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    options: AuditWriterOptions = {},
  ) {
    this.maxBatch = positiveInteger(options.maxBatch ?? DEFAULT_MAX_BATCH, 'maxBatch');
    this.statementTimeoutMs = positiveInteger(
      options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      'statementTimeoutMs',
    );
    this.logger = options.logger;
  }

  /** Events queued and not yet taken into a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues the event; resolves when the batch holding it has committed; rejects (with an
   * `AuditWriteError`) if that commit failed, if the event must not be written (a subject that is
   * not a keyed hash), or if the writer is closed.
   */
  record(event: AuditEventInput): Promise<void> {
    if (this.closed) return Promise.reject(new AuditWriteError('the audit writer is closed'));
    let input: AuditEventInput;
    try {
      input = normalizeEventInput(event);
    } catch (error) {
      return Promise.reject(
        new AuditWriteError(`audit event refused: ${(error as Error).message}`, { cause: error }),
      );
    }
    // Millisecond precision, which timestamptz stores exactly: the hash stays reproducible.
    const at = new Date();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ input, at, resolve, reject });
      this.schedule();
    });
  }

  /** Waits for queued events, then stops accepting new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    // Start on the next microtask so that events recorded in the same tick share the first batch.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitNext();
    } finally {
      this.running = false;
      if (this.queue.length > 0) {
        this.schedule(); // only after an unexpected throw: keep serving the queue
      } else {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Commits the next batch; never throws (failures reject the batch's promises). */
  private async commitNext(): Promise<void> {
    let client: pg.PoolClient | undefined;
    let batch: Pending[] = [];
    try {
      client = await this.pool.connect();
      // Taken only now: events queued while waiting for the connection join this batch.
      batch = this.queue.splice(0, this.maxBatch);
      await appendEvents(client, batch, this.statementTimeoutMs);
      client.release();
      client = undefined;
      this.batchesCommitted += 1;
      this.eventsCommitted += batch.length;
      for (const pending of batch) pending.resolve();
    } catch (error) {
      // A connection that failed mid-transaction is not reused.
      client?.release(error instanceof Error ? error : true);
      if (batch.length === 0) batch = this.queue.splice(0, this.maxBatch); // the connect failed
      this.batchesFailed += 1;
      this.logger?.error(
        {
          events: batch.length,
          code: (error as { code?: unknown }).code,
          reason: (error as Error).message,
        },
        'audit batch could not be committed; its requests are refused',
      );
      const failure = new AuditWriteError('the audit log could not be written', { cause: error });
      for (const pending of batch) pending.reject(failure);
    }
  }
}

/**
 * The alternative the group commit is measured against: one transaction (and one WAL flush) per
 * event, with the same chain logic. For benchmarks only.
 */
export async function recordOneByOne(pool: pg.Pool, event: AuditEventInput): Promise<void> {
  const input = normalizeEventInput(event);
  const client = await pool.connect();
  try {
    await appendEvents(client, [{ input, at: new Date() }], DEFAULT_STATEMENT_TIMEOUT_MS);
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw new AuditWriteError('the audit log could not be written', { cause: error });
  }
  client.release();
}

const INSERT_AND_ADVANCE = `
  WITH inserted AS (
    INSERT INTO audit_event (id, at, request_id, client_id, agency_id, officer_id, purpose,
                             operation, outcome, error_code, fields, subjects, decision_ids,
                             prev_hash, hash)
    SELECT r.id, r.at, r.request_id, r.client_id, r.agency_id, r.officer_id, r.purpose,
           r.operation, r.outcome, r.error_code, r.fields, r.subjects, r.decision_ids,
           decode(r.prev_hash, 'hex'), decode(r.hash, 'hex')
    FROM jsonb_to_recordset($1::jsonb) AS r(
      id bigint, at timestamptz, request_id text, client_id text, agency_id text, officer_id text,
      purpose text, operation text, outcome text, error_code text, fields text[], subjects text[],
      decision_ids text[], prev_hash text, hash text)
    RETURNING 1
  )
  UPDATE audit_head SET last_id = $2, last_hash = $3
  WHERE singleton AND (SELECT count(*) FROM inserted) = $4`;

/**
 * Appends events to the chain in one transaction: locks the head (serialising writers across
 * processes), assigns the next ids, hashes each event in order, inserts all of them with one
 * statement that also advances the head, and commits. Rolls back and throws on any failure.
 */
async function appendEvents(
  client: pg.PoolClient,
  events: PreparedEvent[],
  statementTimeoutMs: number,
): Promise<void> {
  // One round trip: the transaction, its timeout, and a durable commit even where the server's
  // default is synchronous_commit = off (a stronger setting such as remote_apply is kept).
  await client.query(
    `BEGIN; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}; ` +
      `SELECT set_config('synchronous_commit', 'on', true) ` +
      `WHERE current_setting('synchronous_commit') = 'off'`,
  );
  try {
    const head = await client.query<{ last_id: string | number; last_hash: Buffer }>(
      'SELECT last_id, last_hash FROM audit_head WHERE singleton FOR UPDATE',
    );
    const row = head.rows[0];
    if (!row) throw new Error('the audit head row is missing');
    let id = Number(row.last_id);
    let prevHash = row.last_hash;
    const records = events.map(({ input, at }) => {
      id += 1;
      const hash = chainHash(prevHash, canonicalEvent({ ...input, id, at }));
      const record = {
        id,
        at: at.toISOString(),
        request_id: input.requestId,
        client_id: input.clientId,
        agency_id: input.agencyId,
        officer_id: input.officerId,
        purpose: input.purpose,
        operation: input.operation,
        outcome: input.outcome,
        error_code: input.errorCode,
        fields: input.fields,
        subjects: input.subjects,
        decision_ids: input.decisionIds,
        prev_hash: prevHash.toString('hex'),
        hash: hash.toString('hex'),
      };
      prevHash = hash;
      return record;
    });
    const result = await client.query(INSERT_AND_ADVANCE, [
      JSON.stringify(records),
      id,
      prevHash,
      records.length,
    ]);
    if (result.rowCount !== 1) throw new Error('the audit head could not be advanced');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}
