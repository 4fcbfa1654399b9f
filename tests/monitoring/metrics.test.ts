import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS } from '../../src/auth/agreement.js';
import { ROOT_FIELD_POLICY } from '../../src/auth/operation-policy.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { GATEWAY_ERROR_CODES } from '../../src/errors/gateway-errors.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * `GET /metrics` (issue #19, item 1; CONTRACT §14): the Prometheus text of a real gateway after a
 * known mix of requests. Counts per root field, client kind and code; refusals; the audit, pools,
 * turns, snapshot and privacy budget. No NIK, officer, request id, purpose or query text in it,
 * and every label value from a closed set.
 */
let db: TestDatabase;
let gateway: TestGateway;
let protectedGateway: TestGateway;
let access: DemoAccess;

const NIK = '3201011505809001';
const OFFICER = 'petugas-metrik-0042';
const REQUEST_ID = 'req-metrik-rahasia-0001';
const TYPED_PURPOSE = 'TUJUAN_KARANGAN';
const TOKEN = 'metrics-token-0123456789';

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  gateway = await startTestGateway(db);
  protectedGateway = await startTestGateway(db, {
    dataDir: gateway.dataDir,
    metrics: { port: 0, token: TOKEN },
  });
  access = await demoAccess(db, gateway);
});
afterAll(async () => {
  await protectedGateway?.close();
  await gateway?.close();
  await db?.close();
});

async function scrape(url = `${gateway.url}/metrics`, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  };
}

/** The value of one series, or undefined when it is not there. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('counts requests per root field, client kind and outcome, refusals, ε, the audit and the pools', async () => {
    const pemda = { ...(await access.as('pemda-3201', 'VERIVALI')), 'x-officer-id': OFFICER };
    const asked = await graphql(gateway, `{ person(nik: "${NIK}") { name } }`, {
      headers: { ...pemda, 'x-request-id': REQUEST_ID },
    });
    expect(asked.body.errors).toBeUndefined();
    const wrongPurpose = await graphql(gateway, `{ person(nik: "${NIK}") { name } }`, {
      headers: { ...pemda, 'x-purpose': TYPED_PURPOSE },
    });
    expect(wrongPurpose.status).toBe(403);
    const unauthenticated = await graphql(gateway, '{ me { clientId } }');
    expect(unauthenticated.status).toBe(401);
    const unknownField = await graphql(gateway, '{ nosuchrootfield }', { headers: pemda });
    expect(unknownField.status).toBe(400);
    const stats = await graphql(
      gateway,
      'query S($q: StatisticsQuery!) { statistics(query: $q) { epsilonSpent } }',
      {
        variables: { q: { measure: 'PERSONS', groupBy: ['SEX'], epsilon: 0.25 } },
        headers: await access.as('bps-researcher', 'RESEARCH'),
      },
    );
    expect(stats.body.errors).toBeUndefined();

    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const codeOf = (r: typeof wrongPurpose) => r.body.errors![0]!.extensions!.code!;
    expect(
      value(
        text,
        'dtks_graphql_field_requests_total{field="person",client_kind="LOCAL_GOV",code="OK"}',
      ),
    ).toBe(1);
    expect(
      value(
        text,
        `dtks_graphql_field_requests_total{field="person",client_kind="LOCAL_GOV",code="${codeOf(wrongPurpose)}"}`,
      ),
    ).toBe(1);
    expect(
      value(text, `dtks_refusals_total{code="${codeOf(wrongPurpose)}",client_kind="LOCAL_GOV"}`),
    ).toBe(1);
    expect(
      value(text, 'dtks_refusals_total{code="UNAUTHENTICATED",client_kind="unauthenticated"}'),
    ).toBe(1);
    expect(
      value(
        text,
        'dtks_graphql_field_requests_total{field="other",client_kind="LOCAL_GOV",code="GRAPHQL_VALIDATION_FAILED"}',
      ),
    ).toBe(1);
    expect(
      value(
        text,
        'dtks_graphql_field_request_duration_seconds_count{field="person",client_kind="LOCAL_GOV"}',
      ),
    ).toBe(2);
    expect(value(text, 'dtks_privacy_epsilon_spent_total{agency="bps"}')).toBeCloseTo(0.25, 6);
    // The person, its refusal and the statistics answer were audited (and committed).
    expect(value(text, 'dtks_audit_events_total{result="ok"}')).toBeGreaterThanOrEqual(3);
    expect(value(text, 'dtks_audit_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'dtks_audit_queue_depth')).toBe(0);
    expect(value(text, 'dtks_db_pool_connections{pool="primary",state="total"}')).toBeGreaterThan(
      0,
    );
    expect(value(text, 'dtks_db_pool_connections{pool="audit",state="total"}')).toBeGreaterThan(0);
    expect(value(text, 'dtks_admission_requests{state="waiting"}')).toBe(0);
    expect(value(text, 'dtks_admission_wait_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(value(text, 'dtks_snapshot_import_seconds{phase="load"}')).toBeGreaterThan(0);
    expect(value(text, 'dtks_snapshot_import_seconds{phase="publish"}')).toBeGreaterThan(0);
    expect(value(text, 'dtks_http_requests_total{route="/graphql",status="401"}')).toBe(1);
    expect(value(text, 'dtks_webhook_deliveries_undelivered{state="pending"}')).toBe(0);
    expect(value(text, 'dtks_process_resident_memory_bytes')).toBeGreaterThan(0);

    for (const secret of [NIK, OFFICER, REQUEST_ID, TYPED_PURPOSE, 'nosuchrootfield', 'VERIVALI']) {
      expect(text).not.toContain(secret);
    }
  });

  it('takes every label value from a closed set', async () => {
    const { text } = await scrape();
    const allowed: Record<string, ReadonlySet<string>> = {
      field: new Set([...Object.keys(ROOT_FIELD_POLICY), 'other', 'none', 'introspection']),
      client_kind: new Set([...CLIENT_KINDS, 'unauthenticated']),
      code: new Set([
        ...GATEWAY_ERROR_CODES,
        'OK',
        'other',
        'GRAPHQL_VALIDATION_FAILED',
        'GRAPHQL_PARSE_FAILED',
        'INTERNAL_SERVER_ERROR',
      ]),
      status: new Set(Array.from({ length: 500 }, (_, i) => String(100 + i))),
      pool: new Set(['primary', 'read', 'audit']),
      state: new Set(['total', 'idle', 'waiting', 'running', 'pending', 'dead']),
      result: new Set(['ok', 'failed']),
      phase: new Set(['load', 'rollups', 'publish']),
      agency: new Set(DEMO_CLIENTS.map((c) => c.agency.id)),
    };
    const route = /^(\/[a-z0-9/._-]*|other)$/;
    let checked = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith('dtks_') || /^dtks_(process|nodejs)_/.test(line)) continue;
      for (const [, name, v] of line.matchAll(/([a-z_]+)="([^"]*)"/g)) {
        checked++;
        if (name === 'le') continue; // histogram buckets
        if (name === 'route') {
          expect(v).toMatch(route);
          continue;
        }
        expect(allowed[name!], `label ${name}`).toBeDefined();
        expect(allowed[name!]!.has(v!), `${name}="${v}"`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('moves to a port of its own and asks for the token when configured', async () => {
    expect(protectedGateway.metricsPort).not.toBeNull();
    const own = `http://127.0.0.1:${protectedGateway.metricsPort}/metrics`;
    expect((await scrape(`${protectedGateway.url}/metrics`)).status).toBe(404);
    const anonymous = await scrape(own);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('dtks_');
    expect((await scrape(own, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(
      401,
    );
    const scraped = await scrape(own, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('dtks_admission_requests');
  });
});
