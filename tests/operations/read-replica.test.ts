import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/database.js';
import { AS_OF, importText, validSnapshot, withLine } from '../support/snapshot-fixture.js';
import { startStreamingReplica, type StreamingReplica } from '../support/streaming-replica.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #19, item 3: a real streaming replica (the embedded package's binaries, a low-level base
 * backup) behind `DATABASE_READ_URL`. Reads go there and writes and the audit to the primary; a
 * request reads one server from start to end, so it never mixes the snapshot the primary swapped
 * in with the one the lagging replica still serves; a replica that lags past the bound or goes
 * down is left for the primary, and taken back when it has caught up.
 */
// Longer than the import of snapshot B below takes on a loaded CI machine (the replica's lag
// counts from the first position the primary writes during that import, publishing included).
const MAX_LAG_MS = 8_000;
const AS_OF_B = '2026-09-30';
/** H1's decile in snapshot A (the fixture) and in snapshot B. */
const DECILE = { [AS_OF]: 2, [AS_OF_B]: 4 } as Record<string, number>;

let cluster: StreamingReplica;
let database: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let replicaAdmin: pg.Client;
let distance: TcpProxy;

beforeAll(async () => {
  cluster = await startStreamingReplica();
  await importText(cluster.primary, validSnapshot());
  // The gateway serves as the runtime role: on the primary, and on the replica for its reads,
  // which is 20 ms away, so that the statements of one request are spread out in time.
  const replica = new URL(cluster.replicaRuntimeUrl);
  distance = await startTcpProxy(
    { host: replica.hostname, port: Number(replica.port) },
    { latencyMs: 20 },
  );
  const runtime = connect(cluster.primary.runtime.url, {
    max: 10,
    readUrl: distance.via(cluster.replicaRuntimeUrl),
  });
  database = { ...cluster.primary, runtime };
  gateway = await startTestGateway(database, {
    readReplica: { maxLagMs: MAX_LAG_MS, checkEveryMs: 200 },
  });
  access = await demoAccess(database, gateway);
  replicaAdmin = await cluster.replicaAdmin();
  await until(async () => (await replicaInUse()) === 1, 'the replica to be taken into use');
}, 120_000);

afterAll(async () => {
  await replicaAdmin?.end().catch(() => {});
  await gateway?.close(1_000);
  await database?.runtime.close();
  await distance?.close();
  await cluster?.close();
}, 60_000);

/**
 * One request of several statements: the snapshot, a household, a page, and a person (H3's head)
 * whose household is read after the person, one round trip later.
 */
const READS = `{
  snapshot { asOf }
  household(id: "H1") { dataAsOf decile }
  person(nik: "3201010707509005") { household { dataAsOf } }
  households(first: 5) { dataAsOf edges { node { id decile } } }
}`;

interface Reads {
  snapshot: { asOf: string };
  household: { dataAsOf: string; decile: number };
  person: { household: { dataAsOf: string } };
  households: { dataAsOf: string; edges: { node: { id: string; decile: number | null } }[] };
}

/** The snapshot a request read, after checking every part of it read that same one. */
async function snapshotRead(): Promise<string> {
  const r = await graphql(gateway, READS, { headers: await access.as('pemda-3201', 'VERIVALI') });
  expect(r.status, JSON.stringify(r.body.errors)).toBe(200);
  expect(r.body.errors).toBeUndefined();
  const d = r.body.data as Reads;
  const asOf = d.snapshot.asOf;
  const h1 = d.households.edges.find((e) => e.node.id === 'H1')!.node;
  expect(
    [d.household.dataAsOf, d.person.household.dataAsOf, d.households.dataAsOf],
    'every statement of the request read the same snapshot',
  ).toEqual([asOf, asOf, asOf]);
  expect([d.household.decile, h1.decile]).toEqual([DECILE[asOf], DECILE[asOf]]);
  return asOf;
}

async function replicaInUse(): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(/^dtks_read_replica_in_use (\d)/m.exec(text)?.[1]);
}

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const auditEvents = async () =>
  Number(
    (await cluster.primary.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_event'))
      .rows[0]!.n,
  );

describe('a gateway with a streaming read replica', () => {
  it('reads from the replica, writes and audits on the primary, and never mixes two snapshots across a lagging swap', async () => {
    expect(await snapshotRead()).toBe(AS_OF);
    // Replay stops: the replica keeps serving snapshot A while the primary swaps in B.
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    const b = validSnapshot();
    b.households = withLine(
      b.households,
      2,
      b.households.split('\n')[1]!.replace(/^H1,(\d+),(\d+),("[^"]*"),2,/, 'H1,$1,$2,$3,4,'),
    );
    await importText(cluster.primary, b, AS_OF_B);
    const audited = await auditEvents();
    // Within the bound, reads still come from the replica (the primary serves B already)…
    expect(await snapshotRead()).toBe(AS_OF);
    // …while the request's audit event was written to the primary.
    expect(await auditEvents()).toBe(audited + 1);
    // An eligibility check writes its quota and audit on the primary and reads on the replica.
    const check = await graphql(
      gateway,
      '{ eligibility(nik: "3201015508829002", program: PBI_JK) { eligible dataAsOf } }',
      { headers: await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION') },
    );
    expect(check.body.errors).toBeUndefined();
    expect((check.body.data as { eligibility: { dataAsOf: string } }).eligibility.dataAsOf).toBe(
      AS_OF,
    );

    // Many requests while the lag crosses the bound and reads move to the primary: each one
    // reads a single snapshot, whichever it is.
    const seen = new Set<string>();
    let moved = false;
    const loops = Promise.allSettled(
      Array.from({ length: 8 }, async () => {
        while (!moved || !seen.has(AS_OF_B)) seen.add(await snapshotRead());
      }),
    );
    await until(async () => (await replicaInUse()) === 0, 'reads to leave the lagging replica');
    moved = true;
    const failed = (await loops).filter((r) => r.status === 'rejected');
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(seen).toEqual(new Set([AS_OF, AS_OF_B]));
    expect(await snapshotRead()).toBe(AS_OF_B);

    // Replay resumes: once the replica has caught up, reads go back to it.
    await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    await until(async () => (await replicaInUse()) === 1, 'the replica to be taken back');
    expect(await snapshotRead()).toBe(AS_OF_B);
  }, 90_000);

  it('falls back to the primary while the replica is down, and takes it back when it returns', async () => {
    await cluster.stopReplica();
    await until(async () => (await replicaInUse()) === 0, 'reads to leave the stopped replica');
    for (let i = 0; i < 5; i++) expect(await snapshotRead()).toBe(AS_OF_B);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);

    await cluster.startReplica();
    await until(async () => (await replicaInUse()) === 1, 'the restarted replica to be taken back');
    // Shown to be the replica again: with its replay paused, a change on the primary is not read.
    const admin = await cluster.replicaAdmin();
    try {
      await admin.query('SELECT pg_wal_replay_pause()');
      await cluster.primary.pool.query(`UPDATE household SET decile = 7 WHERE household_id = 'H1'`);
      expect(await snapshotRead()).toBe(AS_OF_B);
    } finally {
      await admin.query('SELECT pg_wal_replay_resume()');
      await admin.end();
    }
  }, 90_000);

  it('does not read from a replica it has not yet seen catch up: a gateway starting beside one far behind reads the primary', async () => {
    const admin = await cluster.replicaAdmin();
    let late: TestGateway | undefined;
    try {
      await admin.query('SELECT pg_wal_replay_pause()');
      await cluster.primary.pool.query(`UPDATE household SET decile = 4 WHERE household_id = 'H1'`);
      // A second gateway starts now: it knows nothing of how far behind the replica is.
      late = await startTestGateway(database, {
        dataDir: gateway.dataDir,
        readReplica: { maxLagMs: 60_000, checkEveryMs: 200 },
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const text = await (await fetch(`${late.url}/metrics`)).text();
      expect(text).toMatch(/^dtks_read_replica_in_use 0$/m);
      // Its reads come from the primary (decile 4), not the paused replica (7).
      const r = await graphql(late, '{ household(id: "H1") { decile } }', {
        headers: await access.as('pemda-3201', 'VERIVALI'),
      });
      expect(r.body.data).toEqual({ household: { decile: 4 } });
    } finally {
      await admin.query('SELECT pg_wal_replay_resume()');
      await admin.end();
      await late?.close(1_000);
    }
  }, 60_000);
});
