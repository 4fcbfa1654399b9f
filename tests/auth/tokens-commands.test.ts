import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashClientSecret } from '../../src/auth/client-secret.js';
import { loadOrCreateSigningKeys } from '../../src/auth/tokens/signing-keys.js';
import { createTokenVerifier } from '../../src/auth/tokens/token-verifier.js';
import { registerKeys } from '../../src/commands/keys.command.js';
import { parseTtl, registerToken } from '../../src/commands/token.command.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { runInProcess } from '../support/cli-in-process.js';

let db: TestDatabase;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-token-cmd-'));
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    DTKS_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    DTKS_TOKEN_ISSUER: 'https://dtks.example.go.id',
    DTKS_TOKEN_AUDIENCE: 'dtks-api',
  });
  await db.db
    .insertInto('agency')
    .values({ id: 'bps', name: 'Badan Pusat Statistik', kind: 'RESEARCHER' })
    .execute();
  await db.db
    .insertInto('agreement')
    .values({ id: 'pks-bps', agency_id: 'bps', title: 'PKS BPS' } as never)
    .execute();
  for (const [id, revoked] of [
    ['bps-research', false],
    ['bps-old', true],
  ] as const) {
    await db.db
      .insertInto('client')
      .values({
        id,
        agency_id: 'bps',
        agreement_id: 'pks-bps',
        secret_hash: await hashClientSecret('not-used'),
        revoked_at: revoked ? sql`now()` : null,
      } as never)
      .execute();
  }
});
afterAll(async () => {
  process.env = saved;
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `token …` and `keys …` in this process (tests/support/cli-in-process.ts). */
const run = (args: string[]) =>
  runInProcess((program) => {
    registerToken(program);
    registerKeys(program);
  }, args);

describe('dtks-gateway token', () => {
  it('prints only a bearer token for an active client', async () => {
    const result = await run(['token', '--client', 'bps-research', '--ttl', '30m']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const keys = await loadOrCreateSigningKeys(dir);
    const verified = await createTokenVerifier({
      keys,
      issuer: 'https://dtks.example.go.id',
      audience: 'dtks-api',
      external: null,
    }).verify(result.stdout.trim());
    expect(verified.clientId).toBe('bps-research');
    const lifetime = verified.expiresAt.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(29 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000);
  });

  it('refuses unknown and revoked clients with nothing on stdout', async () => {
    for (const client of ['nobody', 'bps-old', 'NOT VALID']) {
      const result = await run(['token', '--client', client]);
      expect(result.code, client).toBe(1);
      expect(result.stdout, client).toBe('');
      expect(result.stderr, client).toContain('unknown or revoked client');
    }
  });

  it('parses --ttl: 30m, 1h, 12h, 3600s; at most 24h', () => {
    expect(parseTtl('30m')).toBe(1800);
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl('12h')).toBe(43_200);
    expect(parseTtl('3600s')).toBe(3600);
    expect(parseTtl('3600')).toBe(3600);
    expect(parseTtl('24h')).toBe(86_400);
    for (const bad of ['25h', '2d', '0', '0s', '-1h', '1.5h', 'an hour', '']) {
      expect(() => parseTtl(bad), bad).toThrow();
    }
  });

  it('stops on a bad --ttl before doing anything', async () => {
    const result = await run(['token', '--client', 'bps-research', '--ttl', '48h']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/at most 24h/);
  });
});

describe('dtks-gateway keys', () => {
  it('rotate prints the new kid, list shows it active and the old one retired', async () => {
    const before = (await loadOrCreateSigningKeys(dir)).active.kid;
    const rotated = await run(['keys', 'rotate']);
    expect(rotated.code).toBe(0);
    const kid = rotated.stdout.trim();
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(kid).not.toBe(before);
    expect((await loadOrCreateSigningKeys(dir)).active.kid).toBe(kid);
    const listed = await run(['keys', 'list']);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${kid} +active`));
    expect(lines.find((l) => l.startsWith(before))).toMatch(/retired/);
  });
});
