import { describe, expect, it } from 'vitest';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

// Fixture: H1 and H3 in Kabupaten Bogor (3201), H2 in Jakarta Selatan (3171).
const BUDI = '3201011505809001'; // H1, Bogor
const DEWI = '3374010202709004'; // H2, Jakarta Selatan (NIK issued in Jawa Tengah)
const UNKNOWN = '3201019999999999';

const PERSON = `query($nik: NIK!) { person(nik: $nik) { nik name birthDate household { id kkNumber regionCode } } }`;

describe('records for local governments', () => {
  it('shows a person of its region with NIK and KK masked in SQL, and lists what was masked', async () => {
    const r = await graphql(gateway, PERSON, {
      variables: { nik: BUDI },
      headers: await access.as('pemda-3201', 'VERIVALI'),
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      person: {
        nik: '320101******9001',
        name: 'Budi Santoso',
        birthDate: '1980-05-15',
        household: { id: 'H1', kkNumber: '320101******9001', regionCode: '3201011001' },
      },
    });
    expect(r.body.extensions?.disclosure).toEqual([
      { path: 'person.nik', rule: 'MASKED', mask: 'FIRST6_LAST4' },
      { path: 'person.household.kkNumber', rule: 'MASKED', mask: 'FIRST6_LAST4' },
    ]);
    expect(JSON.stringify(r.body)).not.toContain(BUDI);
  });

  it('answers a person outside its region exactly as a NIK that does not exist', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const outside = await graphql(gateway, PERSON, { variables: { nik: DEWI }, headers });
    const missing = await graphql(gateway, PERSON, { variables: { nik: UNKNOWN }, headers });
    expect(outside.status).toBe(missing.status);
    expect(outside.body).toEqual(missing.body);
    expect(outside.body).toEqual({ data: { person: null } });
  });

  it('lists only the households of its region, and Jakarta Selatan only its own', async () => {
    const q =
      '{ households(first: 10) { edges { node { id regionCode members { name } } } pageInfo { hasNextPage } } }';
    const bogor = await graphql(gateway, q, { headers: await access.as('pemda-3201', 'VERIVALI') });
    const jaksel = await graphql(gateway, q, {
      headers: await access.as('pemda-3171', 'VERIVALI'),
    });
    const ids = (r: typeof bogor) =>
      (
        r.body.data as { households: { edges: Array<{ node: { id: string } }> } }
      ).households.edges.map((e) => e.node.id);
    expect(ids(bogor)).toEqual(['H1', 'H3']);
    expect(ids(jaksel)).toEqual(['H2']);
  });

  it('pages with cursors that another client cannot use to leave its scope', async () => {
    const q =
      'query($after: String) { households(first: 1, after: $after) { edges { node { id } } pageInfo { endCursor hasNextPage } } }';
    const first = await graphql(gateway, q, { headers: await access.as('pemda-3201', 'VERIVALI') });
    const page = (
      first.body.data as { households: { pageInfo: { endCursor: string; hasNextPage: boolean } } }
    ).households;
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await graphql(gateway, q, {
      variables: { after: page.pageInfo.endCursor },
      headers: await access.as('pemda-3201', 'VERIVALI'),
    });
    expect(JSON.stringify(next.body.data)).toContain('"H3"');
    const foreign = await graphql(gateway, q, {
      variables: { after: page.pageInfo.endCursor },
      headers: await access.as('pemda-3171', 'VERIVALI'),
    });
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(foreign.body.data ?? null).toBeNull();
    const forged = await graphql(gateway, q, {
      variables: { after: 'eyJwIjoiSDAifQ.forged' },
      headers: await access.as('pemda-3201', 'VERIVALI'),
    });
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses first above 500', async () => {
    const r = await graphql(gateway, '{ households(first: 501) { edges { node { id } } } }', {
      headers: await access.as('pemda-3201', 'VERIVALI'),
    });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('authentication and purpose', () => {
  it('answers 401 UNAUTHENTICATED without a token or with a bad one', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer nonsense' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of attempts) {
      const r = await graphql(gateway, '{ me { clientId } }', { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('needs no purpose for me and snapshot, and the agreement’s purpose for records', async () => {
    const me = await graphql(
      gateway,
      '{ me { clientId kind regionScope purposes } snapshot { households } }',
      {
        headers: await access.as('pemda-3201'),
      },
    );
    expect(me.body.data).toEqual({
      me: {
        clientId: 'pemda-3201',
        kind: 'LOCAL_GOV',
        regionScope: ['3201'],
        purposes: ['VERIVALI'],
      },
      snapshot: { households: 3 },
    });
    const none = await graphql(gateway, PERSON, {
      variables: { nik: BUDI },
      headers: await access.as('pemda-3201'),
    });
    expect(none.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_REQUIRED');
    expect(none.body.data).toBeUndefined();
    const wrong = await graphql(gateway, PERSON, {
      variables: { nik: BUDI },
      headers: await access.as('pemda-3201', 'RESEARCH'),
    });
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_NOT_ALLOWED');
  });

  it('refuses a revoked client at once, also with a token issued before', async () => {
    const headers = await access.as('pemda-3171', 'VERIVALI');
    expect((await graphql(gateway, '{ me { clientId } }', { headers })).status).toBe(200);
    await db.pool.query("UPDATE client SET revoked_at = now() WHERE id = 'pemda-3171'");
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3171')");
    await new Promise((r) => setTimeout(r, 100));
    const after = await graphql(gateway, '{ me { clientId } }', { headers });
    expect(after.status).toBe(401);
    await db.pool.query("UPDATE client SET revoked_at = null WHERE id = 'pemda-3171'");
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3171')");
  });
});

describe('audit of disclosures', () => {
  it('records who looked at a person, with the subject as a keyed hash and the fields given', async () => {
    await graphql(gateway, PERSON, {
      variables: { nik: BUDI },
      headers: { ...(await access.as('pemda-3201', 'VERIVALI')), 'x-request-id': 'audit-check-1' },
    });
    const { rows } = await db.pool.query(
      "SELECT client_id, officer_id, purpose, operation, outcome, fields, subjects FROM audit_event WHERE request_id = 'audit-check-1'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      client_id: 'pemda-3201',
      officer_id: 'officer-of-pemda-3201',
      purpose: 'VERIVALI',
      operation: 'query:person',
      outcome: 'DISCLOSED',
    });
    expect(rows[0].fields).toEqual([
      'Household.id',
      'Household.kkNumber',
      'Household.regionCode',
      'Person.birthDate',
      'Person.household',
      'Person.name',
      'Person.nik',
    ]);
    expect(rows[0].subjects.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows[0])).not.toContain(BUDI);
  });

  it('records refused attempts', async () => {
    await graphql(gateway, PERSON, {
      variables: { nik: BUDI },
      headers: {
        ...(await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION')),
        'x-request-id': 'refused-1',
      },
    });
    await graphql(gateway, '{ me { clientId } }', { headers: { 'x-request-id': 'refused-2' } });
    const { rows } = await db.pool.query(
      "SELECT request_id, client_id, outcome, error_code FROM audit_event WHERE request_id LIKE 'refused-%' ORDER BY request_id",
    );
    expect(rows).toEqual([
      {
        request_id: 'refused-1',
        client_id: 'kemenkes-pbi',
        outcome: 'REFUSED',
        error_code: 'FORBIDDEN',
      },
      {
        request_id: 'refused-2',
        client_id: null,
        outcome: 'REFUSED',
        error_code: 'UNAUTHENTICATED',
      },
    ]);
  });
});
