import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { changeSnapshot, index, reasonIn, type Snapshot } from '../support/changed-snapshot.js';
import { generateSnapshotText } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * Change feeds, pull side (issue #14, CONTRACT §11): ministries follow NIKs, a second snapshot
 * changes some of them, and the events each agency reads equal the changes an independent oracle
 * (tests/support/eligibility-oracle.ts, plain TypeScript over the two snapshots' CSV rows) finds.
 */
const AS_OF_A = '2026-06-30';
const AS_OF_B = '2026-09-30';
const UNREGISTERED = ['3201019999999999', '3171019999999998'];

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let a: Snapshot;
let b: Snapshot;
let textA: { households: string; members: string; recipients: string };
let textB: { households: string; members: string; recipients: string };

/** Follows per agency and program; what each unsubscribes before the second snapshot. */
const follows = {
  kemenkes: { PBI_JK: [] as string[] },
  kemensos: { BPNT: [] as string[], PKH: [] as string[] },
};
let unsubscribed: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const texts = await generateSnapshotText({
    persons: 3000,
    seed: 'change-feeds',
    asOf: AS_OF_A,
    regions: await readRegions(),
    population: await readPopulation(),
  });
  await importText(db, texts, AS_OF_A);
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  a = index(texts);
  textA = texts;
  textB = changeSnapshot(texts);
  b = index(textB);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

const SUBSCRIBE = `mutation($p: Program!, $n: [NIK!]!) {
  subscribeSubjects(program: $p, niks: $n) { program requested subscribed alreadySubscribed } }`;
const UNSUBSCRIBE = `mutation($p: Program!, $n: [NIK!]!) {
  unsubscribeSubjects(program: $p, niks: $n) { program requested unsubscribed notSubscribed } }`;
const CHANGES = `query($first: Int!, $after: String) { changes(first: $first, after: $after) {
  edges { cursor node { eventId kind occurredAt ... on EligibilityChange {
    program subjectRef nik decisionId
    previous { eligible reason ruleVersion dataAsOf } current { eligible reason ruleVersion dataAsOf } } } }
  pageInfo { hasNextPage endCursor } } }`;
const REFS = `query($p: Program!, $n: [NIK!]!) { eligibilityBatch(program: $p, niks: $n) { subjectRef } }`;

interface Event {
  eventId: string;
  kind: string;
  program: string;
  subjectRef: string;
  nik: string | null;
  decisionId: string;
  previous: { eligible: boolean; reason: string; ruleVersion: number; dataAsOf: string };
  current: { eligible: boolean; reason: string; ruleVersion: number; dataAsOf: string };
}

const AGENCIES = {
  kemenkes: { client: 'kemenkes-pbi', purpose: 'PBI_JK_VERIFICATION' },
  kemensos: { client: 'kemensos-bansos', purpose: 'BANSOS_DISTRIBUTION' },
} as const;

async function call(
  agency: keyof typeof AGENCIES,
  query: string,
  variables: Record<string, unknown>,
  on: TestGateway = gateway,
) {
  const { client, purpose } = AGENCIES[agency];
  return graphql(on, query, { variables, headers: await access.as(client, purpose) });
}

async function readAll(
  agency: keyof typeof AGENCIES,
  first: number,
  after: string | null = null,
  on: TestGateway = gateway,
): Promise<{ events: Event[]; endCursor: string | null; pages: number }> {
  const events: Event[] = [];
  let pages = 0;
  for (;;) {
    const r = await call(agency, CHANGES, { first, after }, on);
    expect(r.body.errors).toBeUndefined();
    const page = (
      r.body.data as {
        changes: {
          edges: Array<{ node: Event }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }
    ).changes;
    events.push(...page.edges.map((e) => e.node));
    pages += 1;
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return { events, endCursor: after, pages };
  }
}

describe('change feeds: following subjects and reading what changed', () => {
  it('follows NIKs per program of the agreement, and keeps them unreadable in a dump', async () => {
    const niks = [...a.members.keys()];
    follows.kemenkes.PBI_JK = [...niks.filter((_, i) => i % 3 === 0), ...UNREGISTERED];
    follows.kemensos.BPNT = niks.filter((_, i) => i % 4 === 0);
    follows.kemensos.PKH = niks.filter((_, i) => i % 5 === 1);

    const first = await call('kemenkes', SUBSCRIBE, { p: 'PBI_JK', n: follows.kemenkes.PBI_JK });
    expect(first.body.data).toEqual({
      subscribeSubjects: {
        program: 'PBI_JK',
        requested: follows.kemenkes.PBI_JK.length,
        subscribed: follows.kemenkes.PBI_JK.length,
        alreadySubscribed: 0,
      },
    });
    // Again, with duplicates: nothing new.
    const again = await call('kemenkes', SUBSCRIBE, {
      p: 'PBI_JK',
      n: [...follows.kemenkes.PBI_JK.slice(0, 5), follows.kemenkes.PBI_JK[0]],
    });
    expect(again.body.data).toEqual({
      subscribeSubjects: { program: 'PBI_JK', requested: 5, subscribed: 0, alreadySubscribed: 5 },
    });
    for (const program of ['BPNT', 'PKH'] as const) {
      const r = await call('kemensos', SUBSCRIBE, { p: program, n: follows.kemensos[program] });
      expect(r.body.errors).toBeUndefined();
    }
    // A program outside the agreement, and a client without the scope.
    const outside = await call('kemenkes', SUBSCRIBE, { p: 'PKH', n: [UNREGISTERED[0]] });
    expect(outside.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const pip = await graphql(gateway, SUBSCRIBE, {
      variables: { p: 'PIP', n: [UNREGISTERED[0]] },
      headers: await access.as('kemendikdasmen-pip', 'PIP_TARGETING'),
    });
    expect(pip.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The table alone names no NIK, and the same person followed by two agencies looks unrelated.
    const { rows } = await db.pool.query<{
      subject_ref: string;
      nik_sealed: Buffer;
      agreement_id: string;
    }>('SELECT subject_ref, nik_sealed, agreement_id FROM change_subscription');
    expect(rows).toHaveLength(
      follows.kemenkes.PBI_JK.length + follows.kemensos.BPNT.length + follows.kemensos.PKH.length,
    );
    const allNiks = new Set([...a.members.keys(), ...UNREGISTERED]);
    for (const row of rows) {
      const bytes = row.nik_sealed.toString('latin1') + row.subject_ref;
      for (const nik of [...allNiks].slice(0, 50)) expect(bytes.includes(nik)).toBe(false);
      expect(/\d{16}/.test(row.nik_sealed.toString('latin1'))).toBe(false);
    }
    const both = follows.kemenkes.PBI_JK.find((n) => follows.kemensos.BPNT.includes(n))!;
    const refs = await Promise.all([
      call('kemenkes', REFS, { p: 'PBI_JK', n: [both] }),
      call('kemensos', REFS, { p: 'BPNT', n: [both] }),
    ]);
    const [r1, r2] = refs.map(
      (r) =>
        (r.body.data as { eligibilityBatch: Array<{ subjectRef: string }> }).eligibilityBatch[0]!
          .subjectRef,
    );
    expect(r1).not.toBe(r2);
    expect(rows.filter((r) => r.subject_ref === r1 || r.subject_ref === r2)).toHaveLength(2);
    // Nothing changed yet: an empty feed.
    const empty = await readAll('kemenkes', 10);
    expect(empty.events).toEqual([]);
  });

  it('stops following on unsubscribe', async () => {
    // Some that will change, so that their absence from the feed shows.
    unsubscribed = follows.kemenkes.PBI_JK.filter(
      (nik) => reasonIn(a, 'PBI_JK', nik, AS_OF_A) !== reasonIn(b, 'PBI_JK', nik, AS_OF_B),
    ).slice(0, 3);
    expect(unsubscribed).toHaveLength(3);
    const r = await call('kemenkes', UNSUBSCRIBE, {
      p: 'PBI_JK',
      n: [...unsubscribed, UNREGISTERED[0], '3201019999999997'],
    });
    expect(r.body.data).toEqual({
      unsubscribeSubjects: { program: 'PBI_JK', requested: 5, unsubscribed: 4, notSubscribed: 1 },
    });
  });

  it('writes, with the import of a new snapshot, exactly the changes the oracle finds', async () => {
    const key = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
    const summary = await importText(db, textB, AS_OF_B, key);

    const expected = (followed: string[], program: string) =>
      followed
        .map((nik) => ({
          nik,
          previous: reasonIn(a, program, nik, AS_OF_A),
          current: reasonIn(b, program, nik, AS_OF_B),
        }))
        .filter((e) => e.previous !== e.current);

    // kemensos-bansos sees the NIK in its events.
    const kemensos = await readAll('kemensos', 100);
    const got = (events: Event[], program: string) =>
      events
        .filter((e) => e.program === program)
        .map((e) => ({ nik: e.nik, previous: e.previous.reason, current: e.current.reason }))
        .sort((x, y) => x.nik!.localeCompare(y.nik!));
    for (const program of ['BPNT', 'PKH'] as const) {
      const want = expected(follows.kemensos[program], program);
      expect(want.length).toBeGreaterThan(5);
      expect(got(kemensos.events, program)).toEqual(
        want.sort((x, y) => x.nik.localeCompare(y.nik)),
      );
    }

    // kemenkes-pbi does not: its events name its own pseudonyms.
    const followed = follows.kemenkes.PBI_JK.filter(
      (n) => !unsubscribed.includes(n) && n !== UNREGISTERED[0],
    );
    const refs = (await call('kemenkes', REFS, { p: 'PBI_JK', n: followed })).body.data as {
      eligibilityBatch: Array<{ subjectRef: string }>;
    };
    const nikOf = new Map(refs.eligibilityBatch.map((d, i) => [d.subjectRef, followed[i]!]));
    const kemenkes = await readAll('kemenkes', 100);
    expect(kemenkes.events.every((e) => e.nik === null && e.program === 'PBI_JK')).toBe(true);
    const kemenkesGot = kemenkes.events
      .map((e) => ({
        nik: nikOf.get(e.subjectRef)!,
        previous: e.previous.reason,
        current: e.current.reason,
      }))
      .sort((x, y) => x.nik.localeCompare(y.nik));
    expect(kemenkesGot).toEqual(
      expected(followed, 'PBI_JK').sort((x, y) => x.nik.localeCompare(y.nik)),
    );
    // Unsubscribed subjects, and other agencies' subjects, never appear.
    expect(kemenkes.events.some((e) => !nikOf.has(e.subjectRef))).toBe(false);

    const all = [...kemenkes.events, ...kemensos.events];
    // The rest are the demo local governments' events about their regions (region-changes.test.ts).
    const { rows: regional } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM change_event WHERE kind <> 'ELIGIBILITY_CHANGED'",
    );
    expect(summary.changes.events).toBe(all.length + regional[0]!.n);
    for (const e of all) {
      expect(e.kind).toBe('ELIGIBILITY_CHANGED');
      expect(e.previous).toMatchObject({ ruleVersion: 1, dataAsOf: AS_OF_A });
      expect(e.current).toMatchObject({ ruleVersion: 1, dataAsOf: AS_OF_B });
      expect(e.previous.eligible).toBe(e.previous.reason === 'ELIGIBLE');
      expect(e.current.eligible).toBe(e.current.reason === 'ELIGIBLE');
    }
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);

    // Reading is an audited disclosure of each event's subject.
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(DISTINCT s)::int AS n FROM audit_event, unnest(subjects) AS s
        WHERE client_id = 'kemensos-bansos' AND operation LIKE '%changes%'`,
    );
    expect(rows[0]?.n).toBe(new Set(kemensos.events.map((e) => e.nik)).size);
  });

  it('reads every event exactly once, in order, page by page and across a gateway restart', async () => {
    const whole = await readAll('kemensos', 100);
    const firstPart = await readAll('kemensos', 7, null);
    expect(firstPart.events.map((e) => e.eventId)).toEqual(whole.events.map((e) => e.eventId));
    expect(firstPart.pages).toBeGreaterThan(2);

    // Half of it, then a new gateway process on the same keys and database goes on.
    const half = Math.min(100, Math.floor(whole.events.length / 2));
    const r = await call('kemensos', CHANGES, { first: half, after: null });
    const cursor = (r.body.data as { changes: { pageInfo: { endCursor: string } } }).changes
      .pageInfo.endCursor;
    await gateway.close();
    gateway = await startTestGateway(db, { dataDir: gateway.dataDir });
    const rest = await readAll('kemensos', 50, cursor);
    expect(rest.events.map((e) => e.eventId)).toEqual(
      whole.events.slice(half).map((e) => e.eventId),
    );
    // At the end: nothing more, and the cursor stays where it is.
    const after = await call('kemensos', CHANGES, { first: 10, after: rest.endCursor });
    expect(after.body.data).toEqual({
      changes: { edges: [], pageInfo: { hasNextPage: false, endCursor: rest.endCursor } },
    });
    // Another client's cursor is refused.
    const stolen = await call('kemenkes', CHANGES, { first: 10, after: rest.endCursor });
    expect(stolen.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('writes nothing when a new snapshot changes no decision', async () => {
    const before = await db.pool.query('SELECT count(*)::int AS n FROM change_event');
    const key = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
    const summary = await importText(db, textB, AS_OF_B, key);
    expect(summary.changes).toMatchObject({ events: 0 });
    expect(summary.changes.subscriptions).toBeGreaterThan(0);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM change_event');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});

describe('change feeds: following every subject checked', () => {
  it('follows what an agreement with followCheckedDays checks, until it lapses', async () => {
    // kemendikdasmen-pip follows what it checks, for 30 days.
    await db.pool.query(
      `UPDATE agreement SET follow_checked_days = 30, scopes = scopes || '{changes:read}'
        WHERE id = (SELECT agreement_id FROM client WHERE id = 'kemendikdasmen-pip')`,
    );
    await db.pool.query("SELECT pg_notify('dtks_policy', 'kemendikdasmen-pip')");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const AS_OF_C = '2026-12-31'; // the first snapshot again, as of a later date
    const eligibleIn = (s: Snapshot, nik: string, asOf: string) =>
      reasonIn(s, 'PIP', nik, asOf) === 'ELIGIBLE';
    const niks = [...b.members.keys()];
    const changing = niks.filter((n) => eligibleIn(b, n, AS_OF_B) !== eligibleIn(a, n, AS_OF_C));
    const steady = niks.filter((n) => eligibleIn(b, n, AS_OF_B) === eligibleIn(a, n, AS_OF_C));
    expect(changing.length).toBeGreaterThan(6);
    const checked = [...changing.slice(0, 6), ...steady.slice(0, 4)];
    const pip = await access.as('kemendikdasmen-pip', 'PIP_TARGETING');
    const CHECK = 'query($n: NIK!) { eligibility(nik: $n, program: PIP) { eligible subjectRef } }';
    const nikOf = new Map<string, string>();
    const refOf = new Map<string, string>();
    for (const nik of [...checked, checked[0]!]) {
      const r = await graphql(gateway, CHECK, { variables: { n: nik }, headers: pip });
      expect(r.body.errors).toBeUndefined();
      const ref = (r.body.data as { eligibility: { subjectRef: string } }).eligibility.subjectRef;
      nikOf.set(ref, nik);
      refOf.set(nik, ref);
    }
    // Checked twice: followed once.
    const agreement = `(SELECT agreement_id FROM client WHERE id = 'kemendikdasmen-pip')`;
    const { rows } = await db.pool.query<{ origin: string; n: number }>(
      `SELECT origin, count(*)::int AS n FROM change_subscription
        WHERE agreement_id = ${agreement} GROUP BY origin`,
    );
    expect(rows).toEqual([{ origin: 'CHECKED', n: checked.length }]);
    // One was last checked 31 days ago: it lapses at the next import.
    const lapsed = changing[1]!;
    await db.pool.query(
      `UPDATE change_subscription SET checked_at = now() - interval '31 days'
        WHERE agreement_id = ${agreement} AND subject_ref = $1`,
      [refOf.get(lapsed)],
    );

    const key = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
    await importText(db, textA, AS_OF_C, key);
    const r = await graphql(
      gateway,
      `
        {
          changes(first: 100) {
            edges {
              node {
                ... on EligibilityChange {
                  subjectRef
                  previous {
                    eligible
                  }
                  current {
                    eligible
                  }
                }
              }
            }
          }
        }
      `,
      { headers: pip },
    );
    expect(r.body.errors).toBeUndefined();
    type Node = {
      subjectRef: string;
      previous: { eligible: boolean };
      current: { eligible: boolean };
    };
    const events = (r.body.data as { changes: { edges: Array<{ node: Node }> } }).changes.edges.map(
      (e) => e.node,
    );
    expect(events.map((e) => nikOf.get(e.subjectRef)).sort()).toEqual(
      changing
        .slice(0, 6)
        .filter((n) => n !== lapsed)
        .sort(),
    );
    for (const e of events) {
      const nik = nikOf.get(e.subjectRef)!;
      expect(e.previous.eligible).toBe(eligibleIn(b, nik, AS_OF_B));
      expect(e.current.eligible).toBe(eligibleIn(a, nik, AS_OF_C));
    }
    const { rows: left } = await db.pool.query(
      `SELECT 1 FROM change_subscription WHERE agreement_id = ${agreement} AND subject_ref = $1`,
      [refOf.get(lapsed)],
    );
    expect(left).toEqual([]);
  });
});
