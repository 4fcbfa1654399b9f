import { SpanStatusCode, trace } from '@opentelemetry/api';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  normalizeEventInput,
  type AuditEventInput,
} from './audit-event.js';
import { verifyCheckpoint, type CheckpointSigner } from './checkpoint-key.js';

/**
 * A write to the audit log failed (or was refused): the request it belongs to must not disclose
 * anything and answers SERVICE_UNAVAILABLE. The message names no content; `cause` holds the
 * database error for logs.
 */
export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

export interface AuditWriterOptions {
  /** Signs the checkpoint each batch appends (src/audit/checkpoint-key.ts). */
  signer: CheckpointSigner;
  /** Most events in one transaction (default 1000). */
  maxBatch?: number;
  /** Logs one line per failed batch. */
  logger?: Logger;
  /**
   * Statement timeout of the batch transaction, including the wait for the head lock (default
   * 10 000 ms): a stuck writer elsewhere fails requests instead of hanging them.
   */
  statementTimeoutMs?: number;
  /** Told of every batch: its events, how long it took (connection wait included), whether it committed. */
  onBatch?: (events: number, seconds: number, committed: boolean) => void;
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
 * Several writers (in one or several processes) may share a database: each batch takes the
 * chain lock, so they extend one chain in turn, and appends a checkpoint signed with the
 * gateway's checkpoint key (they share DTKS_DATA_DIR, hence the key).
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
  private readonly signer: CheckpointSigner;
  private readonly onBatch: AuditWriterOptions['onBatch'];
  private readonly trusted = new TrustedHead();
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    options: AuditWriterOptions,
  ) {
    this.signer = options.signer;
    this.maxBatch = positiveInteger(options.maxBatch ?? DEFAULT_MAX_BATCH, 'maxBatch');
    this.statementTimeoutMs = positiveInteger(
      options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      'statementTimeoutMs',
    );
    this.logger = options.logger;
    this.onBatch = options.onBatch;
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
    // A trace span from queueing to the commit of the batch that holds the event (tracing on).
    const span = trace.getTracer('dtks-gateway').startSpan('audit append', {
      attributes: { 'dtks.audit.outcome': input.outcome },
    });
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        input,
        at,
        resolve: () => {
          span.end();
          resolve();
        },
        reject: (error) => {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          reject(error);
        },
      });
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
    const started = performance.now();
    try {
      client = await this.pool.connect();
      // Taken only now: events queued while waiting for the connection join this batch.
      batch = this.queue.splice(0, this.maxBatch);
      await appendEvents(client, batch, {
        statementTimeoutMs: this.statementTimeoutMs,
        signer: this.signer,
        trusted: this.trusted,
      });
      client.release();
      client = undefined;
      this.batchesCommitted += 1;
      this.eventsCommitted += batch.length;
      this.onBatch?.(batch.length, (performance.now() - started) / 1000, true);
      for (const pending of batch) pending.resolve();
    } catch (error) {
      // A connection that failed mid-transaction is not reused.
      client?.release(error instanceof Error ? error : true);
      if (batch.length === 0) batch = this.queue.splice(0, this.maxBatch); // the connect failed
      this.batchesFailed += 1;
      this.onBatch?.(batch.length, (performance.now() - started) / 1000, false);
      this.logger?.error(
        {
          events: batch.length,
          code: (error as { code?: unknown }).code,
          reason: (error as Error).message,
        },
        error instanceof AuditTamperedError
          ? 'audit log tampered with: nothing is disclosed until it is checked'
          : 'audit batch could not be committed; its requests are refused',
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
export async function recordOneByOne(
  pool: pg.Pool,
  signer: CheckpointSigner,
  event: AuditEventInput,
): Promise<void> {
  const input = normalizeEventInput(event);
  const client = await pool.connect();
  try {
    await appendEvents(client, [{ input, at: new Date() }], {
      statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
      signer,
      trusted: new TrustedHead(),
    });
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw new AuditWriteError('the audit log could not be written', { cause: error });
  }
  client.release();
}

/**
 * The audit log does not end where its last signed checkpoint says: rows were added (or the
 * checkpoint forged) by something other than a gateway. Nothing more is written until an operator
 * has looked (`dtks-gateway audit verify`): signing on top would vouch for the foreign rows.
 */
export class AuditTamperedError extends Error {
  override name = 'AuditTamperedError';
}

/** Writers of every process take this transaction-scoped advisory lock in turn. */
const CHAIN_LOCK = 7_365_428_091;

const SELECT_HEAD = `
  SELECT c.seq, c.last_id, c.last_hash, (extract(epoch FROM c.at) * 1000)::bigint AS at_ms,
         c.key_id, c.signature, e.id AS event_id, e.hash AS event_hash
  FROM (SELECT * FROM audit_checkpoint ORDER BY seq DESC LIMIT 1) c
  LEFT JOIN LATERAL (SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1) e ON true`;

interface HeadRow {
  seq: string | number;
  last_id: string | number;
  last_hash: Buffer;
  at_ms: string | number;
  key_id: string | null;
  signature: Buffer | null;
  event_id: string | number | null;
  event_hash: Buffer | null;
}

/** The events of a batch, as `jsonb_to_recordset` reads them. */
const EVENT_ROWS = `
    SELECT r.id, r.at, r.request_id, r.client_id, r.agency_id, r.officer_id, r.purpose,
           r.operation, r.outcome, r.error_code, r.fields, r.subjects, r.decision_ids,
           r.document_id, r.app, decode(r.prev_hash, 'hex'), decode(r.hash, 'hex')
    FROM jsonb_to_recordset($1::jsonb) AS r(
      id bigint, at timestamptz, request_id text, client_id text, agency_id text, officer_id text,
      purpose text, operation text, outcome text, error_code text, fields text[], subjects text[],
      decision_ids text[], document_id text, app text, prev_hash text, hash text)`;

const EVENT_COLUMNS = `(id, at, request_id, client_id, agency_id, officer_id, purpose,
    operation, outcome, error_code, fields, subjects, decision_ids, document_id, app, prev_hash, hash)`;

/**
 * Adds the batch's events to the hourly counts (migration 0030) in the statement that appends
 * them: counted exactly when committed. Grouped first, so each count row is touched once.
 */
const COUNT_USAGE = `
  usage AS (
    INSERT INTO audit_usage AS u
           (hour, client_id, agency_id, purpose, operation, outcome, error_code, count)
    SELECT date_trunc('hour', at, 'UTC'), client_id, agency_id, purpose, operation, outcome,
           error_code, count(*)
      FROM inserted
     GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT audit_usage_key DO UPDATE SET count = u.count + EXCLUDED.count
  )`;

const INSERTED_COLUMNS =
  'RETURNING at, client_id, agency_id, purpose, operation, outcome, error_code';

const INSERT_AND_CHECKPOINT = `
  WITH inserted AS (
    INSERT INTO audit_event ${EVENT_COLUMNS}
    ${EVENT_ROWS}
    ${INSERTED_COLUMNS}
  ),
  ${COUNT_USAGE}
  INSERT INTO audit_checkpoint (last_id, last_hash, at, key_id, signature)
  SELECT $2, $3, $4, $5, $6 WHERE (SELECT count(*) FROM inserted) = $7
  RETURNING seq`;

/**
 * The fast path: one statement, in its own (implicit) transaction, so one round trip. It appends
 * the batch and its signed checkpoint only if the head is still the checkpoint this writer last
 * wrote or checked ($8–$11) and the last event is the one that checkpoint names; otherwise it
 * writes nothing and returns no row, and the writer takes the locked path, which re-reads and
 * checks the head. It only tries the chain lock: while another writer holds it, this one takes
 * the locked path and waits there. Should a writer still start from a head that another has just
 * extended (its snapshot predates that commit), both try the same next ids, and the primary key
 * fails the later one (23505), which then takes the locked path. So the chain stays one chain, and
 * nothing is signed on top of rows the writer has not checked. The commit is made durable as on the locked path (synchronous_commit is read at
 * commit, after this statement's set_config, and a stronger setting is kept).
 */
const APPEND_IF_HEAD = `
  WITH locked AS (SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK}) AS got),
  head AS (
    SELECT coalesce((SELECT got FROM locked) AND c.seq = $8::bigint AND c.signature = $11::bytea AND c.last_id = $9::bigint
                    AND c.last_hash = $10::bytea AND e.id = $9::bigint AND e.hash = $10::bytea,
                    false) AS ok
    FROM (SELECT seq, last_id, last_hash, signature FROM audit_checkpoint ORDER BY seq DESC LIMIT 1) c
    LEFT JOIN LATERAL (SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1) e ON true
  ),
  durable AS (
    SELECT set_config('synchronous_commit', 'on', true)
    WHERE current_setting('synchronous_commit') = 'off'
  ),
  inserted AS (
    INSERT INTO audit_event ${EVENT_COLUMNS}
    ${EVENT_ROWS}
    WHERE (SELECT ok FROM head)
    ${INSERTED_COLUMNS}
  ),
  ${COUNT_USAGE}
  INSERT INTO audit_checkpoint (last_id, last_hash, at, key_id, signature)
  SELECT $2, $3, $4, $5, $6
  WHERE (SELECT ok FROM head) AND (SELECT count(*) FROM inserted) = $7
    AND (SELECT count(*) FROM durable) >= 0
  RETURNING seq`;

/** Named, so each pool connection parses and plans it once. */
const APPEND_IF_HEAD_NAME = 'dtks_audit_append_if_head_v2';

/**
 * The last checkpoint this writer wrote or checked: when the head still is that one, its
 * signature need not be checked again (an Ed25519 verification per batch otherwise).
 */
class TrustedHead {
  seq = -1;
  signature: Buffer | null = null;
  /** The chain's last id and hash at that checkpoint. */
  lastId = 0;
  lastHash: Buffer = GENESIS_HASH;

  /** Whether a batch may go out on the fast path (a checkpoint this writer wrote or checked). */
  get known(): boolean {
    return this.signature !== null;
  }

  matches(row: HeadRow): boolean {
    return (
      Number(row.seq) === this.seq &&
      row.signature !== null &&
      !!this.signature?.equals(row.signature)
    );
  }

  set(seq: number, signature: Buffer, lastId: number, lastHash: Buffer): void {
    this.seq = seq;
    this.signature = signature;
    this.lastId = lastId;
    this.lastHash = lastHash;
  }

  forget(): void {
    this.seq = -1;
    this.signature = null;
  }
}

interface ChainedBatch {
  records: unknown[];
  lastId: number;
  lastHash: Buffer;
  at: Date;
  signature: Buffer;
}

/** Numbers and hashes the events after the given head, and signs the checkpoint that ends them. */
function chainBatch(
  events: PreparedEvent[],
  head: { lastId: number; lastHash: Buffer },
  signer: CheckpointSigner,
): ChainedBatch {
  let id = head.lastId;
  let prevHash = head.lastHash;
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
      document_id: input.documentId ?? null,
      app: input.app ?? null,
      prev_hash: prevHash.toString('hex'),
      hash: hash.toString('hex'),
    };
    prevHash = hash;
    return record;
  });
  const at = new Date();
  const signature = signer.sign({ lastId: id, lastHash: prevHash, at });
  return { records, lastId: id, lastHash: prevHash, at, signature };
}

function batchParameters(batch: ChainedBatch, signer: CheckpointSigner): unknown[] {
  return [
    JSON.stringify(batch.records),
    batch.lastId,
    batch.lastHash,
    batch.at.toISOString(),
    signer.keyId,
    batch.signature,
    batch.records.length,
  ];
}

/**
 * Appends events to the chain. When this writer knows the head (it wrote or checked the last
 * checkpoint), it tries the one-statement fast path ({@link APPEND_IF_HEAD}); when the head has
 * moved (another writer, or rows from elsewhere) or is unknown, it takes the locked path.
 */
async function appendEvents(
  client: pg.PoolClient,
  events: PreparedEvent[],
  options: { statementTimeoutMs: number; signer: CheckpointSigner; trusted: TrustedHead },
): Promise<void> {
  const { signer, trusted } = options;
  if (trusted.known) {
    const batch = chainBatch(events, trusted, signer);
    try {
      const result = await client.query<{ seq: string | number }>({
        name: APPEND_IF_HEAD_NAME,
        text: APPEND_IF_HEAD,
        values: [
          ...batchParameters(batch, signer),
          trusted.seq,
          trusted.lastId,
          trusted.lastHash,
          trusted.signature,
        ],
      });
      const written = result.rows[0];
      if (written) {
        trusted.set(Number(written.seq), batch.signature, batch.lastId, batch.lastHash);
        return;
      }
    } catch (error) {
      // Another writer took these ids first: the locked path re-reads the head.
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    trusted.forget();
  }
  await appendLocked(client, events, options);
}

const UNIQUE_VIOLATION = '23505';

/**
 * The locked path, in one transaction: takes the chain lock (serialising writers across
 * processes), reads the last checkpoint and the last event and checks that they agree and that
 * the checkpoint is signed by our key (else {@link AuditTamperedError}), assigns the next ids,
 * hashes each event in order, inserts all of them and a newly signed checkpoint with one
 * statement, and commits. Rolls back and throws on any failure.
 */
async function appendLocked(
  client: pg.PoolClient,
  events: PreparedEvent[],
  options: { statementTimeoutMs: number; signer: CheckpointSigner; trusted: TrustedHead },
): Promise<void> {
  const { signer, trusted } = options;
  // One round trip: the transaction, its timeout, a durable commit even where the server's
  // default is synchronous_commit = off (a stronger setting such as remote_apply is kept), and
  // the chain lock.
  await client.query(
    `BEGIN; SET LOCAL statement_timeout = ${Math.trunc(options.statementTimeoutMs)}; ` +
      `SELECT set_config('synchronous_commit', 'on', true) ` +
      `WHERE current_setting('synchronous_commit') = 'off'; ` +
      `SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`,
  );
  try {
    const head = (await client.query<HeadRow>(SELECT_HEAD)).rows[0];
    if (!head) throw new Error('the audit log has no checkpoint (is migration 0013 applied?)');
    checkHead(head, signer, trusted);
    const batch = chainBatch(
      events,
      { lastId: Number(head.last_id), lastHash: head.last_hash },
      signer,
    );
    const result = await client.query<{ seq: string | number }>(
      INSERT_AND_CHECKPOINT,
      batchParameters(batch, signer),
    );
    const written = result.rows[0];
    if (!written) throw new Error('the audit checkpoint could not be written');
    await client.query('COMMIT');
    trusted.set(Number(written.seq), batch.signature, batch.lastId, batch.lastHash);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The last checkpoint must name the last event, signed by our key (or be the genesis). */
function checkHead(head: HeadRow, signer: CheckpointSigner, trusted: TrustedHead): void {
  const eventId = head.event_id === null ? 0 : Number(head.event_id);
  const eventHash = head.event_hash ?? GENESIS_HASH;
  if (Number(head.last_id) !== eventId || !head.last_hash.equals(eventHash)) {
    throw new AuditTamperedError(
      `the audit log's last event (${eventId}) is not its last signed checkpoint (${Number(head.last_id)}): ` +
        'rows were added or removed outside the gateway; run `dtks-gateway audit verify`',
    );
  }
  if (head.signature === null) {
    if (Number(head.seq) === 1) return; // the genesis: the head before signing began
    throw new AuditTamperedError(`audit checkpoint ${Number(head.seq)} is not signed`);
  }
  if (trusted.matches(head)) return;
  const body = { lastId: eventId, lastHash: eventHash, at: new Date(Number(head.at_ms)) };
  if (head.key_id !== signer.keyId) {
    throw new AuditTamperedError(
      `audit checkpoint ${Number(head.seq)} is signed by another key than this gateway's: gateways ` +
        'that share a database must share DTKS_DATA_DIR/keys/ (else it is forged; run `dtks-gateway audit verify`)',
    );
  }
  if (!verifyCheckpoint(signer.publicKey, body, head.signature)) {
    throw new AuditTamperedError(
      `audit checkpoint ${Number(head.seq)} does not carry a valid signature of this gateway's checkpoint key`,
    );
  }
  trusted.set(Number(head.seq), head.signature, eventId, eventHash);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}
