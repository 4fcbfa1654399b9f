import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrincipalResolver } from '../../src/auth/principal-resolver.js';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../../src/auth/tokens/token-issuer.js';
import { createTokenVerifier } from '../../src/auth/tokens/token-verifier.js';
import type { Database } from '../../src/db/database-types.js';
import { ensureDemoClients } from '../../src/demo/demo-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Requests that arrive together share one lookup of their client's policy (a gateway starting
 * under load sent one per waiting request), and a request after a revocation never shares a
 * lookup that began before it.
 */
let db: TestDatabase;
let keys: SigningKeys;
let resolver: PrincipalResolver;
const lookups: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-principals-'));
  await ensureDemoClients(db.db, dir);
  keys = await loadOrCreateSigningKeys(dir);
  const logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: db.pool }),
    log: (event) => void lookups.push(event.query.sql),
  });
  const verifier = createTokenVerifier({
    keys,
    issuer: 'dtks-gateway',
    audience: 'dtks-gateway',
    external: null,
  });
  // No policy listener: nothing is cached, so every lookup is the one the requests shared.
  resolver = new PrincipalResolver(logged, verifier, null);
});
afterAll(async () => {
  await db?.close();
});

const bearer = async (clientId: string) =>
  `Bearer ${(await issueAccessToken(keys, { clientId, issuer: 'dtks-gateway', audience: 'dtks-gateway', ttlSeconds: 600 })).accessToken}`;
const headers = { officerId: 'officer-1', purpose: null };

describe('PrincipalResolver', () => {
  it('looks a client up once for requests that arrive together', async () => {
    const token = await bearer('kemenkes-pbi');
    // The token's signature checked once first (it is cached): the 50 then reach the lookup
    // together, as requests with a known token do.
    await resolver.resolve(token, headers);
    lookups.length = 0;
    const principals = await Promise.all(
      Array.from({ length: 50 }, () => resolver.resolve(token, headers)),
    );
    expect(new Set(principals.map((p) => p.clientId))).toEqual(new Set(['kemenkes-pbi']));
    expect(lookups).toHaveLength(1);
    // Done: the next request looks again (without a listener nothing is cached).
    await resolver.resolve(token, headers);
    expect(lookups).toHaveLength(2);
  });

  it('starts a new lookup for requests after an invalidation, and they see the revocation', async () => {
    const token = await bearer('pemda-3201');
    lookups.length = 0;
    // Keeps lookups waiting (under way) until this transaction ends.
    const locker = await db.pool.connect();
    const waitingLookups = async (n: number) => {
      for (let i = 0; i < 500; i++) {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n >= n) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`never ${n} lookups waiting`);
    };
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE client IN ACCESS EXCLUSIVE MODE');
      const before = resolver.resolve(token, headers).catch((e: unknown) => e);
      await waitingLookups(1);
      await locker.query(`UPDATE client SET revoked_at = now() WHERE id = 'pemda-3201'`);
      resolver.invalidate('pemda-3201');
      const after = resolver.resolve(token, headers).catch((e: unknown) => e);
      await waitingLookups(2);
      await locker.query('COMMIT');
      expect(await after).toMatchObject({ code: 'UNAUTHENTICATED' });
      await before;
      expect(lookups).toHaveLength(2);
    } finally {
      await locker.query(`UPDATE client SET revoked_at = NULL WHERE id = 'pemda-3201'`);
      locker.release();
    }
  });
});
