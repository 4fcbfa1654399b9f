import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEventInput } from '../../src/audit/audit-event.js';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { AuditWriteError, AuditWriter, recordOneByOne } from '../../src/audit/audit-writer.js';
import { subjectHash } from '../../src/audit/subject-hash.js';
import type { Logger } from '../../src/logger.js';
import { testCheckpointKey } from '../support/audit-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let key: Awaited<ReturnType<typeof testCheckpointKey>>;
/** Connections of their own, never the writer's. */
let observer: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  key = await testCheckpointKey();
  observer = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await observer?.end();
  await db?.close();
});

const KEY = Buffer.alloc(32, 7);
let sequence = 0;

function event(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  sequence += 1;
  return {
    requestId: `req-${sequence}`,
    clientId: 'dinsos-bandung',
    agencyId: 'DINSOS-3273',
    officerId: 'officer-17',
    purpose: 'BANSOS_VERIFICATION',
    operation: 'query:person',
    outcome: 'DISCLOSED',
    errorCode: null,
    fields: ['Person.birthDate', 'Person.name'],
    subjects: [subjectHash(KEY, `32010115058090${String(sequence % 100).padStart(2, '0')}`)],
    decisionIds: [`decision-${sequence}`],
    ...overrides,
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function eventCount(): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_event',
  );
  return rows[0]!.n;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function fakeLogger(): Logger & { error: ReturnType<typeof vi.fn> } {
  return { error: vi.fn() } as unknown as Logger & { error: ReturnType<typeof vi.fn> };
}

describe('audit writer', () => {
  it('group-commits 200 concurrent events into a contiguous, valid chain with few transactions', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    await Promise.all(range(200).map(() => writer.record(event())));
    expect(writer.eventsCommitted).toBe(200);
    expect(writer.batchesCommitted).toBeLessThan(200 / 4);
    const { rows } = await observer.query<{ id: string }>('SELECT id FROM audit_event ORDER BY id');
    expect(rows.map((r) => Number(r.id))).toEqual(range(200).map((i) => i + 1));
    expect(await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).toMatchObject({
      ok: true,
      events: 200,
      lastId: 200,
    });
    const head = await observer.query<{ last_id: string }>(
      'SELECT last_id FROM audit_checkpoint ORDER BY seq DESC LIMIT 1',
    );
    expect(Number(head.rows[0]!.last_id)).toBe(200);
    await writer.close();
  });

  it('resolves each record only once its row is visible from another connection', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    const checks = range(50).map(() => {
      const e = event();
      return writer.record(e).then(async () => {
        const { rows } = await observer.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM audit_event WHERE request_id = $1',
          [e.requestId],
        );
        return rows[0]!.n;
      });
    });
    expect(await Promise.all(checks)).toEqual(range(50).map(() => 1));
    await writer.close();
  });

  it('queues events while a batch commits and takes all of them into the next batch', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    // Another "process" holds the chain lock: the writer's first batch waits for it.
    const locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT pg_advisory_xact_lock(7365428091)');
    let settled = 0;
    const first = writer.record(event()).then(() => (settled += 1));
    await waitFor(async () => {
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.n === 1;
    });
    const before = await eventCount();
    const rest = range(99).map(() => writer.record(event()).then(() => (settled += 1)));
    expect(writer.queued).toBe(99);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(0); // nothing resolves before its commit
    expect(await eventCount()).toBe(before);
    await locker.query('COMMIT');
    locker.release();
    await Promise.all([first, ...rest]);
    expect(settled).toBe(100);
    expect(writer.batchesCommitted).toBe(2); // one event, then the 99 that queued meanwhile
    expect(await eventCount()).toBe(before + 100);
    await writer.close();
  });

  it('splits a queue longer than maxBatch into several transactions', async () => {
    const writer = new AuditWriter(db.pool, { maxBatch: 25, signer: key.signer });
    await Promise.all(range(100).map(() => writer.record(event())));
    expect(writer.batchesCommitted).toBe(4);
    expect((await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).ok).toBe(true);
    await writer.close();
  });

  it('rejects every event of a failed batch, logs once, and works again once fixed', async () => {
    const logger = fakeLogger();
    const writer = new AuditWriter(db.pool, { logger, signer: key.signer });
    const before = await eventCount();
    await observer.query('ALTER TABLE audit_checkpoint RENAME TO audit_checkpoint_away');
    try {
      const results = await Promise.allSettled(range(30).map(() => writer.record(event())));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      for (const r of results) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuditWriteError);
      }
      expect(writer.batchesFailed).toBe(1);
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.error.mock.calls[0]![0]).toMatchObject({ events: 30, code: '42P01' });
    } finally {
      await observer.query('ALTER TABLE audit_checkpoint_away RENAME TO audit_checkpoint');
    }
    expect(await eventCount()).toBe(before);
    await Promise.all(range(10).map(() => writer.record(event())));
    expect(await eventCount()).toBe(before + 10);
    expect(await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).toMatchObject({
      ok: true,
      events: before + 10,
      lastId: before + 10,
    });
    await writer.close();
  });

  it('rejects events when the database cannot be reached', async () => {
    const unreachable = new pg.Pool({
      connectionString: 'postgres://nobody@127.0.0.1:1/nothing',
      connectionTimeoutMillis: 2000,
    });
    unreachable.on('error', () => {});
    const logger = fakeLogger();
    const writer = new AuditWriter(unreachable, { logger, signer: key.signer });
    const results = await Promise.allSettled(range(5).map(() => writer.record(event())));
    expect(results.map((r) => r.status)).toEqual(range(5).map(() => 'rejected'));
    expect(logger.error).toHaveBeenCalledTimes(1);
    await writer.close();
    await unreachable.end();
  });

  it('extends one chain from several writers on separate pools (processes) and one by one', async () => {
    const other = new pg.Pool({ connectionString: db.url, max: 3 }); // bigint as text here
    const a = new AuditWriter(db.pool, { maxBatch: 7, signer: key.signer });
    const b = new AuditWriter(other, { maxBatch: 5, signer: key.signer });
    const before = await eventCount();
    await Promise.all([
      ...range(60).map(() => a.record(event())),
      ...range(60).map(() => b.record(event())),
      ...range(10).map(() => recordOneByOne(other, key.signer, event())),
    ]);
    await Promise.all([a.close(), b.close()]);
    await other.end();
    expect(await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).toMatchObject({
      ok: true,
      events: before + 130,
      lastId: before + 130,
    });
  });

  it('appends a batch with one statement once it knows the head, and re-reads a head that moved', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const sent: string[] = [];
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
        const first = args[0] as string | { text: string };
        sent.push(typeof first === 'string' ? first : first.text);
        return query(...args);
      };
    });
    const writer = new AuditWriter(pool, { signer: key.signer });
    await writer.record(event()); // the first batch reads and checks the head under the lock
    expect(sent.length).toBeGreaterThan(1);

    sent.length = 0;
    await writer.record(event());
    await Promise.all(range(5).map(() => writer.record(event())));
    expect(sent).toHaveLength(2); // one round trip per batch
    expect(sent.every((text) => text.includes('pg_try_advisory_xact_lock'))).toBe(true);

    // Another writer extends the chain: the head is no longer this writer's, so it re-reads it.
    await recordOneByOne(observer, key.signer, event());
    sent.length = 0;
    await writer.record(event());
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.some((text) => text.includes('pg_advisory_xact_lock('))).toBe(true);
    await writer.close();
    await pool.end();
    expect(await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).toMatchObject({
      ok: true,
    });
  });

  it('stores awkward text exactly as hashed (quotes, braces, unicode, NUL, lone surrogates)', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    const awkward = event({
      requestId: 'r-"\\{},NULL',
      clientId: null,
      agencyId: null,
      officerId: null,
      purpose: null,
      operation: 'query:x\u0000y',
      outcome: 'REFUSED',
      errorCode: 'FORBIDDEN',
      fields: ['"quoted"', 'a,b', '{braced}', 'NULL', '', 'é漢字😀', 'back\\slash'],
      subjects: [],
      decisionIds: ['\uD800lone'],
    });
    await Promise.all([writer.record(awkward), writer.record(event())]);
    const { rows } = await observer.query<{
      client_id: string | null;
      operation: string;
      fields: string[];
      subjects: string[];
      decision_ids: string[];
    }>(
      'SELECT client_id, operation, fields, subjects, decision_ids FROM audit_event WHERE request_id = $1',
      [awkward.requestId],
    );
    expect(rows[0]).toEqual({
      client_id: null,
      operation: 'query:x\uFFFDy',
      fields: awkward.fields,
      subjects: [],
      decision_ids: ['\uFFFDlone'],
    });
    expect((await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).ok).toBe(true);
    await writer.close();
  });

  it('refuses an event whose subject is not a keyed hash (a raw NIK) without writing it', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    const before = await eventCount();
    const error = await writer.record(event({ subjects: ['3201011505809001'] })).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(AuditWriteError);
    expect(error!.message).not.toContain('3201011505809001');
    expect(await eventCount()).toBe(before);
    await writer.close();
  });

  it('close waits for queued events, then refuses new ones', async () => {
    const writer = new AuditWriter(db.pool, { signer: key.signer });
    const before = await eventCount();
    const pending = range(20).map(() => writer.record(event()));
    await writer.close();
    expect(await eventCount()).toBe(before + 20);
    await Promise.all(pending);
    await expect(writer.record(event())).rejects.toBeInstanceOf(AuditWriteError);
    expect((await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).ok).toBe(true);
  });
});
