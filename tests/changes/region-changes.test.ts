import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSubjectKey, subjectHash } from '../../src/audit/subject-hash.js';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * Change feeds of local governments (issue #14, CONTRACT §11): each follows its region by its
 * agreement. A second snapshot, made by test code, adds, removes, moves and changes households;
 * the HOUSEHOLD_CHANGED events each region's agencies read equal what plain TypeScript over the
 * two snapshots' CSV rows finds, and no agency reads another region's households.
 */
const AS_OF_A = '2026-06-30';
const AS_OF_B = '2026-09-30';
/** Regencies of the generated snapshot: two followed (demo pemdas), one followed by nobody. */
const REGENCIES = ['3201', '3171', '3273'];

type Row = Record<string, string>;
interface Texts {
  households: string;
  members: string;
  recipients: string;
}

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let key: Buffer;
let textA: Texts;
let textB: Texts;

const CHANGES = `query($first: Int!, $after: String) { changes(first: $first, after: $after) {
  edges { node { eventId kind occurredAt ... on HouseholdChange { householdId change regionCode fields } } }
  pageInfo { hasNextPage endCursor } } }`;

interface HouseholdEvent {
  eventId: string;
  kind: string;
  householdId: string;
  change: string;
  regionCode: string;
  fields: string[];
}

beforeAll(async () => {
  db = await createTestDatabase();
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  key = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
  textA = await generateSnapshotText({
    persons: 1500,
    seed: 'region-changes',
    asOf: AS_OF_A,
    regions: await readRegions(),
    population: (await readPopulation()).filter((p) => REGENCIES.includes(p.code)),
  });
  textB = changeHouseholds(textA);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

/**
 * The second snapshot: in 3201 some deciles, one housing field and one verification date
 * change, two households leave the registry and two move to 3171; in 3171 an address and a
 * member's name change; one household of 3273 moves into 3201.
 */
function changeHouseholds(a: Texts): Texts {
  const households = parseCsvRows(a.households);
  const members = parseCsvRows(a.members);
  const inRegency = (code: string) => households.filter((h) => h.region_code!.startsWith(code));
  const bogor = inRegency('3201');
  const jaksel = inRegency('3171');
  const bandung = inRegency('3273');
  expect(bogor.length).toBeGreaterThan(12);
  expect(jaksel.length).toBeGreaterThan(4);
  expect(bandung.length).toBeGreaterThan(2);
  bogor[0]!.decile = bogor[0]!.decile === '1' ? '2' : '1';
  bogor[1]!.decile = bogor[1]!.decile === '9' ? '8' : '9';
  bogor[2]!.floor_type = bogor[2]!.floor_type === 'CERAMIC' ? 'CEMENT_BRICK' : 'CERAMIC';
  bogor[3]!.verified_at = '2026-09-01';
  bogor[4]!.region_code = jaksel[0]!.region_code!;
  bogor[5]!.region_code = jaksel[1]!.region_code!;
  jaksel[2]!.address = 'Jl. Baru No. 1';
  const renamed = members.find((m) => m.household_id === jaksel[3]!.household_id)!;
  renamed.name = `${renamed.name} Baru`;
  bandung[0]!.region_code = bogor[6]!.region_code!;
  const gone = new Set([bogor[7]!.household_id, bogor[8]!.household_id]);
  const goneNiks = new Set(members.filter((m) => gone.has(m.household_id!)).map((m) => m.nik));
  return {
    households: toCsv(
      a.households,
      households.filter((h) => !gone.has(h.household_id!)),
    ),
    members: toCsv(
      a.members,
      members.filter((m) => !gone.has(m.household_id!)),
    ),
    recipients: toCsv(
      a.recipients,
      parseCsvRows(a.recipients).filter((r) => !goneNiks.has(r.nik)),
    ),
  };
}

function toCsv(original: string, rows: Row[]): string {
  const header = original.slice(0, original.indexOf('\n')).split(',');
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h] ?? '')).join(','))]
    .join('\n')
    .concat('\n');
}

/** The oracle: what a follower of `prefix` should read, from the two snapshots' rows alone. */
function expectedEvents(prefix: string): {
  events: Array<Omit<HouseholdEvent, 'eventId' | 'kind'>>;
  subjects: Set<string>;
} {
  const read = (t: Texts) => {
    const households = new Map(parseCsvRows(t.households).map((h) => [h.household_id!, h]));
    const members = new Map<string, Row[]>();
    for (const m of parseCsvRows(t.members))
      members.set(m.household_id!, [...(members.get(m.household_id!) ?? []), m]);
    return { households, members };
  };
  const a = read(textA);
  const b = read(textB);
  const within = (h: Row | undefined) => h !== undefined && h.region_code!.startsWith(prefix);
  const events: Array<Omit<HouseholdEvent, 'eventId' | 'kind'>> = [];
  const subjects = new Set<string>();
  const plain: Array<[string, string]> = [
    ['kkNumber', 'kk_number'],
    ['regionCode', 'region_code'],
    ['address', 'address'],
    ['decile', 'decile'],
    ['verificationStatus', 'verification_status'],
    ['verifiedAt', 'verified_at'],
  ];
  const housing = [
    'floor_area_m2',
    'floor_type',
    'wall_type',
    'roof_type',
    'water_source',
    'sanitation',
    'lighting',
    'cooking_fuel',
  ];
  const memberText = (rows: Row[] | undefined) =>
    JSON.stringify(
      (rows ?? []).map((m) => Object.entries(m).sort()).sort((x, y) => (x < y ? -1 : 1)),
    );
  for (const id of new Set([...a.households.keys(), ...b.households.keys()])) {
    const before = a.households.get(id);
    const after = b.households.get(id);
    let event: Omit<HouseholdEvent, 'eventId' | 'kind'> | null = null;
    if (!within(before) && within(after))
      event = { householdId: id, change: 'ADDED', regionCode: after!.region_code!, fields: [] };
    else if (within(before) && !within(after))
      event = { householdId: id, change: 'REMOVED', regionCode: before!.region_code!, fields: [] };
    else if (within(before) && within(after)) {
      const fields = plain.filter(([, c]) => before![c] !== after![c]).map(([n]) => n);
      if (housing.some((c) => before![c] !== after![c])) fields.push('housing');
      if (memberText(a.members.get(id)) !== memberText(b.members.get(id))) fields.push('members');
      if (fields.length > 0)
        event = { householdId: id, change: 'CHANGED', regionCode: after!.region_code!, fields };
    }
    if (event) {
      events.push(event);
      for (const m of [...(a.members.get(id) ?? []), ...(b.members.get(id) ?? [])])
        subjects.add(m.nik!);
    }
  }
  return { events: events.sort((x, y) => x.householdId.localeCompare(y.householdId)), subjects };
}

async function readAll(client: string, purpose: string): Promise<HouseholdEvent[]> {
  const events: HouseholdEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const r = await graphql(gateway, CHANGES, {
      variables: { first: 40, after },
      headers: await access.as(client, purpose),
    });
    expect(r.body.errors).toBeUndefined();
    const page = (
      r.body.data as {
        changes: {
          edges: Array<{ node: HouseholdEvent }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }
    ).changes;
    events.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return events;
  }
}

const simple = (events: HouseholdEvent[]) =>
  events
    .map(({ householdId, change, regionCode, fields }) => ({
      householdId,
      change,
      regionCode,
      fields,
    }))
    .sort((x, y) => x.householdId.localeCompare(y.householdId));

describe('change feeds of local governments: the households of their region', () => {
  it('writes no household event for the first snapshot', async () => {
    const summary = await importText(db, textA, AS_OF_A, key);
    expect(summary.changes.events).toBe(0);
    expect(await readAll('pemda-3201', 'VERIVALI')).toEqual([]);
  });

  it('gives each region exactly the households the oracle finds added, removed or changed', async () => {
    const summary = await importText(db, textB, AS_OF_B, key);
    const bogor = expectedEvents('3201');
    const jaksel = expectedEvents('3171');
    // The test snapshot has every kind of change in both regions.
    for (const change of ['ADDED', 'REMOVED', 'CHANGED'])
      expect(bogor.events.some((e) => e.change === change)).toBe(true);
    expect(jaksel.events.some((e) => e.change === 'ADDED')).toBe(true);
    expect(jaksel.events.some((e) => e.fields.includes('members'))).toBe(true);

    const got3201 = await readAll('pemda-3201', 'VERIVALI');
    const got3171 = await readAll('pemda-3171', 'VERIVALI');
    expect(got3201.every((e) => e.kind === 'HOUSEHOLD_CHANGED')).toBe(true);
    expect(simple(got3201)).toEqual(bogor.events);
    expect(simple(got3171)).toEqual(jaksel.events);
    // The reviewing agency of the same region follows it too, with events of its own.
    const review = await readAll('pemda-3201-review', 'VERIVALI');
    expect(simple(review)).toEqual(bogor.events);
    expect(new Set([...review, ...got3201].map((e) => e.eventId)).size).toBe(2 * got3201.length);
    // Each household once, though the two moves from 3201 to 3171 are an event in each.
    expect(summary.changes.households).toBe(bogor.events.length + jaksel.events.length - 2);

    // Another region's households never appear; 3273 is followed by nobody.
    expect(got3201.every((e) => e.regionCode.startsWith('3201'))).toBe(true);
    expect(got3171.every((e) => e.regionCode.startsWith('3171'))).toBe(true);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM change_event WHERE payload->>'regionCode' LIKE '3273%'`,
    );
    expect(rows[0]!.n).toBe(0);
    // Ministries get none of these.
    const ministry = await graphql(gateway, CHANGES, {
      variables: { first: 10 },
      headers: await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION'),
    });
    expect(ministry.body.data).toEqual({
      changes: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });

    // Reading was an audited disclosure of the members of every household read about.
    const subjectKey = await loadOrCreateSubjectKey(gateway.dataDir);
    const { rows: audited } = await db.pool.query<{ s: string }>(
      `SELECT DISTINCT s FROM audit_event, unnest(subjects) AS s
        WHERE client_id = 'pemda-3201' AND operation LIKE '%changes%'`,
    );
    expect(new Set(audited.map((r) => r.s))).toEqual(
      new Set([...bogor.subjects].map((nik) => subjectHash(subjectKey, nik))),
    );
  });

  it('keeps no NIK in clear in the outbox', async () => {
    const { rows } = await db.pool.query<{ text: string }>(
      `SELECT payload::text || coalesce(encode(subjects_sealed, 'escape'), '') AS text
         FROM change_event WHERE kind = 'HOUSEHOLD_CHANGED'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(/\d{16}/.test(r.text)).toBe(false);
  });

  it('refuses the feed to a local government whose agreement lacks changes:read', async () => {
    await db.pool.query(
      `UPDATE agreement SET scopes = array_remove(scopes, 'changes:read')
        WHERE id = (SELECT agreement_id FROM client WHERE id = 'pemda-3171')`,
    );
    await db.pool.query("SELECT pg_notify('dtks_policy', 'pemda-3171')"); // as `clients` does
    await new Promise((resolve) => setTimeout(resolve, 300));
    const r = await graphql(gateway, CHANGES, {
      variables: { first: 10 },
      headers: await access.as('pemda-3171', 'VERIVALI'),
    });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
