import type { AuditEventTable } from '../db/database-types.js';
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  type AuditEventBody,
  type AuditOutcome,
} from './audit-event.js';
import { verifyCheckpoint } from './checkpoint-key.js';

export type VerifyProblem =
  'modified' | 'deleted' | 'reordered' | 'inserted' | 'unsigned' | 'forged-checkpoint';

export type VerifyResult =
  | {
      ok: true;
      events: number;
      lastId: number;
      /** Signed checkpoints checked. */
      checkpoints: number;
      /** Events written before signing began (migration 0013): covered by the hash chain only. */
      unsignedLegacy: number;
    }
  | {
      ok: false;
      /** Events checked before the problem was found. */
      events: number;
      firstBadId: number;
      problem: VerifyProblem;
      /** Names event ids only, never content. */
      message: string;
    };

export interface VerifyOptions {
  /** The checkpoint keys to trust, by key id (src/audit/checkpoint-key.ts). */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** Events read per query (default 5000). */
  batchSize?: number;
  /** Called after each batch with the events checked so far and the number expected. */
  onProgress?: (checked: number, total: number) => void;
}

/** An audit row as read for verification: `at` as microseconds, `id` as PostgreSQL sends bigint. */
type StoredRow = Omit<AuditEventTable, 'id' | 'at'> & { id: string | number; at_us: string };

interface StoredCheckpoint {
  seq: string | number;
  last_id: string | number;
  last_hash: Buffer;
  at_us: string;
  key_id: string | null;
  signature: Buffer | null;
}

// `at` as microseconds since the epoch (exact: extract returns numeric), so that a change below the
// millisecond, which a JS Date would round away, is still seen.
const SELECT_BATCH = `
  SELECT id, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, request_id, client_id,
         agency_id, officer_id, purpose, operation, outcome, error_code, fields, subjects,
         decision_ids, document_id, app, prev_hash, hash
  FROM audit_event WHERE id > $1 ORDER BY id LIMIT $2`;

const SELECT_CHECKPOINTS = `
  SELECT seq, last_id, last_hash, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us,
         key_id, signature
  FROM audit_checkpoint WHERE seq > $1 ORDER BY seq LIMIT $2`;

/** How many renumbered ids a broken link is tried against to recognise a hidden deletion. */
const RENUMBER_SEARCH = 64;

type Failure = Extract<VerifyResult, { ok: false }>;

/**
 * Walks the chain in id order in batches (constant memory; handles millions of events),
 * recomputing hashes, inside one read-only repeatable-read transaction so that events committed
 * meanwhile by a running gateway neither break nor extend the walk.
 *
 * Checks, per event: ids run 1..N without gaps (a gap is 'deleted', naming the first missing id);
 * `prev_hash` equals the previous event's stored hash (else 'reordered', 'inserted', 'deleted' or
 * 'modified', as best the surrounding hashes tell); `hash` equals `chainHash(prev_hash,
 * canonical(event))` (else 'modified').
 *
 * And the checkpoints, in the order they were written: each but the genesis (the first, unsigned:
 * the head when signing began) carries a valid signature of a trusted key ('forged-checkpoint'
 * otherwise) and names a later event than the one before it; the event it names has the hash it
 * names (else the chain up to it was rewritten: 'modified'). The last checkpoint names the last
 * event: events after it were appended by something that cannot sign ('unsigned'); a checkpoint
 * beyond the last event means the tail was 'deleted'.
 */
export async function verifyAuditChain(
  pool: pg.Pool,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 2) {
    throw new RangeError('batchSize must be an integer of at least 2');
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await walk(client, batchSize, options);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** The checkpoints in the order written, read a batch at a time. */
class CheckpointReader {
  private buffer: StoredCheckpoint[] = [];
  private lastSeq = 0;
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly batchSize: number,
  ) {}

  async peek(): Promise<StoredCheckpoint | null> {
    if (this.buffer.length === 0 && !this.done) {
      const { rows } = await this.client.query<StoredCheckpoint>(SELECT_CHECKPOINTS, [
        this.lastSeq,
        this.batchSize,
      ]);
      this.buffer = rows;
      if (rows.length < this.batchSize) this.done = true;
      if (rows.length > 0) this.lastSeq = Number(rows[rows.length - 1]!.seq);
    }
    return this.buffer[0] ?? null;
  }

  take(): void {
    this.buffer.shift();
  }
}

async function walk(
  client: pg.PoolClient,
  batchSize: number,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const totals = await client.query<{ last_event: string | null; last_checkpoint: string | null }>(
    `SELECT (SELECT max(id) FROM audit_event)::text AS last_event,
            (SELECT last_id FROM audit_checkpoint ORDER BY seq DESC LIMIT 1)::text AS last_checkpoint`,
  );
  const expected = Math.max(
    Number(totals.rows[0]?.last_event ?? 0),
    Number(totals.rows[0]?.last_checkpoint ?? 0),
  );
  const checkpoints = new CheckpointReader(client, batchSize);
  const genesis = await checkpoints.peek();
  if (!genesis || Number(genesis.seq) !== 1 || genesis.signature !== null) {
    return fail(0, 1, 'forged-checkpoint', 'the first audit checkpoint (the genesis) is missing');
  }
  checkpoints.take();
  const genesisId = Number(genesis.last_id);
  let coveredTo = genesisId; // the last event id a checkpoint names so far
  let signed = 0;
  let checked = 0;

  /** Checks the checkpoints that name event `id` (stored hash `hash`); a failure or null. */
  const checkpointsAt = async (id: number, hash: Buffer): Promise<Failure | null> => {
    for (let c = await checkpoints.peek(); c !== null; c = await checkpoints.peek()) {
      const lastId = Number(c.last_id);
      if (lastId > id) return null; // names a later event: checked when the walk gets there
      const problem = checkSignature(c, options.publicKeys, coveredTo);
      if (problem) return fail(checked, lastId, 'forged-checkpoint', problem);
      if (!c.last_hash.equals(hash)) {
        return fail(
          checked,
          coveredTo + 1,
          'modified',
          `events ${coveredTo + 1} to ${id} do not match signed checkpoint ${Number(c.seq)}: the chain was rewritten`,
        );
      }
      checkpoints.take();
      coveredTo = lastId;
      signed += 1;
    }
    return null;
  };

  let expectedId = 1;
  let prevHash = GENESIS_HASH; // stored hash of the previous event
  let prevPrevHash: Buffer | null = null; // of the one before it
  let lastId = 0;
  if (genesisId === 0 && !genesis.last_hash.equals(GENESIS_HASH)) {
    return fail(0, 1, 'forged-checkpoint', 'the genesis checkpoint names a hash for no event');
  }
  for (;;) {
    const { rows } = await client.query<StoredRow>(SELECT_BATCH, [lastId, batchSize]);
    for (const row of rows) {
      const id = Number(row.id);
      if (id < expectedId) {
        return fail(checked, id, 'inserted', `event ${id} has an id outside the chain`);
      }
      if (id > expectedId) {
        return fail(checked, expectedId, 'deleted', missing(expectedId, id - 1));
      }
      const ownHashValid = hashIsValid(row, id);
      if (!row.prev_hash.equals(prevHash)) {
        return fail(
          checked,
          ...(await explainBrokenLink(client, row, id, prevPrevHash, ownHashValid)),
        );
      }
      if (!ownHashValid) {
        return fail(checked, id, 'modified', `event ${id} does not match its hash`);
      }
      if (id === genesisId && !row.hash.equals(genesis.last_hash)) {
        return fail(
          checked,
          1,
          'modified',
          `events 1 to ${id} do not match the genesis checkpoint`,
        );
      }
      const atCheckpoint = await checkpointsAt(id, row.hash);
      if (atCheckpoint) return atCheckpoint;
      prevPrevHash = prevHash;
      prevHash = row.hash;
      expectedId = id + 1;
      lastId = id;
      checked += 1;
    }
    options.onProgress?.(checked, expected);
    if (rows.length < batchSize) break;
  }

  const beyond = await checkpoints.peek();
  if (beyond) {
    const problem = checkSignature(beyond, options.publicKeys, coveredTo);
    if (problem) return fail(checked, Number(beyond.last_id), 'forged-checkpoint', problem);
    return fail(checked, lastId + 1, 'deleted', missing(lastId + 1, Number(beyond.last_id)));
  }
  if (lastId < genesisId) {
    return fail(checked, lastId + 1, 'deleted', missing(lastId + 1, genesisId));
  }
  if (lastId > coveredTo) {
    return fail(
      checked,
      coveredTo + 1,
      'unsigned',
      `${lastId === coveredTo + 1 ? `event ${lastId} is` : `events ${coveredTo + 1} to ${lastId} are`} not covered by a signed checkpoint: added outside the gateway`,
    );
  }
  return { ok: true, events: checked, lastId, checkpoints: signed, unsignedLegacy: genesisId };
}

/** Why a checkpoint after the genesis is not to be trusted, or null when it is. */
function checkSignature(
  c: StoredCheckpoint,
  keys: ReadonlyMap<string, KeyObject>,
  coveredTo: number,
): string | null {
  const seq = Number(c.seq);
  if (c.signature === null || c.key_id === null) return `checkpoint ${seq} is not signed`;
  const key = keys.get(c.key_id);
  if (!key) return `checkpoint ${seq} is signed by an unknown key (${c.key_id.slice(0, 12)}…)`;
  const micros = BigInt(c.at_us);
  const body = {
    lastId: Number(c.last_id),
    lastHash: c.last_hash,
    at: new Date(Number(micros / 1000n)),
  };
  if (micros % 1000n !== 0n || !verifyCheckpoint(key, body, c.signature)) {
    return `checkpoint ${seq} does not match its signature`;
  }
  if (body.lastId <= coveredTo) {
    return `checkpoint ${seq} names event ${body.lastId}, not after the previous checkpoint's ${coveredTo}`;
  }
  return null;
}

function fail(
  events: number,
  firstBadId: number,
  problem: VerifyProblem,
  message: string,
): Failure {
  return { ok: false, events, firstBadId, problem, message };
}

function missing(from: number, to: number): string {
  return from === to ? `event ${from} is missing` : `events ${from} to ${to} are missing`;
}

function hashIsValid(row: StoredRow, id: number): boolean {
  const micros = BigInt(row.at_us);
  if (micros % 1000n !== 0n) return false; // the writer stores milliseconds only
  const body: AuditEventBody = {
    id,
    at: new Date(Number(micros / 1000n)),
    requestId: row.request_id,
    clientId: row.client_id,
    agencyId: row.agency_id,
    officerId: row.officer_id,
    purpose: row.purpose,
    operation: row.operation,
    outcome: row.outcome as AuditOutcome,
    errorCode: row.error_code,
    fields: row.fields,
    subjects: row.subjects,
    decisionIds: row.decision_ids,
    documentId: row.document_id,
    app: row.app,
  };
  return chainHash(row.prev_hash, canonicalEvent(body)).equals(row.hash);
}

/**
 * Event `id` does not link to the event stored before it. Which event it does link to tells
 * what happened (one look-up by hash; only on failure, so the cost of a scan is acceptable).
 */
async function explainBrokenLink(
  client: pg.PoolClient,
  row: StoredRow,
  id: number,
  prevPrevHash: Buffer | null,
  ownHashValid: boolean,
): Promise<[number, VerifyProblem, string]> {
  if (prevPrevHash && row.prev_hash.equals(prevPrevHash)) {
    // It links to the event two back: the one in between was slipped in.
    return [id - 1, 'inserted', `event ${id - 1} is not part of the chain; event ${id} skips it`];
  }
  const { rows } = await client.query<{ id: string | number }>(
    'SELECT id FROM audit_event WHERE hash = $1 ORDER BY id LIMIT 1',
    [row.prev_hash],
  );
  const linked = rows[0] ? Number(rows[0].id) : null;
  if (linked !== null && linked >= id) {
    return [id, 'reordered', `event ${id} links to event ${linked}, which comes after it`];
  }
  if (linked !== null) {
    return [id, 'reordered', `event ${id} links to event ${linked} instead of event ${id - 1}`];
  }
  if (ownHashValid && id > 1) {
    // Event id is intact at its own id, so its predecessor sat at id - 1 and was rewritten
    // (with a recomputed hash).
    return [id - 1, 'modified', `event ${id - 1} was rewritten; event ${id} no longer links to it`];
  }
  // Event id was renumbered too if it matches its hash under a later id: events before it were
  // removed and the ids closed up.
  for (let shift = 1; shift <= RENUMBER_SEARCH; shift += 1) {
    if (hashIsValid(row, id + shift)) {
      const removed = shift === 1 ? `event ${id} was` : `events ${id} to ${id + shift - 1} were`;
      return [id, 'deleted', `${removed} removed and the later events renumbered`];
    }
  }
  return [id, 'modified', `event ${id} does not link to event ${id - 1} nor match its hash`];
}
