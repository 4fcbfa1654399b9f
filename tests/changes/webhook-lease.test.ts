import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { webhookStore } from '../../src/db/scoped/webhook-store.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

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
