import type { AuditEventTable } from '../db/database-types.js';
import type pg from 'pg';
import {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  type AuditEventBody,
  type AuditOutcome,
} from './audit-event.js';

export type VerifyProblem = 'modified' | 'deleted' | 'reordered' | 'inserted' | 'head-mismatch';

export type VerifyResult =
  | { ok: true; events: number; lastId: number }
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
  /** Events read per query (default 5000). */
  batchSize?: number;
  /** Called after each batch with the events checked so far and the head's last id. */
  onProgress?: (checked: number, total: number) => void;
}

/** An audit row as read for verification: `at` as microseconds, `id` as PostgreSQL sends bigint. */
type StoredRow = Omit<AuditEventTable, 'id' | 'at'> & { id: string | number; at_us: string };

// `at` as microseconds since the epoch (exact: extract returns numeric), so that a change below the
// millisecond, which a JS Date would round away, is still seen.
const SELECT_BATCH = `
  SELECT id, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, request_id, client_id,
         agency_id, officer_id, purpose, operation, outcome, error_code, fields, subjects,
         decision_ids, prev_hash, hash
  FROM audit_event WHERE id > $1 ORDER BY id LIMIT $2`;

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
 * canonical(event))` (else 'modified'). Finally the head must name the last event and its hash
 * (events beyond the head are 'inserted', a head beyond the last event means the tail was
 * 'deleted', a differing hash is 'head-mismatch').
 */
export async function verifyAuditChain(
  pool: pg.Pool,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 2) {
    throw new RangeError('batchSize must be an integer of at least 2');
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await walk(client, batchSize, options.onProgress);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  } finally {
    client.release();
  }
}

async function walk(
  client: pg.PoolClient,
  batchSize: number,
  onProgress: VerifyOptions['onProgress'],
): Promise<VerifyResult> {
  const head = await client.query<{ last_id: string | number; last_hash: Buffer }>(
    'SELECT last_id, last_hash FROM audit_head',
  );
  const headRow = head.rows[0];
  if (!headRow || head.rows.length !== 1) {
    return fail(0, 0, 'head-mismatch', 'the audit head row is missing or duplicated');
  }
  const headId = Number(headRow.last_id);
  const headHash = headRow.last_hash;

  let checked = 0;
  let expectedId = 1;
  let prevHash = GENESIS_HASH; // stored hash of the previous event
  let prevPrevHash: Buffer | null = null; // of the one before it
  let lastId = 0;
  for (;;) {
    const { rows } = await client.query<StoredRow>(SELECT_BATCH, [lastId, batchSize]);
    for (const row of rows) {
      const id = Number(row.id);
      if (id > headId) {
        return fail(
          checked,
          id,
          'inserted',
          `event ${id} lies beyond the head, which ends at event ${headId}`,
        );
      }
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
      prevPrevHash = prevHash;
      prevHash = row.hash;
      expectedId = id + 1;
      lastId = id;
      checked += 1;
    }
    onProgress?.(checked, headId);
    if (rows.length < batchSize) break;
  }

  if (headId > lastId) {
    return fail(checked, lastId + 1, 'deleted', missing(lastId + 1, headId));
  }
  if (!headHash.equals(prevHash)) {
    return fail(
      checked,
      lastId,
      'head-mismatch',
      `the head's hash does not match event ${lastId}, the last event`,
    );
  }
  return { ok: true, events: checked, lastId };
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
