import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type DatabaseHandle } from '../../src/db/database.js';
import {
  startRoundTripProxy,
  type RoundTrip,
  type RoundTripProxy,
} from '../support/round-trip-proxy.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #18, item 3: an eligibility check costs at most 3 round trips to PostgreSQL in steady
 * state, counting everything the request sets off — principal, requests per minute, daily quota,
 * rules, the decision, the audit event. Counted on the wire: the gateway reaches PostgreSQL only
 * through a proxy that reads the frontend protocol (tests/support/round-trip-proxy.ts), so every
 * pool, the LISTEN connection and anything else the gateway opens is seen.
 *
 * What the three are: the quota admission with the requests per minute (usage limiter's pool),
 * the decision with the snapshot's as-of date and the rule's current version (read pool), and
 * the audit event (one statement on the audit writer's fast path).
 */
let db: TestDatabase;
let proxy: RoundTripProxy;
let runtime: DatabaseHandle;
let gateway: TestGateway;
let access: DemoAccess;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  const target = new URL(db.runtime.url);
  proxy = await startRoundTripProxy({ host: target.hostname, port: Number(target.port) });
  runtime = connect(proxy.via(db.runtime.url), { max: 10 });
  gateway = await startTestGateway({ ...db, runtime });
  access = await demoAccess(db, gateway);
});
afterAll(async () => {
  await gateway?.close();
  await runtime?.close();
  await proxy?.close();
  await db?.close();
});

const BUDI = '3201011505809001';
const SITI = '3201015508829002';
const SINGLE =
  'query($nik: NIK!) { eligibility(nik: $nik, program: PKH) { eligible reason decisionId dataAsOf ruleVersion subjectRef } }';
const BATCH =
  'query($niks: [NIK!]!) { eligibilityBatch(niks: $niks, program: PKH) { eligible reason decisionId subjectRef } }';

/** The gateway's own timer, not a request's: it looks for a new snapshot every 30 s. */
const WARMER_CHECK = 'SELECT id::int AS id FROM snapshot ORDER BY id DESC LIMIT 1';

/** Longer than the usage limiter's flush interval (200 ms): what a request sets off is seen. */
const SETTLE_MS = 400;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Every round trip from before the request until what it set off has settled. */
async function roundTripsOf(request: () => Promise<unknown>): Promise<{ trips: RoundTrip[] }> {
  await settle();
  proxy.clear();
  await request();
  await settle();
  const trips = proxy.trips.filter(
    (t) => !(t.statements.length === 1 && t.statements[0]!.trim() === WARMER_CHECK),
  );
  return { trips };
}

/** The round trips, one a line, for assertion messages. */
function listed(trips: readonly RoundTrip[]): string {
  return trips
    .map((t, i) => {
      const text = t.statements.map((s) => s.replace(/\s+/g, ' ').trim().slice(0, 120));
      return `${i + 1}. [connection ${t.connection}, ${t.kind}] ${text.join(' ⏎ ')}`;
    })
    .join('\n');
}

/** NIKs in the fixture's region pattern, most of them unknown: decided all the same. */
function batchOf(n: number, seed: number): string[] {
  const niks = [BUDI, SITI];
  for (let i = 0; niks.length < n; i++) {
    niks.push(`320101${String(seed * 100_000 + i).padStart(10, '0')}`);
  }
  return niks;
}

async function headers() {
  return access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
}

async function check(nik: string): Promise<{ ruleVersion: number }> {
  const r = await graphql(gateway, SINGLE, { variables: { nik }, headers: await headers() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data as { eligibility: { ruleVersion: number } }).eligibility;
}

async function checkBatch(niks: string[]): Promise<void> {
  const r = await graphql(gateway, BATCH, { variables: { niks }, headers: await headers() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect((r.body.data as { eligibilityBatch: unknown[] }).eligibilityBatch).toHaveLength(
    niks.length,
  );
}

describe('round trips of an eligibility check (issue #18, item 3)', () => {
  it('a single check costs at most 3, requests per minute counted among them', async () => {
    // Warm up: the client's principal, the rules, the pools' connections, the audit chain head.
    await check(BUDI);
    await check(SITI);
    const { trips } = await roundTripsOf(() => check(BUDI));
    expect(trips.length, listed(trips)).toBeLessThanOrEqual(3);
    // The requests per minute went along with the quota admission and reached the shared counter.
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT sum(requests)::int AS n FROM rate_window WHERE client_id = 'kemensos-bansos'",
    );
    expect(rows[0]!.n).toBe(3);
  });

  it('a batch of 100 NIKs costs at most 3', async () => {
    await checkBatch(batchOf(100, 1));
    const { trips } = await roundTripsOf(() => checkBatch(batchOf(100, 2)));
    expect(trips.length, listed(trips)).toBeLessThanOrEqual(3);
  });

  it('a batch of 1,000 NIKs or more costs at most 3 and the recording of its reserved subjects', async () => {
    // Far from the quota a large batch reserves room in one short statement and its subjects are
    // recorded by another that the answer does not wait for (src/auth/usage-limiter.ts): a
    // 10,000-row insert kept off the batch's critical path, at the price of a fourth round trip.
    await checkBatch(batchOf(1_000, 3));
    const { trips } = await roundTripsOf(() => checkBatch(batchOf(1_000, 4)));
    const recording = trips.filter((t) => /INSERT INTO daily_subject/.test(t.statements.join()));
    expect(recording, listed(trips)).toHaveLength(1);
    expect(trips.length - recording.length, listed(trips)).toBeLessThanOrEqual(3);
  });

  it('stays at 3 once the cached rules are older than 10 s: the decision checks the version', async () => {
    await check(BUDI);
    // Only Date is faked, and it moves on in real time: every cache's clock is 11 s later.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime(Date.now() + 11_000);
      const { trips } = await roundTripsOf(() => check(SITI));
      expect(trips.length, listed(trips)).toBeLessThanOrEqual(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('decides under a new rule version at once, and is back to 3 after', async () => {
    expect((await check(BUDI)).ruleVersion).toBe(1);
    await db.pool.query(
      `INSERT INTO eligibility_rule (program, version, rule, description)
       SELECT program, 2, rule, description FROM eligibility_rule WHERE program = 'PKH' AND version = 1`,
    );
    try {
      // The cached rule (version 1) is no longer current: decided again under version 2.
      expect((await check(BUDI)).ruleVersion).toBe(2);
      const { trips } = await roundTripsOf(async () =>
        expect((await check(SITI)).ruleVersion).toBe(2),
      );
      expect(trips.length, listed(trips)).toBeLessThanOrEqual(3);
    } finally {
      await db.pool.query("DELETE FROM eligibility_rule WHERE program = 'PKH' AND version = 2");
    }
  });
});
