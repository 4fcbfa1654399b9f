import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import type { Gateway } from '../../src/server/gateway.js';
import { publicKeysOf } from '../support/audit-keys.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #19, item 2: three gateway processes on one PostgreSQL, as behind a load balancer. Each
 * has its own pools, usage limiter, policy listener and audit writer; they share the database and
 * the keys (DTKS_DATA_DIR). Across them: rate limits hold within one flush window and daily quotas
 * and privacy budgets exactly, a revocation reaches all of them, the audit log stays one chain,
 * and a cursor one issued works in another.
 */
let db: TestDatabase;
let dataDir: string;
let access: DemoAccess;
const processes: ChildProcess[] = [];
let gateways: Gateway[] = [];

function startGatewayProcess(): Promise<Gateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/gateway-process.ts'], {
    env: { ...process.env, RUNTIME_URL: db.runtime.url, DTKS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => reject(new Error(`gateway process exited ${code}: ${err}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}` } as Gateway);
    });
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-three-'));
  access = await demoAccess(db, { dataDir } as TestGateway);
  // Limits small enough to reach: before the gateways start, so none has the old ones cached.
  await db.pool.query(
    `UPDATE agreement SET rate_limit_per_minute = 60
      WHERE id = (SELECT agreement_id FROM client WHERE id = 'gateway-admin')`,
  );
  await db.pool.query(
    `UPDATE agreement SET daily_quota = 20
      WHERE id = (SELECT agreement_id FROM client WHERE id = 'kemenkes-pbi')`,
  );
  await db.pool.query(
    `UPDATE agreement SET privacy_budget = 1.0
      WHERE id = (SELECT agreement_id FROM client WHERE id = 'bps-researcher')`,
  );
  gateways = await Promise.all([
    startGatewayProcess(),
    startGatewayProcess(),
    startGatewayProcess(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.removeAllListeners('exit');
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await db?.close();
});

const codeOf = (r: Awaited<ReturnType<typeof graphql>>) =>
  r.status === 429 ? 'RATE_LIMITED' : (r.body.errors?.[0]?.extensions?.code ?? 'OK');

describe('three gateways on one database', () => {
  it('hold a rate limit together: each admitted request counted once, all refuse after one flush window', async () => {
    // The whole test inside one minute's window of the limiter.
    const second = new Date().getSeconds();
    if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const headers = await access.as('gateway-admin');
    const codes: string[] = [];
    for (let i = 0; i < 120; i++) {
      codes.push(codeOf(await graphql(gateways[i % 3]!, '{ me { clientId } }', { headers })));
    }
    const served = codes.filter((c) => c === 'OK').length;
    expect(codes.filter((c) => c !== 'OK' && c !== 'RATE_LIMITED')).toEqual([]);
    // At least the limit; past it only by what the others admitted before their next flush.
    expect(served).toBeGreaterThanOrEqual(60);
    expect(served).toBeLessThan(120);
    // After one flush window (200 ms) every process knows: all refuse.
    await new Promise((r) => setTimeout(r, 400));
    for (const g of gateways) {
      for (let i = 0; i < 3; i++) {
        expect((await graphql(g, '{ me { clientId } }', { headers })).status).toBe(429);
      }
    }
    // The shared counter holds every admitted request of the three, once.
    await new Promise((r) => setTimeout(r, 400));
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT sum(requests)::int AS n FROM rate_window WHERE client_id = 'gateway-admin'`,
    );
    expect(rows[0]!.n).toBe(served);
  });

  it('never pass a daily quota of distinct NIKs, whichever gateway checks them', async () => {
    const headers = await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION');
    const niks = Array.from({ length: 45 }, (_, i) => `32010101019${String(i).padStart(5, '0')}`);
    const answers = await Promise.all(
      niks.map((nik, i) =>
        graphql(gateways[i % 3]!, `{ eligibility(nik: "${nik}", program: PBI_JK) { eligible } }`, {
          headers: { ...headers, 'x-request-id': `quota-${i}` },
        }),
      ),
    );
    const codes = answers.map(codeOf);
    expect(codes.filter((c) => c !== 'OK' && c !== 'RATE_LIMITED')).toEqual([]);
    expect(codes.filter((c) => c === 'OK')).toHaveLength(20);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT max(distinct_subjects + reserved)::int AS n FROM daily_usage d
         JOIN client c ON c.agreement_id = d.agreement_id WHERE c.id = 'kemenkes-pbi'`,
    );
    expect(rows[0]!.n).toBe(20);
  });

  it('never overspend a privacy budget, whichever gateway answers', async () => {
    const headers = await access.as('bps-researcher', 'RESEARCH');
    const questions = [
      ['SEX'],
      ['PROVINCE'],
      ['AGE_BAND'],
      ['DECILE'],
      ['REGENCY'],
      ['SEX', 'PROVINCE'],
      ['SEX', 'AGE_BAND'],
      ['SEX', 'DECILE'],
      ['PROVINCE', 'AGE_BAND'],
      ['PROVINCE', 'DECILE'],
      ['AGE_BAND', 'DECILE'],
      ['REGENCY', 'SEX'],
    ];
    const answers = await Promise.all(
      questions.map((groupBy, i) =>
        graphql(
          gateways[i % 3]!,
          'query S($q: StatisticsQuery!) { statistics(query: $q) { epsilonSpent } }',
          { variables: { q: { measure: 'PERSONS', groupBy, epsilon: 0.25 } }, headers },
        ),
      ),
    );
    const codes = answers.map(codeOf);
    expect(codes.filter((c) => c !== 'OK' && c !== 'BUDGET_EXHAUSTED')).toEqual([]);
    expect(codes.filter((c) => c === 'OK')).toHaveLength(4);
    const { rows } = await db.pool.query<{ spent: number }>(
      `SELECT sum(epsilon_milli)::int AS spent FROM privacy_spend WHERE agency_id = 'bps'`,
    );
    expect(rows[0]!.spent).toBe(1000);
  });

  it('take a revocation in all of them', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    for (const g of gateways) {
      expect((await graphql(g, '{ me { clientId } }', { headers })).status).toBe(200);
    }
    await db.pool.query("UPDATE client SET revoked_at = now() WHERE id = 'pemda-3201'");
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3201')");
    await new Promise((r) => setTimeout(r, 300));
    try {
      for (const g of gateways) {
        expect((await graphql(g, '{ me { clientId } }', { headers })).status).toBe(401);
      }
    } finally {
      await db.pool.query("UPDATE client SET revoked_at = NULL WHERE id = 'pemda-3201'");
      await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3201')");
    }
    await new Promise((r) => setTimeout(r, 300));
  });

  it('take each other’s cursors', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const PAGE = `query P($after: String) {
      households(first: 1, after: $after, orderBy: LAST_VERIFIED) {
        edges { node { id } } pageInfo { endCursor hasNextPage }
      }
    }`;
    type Page = {
      households: {
        edges: { node: { id: string } }[];
        pageInfo: { endCursor: string; hasNextPage: boolean };
      };
    };
    const first = await graphql(gateways[0]!, PAGE, { headers });
    expect(first.body.errors).toBeUndefined();
    const { endCursor: cursor, hasNextPage } = (first.body.data as Page).households.pageInfo;
    expect(hasNextPage).toBe(true);
    const pages = await Promise.all(
      gateways.map((g) => graphql(g, PAGE, { headers, variables: { after: cursor } })),
    );
    for (const p of pages) expect(p.body.errors).toBeUndefined();
    const ids = pages.map((p) => (p.body.data as Page).households.edges.map((e) => e.node.id));
    expect(ids[0]!.length).toBeGreaterThan(0);
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
  });

  it('keep one audit chain, written by all three', async () => {
    // Every eligibility check of the quota test was audited, by the gateway that answered it.
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE request_id LIKE 'quota-%'`,
    );
    expect(rows[0]!.n).toBe(45);
    expect(
      await verifyAuditChain(db.pool, { publicKeys: await publicKeysOf(dataDir) }),
    ).toMatchObject({ ok: true });
  });
});
