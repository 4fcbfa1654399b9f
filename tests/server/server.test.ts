import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotDocument, type SnapshotQuery } from '../generated/operations.js';
import { AS_OF, importText, validSnapshot } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { demoAccess } from '../support/test-clients.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

let db: TestDatabase;
let gateway: TestGateway;
let auth: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  gateway = await startTestGateway(db);
  auth = await (await demoAccess(db, gateway)).as('kemenkes-pbi');
});
afterAll(async () => {
  await gateway.close();
  await db.close();
});

describe('HTTP server', () => {
  it('answers /healthz and /readyz without a token', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves snapshot: null before the first import, then the served snapshot', async () => {
    const before = await graphql(gateway, '{ snapshot { asOf households persons } }', {
      headers: auth,
    });
    expect(before.body).toEqual({ data: { snapshot: null } });
    await importText(db, validSnapshot());
    const after = await graphql(gateway, print(SnapshotDocument), { headers: auth });
    expect(after.status).toBe(200);
    const snapshot = (after.body.data as SnapshotQuery).snapshot!;
    expect(snapshot).toMatchObject({ asOf: AS_OF, households: 3, persons: 5 });
    expect(Date.parse(snapshot.loadedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const echoed = await graphql(gateway, '{ snapshot { asOf } }', {
      headers: { ...auth, 'x-request-id': 'abc-123' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const generated = await graphql(gateway, '{ snapshot { asOf } }', {
      headers: { ...auth, 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers GET queries, refuses other methods, bad JSON and unknown paths', async () => {
    const get = await fetch(
      `${gateway.url}/graphql?query=${encodeURIComponent('{ snapshot { asOf } }')}`,
      {
        headers: { ...auth, 'apollo-require-preflight': 'true' },
      },
    );
    expect(get.status).toBe(200);
    expect((await fetch(`${gateway.url}/graphql`, { method: 'PUT' })).status).toBe(405);
    const bad = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${gateway.url}/nowhere`)).status).toBe(404);
  });

  it('reports invalid operations as client errors without internals', async () => {
    const result = await graphql(gateway, '{ snapshot { nosuchfield } }', { headers: auth });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(result.body)).not.toMatch(/stack|SELECT/);
  });
});
