import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DciTransactionLog } from '../../src/dci/dci-transaction-log.js';
import { ensureDemoClients } from '../../src/demo/demo-clients.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-dci-retention-'));
  await ensureDemoClients(db.db, dir);
});

afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CLIENT = 'kemensos-bansos';

function transaction(id: string) {
  return {
    transactionId: id,
    action: 'search' as const,
    correlationId: `corr-${id}`,
    status: 'succ' as const,
    requests: [
      { reference_id: 'r0', timestamp: new Date().toISOString(), status: 'succ' as const },
    ],
  };
}

describe('DCI transaction statuses', () => {
  it('are kept the configured days, then deleted by the gateway after a write', async () => {
    // As the gateway serves: the least-privilege role must be allowed to delete them.
    const log = new DciTransactionLog(db.runtime.db, createLogger('silent'), 30);
    for (const id of ['old-1', 'old-2', 'recent']) log.record(CLIENT, transaction(id));
    await log.flush();
    // Two of them were created 31 days ago, one 29 days ago.
    await sql`UPDATE dci_transaction
                 SET created_at = now() - make_interval(days => CASE
                   WHEN transaction_id LIKE 'old-%' THEN 31 ELSE 29 END)`.execute(db.db);

    // A fresh process prunes after its first write, then at most once a minute.
    const next = new DciTransactionLog(db.runtime.db, createLogger('silent'), 30);
    next.record(CLIENT, transaction('new'));
    await next.flush();
    const { rows } = await sql<{ transaction_id: string }>`
      SELECT transaction_id FROM dci_transaction ORDER BY transaction_id`.execute(db.db);
    expect(rows.map((r) => r.transaction_id)).toEqual(['new', 'recent']);
    expect(await next.find(CLIENT, { transactionId: 'old-1' }, 'search')).toBeNull();
    expect((await next.find(CLIENT, { transactionId: 'recent' }, 'search'))?.status).toBe('succ');

    // Kept for fewer days, the 29-day-old one goes too.
    const shorter = new DciTransactionLog(db.runtime.db, createLogger('silent'), 7);
    expect(await shorter.prune()).toBe(1);
    expect(await shorter.prune()).toBe(0);
  });
});
