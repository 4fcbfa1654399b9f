import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutLiterals } from '../../src/db/statement-spans.js';
import { startTracing, type Tracing } from '../../src/monitoring/tracing.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #19, item 1: OpenTelemetry traces when an OTLP endpoint is configured. A collector
 * written here receives what the gateway exports (OTLP/HTTP, JSON): one trace per request, joined
 * to the caller's `traceparent`, HTTP → GraphQL → SQL and the audit append, and no personal data,
 * query text or secret in any span.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let tracing: Tracing;
let collector: http.Server;
const received: OtlpSpan[] = [];
const bodies: string[] = [];

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const r of parsed.resourceSpans) for (const s of r.scopeSpans) received.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const port = (collector.address() as AddressInfo).port;
  tracing = startTracing({
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    serviceName: 'dtks-gateway-test',
  });
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
});

afterAll(async () => {
  await gateway?.close();
  await db?.close();
  // Tracing is process-wide: off again before the next test file runs in this worker.
  await tracing?.shutdown();
  await new Promise((resolve) => collector?.close(resolve));
});

const attribute = (span: OtlpSpan, key: string) =>
  span.attributes?.find((a) => a.key === key)?.value;

describe('OpenTelemetry traces', () => {
  it('export HTTP → GraphQL → SQL and the audit append as one trace joined to the caller, with no personal data', async () => {
    const NIK = '3201011505809001';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const headers = {
      ...(await access.as('pemda-3201', 'VERIVALI')),
      traceparent: `00-${traceId}-${callerSpan}-01`,
    };
    const r = await graphql(
      gateway,
      `{ person(nik: "${NIK}") { name household { address members { name } } } }`,
      { headers },
    );
    expect(r.body.errors).toBeUndefined();
    await tracing.flush();

    const trace = received.filter((s) => s.traceId === traceId);
    const http = trace.find((s) => s.name === 'POST /graphql')!;
    expect(http, JSON.stringify(trace.map((s) => s.name))).toBeDefined();
    expect(http.parentSpanId).toBe(callerSpan);
    expect(attribute(http, 'http.response.status_code')).toEqual({ intValue: 200 });
    const operation = trace.find((s) => s.name === 'graphql')!;
    expect(operation.parentSpanId).toBe(http.spanId);
    expect(attribute(operation, 'dtks.graphql.root_fields')).toEqual({ stringValue: 'person' });
    const statements = trace.filter((s) => attribute(s, 'db.system.name') !== undefined);
    // Reading the client's policy comes before GraphQL (under the request); the records under
    // the operation: the person, then the household's members.
    for (const s of statements) expect([http.spanId, operation.spanId]).toContain(s.parentSpanId);
    const records = statements.filter((s) => s.parentSpanId === operation.spanId);
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const s of records) {
      expect(s.name).toMatch(/^(SELECT|WITH)$/);
      expect(String(attribute(s, 'db.query.text')?.stringValue)).toMatch(/\bFROM member\b/);
    }
    const audit = trace.find((s) => s.name === 'audit append')!;
    expect(audit.parentSpanId).toBe(operation.spanId);

    // Nothing a client sent or the registry holds: no NIK, name, address, query text, officer or
    // token, in any span of any trace.
    const everything = bodies.join('\n');
    const bearer = (headers as Record<string, string>).authorization!.slice('Bearer '.length);
    for (const secret of [
      NIK,
      'Budi Santoso',
      'Siti Aminah',
      'Melati',
      'person(nik',
      bearer,
      'officer-of-pemda-3201',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('show SQL with its literals replaced, placeholders kept', () => {
    expect(
      withoutLiterals(
        "SELECT m.name FROM member m WHERE m.nik = '3201011505809001' AND left(h.region_code, 4) = $1 AND h.decile <= 4.5",
      ),
    ).toBe(
      'SELECT m.name FROM member m WHERE m.nik = ? AND left(h.region_code, ?) = $1 AND h.decile <= ?',
    );
  });
});
