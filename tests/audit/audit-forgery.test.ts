import { describe, expect, it } from 'vitest';
import { canonicalEvent, chainHash, type AuditOutcome } from '../../src/audit/audit-event.js';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';
import { openRuntimeDatabase } from '../../src/db/database.js';
import { excessRuntimeRights } from '../../src/db/runtime-role.js';
import { publicKeysOf } from '../support/audit-keys.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Issue #11, item 5: whoever holds the serving gateway's database role (its password, or one of
 * its connections) can neither rewrite, remove nor add audit events without `audit verify`
 * noticing, and the gateway itself refuses to sign over rows it did not write.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const PERSON = '{ person(nik: "3201011505809001") { name } }';
const asPemda = async () => ({ headers: await access.as('pemda-3201', 'VERIVALI') });

async function verify() {
  return verifyAuditChain(db.pool, { publicKeys: await publicKeysOf(gateway.dataDir) });
}

/** Runs `statement` as the runtime role; the SQLSTATE it failed with, or null. */
async function asForger(statement: string, values: unknown[] = []): Promise<string | null> {
  try {
    await db.runtime.pool.query(statement, values);
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

interface StoredEvent {
  id: string;
  at: Date;
  request_id: string;
  hash: Buffer;
}

/** What a forger who knows the algorithm writes: a correctly chained next event. */
async function forgedNextEvent(): Promise<unknown[]> {
  const { rows } = await db.runtime.pool.query<StoredEvent>(
    'SELECT id, at, request_id, hash FROM audit_event ORDER BY id DESC LIMIT 1',
  );
  const last = rows[0]!;
  const id = Number(last.id) + 1;
  const at = new Date(Math.floor(Date.now() / 1000) * 1000);
  const body = {
    id,
    at,
    requestId: 'forged',
    clientId: 'pemda-3201',
    agencyId: 'PEMKAB-BOGOR',
    officerId: null,
    purpose: 'VERIVALI',
    operation: 'query:person',
    outcome: 'NOT_FOUND' as AuditOutcome,
    errorCode: null,
    fields: [],
    subjects: [],
    decisionIds: [],
  };
  const hash = chainHash(last.hash, canonicalEvent(body));
  return [id, at.toISOString(), body.requestId, body.clientId, body.agencyId, last.hash, hash];
}

const INSERT_FORGED = `
  INSERT INTO audit_event (id, at, request_id, client_id, agency_id, officer_id, purpose,
    operation, outcome, error_code, fields, subjects, decision_ids, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, NULL, 'VERIVALI', 'query:person', 'NOT_FOUND', NULL, '{}', '{}', '{}', $6, $7)`;

describe('the serving database role and the audit log', () => {
  it('serves as a role without superuser, ownership, DDL or rights to change the audit log', async () => {
    expect(await excessRuntimeRights(db.runtime.db)).toEqual([]);
    // The owner, for contrast, is refused as a runtime role by `serve`.
    expect(await excessRuntimeRights(db.db)).toEqual(
      expect.arrayContaining(['is a superuser', expect.stringMatching(/^owns tables/)]),
    );
    await expect(
      openRuntimeDatabase({ databaseRuntimeUrl: db.url, databaseReadUrl: undefined }, db, {
        password: async () => 'unused',
      }),
    ).rejects.toThrow(/is a superuser.*could rewrite the audit log/);
  });

  it('cannot modify, delete or truncate events or checkpoints, nor change the tables', async () => {
    expect((await graphql(gateway, PERSON, await asPemda())).status).toBe(200);
    const denied = '42501'; // insufficient_privilege
    for (const statement of [
      "UPDATE audit_event SET purpose = 'x' WHERE id = 1",
      'DELETE FROM audit_event WHERE id = 1',
      'TRUNCATE audit_event',
      'UPDATE audit_checkpoint SET last_id = 0',
      'DELETE FROM audit_checkpoint',
      'TRUNCATE audit_checkpoint',
      'ALTER TABLE audit_event DISABLE TRIGGER ALL',
      'DROP TABLE audit_checkpoint',
      'CREATE TABLE audit_shadow (id int)',
      'SET session_replication_role = replica',
      'SELECT 1 FROM audit_event FOR UPDATE',
    ]) {
      expect(await asForger(statement), statement).toBe(denied);
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('an appended event, even correctly chained and with a checkpoint, fails verify and stops disclosure', async () => {
    expect((await graphql(gateway, PERSON, await asPemda())).status).toBe(200);
    expect(await verify()).toMatchObject({ ok: true });

    const forged = await forgedNextEvent();
    expect(await asForger(INSERT_FORGED, forged)).toBeNull(); // INSERT is allowed
    expect(await verify()).toMatchObject({ ok: false, problem: 'unsigned', firstBadId: forged[0] });

    // A checkpoint over it: the forger has no key, so any signature is wrong.
    expect(
      await asForger(
        `INSERT INTO audit_checkpoint (last_id, last_hash, at, key_id, signature)
         VALUES ($1, $2, now(), 'made-up', decode(repeat('ab', 64), 'hex'))`,
        [forged[0], forged[6]],
      ),
    ).toBeNull();
    expect(await verify()).toMatchObject({ ok: false, problem: 'forged-checkpoint' });

    // The gateway does not sign on top of rows it did not write: it discloses nothing.
    const refused = await graphql(gateway, PERSON, await asPemda());
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(refused.body)).not.toContain('Budi');
    // Nor is a refusal answered unaudited: a bad token gets 503, not its 401.
    const unaudited = await graphql(gateway, PERSON, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(unaudited.status).toBe(503);
    expect(unaudited.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    // An operator (the owner) removes the forged rows after looking; service resumes.
    await db.pool.query('DELETE FROM audit_checkpoint WHERE key_id = $1', ['made-up']);
    await db.pool.query('DELETE FROM audit_event WHERE id = $1', [forged[0]]);
    const again = await graphql(gateway, PERSON, await asPemda());
    expect(again.body.data).toEqual({ person: { name: 'Budi Santoso' } });
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('verifies with the public key alone, and fails with another key', async () => {
    expect((await graphql(gateway, PERSON, await asPemda())).status).toBe(200);
    expect(await verify()).toMatchObject({ ok: true });
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('ed25519').publicKey;
    const result = await verifyAuditChain(db.pool, { publicKeys: new Map([['x', stranger]]) });
    expect(result).toMatchObject({ ok: false, problem: 'forged-checkpoint' });
    if (!result.ok) expect(result.message).toMatch(/unknown key/);
  });

  it('two gateways sharing a data folder extend one signed chain', async () => {
    const second = await startTestGateway(db, { dataDir: gateway.dataDir });
    try {
      const statuses = await Promise.all(
        Array.from(
          { length: 30 },
          async (_, i) =>
            (await graphql(i % 2 === 0 ? gateway : second, PERSON, await asPemda())).status,
        ),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
    } finally {
      await second.close();
    }
    expect(await verify()).toMatchObject({ ok: true });
  });
});
