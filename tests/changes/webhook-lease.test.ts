import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import type { WebhookDeliveryOptions } from '../../src/changes/webhook-deliveries.js';
import { newWebhookSecret } from '../../src/changes/webhook-signature.js';
import { saveClient, setAgreementWebhook } from '../../src/db/queries/client-queries.js';
import { webhookStore } from '../../src/db/scoped/webhook-store.js';
import { sealSubject, SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestGateway } from '../support/test-gateway.js';

/*
 * A slow receiver never has more than `perAgreement` attempts under way (issue #14: a slow or
 * dead receiver never delays other receivers): the lease an attempt takes on its delivery.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  for (const id of ['kemensos-bansos', 'kemenkes-pbi']) {
    await saveClient(
      db.db,
      registration(
        DEMO_CLIENTS.find((c) => c.clientId === id)!,
        'unused',
      ),
    );
  }
  await db.pool.query(
    `INSERT INTO webhook_delivery (agreement_id, message_id, first_event_id, last_event_id, events)
     SELECT a, 'msg_' || a || '_' || n, n, n, 1
       FROM unnest(ARRAY['kemensos-bansos-pks', 'kemenkes-pbi-pks']) AS a, generate_series(1, 6) AS n`,
  );
});

afterAll(async () => {
  await db?.close();
});

async function deliveries(agreement: string) {
  const { rows } = await db.pool.query<{ id: string }>(
    'SELECT id::text FROM webhook_delivery WHERE agreement_id = $1 ORDER BY id',
    [agreement],
  );
  return Promise.all(rows.map(async (r) => (await webhookStore.forAttempt(db.db, r.id))!));
}

describe('webhook attempts per agreement', () => {
  it('leases at most perAgreement attempts of one agreement at once, others unaffected', async () => {
    const bansos = await deliveries('kemensos-bansos-pks');
    const pbi = await deliveries('kemenkes-pbi-pks');
    // Taken at the same moment, as workers of several gateways would.
    const first = await Promise.all(bansos.map((d) => webhookStore.lease(db.db, d, 4, 60)));
    expect(first.filter(Boolean)).toHaveLength(4);
    // Another agreement's receiver is not held back by this one.
    expect(await webhookStore.lease(db.db, pbi[0]!, 4, 60)).toBe(true);
    // An attempt that ends gives its lease back; one whose lease ran out no longer counts.
    const held = bansos.filter((_, i) => first[i]);
    const waiting = bansos.filter((_, i) => !first[i]);
    await webhookStore.recordAttempt(db.db, held[0]!.id, {
      state: 'DELIVERED',
      status: 204,
      error: null,
    });
    expect(await webhookStore.lease(db.db, waiting[0]!, 4, 60)).toBe(true);
    expect(await webhookStore.lease(db.db, waiting[1]!, 4, 60)).toBe(false);
    await db.pool.query(
      `UPDATE webhook_delivery SET attempting_until = now() - interval '1 second' WHERE id = $1`,
      [held[1]!.id],
    );
    expect(await webhookStore.lease(db.db, waiting[1]!, 4, 60)).toBe(true);
    // A delivery no longer PENDING is never leased.
    expect(await webhookStore.lease(db.db, held[0]!, 10, 60)).toBe(false);
  });
});

/**
 * Deliveries to one receiver that answers after 30 ms, counting the POSTs under way at once; the
 * gateway's attempts of the agreement are capped at one. Returns the most POSTs under way at once
 * and how many attempts went through the job queue.
 */
async function deliverHeldBack(
  holdBackWaitMs: number,
  dataDir?: string,
): Promise<{ mostAtOnce: number; events: number; jobs: number; dataDir: string }> {
  await db.pool.query(
    `TRUNCATE change_event, webhook_delivery, webhook_cursor;
     DELETE FROM pgboss.job WHERE name = 'webhook-delivery'`,
  );
  let underWay = 0;
  let mostAtOnce = 0;
  let events = 0;
  const receiver = http.createServer((req, res) => {
    underWay += 1;
    mostAtOnce = Math.max(mostAtOnce, underWay);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { events: unknown[] };
      };
      setTimeout(() => {
        underWay -= 1;
        events += body.data.events.length;
        res.writeHead(204).end();
      }, 30);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const options: Partial<WebhookDeliveryOptions> = {
    workers: 3,
    perAgreement: 1,
    holdBackWaitMs,
    dispatchEveryMs: 100,
    pollingIntervalSeconds: 0.5,
  };
  // Both runs share the data folder: the audit log's checkpoints are signed with its key.
  const gateway = await startTestGateway(db, {
    webhooks: options,
    ...(dataDir ? { dataDir } : {}),
  });
  try {
    const sealKey = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
    await setAgreementWebhook(db.db, 'kemensos-bansos', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/dtks`,
      secretSealed: sealSubject(sealKey, newWebhookSecret()),
    });
    // 3,500 events: four deliveries, all cut at once.
    await db.pool.query(
      `INSERT INTO change_event (agreement_id, kind, program, subject_ref, nik_sealed, payload)
       SELECT 'kemensos-bansos-pks', 'ELIGIBILITY_CHANGED', 'PKH', 'ref' || n, $1,
              jsonb_build_object('decisionId', gen_random_uuid(), 'previous', '{}'::jsonb,
                                 'current', '{}'::jsonb)
         FROM generate_series(1, 3500) AS n`,
      [sealSubject(sealKey, '3201010101800001')],
    );
    const deadline = Date.now() + 20_000;
    while (events < 3500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await gateway.close();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery'`,
  );
  return { mostAtOnce, events, jobs: rows[0]!.n, dataDir: gateway.dataDir };
}

describe('held-back attempts', () => {
  it("wait for the same gateway's attempt of their agreement, not a second in the queue", async () => {
    const waiting = await deliverHeldBack(10_000);
    expect(waiting.events).toBe(3500);
    expect(waiting.mostAtOnce).toBe(1);
    // One job per delivery: no attempt was held back into the queue.
    expect(waiting.jobs).toBe(4);

    // Without the wait, the workers that took the other deliveries put them back.
    const requeued = await deliverHeldBack(0, waiting.dataDir);
    expect(requeued.events).toBe(3500);
    expect(requeued.mostAtOnce).toBe(1);
    expect(requeued.jobs).toBeGreaterThan(4);
  });
});
