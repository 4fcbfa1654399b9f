import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientSecret, hashClientSecret } from '../../src/auth/client-secret.js';
import {
  createTokenEndpoint,
  databaseClientStore,
} from '../../src/auth/tokens/oauth-token-endpoint.js';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { createTokenVerifier } from '../../src/auth/tokens/token-verifier.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ISSUER = 'dtks-gateway';
const AUDIENCE = 'dtks-gateway';

let db: TestDatabase;
let dir: string;
let keys: SigningKeys;
let server: http.Server;
let url: string;
const secrets: Record<string, string> = {};

/** An agency with agreements in every state, and one client per agreement. */
async function insertClients(): Promise<void> {
  await db.db
    .insertInto('agency')
    .values({ id: 'dinsos-bogor', name: 'Dinas Sosial Kabupaten Bogor', kind: 'LOCAL_GOV' })
    .execute();
  const agreements = [
    {
      id: 'pks-valid',
      valid_from: sql`now() - interval '1 day'`,
      valid_until: null,
      revoked_at: null,
    },
    {
      id: 'pks-expired',
      valid_from: sql`now() - interval '1 year'`,
      valid_until: sql`now() - interval '1 day'`,
      revoked_at: null,
    },
    {
      id: 'pks-future',
      valid_from: sql`now() + interval '1 day'`,
      valid_until: null,
      revoked_at: null,
    },
    {
      id: 'pks-revoked',
      valid_from: sql`now() - interval '1 day'`,
      valid_until: sql`now() + interval '1 year'`,
      revoked_at: sql`now()`,
    },
  ];
  for (const a of agreements) {
    await db.db
      .insertInto('agreement')
      .values({
        ...a,
        agency_id: 'dinsos-bogor',
        title: a.id,
        scopes: ['eligibility:check'],
      } as never)
      .execute();
  }
  const clients = [
    { id: 'bogor-app', agreement_id: 'pks-valid', revoked: false },
    { id: 'bogor-revoked', agreement_id: 'pks-valid', revoked: true },
    { id: 'bogor-expired', agreement_id: 'pks-expired', revoked: false },
    { id: 'bogor-future', agreement_id: 'pks-future', revoked: false },
    { id: 'bogor-pks-revoked', agreement_id: 'pks-revoked', revoked: false },
  ];
  for (const c of clients) {
    const secret = generateClientSecret();
    secrets[c.id] = secret;
    await db.db
      .insertInto('client')
      .values({
        id: c.id,
        agency_id: 'dinsos-bogor',
        agreement_id: c.agreement_id,
        secret_hash: await hashClientSecret(secret),
        revoked_at: c.revoked ? sql`now()` : null,
      } as never)
      .execute();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-endpoint-'));
  keys = await loadOrCreateSigningKeys(dir);
  await insertClients();
  const handler = createTokenEndpoint({
    keys,
    store: databaseClientStore(db.db),
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds: 3600,
  });
  server = http.createServer((req, res) => {
    handler(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(body: string, headers: Record<string, string> = FORM) {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const credentials = (clientId: string, secret = secrets[clientId] ?? 'x') =>
  form({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const verifier = () =>
  createTokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, external: null });

describe('POST /oauth/token', () => {
  it('issues a verifiable token for good credentials (form fields)', async () => {
    const response = await post(credentials('bogor-app'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(response.text).not.toContain(secrets['bogor-app']!);
    const verified = await verifier().verify(response.json.access_token as string);
    expect(verified).toMatchObject({ clientId: 'bogor-app', source: 'gateway' });
  });

  it('accepts HTTP Basic client authentication', async () => {
    const response = await post(form({ grant_type: 'client_credentials' }), {
      ...FORM,
      authorization: basic('bogor-app', secrets['bogor-app']!),
    });
    expect(response.status).toBe(200);
    expect((await verifier().verify(response.json.access_token as string)).clientId).toBe(
      'bogor-app',
    );
    // The same client id in the body is fine too.
    const withId = await post(form({ grant_type: 'client_credentials', client_id: 'bogor-app' }), {
      ...FORM,
      authorization: basic('bogor-app', secrets['bogor-app']!),
    });
    expect(withId.status).toBe(200);
  });

  it('answers 401 invalid_client, all alike, for a wrong secret, unknown, revoked or expired client', async () => {
    const cases = {
      wrongSecret: credentials('bogor-app', generateClientSecret()),
      unknown: credentials('no-such-client', generateClientSecret()),
      badId: credentials('NOT VALID!', generateClientSecret()),
      revoked: credentials('bogor-revoked'),
      expiredAgreement: credentials('bogor-expired'),
      futureAgreement: credentials('bogor-future'),
      revokedAgreement: credentials('bogor-pks-revoked'),
    };
    const bodies = new Set<string>();
    for (const [name, body] of Object.entries(cases)) {
      const response = await post(body);
      expect(response.status, name).toBe(401);
      expect(response.json.error, name).toBe('invalid_client');
      expect(response.headers.get('www-authenticate'), name).toMatch(/^Basic/);
      expect(response.headers.get('cache-control'), name).toBe('no-store');
      bodies.add(response.text);
    }
    expect(bodies.size).toBe(1);
    const wrongBasic = await post(form({ grant_type: 'client_credentials' }), {
      ...FORM,
      authorization: basic('bogor-app', 'wrong'),
    });
    expect(wrongBasic.status).toBe(401);
    expect(wrongBasic.json.error).toBe('invalid_client');
    const notBasic = await post(form({ grant_type: 'client_credentials' }), {
      ...FORM,
      authorization: 'Bearer something',
    });
    expect(notBasic.status).toBe(401);
  });

  it('takes about as long for an unknown client as for a wrong secret', async () => {
    const time = async (body: string) => {
      const started = performance.now();
      await post(body);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(credentials('no-such-client', 'x')));
      wrong.push(await time(credentials('bogor-app', 'x')));
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });

  it('answers 400 unsupported_grant_type for other grants', async () => {
    for (const grant of ['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS']) {
      const response = await post(
        form({ grant_type: grant, client_id: 'bogor-app', client_secret: secrets['bogor-app']! }),
      );
      expect(response.status, grant).toBe(400);
      expect(response.json.error, grant).toBe('unsupported_grant_type');
    }
  });

  it('answers 400 invalid_request for missing, empty or repeated parameters', async () => {
    const secret = secrets['bogor-app']!;
    for (const body of [
      '',
      form({ client_id: 'bogor-app', client_secret: secret }),
      form({ grant_type: 'client_credentials' }),
      form({ grant_type: 'client_credentials', client_id: 'bogor-app' }),
      form({ grant_type: 'client_credentials', client_secret: secret }),
      form({ grant_type: 'client_credentials', client_id: 'bogor-app', client_secret: '' }),
      `${credentials('bogor-app')}&client_id=bogor-app`,
      `${credentials('bogor-app')}&grant_type=client_credentials`,
    ]) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(response.json.error, body).toBe('invalid_request');
      expect(typeof response.json.error_description).toBe('string');
      expect(response.text).not.toContain(secret);
    }
    // Basic and a body secret together: two methods.
    const both = await post(credentials('bogor-app'), {
      ...FORM,
      authorization: basic('bogor-app', secret),
    });
    expect(both.status).toBe(400);
    expect(both.json.error).toBe('invalid_request');
  });

  it('refuses a JSON body or no content type with invalid_request', async () => {
    const json = await post(
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'bogor-app',
        client_secret: secrets['bogor-app'],
      }),
      { 'content-type': 'application/json' },
    );
    expect(json.status).toBe(400);
    expect(json.json.error).toBe('invalid_request');
    const none = await post(credentials('bogor-app'), {});
    expect(none.status).toBe(400);
    // A charset parameter is fine.
    const charset = await post(credentials('bogor-app'), {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(charset.status).toBe(200);
  });

  it('refuses bodies over 8 KB and methods other than POST', async () => {
    const big = await post(`${credentials('bogor-app')}&padding=${'x'.repeat(9000)}`);
    expect(big.status).toBe(413);
    expect(big.json.error).toBe('invalid_request');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(url, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});

describe('databaseClientStore', () => {
  it('returns the hash of active clients only', async () => {
    const store = databaseClientStore(db.db);
    expect(await store.activeClientSecretHash('bogor-app')).toMatch(/^scrypt\$/);
    for (const id of [
      'bogor-revoked',
      'bogor-expired',
      'bogor-future',
      'bogor-pks-revoked',
      'nobody',
    ]) {
      expect(await store.activeClientSecretHash(id), id).toBeNull();
    }
  });
});
