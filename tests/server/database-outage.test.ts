import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { connect, type DatabaseHandle } from '../../src/db/database.js';
import { publicKeysOf } from '../support/audit-keys.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #11, items 1–2: the gateway survives its database. Between the gateway and PostgreSQL runs
 * a TCP forwarder the test can cut (tests/support/tcp-proxy.ts); the database, the gateway and its
 * pools, LISTEN connection, usage limiter and audit writer are the real ones. The gateway runs in
 * this test process: an unhandled `'error'` of a pg client would end it and fail the file.
 */
let db: TestDatabase;
let proxy: TcpProxy;
let runtime: DatabaseHandle;
let gateway: TestGateway;
let access: DemoAccess;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  const target = new URL(db.runtime.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
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

const PERSON = '{ person(nik: "3201011505809001") { name } }';

/** One request of each kind of client, as (label, request). */
function everyKindOfRequest() {
  return [
    [
      'local government',
      async () => graphql(gateway, PERSON, await asClient('pemda-3201', 'VERIVALI')),
    ],
    [
      'ministry',
      async () =>
        graphql(
          gateway,
          '{ eligibility(nik: "3201011505809001", program: PBI_JK) { eligible } }',
          await asClient('kemenkes-pbi', 'PBI_JK_VERIFICATION'),
        ),
    ],
    [
      'researcher',
      async () =>
        graphql(
          gateway,
          '{ statistics(query: { measure: HOUSEHOLDS }) { cells { value } } }',
          await asClient('bps-researcher', 'RESEARCH'),
        ),
    ],
    [
      'any client',
      async () => graphql(gateway, '{ me { clientId } }', await asClient('pemda-3201')),
    ],
  ] as const;
}

async function asClient(clientId: string, purpose?: string) {
  return { headers: await access.as(clientId, purpose) };
}

async function waitUntil(what: string, condition: () => Promise<boolean>, ms = 10_000) {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function listening(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND usename = $1 AND query LIKE 'LISTEN%'`,
    [new URL(db.runtime.url).username],
  );
  return rows[0]!.n;
}

describe('while the database is unreachable', () => {
  it('answers every GraphQL request 503 SERVICE_UNAVAILABLE, /readyz 503 and /healthz 200', async () => {
    expect((await graphql(gateway, PERSON, await asClient('pemda-3201', 'VERIVALI'))).status).toBe(
      200,
    );
    proxy.down();
    try {
      await waitUntil('/readyz reports the outage', async () => {
        return (await fetch(`${gateway.url}/readyz`)).status === 503;
      });
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      for (const [label, request] of everyKindOfRequest()) {
        const r = await request();
        expect(r.status, label).toBe(503);
        expect(r.headers.get('retry-after'), label).toBe('2');
        expect(
          r.body.errors?.map((e) => e.extensions?.code),
          label,
        ).toEqual(['SERVICE_UNAVAILABLE']);
        expect(r.body.data ?? null, label).toBeNull();
      }
      const token = await fetch(`${gateway.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'pemda-3201',
          client_secret: access.secrets['pemda-3201']!,
        }),
      });
      expect(token.status).toBe(503);
      expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });
      // The DCI door answers in its own envelope.
      const now = new Date().toISOString();
      const dci = await fetch(`${gateway.url}/dci/registry/sync/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await asClient('pemda-3201')).headers },
        body: JSON.stringify({
          header: {
            message_id: 'm-outage',
            message_ts: now,
            action: 'search',
            sender_id: 'sp-mis',
            total_count: 1,
          },
          message: {
            transaction_id: 't-outage',
            search_request: [
              {
                reference_id: 'r1',
                timestamp: now,
                search_criteria: {
                  query_type: 'idtype-value',
                  query: { type: 'NIN', value: '3201011505809001' },
                },
              },
            ],
          },
        }),
      });
      expect(dci.status).toBe(503);
      expect(await dci.json()).toMatchObject({
        message: { ack_status: 'ERR', error: { code: 'err.service.unavailable' } },
      });
    } finally {
      proxy.up();
    }
  });

  it('recovers by itself when it returns: pools reconnect, LISTEN again, audit resumes', async () => {
    proxy.down();
    await waitUntil('the outage is seen', async () => (await listening()) === 0);
    proxy.up();
    const started = Date.now();
    await waitUntil('service is back', async () => {
      const r = await graphql(gateway, PERSON, await asClient('pemda-3201', 'VERIVALI'));
      return r.status === 200;
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitUntil('the policy listener subscribed again', async () => (await listening()) === 1);
    for (const [label, request] of everyKindOfRequest()) {
      const r = await request();
      expect(r.status, label).toBe(200);
      expect(r.body.errors, label).toBeUndefined();
    }
    // The disclosure above was audited: the writer works again, and the chain holds.
    const requestId = `after-outage-${Date.now()}`;
    const { headers } = await asClient('pemda-3201', 'VERIVALI');
    const r = await graphql(gateway, PERSON, {
      headers: { ...headers, 'x-request-id': requestId },
    });
    expect(r.body.data).toEqual({ person: { name: 'Budi Santoso' } });
    const { rows } = await db.pool.query(
      "SELECT outcome FROM audit_event WHERE request_id = $1 AND outcome = 'DISCLOSED'",
      [requestId],
    );
    expect(rows).toHaveLength(1);
    expect(
      await verifyAuditChain(db.pool, { publicKeys: await publicKeysOf(gateway.dataDir) }),
    ).toMatchObject({ ok: true });
  });
});

describe('connections lost under load', () => {
  it('survives its backends being terminated between and during queries: only 200 or 503', async () => {
    const statuses = new Map<number, number>();
    const okWithErrors: string[] = [];
    let stop = false;
    const { headers } = await asClient('pemda-3201', 'VERIVALI');
    const worker = async () => {
      while (!stop) {
        const r = await graphql(gateway, PERSON, { headers });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200 && r.body.errors) okWithErrors.push(JSON.stringify(r.body.errors));
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    const role = new URL(db.runtime.url).username;
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await db.pool.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()',
        [role],
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(workers);
    expect([...statuses.keys()].sort()).toEqual(
      statuses.has(503) ? [200, 503] : [200], // never 500, never a reset socket (fetch would throw)
    );
    expect(statuses.get(200), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(okWithErrors).toEqual([]); // a fault mid-request answers 503, never 200 with an error
    const after = await graphql(gateway, PERSON, { headers });
    expect(after.body.data).toEqual({ person: { name: 'Budi Santoso' } });
  });
});
