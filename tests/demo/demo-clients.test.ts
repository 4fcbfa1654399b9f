import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/auth/client-secret.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { demoSecretsPath, ensureDemoClients } from '../../src/demo/demo-clients.js';
import { validSnapshot, importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * `serve --demo`'s demo clients: the secrets file is written first (its folder created when
 * missing), so a secret whose hash is stored can always be read back; and a restart saves only
 * what changed, so tokens issued before it keep working.
 */

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
/** A database without clients. */
let fresh: TestDatabase;
const dirs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway); // the first ensureDemoClients, in gateway.dataDir
  fresh = await createTestDatabase();
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
  await fresh?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'dtks-demo-clients-'));
  dirs.push(d);
  return d;
}

async function clientRows() {
  const { rows } = await db.pool.query<{
    id: string;
    secret_hash: string;
    credentials_changed_at: Date;
    revoked_at: Date | null;
  }>(`SELECT id, secret_hash, credentials_changed_at, revoked_at FROM client ORDER BY id`);
  return new Map(rows.map((r) => [r.id, r]));
}

const me = (token: string) =>
  graphql(gateway, '{ me { clientId } }', { headers: { authorization: `Bearer ${token}` } });

/** Waits until the wall clock is in a later second than `t` (tokens carry whole seconds). */
async function nextSecond(t = Date.now()): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (t % 1000) + 20));
}

describe('demo clients', () => {
  // One database without any client for both: nothing saved when the file cannot be written,
  // then everything saved (with a secret in the file) when it can.
  it('saves no client when the secrets file cannot be written', async () => {
    // The data folder is in the way of a file: nothing can be written under it.
    const blocker = path.join(await tempDir(), 'a-file');
    await writeFile(blocker, 'not a folder');
    await expect(ensureDemoClients(fresh.db, path.join(blocker, '.dtks'))).rejects.toThrow();
    const { rows } = await fresh.pool.query('SELECT id FROM client');
    expect(rows).toEqual([]); // no hash of a secret nobody can read back
  });

  it('creates a missing data folder (0700) and writes the secrets file (0600) before saving', async () => {
    const dataDir = path.join(await tempDir(), 'not', 'yet', '.dtks');
    const secrets = await ensureDemoClients(fresh.db, dataDir);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const file = demoSecretsPath(dataDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(secrets);
    expect(await readdir(dataDir)).toEqual(['demo-clients.json']); // no temporary file left
    const { rows } = await fresh.pool.query<{ id: string; secret_hash: string }>(
      'SELECT id, secret_hash FROM client',
    );
    expect(rows).toHaveLength(DEMO_CLIENTS.length);
    for (const r of rows) {
      expect(await verifyClientSecret(secrets[r.id]!, r.secret_hash)).toBe(true);
    }
  });

  it('leaves unchanged demo clients alone on a restart: tokens issued before keep working', async () => {
    const token = await access.token('pemda-3201');
    expect((await me(token)).status).toBe(200);
    const before = await clientRows();
    await nextSecond();
    const secrets = await ensureDemoClients(db.db, gateway.dataDir); // a second `serve --demo`
    expect(secrets).toEqual(access.secrets);
    const after = await clientRows();
    for (const demo of DEMO_CLIENTS) {
      const [b, a] = [before.get(demo.clientId)!, after.get(demo.clientId)!];
      expect(a.credentials_changed_at, demo.clientId).toEqual(b.credentials_changed_at);
      expect(a.secret_hash, demo.clientId).toBe(b.secret_hash);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // as long as a NOTIFY would take
    const r = await me(token);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ me: { clientId: 'pemda-3201' } });
  });

  it('saves again (un-revoked, as defined) a demo client that was revoked or changed', async () => {
    await db.pool.query("UPDATE client SET revoked_at = now() WHERE id = 'pemda-3171'");
    await db.pool.query(
      "UPDATE agreement SET region_scope = '{32}', field_policy = '{}' WHERE id = 'pemda-3201-review-pks'",
    );
    await db.pool.query("UPDATE agency SET name = 'renamed' WHERE id = 'bps'");
    const before = await clientRows();
    await nextSecond();
    await ensureDemoClients(db.db, gateway.dataDir);
    const after = await clientRows();
    const changed = DEMO_CLIENTS.map((d) => d.clientId).filter(
      (id) =>
        after.get(id)!.credentials_changed_at.getTime() !==
        before.get(id)!.credentials_changed_at.getTime(),
    );
    expect(changed.sort()).toEqual(['bps-researcher', 'pemda-3171', 'pemda-3201-review']);
    expect(after.get('pemda-3171')!.revoked_at).toBeNull();
    const { rows } = await db.pool.query(
      "SELECT region_scope, field_policy FROM agreement WHERE id = 'pemda-3201-review-pks'",
    );
    const review = DEMO_CLIENTS.find((d) => d.clientId === 'pemda-3201-review')!;
    expect(rows[0]).toEqual({ region_scope: ['3201'], field_policy: review.fieldPolicy });
    const { rows: agency } = await db.pool.query("SELECT name FROM agency WHERE id = 'bps'");
    expect(agency[0]).toEqual({ name: 'Badan Pusat Statistik' });
  });

  it('saves again a demo client whose stored secret is not the one in the file', async () => {
    const file = demoSecretsPath(gateway.dataDir);
    const secrets = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    await writeFile(file, JSON.stringify({ ...secrets, 'kemenkes-pbi': 'edited-by-hand' }), {
      mode: 0o600,
    });
    const before = await clientRows();
    await ensureDemoClients(db.db, gateway.dataDir);
    const after = await clientRows();
    expect(after.get('kemenkes-pbi')!.secret_hash).not.toBe(
      before.get('kemenkes-pbi')!.secret_hash,
    );
    expect(await verifyClientSecret('edited-by-hand', after.get('kemenkes-pbi')!.secret_hash)).toBe(
      true,
    );
    expect(after.get('kemensos-bansos')!.secret_hash).toBe(
      before.get('kemensos-bansos')!.secret_hash,
    );
  });

  it('makes new secrets when the file holds no object', async () => {
    const dataDir = await tempDir();
    await writeFile(demoSecretsPath(dataDir), 'null', { mode: 0o600 });
    const secrets = await ensureDemoClients(db.db, dataDir);
    expect(Object.keys(secrets)).toHaveLength(DEMO_CLIENTS.length);
    expect(JSON.parse(await readFile(demoSecretsPath(dataDir), 'utf8'))).toEqual(secrets);
  });
});
