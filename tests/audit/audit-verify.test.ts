import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  canonicalEvent,
  chainHash,
  type AuditEventInput,
  type AuditOutcome,
} from '../../src/audit/audit-event.js';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { subjectHash } from '../../src/audit/subject-hash.js';
import { testCheckpointKey } from '../support/audit-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let key: Awaited<ReturnType<typeof testCheckpointKey>>;
beforeAll(async () => {
  db = await createTestDatabase();
  key = await testCheckpointKey();
});
afterAll(async () => {
  await db?.close();
});

const KEY = Buffer.alloc(32, 3);
const N = 10;

function event(i: number): AuditEventInput {
  return {
    requestId: `req-${i}`,
    clientId: 'bpjs-kesehatan',
    agencyId: 'BPJS',
    officerId: null,
    purpose: 'PBI_JK_ENROLMENT',
    operation: 'query:person',
    outcome: i % 4 === 0 ? 'REFUSED' : 'DISCLOSED',
    errorCode: i % 4 === 0 ? 'FORBIDDEN' : null,
    fields: i % 4 === 0 ? [] : ['Person.name'],
    subjects: [subjectHash(KEY, `320101150580${String(9000 + i)}`)],
    decisionIds: [],
    // Every third event ran a published document (canonical form dtks-audit-v2).
    ...(i % 3 === 2 ? { documentId: DOCUMENT_ID, app: 'dtks-dashboard@1.0.0' } : {}),
  };
}

const DOCUMENT_ID = `sha256:${'ab'.repeat(32)}`;

/** An empty log with only its genesis checkpoint. */
async function emptyLog(): Promise<void> {
  await db.pool.query('TRUNCATE audit_event, audit_checkpoint RESTART IDENTITY');
  await db.pool.query(
    "INSERT INTO audit_checkpoint (last_id, last_hash, at) VALUES (0, decode(repeat('00', 32), 'hex'), now())",
  );
}

/** An empty log, then N events written in batches of at most 4 (ids 1..N). */
async function freshChain(): Promise<void> {
  await emptyLog();
  const writer = new AuditWriter(db.pool, { maxBatch: 4, signer: key.signer });
  await Promise.all(Array.from({ length: N }, (_, i) => writer.record(event(i + 1))));
  await writer.close();
}

interface Row {
  id: string | number;
  at: Date;
  request_id: string;
  client_id: string | null;
  agency_id: string | null;
  officer_id: string | null;
  purpose: string | null;
  operation: string;
  outcome: string;
  error_code: string | null;
  fields: string[];
  subjects: string[];
  decision_ids: string[];
  document_id: string | null;
  app: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

async function row(id: number): Promise<Row> {
  const { rows } = await db.pool.query<Row>('SELECT * FROM audit_event WHERE id = $1', [id]);
  return rows[0]!;
}

/** What an attacker who knows the algorithm computes for a forged row. */
function forgedHash(r: Omit<Row, 'hash'>): Buffer {
  return chainHash(
    r.prev_hash,
    canonicalEvent({
      id: Number(r.id),
      at: r.at,
      requestId: r.request_id,
      clientId: r.client_id,
      agencyId: r.agency_id,
      officerId: r.officer_id,
      purpose: r.purpose,
      operation: r.operation,
      outcome: r.outcome as AuditOutcome,
      errorCode: r.error_code,
      fields: r.fields,
      subjects: r.subjects,
      decisionIds: r.decision_ids,
      documentId: r.document_id,
      app: r.app,
    }),
  );
}

async function insertRow(r: Row): Promise<void> {
  await db.pool.query(
    `INSERT INTO audit_event (id, at, request_id, client_id, agency_id, officer_id, purpose,
       operation, outcome, error_code, fields, subjects, decision_ids, document_id, app,
       prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      r.id,
      r.at,
      r.request_id,
      r.client_id,
      r.agency_id,
      r.officer_id,
      r.purpose,
      r.operation,
      r.outcome,
      r.error_code,
      r.fields,
      r.subjects,
      r.decision_ids,
      r.document_id,
      r.app,
      r.prev_hash,
      r.hash,
    ],
  );
}

/** Moves ids `from..` by `delta` (through negative ids, so the primary key never collides). */
async function shiftIds(from: number, delta: number): Promise<void> {
  await db.pool.query('UPDATE audit_event SET id = -id WHERE id >= $1', [from]);
  await db.pool.query('UPDATE audit_event SET id = -id + $1 WHERE id < 0', [delta]);
}

async function swapIds(a: number, b: number): Promise<void> {
  await db.pool.query('UPDATE audit_event SET id = 0 WHERE id = $1', [a]);
  await db.pool.query('UPDATE audit_event SET id = $1 WHERE id = $2', [a, b]);
  await db.pool.query('UPDATE audit_event SET id = $1 WHERE id = 0', [b]);
}

async function expectBroken(firstBadId: number, problem: string): Promise<string> {
  for (const batchSize of [5000, 3]) {
    const result = await verifyAuditChain(db.pool, { batchSize, publicKeys: key.publicKeys });
    expect(result).toMatchObject({ ok: false, firstBadId, problem });
    if (!result.ok) {
      // Messages name ids only: no content of any event.
      expect(result.message).not.toMatch(/PBI_JK|bpjs|req-|Person|[0-9a-f]{16}/);
      if (batchSize === 3) return result.message;
    }
  }
  throw new Error('unreachable');
}

describe('audit verify', () => {
  beforeEach(freshChain);

  it('accepts an empty log', async () => {
    await emptyLog();
    expect(await verifyAuditChain(db.pool, { publicKeys: key.publicKeys })).toEqual({
      ok: true,
      events: 0,
      lastId: 0,
      checkpoints: 0,
      unsignedLegacy: 0,
    });
  });

  it('accepts an intact chain, walking in batches and reporting progress', async () => {
    const progress: Array<[number, number]> = [];
    const result = await verifyAuditChain(db.pool, {
      batchSize: 3,
      publicKeys: key.publicKeys,
      onProgress: (checked, total) => progress.push([checked, total]),
    });
    const { rows } = await db.pool.query('SELECT count(*)::int - 1 AS n FROM audit_checkpoint');
    expect(rows[0].n).toBeGreaterThanOrEqual(Math.ceil(N / 4));
    expect(result).toEqual({
      ok: true,
      events: N,
      lastId: N,
      checkpoints: rows[0].n,
      unsignedLegacy: 0,
    });
    expect(progress.at(-1)).toEqual([N, N]);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  });

  it('names a modified event', async () => {
    await db.pool.query("UPDATE audit_event SET purpose = 'x' WHERE id = 5");
    expect(await expectBroken(5, 'modified')).toContain('event 5');
  });

  it('names a changed document id or application, and a document added to or removed from an event', async () => {
    // Events 2, 5 and 8 ran a document (v2); the others did not (v1).
    await db.pool.query('UPDATE audit_event SET document_id = $1 WHERE id = 5', [
      `sha256:${'cd'.repeat(32)}`,
    ]);
    await expectBroken(5, 'modified');
    await freshChain();
    await db.pool.query("UPDATE audit_event SET app = 'dtks-dashboard@1.0.1' WHERE id = 2");
    await expectBroken(2, 'modified');
    await freshChain();
    await db.pool.query('UPDATE audit_event SET document_id = NULL, app = NULL WHERE id = 8');
    await expectBroken(8, 'modified');
    await freshChain();
    await db.pool.query("UPDATE audit_event SET document_id = $1, app = 'x@1' WHERE id = 3", [
      DOCUMENT_ID,
    ]);
    await expectBroken(3, 'modified');
  });

  it('names a modified array column and a sub-millisecond change of the time', async () => {
    await db.pool.query("UPDATE audit_event SET fields = '{Person.nik}' WHERE id = 3");
    await expectBroken(3, 'modified');
    await freshChain();
    await db.pool.query("UPDATE audit_event SET at = at + interval '1 microsecond' WHERE id = 7");
    await expectBroken(7, 'modified');
  });

  it('names an event rewritten with a recomputed hash', async () => {
    const r = await row(5);
    const forged = { ...r, purpose: 'x' };
    forged.hash = forgedHash(forged);
    await db.pool.query('UPDATE audit_event SET purpose = $1, hash = $2 WHERE id = 5', [
      forged.purpose,
      forged.hash,
    ]);
    await expectBroken(5, 'modified');
  });

  it('names a deleted event in the middle, and a deleted run', async () => {
    await db.pool.query('DELETE FROM audit_event WHERE id = 5');
    expect(await expectBroken(5, 'deleted')).toBe('event 5 is missing');
    await freshChain();
    await db.pool.query('DELETE FROM audit_event WHERE id BETWEEN 4 AND 6');
    expect(await expectBroken(4, 'deleted')).toBe('events 4 to 6 are missing');
  });

  it('names a deletion hidden by renumbering the later events', async () => {
    await db.pool.query('DELETE FROM audit_event WHERE id = 5');
    await shiftIds(6, -1);
    await expectBroken(5, 'deleted');
  });

  it('names a deleted last event (its signed checkpoint still counts it)', async () => {
    await db.pool.query('DELETE FROM audit_event WHERE id = $1', [N]);
    expect(await expectBroken(N, 'deleted')).toBe(`event ${N} is missing`);
  });

  it('reports a checkpoint changed after signing, and one signed by another key', async () => {
    await db.pool.query(
      'UPDATE audit_checkpoint SET last_hash = $1 WHERE seq = (SELECT max(seq) FROM audit_checkpoint)',
      [createHash('sha256').update('x').digest()],
    );
    expect(await expectBroken(N, 'forged-checkpoint')).toMatch(/does not match its signature/);
    await freshChain();
    const other = await testCheckpointKey();
    const last = await row(N);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    await db.pool.query(
      'UPDATE audit_checkpoint SET key_id = $1, signature = $2, at = $3 WHERE seq = (SELECT max(seq) FROM audit_checkpoint)',
      [
        other.signer.keyId,
        other.signer.sign({ lastId: N, lastHash: last.hash, at }),
        at.toISOString(),
      ],
    );
    expect(await expectBroken(N, 'forged-checkpoint')).toMatch(/unknown key/);
  });

  it('names events rewritten from the start with every hash recomputed (a signed checkpoint disagrees)', async () => {
    let prev: Buffer = Buffer.alloc(32);
    for (let id = 1; id <= N; id++) {
      const r = { ...(await row(id)), purpose: 'x', prev_hash: prev };
      r.hash = forgedHash(r);
      await db.pool.query(
        'UPDATE audit_event SET purpose = $1, prev_hash = $2, hash = $3 WHERE id = $4',
        [r.purpose, r.prev_hash, r.hash, id],
      );
      prev = r.hash;
    }
    expect(await expectBroken(1, 'modified')).toMatch(/the chain was rewritten/);
  });

  it('names reordered events (two swapped, and two neighbours swapped)', async () => {
    await swapIds(3, 7);
    await expectBroken(3, 'reordered');
    await freshChain();
    await swapIds(4, 5);
    await expectBroken(4, 'reordered');
  });

  it('names an event appended after the last signed checkpoint, even with a correct hash', async () => {
    const last = await row(N);
    const extra = { ...last, id: N + 1, request_id: 'forged', prev_hash: last.hash };
    extra.hash = forgedHash(extra);
    await insertRow(extra);
    expect(await expectBroken(N + 1, 'unsigned')).toBe(
      `event ${N + 1} is not covered by a signed checkpoint: added outside the gateway`,
    );
  });

  it('names an event slipped into the middle with renumbered ids', async () => {
    const before = await row(5);
    await shiftIds(6, 1);
    const forged = { ...before, id: 6, request_id: 'forged', prev_hash: before.hash };
    forged.hash = forgedHash(forged);
    await insertRow(forged);
    await expectBroken(6, 'inserted');
  });
});

describe('canonical form', () => {
  const body = {
    id: 7,
    at: new Date('2026-11-02T03:04:05.678Z'),
    requestId: 'req-7',
    clientId: 'kemenkes-pbi',
    agencyId: 'kemenkes',
    officerId: null,
    purpose: 'PBI_JK_VERIFICATION',
    operation: 'query:eligibility',
    outcome: 'DISCLOSED' as const,
    errorCode: null,
    fields: ['EligibilityDecision.eligible'],
    subjects: ['0'.repeat(64)],
    decisionIds: ['d-1'],
  };

  it('is dtks-audit-v1, byte for byte as before documents existed, for an event without one', () => {
    const v1 =
      '["dtks-audit-v1",7,"2026-11-02T03:04:05.678Z","req-7","kemenkes-pbi","kemenkes",null,' +
      '"PBI_JK_VERIFICATION","query:eligibility","DISCLOSED",null,["EligibilityDecision.eligible"],' +
      `["${'0'.repeat(64)}"],["d-1"]]`;
    expect(canonicalEvent(body).toString('utf8')).toBe(v1);
    expect(canonicalEvent({ ...body, documentId: null, app: null }).toString('utf8')).toBe(v1);
  });

  it('is dtks-audit-v2, with the document id and application appended, for an event with one', () => {
    const v2 = canonicalEvent({ ...body, documentId: DOCUMENT_ID, app: 'dtks-dashboard@1.0.0' });
    const parsed = JSON.parse(v2.toString('utf8')) as unknown[];
    expect(parsed[0]).toBe('dtks-audit-v2');
    expect(parsed.slice(1, -2)).toEqual(
      (JSON.parse(canonicalEvent(body).toString('utf8')) as unknown[]).slice(1),
    );
    expect(parsed.slice(-2)).toEqual([DOCUMENT_ID, 'dtks-dashboard@1.0.0']);
  });
});

/** Runs `dtks-gateway audit verify` as a process, with only `registerAudit` on the program. */
function auditVerify(): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = [
    "import { Command } from 'commander';",
    "const { registerAudit } = await import('./src/commands/audit.command.ts');",
    "const program = new Command('dtks-gateway');",
    'registerAudit(program);',
    "await program.parseAsync(process.argv.slice(1), { from: 'user' });",
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'audit', 'verify'],
      {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          DTKS_DATA_DIR: key.dataDir,
          LOG_LEVEL: 'warn',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('dtks-gateway audit verify', () => {
  it('prints the count and last id of an intact log and exits 0', async () => {
    await freshChain();
    const result = await auditVerify();
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        new RegExp(`^audit log intact: ${N} events, last id ${N}, \\d+ signed checkpoints\n$`),
      ),
    });
  });

  it('names the broken event on stderr and exits 1', async () => {
    await freshChain();
    await db.pool.query("UPDATE audit_event SET purpose = 'x' WHERE id = 4");
    const result = await auditVerify();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'dtks-gateway audit verify: audit log broken at event 4: modified (event 4 does not match its hash)\n',
    );
  });
});
