import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as countAuditUsage } from '../../src/db/migrations/0030-audit-usage.js';
import { grantRuntimeRights } from '../../src/db/runtime-role.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import {
  OPS_DASHBOARD,
  OPS_NO_SCOPE,
  registerOperationsClients,
} from '../support/monitoring-fixture.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { daysAgo, NIK, TODAY } from '../support/verification-fixture.js';

/**
 * `gatewayUse` (issue #13) against the audit log, privacy ledger and quota counters read directly
 * after a known mix of requests: answered, refused (scope, purpose, token), a researcher's ε, a
 * ministry's checks. Never an officer, a request id, a subject hash or a NIK in the answer.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;

const OFFICER = 'petugas-rahasia-77';
const REQUEST_ID = 'req-rahasia-0001';
const FROM = daysAgo(1);

const USE = `query Use($from: Date!, $to: Date!) {
  gatewayUse(from: $from, to: $to) {
    from to
    requests { day agencyId agencyName purpose outcome count }
    operations { operation outcome count }
    refusals { errorCode agencyId agencyName count }
    privacyBudget { snapshotId snapshotAsOf clientId agencyId agencyName epsilonSpent epsilonBudget epsilonRemaining }
    globalPrivacyBudget { snapshotId snapshotAsOf epsilonSpent epsilonBudget epsilonRemaining }
    quotaUse { day agreementId agencyId agencyName distinctSubjects reserved dailyQuota share }
  }
}`;

interface Use {
  requests: Array<{
    day: string;
    agencyId: string | null;
    purpose: string | null;
    outcome: string;
    count: number;
  }>;
  operations: Array<{ operation: string; outcome: string; count: number }>;
  refusals: Array<{ errorCode: string; agencyId: string | null; count: number }>;
  privacyBudget: Array<Record<string, unknown>>;
  globalPrivacyBudget: Array<Record<string, unknown>>;
  quotaUse: Array<Record<string, unknown>>;
}

async function send(clientId: string | null, query: string, headers: Record<string, string> = {}) {
  const base = clientId === null ? {} : await access.as(clientId);
  return graphql(gateway, query, { headers: { ...base, ...headers } });
}

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  await registerOperationsClients(db);

  // Answered, with an officer and a request id of the client's own.
  const person = await send('pemda-3201', `{ person(nik: "${NIK.BUDI}") { name } }`, {
    'x-purpose': 'VERIVALI',
    'x-officer-id': OFFICER,
    'x-request-id': REQUEST_ID,
  });
  expect(person.body.errors).toBeUndefined();
  // Refused by the gate, and for a purpose that is a NIK (a client may type anything there).
  await send('pemda-3201', '{ statistics(query: { measure: HOUSEHOLDS }) { method } }', {
    'x-purpose': 'VERIVALI',
  });
  const nikPurpose = await send('pemda-3201', `{ person(nik: "${NIK.BUDI}") { name } }`, {
    'x-purpose': NIK.SITI,
  });
  expect(nikPurpose.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
  // Not authenticated.
  await send(null, '{ me { clientId } }', { authorization: 'Bearer not-a-token' });
  // A researcher spends ε 0.1; a ministry checks two NIKs.
  const stats = await send(
    'bps-researcher',
    '{ statistics(query: { measure: HOUSEHOLDS, groupBy: [DECILE], epsilon: 0.1 }) { epsilonSpent } }',
    { 'x-purpose': 'RESEARCH' },
  );
  expect(stats.body.errors).toBeUndefined();
  const checks = await send(
    'kemenkes-pbi',
    `{ eligibilityBatch(niks: ["${NIK.BUDI}", "${NIK.SITI}", "${NIK.BUDI}"], program: PBI_JK) { eligible } }`,
    { 'x-purpose': 'PBI_JK_VERIFICATION' },
  );
  expect(checks.body.errors).toBeUndefined();
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

async function gatewayUse(from = FROM, to = TODAY): Promise<Use> {
  const r = await graphql(gateway, USE, {
    variables: { from, to },
    headers: await access.as(OPS_DASHBOARD, 'MONITORING'),
  });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { gatewayUse: Use }).gatewayUse;
}

/** The audit log as it stands, read as the owner and grouped here in JavaScript. */
async function auditRows() {
  const { rows } = await db.pool.query<{
    at: Date;
    agency: string | null;
    purpose: string | null;
    outcome: string;
    error_code: string | null;
    operation: string;
  }>(
    `SELECT e.at, COALESCE(e.agency_id, c.agency_id) AS agency, e.purpose, e.outcome, e.error_code,
            e.operation
       FROM audit_event e LEFT JOIN client c ON c.id = e.client_id ORDER BY e.id`,
  );
  const purposes = new Set(DEMO_CLIENTS.flatMap((c) => c.purposes));
  return rows.map((r) => ({
    ...r,
    day: new Date(r.at.getTime() + 7 * 3600_000).toISOString().slice(0, 10),
    purpose: r.purpose === null ? null : purposes.has(r.purpose) ? r.purpose : 'UNRECOGNIZED',
  }));
}

function tally<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

describe('gatewayUse', () => {
  it('counts audited requests per day, agency, purpose and outcome as the audit log holds them', async () => {
    const events = await auditRows();
    const use = await gatewayUse();
    const key = (r: {
      day: string;
      agency?: string | null;
      agencyId?: string | null;
      purpose: string | null;
      outcome: string;
    }) => [r.day, r.agency ?? r.agencyId ?? '-', r.purpose ?? '-', r.outcome].join('|');
    expect(new Map(use.requests.map((r) => [key(r), r.count]))).toEqual(tally(events, key));
    // The refused purpose is not repeated, and the unauthenticated call has no agency.
    expect(use.requests).toContainEqual(
      expect.objectContaining({
        agencyId: 'pemkab-bogor',
        purpose: 'UNRECOGNIZED',
        outcome: 'REFUSED',
      }),
    );
    expect(use.requests).toContainEqual(
      expect.objectContaining({ agencyId: null, outcome: 'REFUSED', count: 1 }),
    );
    expect(new Map(use.operations.map((o) => [`${o.operation}|${o.outcome}`, o.count]))).toEqual(
      tally(events, (e) => `${e.operation}|${e.outcome}`),
    );
  });

  it('counts refusals by error code and agency', async () => {
    const refused = (await auditRows()).filter((e) => e.outcome === 'REFUSED');
    const use = await gatewayUse();
    expect(
      new Map(use.refusals.map((r) => [`${r.errorCode}|${r.agencyId ?? '-'}`, r.count])),
    ).toEqual(tally(refused, (e) => `${e.error_code}|${e.agency ?? '-'}`));
    const codes = use.refusals.map((r) => r.errorCode).sort();
    expect(codes).toEqual(
      expect.arrayContaining(['FORBIDDEN', 'PURPOSE_NOT_ALLOWED', 'UNAUTHENTICATED']),
    );
  });

  it('reports the privacy budget spent per client and in all, on the snapshot served', async () => {
    const use = await gatewayUse();
    expect(use.privacyBudget).toEqual([
      {
        snapshotId: 1,
        snapshotAsOf: '2026-06-30',
        clientId: 'bps-researcher',
        agencyId: 'bps',
        agencyName: 'Badan Pusat Statistik',
        epsilonSpent: 0.1,
        epsilonBudget: 3,
        epsilonRemaining: 2.9,
      },
    ]);
    expect(use.globalPrivacyBudget).toEqual([
      {
        snapshotId: 1,
        snapshotAsOf: '2026-06-30',
        epsilonSpent: 0.1,
        epsilonBudget: 10,
        epsilonRemaining: 9.9,
      },
    ]);
  });

  it('reports daily quota use per agreement against its quota', async () => {
    const use = await gatewayUse();
    expect(use.quotaUse).toEqual([
      {
        day: TODAY,
        agreementId: 'kemenkes-pbi-pks',
        agencyId: 'kemenkes',
        agencyName: 'Kementerian Kesehatan',
        distinctSubjects: 2,
        reserved: 0,
        dailyQuota: 1_000_000,
        share: 2 / 1_000_000,
      },
    ]);
    // Days outside the range are not reported.
    const before = await gatewayUse(daysAgo(30), daysAgo(2));
    expect(before.quotaUse).toEqual([]);
    expect(before.requests).toEqual([]);
  });

  it('never names an officer, a request, a subject or a person', async () => {
    const text = JSON.stringify(await gatewayUse());
    const { rows } = await db.pool.query<{ subject: string }>(
      'SELECT DISTINCT unnest(subjects) AS subject FROM audit_event',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { subject } of rows) expect(text).not.toContain(subject);
    for (const secret of [OFFICER, REQUEST_ID, 'officer-of-', ...Object.values(NIK)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('refuses a range backwards or longer than 366 days', async () => {
    for (const [from, to] of [
      [TODAY, daysAgo(1)],
      ['2024-01-01', '2025-01-05'],
    ]) {
      const r = await graphql(gateway, USE, {
        variables: { from, to },
        headers: await access.as(OPS_DASHBOARD, 'MONITORING'),
      });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('is refused without operations:read, and audited when answered', async () => {
    for (const [clientId, purpose] of [
      [OPS_NO_SCOPE, 'MONITORING'],
      ['bps-researcher', 'RESEARCH'],
      ['pemda-3201', 'VERIVALI'],
    ] as const) {
      const r = await graphql(gateway, USE, {
        variables: { from: FROM, to: TODAY },
        headers: await access.as(clientId, purpose),
      });
      expect(
        r.body.errors?.map((e) => e.extensions?.code),
        clientId,
      ).toEqual(['FORBIDDEN']);
    }
    await gatewayUse('2026-01-01', '2026-01-31');
    const { rows } = await db.pool.query(
      `SELECT outcome, subjects, officer_id IS NOT NULL AS has_officer, decision_ids FROM audit_event
        WHERE operation = 'query:gatewayUse' AND outcome = 'DISCLOSED' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({
      outcome: 'DISCLOSED',
      subjects: [],
      has_officer: true,
      decision_ids: ['OPERATIONS:gatewayUse:from=2026-01-01;to=2026-01-31'],
    });
  });

  it('counts the events logged before the hourly counts existed (migration 0030 counts them)', async () => {
    await db.db.transaction().execute(async (trx) => {
      await sql`DROP TABLE audit_usage`.execute(trx);
      await countAuditUsage(trx as unknown as Kysely<unknown>);
    });
    await grantRuntimeRights(db.db);
    const events = await auditRows();
    // Another range than the tests above: not an answer the gateway kept for 15 s.
    const use = await gatewayUse(daysAgo(2), TODAY);
    expect(new Map(use.operations.map((o) => [`${o.operation}|${o.outcome}`, o.count]))).toEqual(
      tally(events, (e) => `${e.operation}|${e.outcome}`),
    );
    // And the requests after it are counted on top, by the audit writer.
    const after = await auditRows();
    expect(after.length).toBe(events.length + 1);
    const again = await gatewayUse(daysAgo(3), TODAY);
    expect(again.operations.reduce((a, o) => a + o.count, 0)).toBe(after.length);
  });

  it('reads a range of the audit log through its time index (migration 0016)', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT count(*) FROM audit_event
          WHERE at >= '2026-01-01'::timestamptz AND at < '2026-01-02'::timestamptz`,
      );
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('audit_event_at_idx');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
