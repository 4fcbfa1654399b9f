import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { publicKeysOf } from '../support/audit-keys.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const PEMDA = () => access.as('pemda-3201', 'VERIVALI');

describe('operation limits', () => {
  it('refuses deep, alias-heavy and huge operations as QUERY_TOO_COMPLEX without telling the limits', async () => {
    const deep =
      '{ person(nik: "3201011505809001") { household { members { household { members { household { members { household { members { household { members { household { id } } } } } } } } } } } } }';
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { clientId }`).join(' ')} }`;
    const tokens = `{ me { ${Array.from({ length: 6000 }, () => 'clientId').join(' ')} } }`;
    for (const query of [deep, aliases, tokens]) {
      const r = await graphql(gateway, query, { headers: await PEMDA() });
      const error = r.body.errors?.[0];
      expect(error?.extensions?.code, query.slice(0, 40)).toBe('QUERY_TOO_COMPLEX');
      expect(error?.message).not.toMatch(/\d/); // no limit numbers
      expect(r.body.data ?? null).toBeNull();
    }
  });

  it('never echoes a NIK or other input in an error', async () => {
    const badNik = '9901011505809001';
    const asVariable = await graphql(gateway, 'query($n: NIK!) { person(nik: $n) { name } }', {
      variables: { n: badNik },
      headers: await PEMDA(),
    });
    const asLiteral = await graphql(gateway, `{ person(nik: "${badNik}") { name } }`, {
      headers: await PEMDA(),
    });
    for (const r of [asVariable, asLiteral]) {
      expect(r.body.errors?.[0]?.extensions?.code).toMatch(
        /BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/,
      );
      expect(JSON.stringify(r.body)).not.toContain(badNik);
      expect(JSON.stringify(r.body)).not.toContain('990101');
    }
  });

  it('answers an internal failure with a generic error: no SQL, no stack', async () => {
    await db.pool.query('ALTER TABLE member RENAME TO member_away');
    try {
      const r = await graphql(gateway, '{ person(nik: "3201011505809001") { name } }', {
        headers: await PEMDA(),
      });
      const text = JSON.stringify(r.body);
      expect(r.body.errors?.[0]).toMatchObject({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(text).not.toMatch(/member|SELECT|relation|at .*\.ts/);
    } finally {
      await db.pool.query('ALTER TABLE member_away RENAME TO member');
    }
  });
});

describe('audit through the gateway', () => {
  it('writes one event per request for N concurrent requests, on a valid chain', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM audit_event')).rows[0]
      .n as number;
    const headers = await PEMDA();
    const n = 60;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        graphql(gateway, '{ person(nik: "3201011505809001") { name } }', {
          headers: { ...headers, 'x-request-id': `burst-${i}` },
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const { rows } = await db.pool.query(
      "SELECT count(DISTINCT request_id)::int AS n FROM audit_event WHERE request_id LIKE 'burst-%'",
    );
    expect(rows[0].n).toBe(n);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_event')).rows[0].n).toBe(
      before + n,
    );
    expect(
      await verifyAuditChain(db.pool, { publicKeys: await publicKeysOf(gateway.dataDir) }),
    ).toMatchObject({ ok: true });
  });

  it('withholds the data and answers 503 SERVICE_UNAVAILABLE when the audit cannot be written', async () => {
    await db.pool.query('ALTER TABLE audit_checkpoint RENAME TO audit_checkpoint_away');
    try {
      const r = await graphql(gateway, '{ person(nik: "3201011505809001") { name } }', {
        headers: await PEMDA(),
      });
      expect(r.status).toBe(503);
      expect(r.body).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
      expect(JSON.stringify(r.body)).not.toContain('Budi');
    } finally {
      await db.pool.query('ALTER TABLE audit_checkpoint_away RENAME TO audit_checkpoint');
    }
    const again = await graphql(gateway, '{ person(nik: "3201011505809001") { name } }', {
      headers: await PEMDA(),
    });
    expect(again.body.data).toEqual({ person: { name: 'Budi Santoso' } });
  });

  it('shows the administrator who accessed a person, newest first', async () => {
    const r = await graphql(
      gateway,
      '{ accessLog(nik: "3201011505809001", first: 2) { edges { node { clientId purpose operation outcome } } pageInfo { hasNextPage } } }',
      {
        headers: await access.as('gateway-admin', 'OVERSIGHT'),
      },
    );
    const log = (
      r.body.data as {
        accessLog: {
          edges: Array<{ node: Record<string, string> }>;
          pageInfo: { hasNextPage: boolean };
        };
      }
    ).accessLog;
    expect(log.edges[0]!.node).toEqual({
      clientId: 'pemda-3201',
      purpose: 'VERIVALI',
      operation: 'query:person',
      outcome: 'DISCLOSED',
    });
    expect(log.pageInfo.hasNextPage).toBe(true);
  });
});

describe('agreements', () => {
  it('refuses a client whose agreement has expired or is not yet valid', async () => {
    await db.pool.query(
      "UPDATE agreement SET valid_until = now() - interval '1 day' WHERE id = 'pemda-3171-pks'",
    );
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3171')");
    await new Promise((r) => setTimeout(r, 100));
    const expired = await graphql(gateway, '{ me { clientId } }', {
      headers: await access.as('pemda-3171'),
    });
    expect(expired.body.errors?.[0]?.extensions?.code).toBe('AGREEMENT_EXPIRED');
    await db.pool.query(
      "UPDATE agreement SET valid_until = null, valid_from = now() + interval '1 day' WHERE id = 'pemda-3171-pks'",
    );
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3171')");
    await new Promise((r) => setTimeout(r, 100));
    const early = await graphql(gateway, '{ me { clientId } }', {
      headers: await access.as('pemda-3171'),
    });
    expect(early.body.errors?.[0]?.extensions?.code).toBe('AGREEMENT_EXPIRED');
  });
});
