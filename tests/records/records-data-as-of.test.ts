import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importText } from '../support/snapshot-fixture.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { daysAgo, key, NIK, recentSnapshot, TODAY } from '../support/verification-fixture.js';

/**
 * `dataAsOf` on every record type (CONTRACT §4: "the as-of date … becomes dataAsOf everywhere"):
 * Household, Person, the work-list connection and verification submissions carry the as-of
 * date of the snapshot they were read from, read in the same statement as the records (no
 * extra round trip), and it is not counted among the personal fields an audit event lists.
 */

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let log: StatementLog;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, recentSnapshot(), TODAY);
  const logged = withStatementLog(db);
  log = logged.log;
  gateway = await startTestGateway(logged.database);
  access = await demoAccess(db, gateway);
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

async function asPemda(query: string, variables?: Record<string, unknown>) {
  const r = await graphql(gateway, query, {
    variables,
    headers: await access.as('pemda-3201', 'VERIVALI'),
  });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.body.data as unknown;
}

/** Statements that read the registry (the principal lookup and the like are not counted). */
const registryReads = () => log.statements.filter((s) => /\b(member|household)\b/.test(s));

describe('dataAsOf on records', () => {
  it('a person, its household and the members carry the snapshot date, in the same statements', async () => {
    log.clear();
    const data = await asPemda(
      `query($nik: NIK!) { person(nik: $nik) { name dataAsOf
         household { id dataAsOf members { name dataAsOf } } } }`,
      { nik: NIK.BUDI },
    );
    expect(data).toMatchObject({
      person: {
        name: 'Budi Santoso',
        dataAsOf: TODAY,
        household: { id: 'H1', dataAsOf: TODAY },
      },
    });
    const person = (data as { person: { household: { members: Array<{ dataAsOf: string }> } } })
      .person;
    expect(person.household.members).toHaveLength(3);
    for (const m of person.household.members) expect(m.dataAsOf).toBe(TODAY);
    // person, its household, the members: one statement each, as without dataAsOf.
    expect(registryReads()).toHaveLength(3);
    for (const s of registryReads()) expect(s).toContain('FROM snapshot sn');
  });

  it('a household by id carries it', async () => {
    expect(await asPemda('{ household(id: "H1") { id dataAsOf } }')).toEqual({
      household: { id: 'H1', dataAsOf: TODAY },
    });
  });

  it('a work-list page and its households carry it, with no statement added', async () => {
    log.clear();
    const data = await asPemda(
      `{ households(first: 10) { dataAsOf edges { node { id dataAsOf members { dataAsOf } } } } }`,
    );
    const page = (
      data as {
        households: {
          dataAsOf: string;
          edges: Array<{ node: { id: string; dataAsOf: string; members: unknown[] } }>;
        };
      }
    ).households;
    expect(page.dataAsOf).toBe(TODAY);
    expect(page.edges.map((e) => e.node.id)).toEqual(['H1', 'H3']);
    for (const e of page.edges) expect(e.node.dataAsOf).toBe(TODAY);
    expect(JSON.stringify(page)).not.toContain('null');
    // The page with the members of all its households: one statement, one snapshot.
    expect(registryReads()).toHaveLength(1);
  });

  it('an empty work-list page still says which snapshot it was read from', async () => {
    const data = await asPemda(
      `{ households(first: 10, filter: { regionCode: "3171" }) { dataAsOf totalCount edges { node { id } } } }`,
    );
    expect(data).toEqual({ households: { dataAsOf: TODAY, totalCount: 0, edges: [] } });
  });

  it('a verification submission carries the as-of date of the served snapshot', async () => {
    const submitted = await asPemda(
      `mutation($input: VerificationInput!) { submitVerification(input: $input) { id dataAsOf household { dataAsOf } } }`,
      {
        input: {
          householdId: 'H1',
          outcome: 'CONFIRMED',
          visitedAt: daysAgo(1),
          idempotencyKey: key(),
        },
      },
    );
    expect(submitted).toMatchObject({
      submitVerification: { dataAsOf: TODAY, household: { dataAsOf: TODAY } },
    });
    const listed = await asPemda(
      '{ verificationSubmissions(first: 5) { edges { node { id dataAsOf } } } }',
    );
    const edges = (listed as { verificationSubmissions: { edges: Array<{ node: unknown }> } })
      .verificationSubmissions.edges;
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) expect(e.node).toMatchObject({ dataAsOf: TODAY });
  });

  it('is not listed among the fields an audit event says were disclosed', async () => {
    await asPemda('{ household(id: "H3") { id address dataAsOf } }');
    const { rows } = await db.pool.query<{ fields: string[] }>(
      `SELECT fields FROM audit_event WHERE operation LIKE '%household%' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]!.fields).toContain('Household.address');
    expect(rows[0]!.fields.some((f) => f.endsWith('.dataAsOf'))).toBe(false);
  });

  it('follows the served snapshot: after an import, records carry the new date', async () => {
    const older = daysAgo(3);
    await importText(db, recentSnapshot(), older);
    try {
      expect(
        await asPemda(
          `query($nik: NIK!) { person(nik: $nik) { dataAsOf } households(first: 1) { dataAsOf edges { node { dataAsOf } } } }`,
          { nik: NIK.BUDI },
        ),
      ).toEqual({
        person: { dataAsOf: older },
        households: { dataAsOf: older, edges: [{ node: { dataAsOf: older } }] },
      });
    } finally {
      await importText(db, recentSnapshot(), TODAY);
    }
  });
});
