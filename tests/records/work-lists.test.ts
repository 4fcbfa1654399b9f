import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  graphql,
  startTestGateway,
  type GraphQLResult,
  type TestGateway,
} from '../support/test-gateway.js';

/*
 * Work lists for local governments (issue #5): every filter and both orders against an
 * independent expectation computed here from the CSV text of a generated snapshot (none of the
 * gateway's SQL), the region scope, cursors bound to filter and order, totalCount, masking, and
 * the number of SQL statements a page costs.
 */
const AS_OF = '2026-06-30';
const BOGOR = '3201';
const JAKSEL = '3171';

interface Member {
  nik: string;
  active: boolean;
  pregnant: boolean;
  severe: boolean;
  age: number | null;
  programs: string[];
}

interface Home {
  id: string;
  region: string;
  decile: number | null;
  status: string;
  /** '' when never verified: sorts before every date, as the never-verified come first. */
  verifiedAt: string;
  /** In NIK order, the order of Household.members. */
  members: Member[];
}

interface Filter {
  regionCode?: string;
  decileMin?: number;
  decileMax?: number;
  verificationStatus?: string;
  program?: string;
  hasPregnantMember?: boolean;
  hasChildUnder6?: boolean;
  hasElderlyMember?: boolean;
  hasSevereDisability?: boolean;
  notVerifiedSince?: string;
}

type Order = 'ID' | 'LAST_VERIFIED';

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function age(birth: string): number | null {
  if (!birth) return null;
  const years = Number(AS_OF.slice(0, 4)) - Number(birth.slice(0, 4));
  return AS_OF.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** The contract's reading of each filter, written independently of the gateway's SQL. */
function matches(h: Home, f: Filter): boolean {
  const active = h.members.filter((m) => m.active);
  const has = (wanted: boolean | undefined, test: (m: Member) => boolean) =>
    wanted === undefined || active.some(test) === wanted;
  return (
    (f.regionCode === undefined || h.region.startsWith(f.regionCode)) &&
    (f.decileMin === undefined || (h.decile !== null && h.decile >= f.decileMin)) &&
    (f.decileMax === undefined || (h.decile !== null && h.decile <= f.decileMax)) &&
    (f.verificationStatus === undefined || h.status === f.verificationStatus) &&
    (f.program === undefined || active.some((m) => m.programs.includes(f.program!))) &&
    has(f.hasPregnantMember, (m) => m.pregnant) &&
    has(f.hasChildUnder6, (m) => m.age !== null && m.age < 6) &&
    has(f.hasElderlyMember, (m) => m.age !== null && m.age >= 60) &&
    has(f.hasSevereDisability, (m) => m.severe) &&
    (f.notVerifiedSince === undefined || h.verifiedAt < f.notVerifiedSince)
  );
}

function expected(scope: string, f: Filter, order: Order): Home[] {
  return [...homes.values()]
    .filter((h) => h.region.startsWith(scope) && matches(h, f))
    .sort((a, b) =>
      order === 'ID'
        ? byCodeUnit(a.id, b.id)
        : byCodeUnit(a.verifiedAt, b.verifiedAt) || byCodeUnit(a.id, b.id),
    );
}

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let log: StatementLog;
const homes = new Map<string, Home>();
const headers: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  // Only Kabupaten Bogor and Jakarta Selatan: enough households in one scope for many pages.
  const texts = await generateSnapshotText({
    persons: 4000,
    seed: 'work-lists',
    asOf: AS_OF,
    regions: await readRegions(),
    population: (await readPopulation()).filter((p) => p.code === BOGOR || p.code === JAKSEL),
  });
  await importText(db, texts, AS_OF);

  for (const h of parseCsvRows(texts.households)) {
    homes.set(h.household_id!, {
      id: h.household_id!,
      region: h.region_code!,
      decile: h.decile ? Number(h.decile) : null,
      status: h.verification_status!,
      verifiedAt: h.verified_at ?? '',
      members: [],
    });
  }
  const programs = new Map<string, string[]>();
  for (const r of parseCsvRows(texts.recipients)) {
    programs.set(r.nik!, [...(programs.get(r.nik!) ?? []), r.program!].sort(byCodeUnit));
  }
  for (const m of parseCsvRows(texts.members)) {
    homes.get(m.household_id!)!.members.push({
      nik: m.nik!,
      active: m.status === 'ACTIVE',
      pregnant: m.pregnant === 'true',
      severe: m.disability === 'SEVERE',
      age: age(m.birth_date!),
      programs: programs.get(m.nik!) ?? [],
    });
  }
  for (const h of homes.values()) h.members.sort((a, b) => byCodeUnit(a.nik, b.nik));

  const logged = withStatementLog(db);
  log = logged.log;
  gateway = await startTestGateway(logged.database);
  access = await demoAccess(db, gateway);
  for (const c of ['pemda-3201', 'pemda-3201-review', 'pemda-3171']) {
    headers[c] = await access.as(c, 'VERIVALI');
  }
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

const PAGE = `query Page($filter: HouseholdFilterInput, $first: Int, $after: String, $orderBy: HouseholdOrder) {
  households(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    edges { node { id regionCode } }
    pageInfo { endCursor hasNextPage }
  }
}`;

interface Page {
  totalCount: number;
  edges: Array<{ node: { id: string; regionCode: string } }>;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

const codes = (r: GraphQLResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);

async function page(
  client: string,
  variables: { filter?: Filter; first: number; after?: string | null; orderBy?: Order },
): Promise<Page> {
  const r = await graphql(gateway, PAGE, { variables, headers: headers[client] });
  expect(r.body.errors, JSON.stringify(variables)).toBeUndefined();
  return (r.body.data as { households: Page }).households;
}

/** Every page of a query; the ids in the order given, and each page's totalCount. */
async function allPages(
  client: string,
  filter: Filter,
  order: Order,
  first: number,
): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page(client, { filter, first, after, orderBy: order });
    expect(p.edges.length).toBeLessThanOrEqual(first);
    ids.push(...p.edges.map((e) => e.node.id));
    totals.push(p.totalCount);
    if (!p.pageInfo.hasNextPage) break;
    expect(p.edges).toHaveLength(first);
    after = p.pageInfo.endCursor;
  }
  return { ids, totals };
}

describe('work lists for local governments', () => {
  it('answers every filter as the independent reading of the CSV does, with its totalCount', async () => {
    const bogor = expected(BOGOR, {}, 'ID');
    expect(bogor.length).toBeGreaterThan(400);
    const districts = new Map<string, number>();
    for (const h of bogor)
      districts.set(h.region.slice(0, 6), (districts.get(h.region.slice(0, 6)) ?? 0) + 1);
    const district = [...districts].sort((a, b) => b[1] - a[1])[0]![0];
    const village = bogor.find((h) => h.region.startsWith(district))!.region;
    const filters: Filter[] = [
      {},
      { regionCode: BOGOR },
      { regionCode: district },
      { regionCode: village },
      { decileMin: 2, decileMax: 4 },
      { decileMin: 9 },
      { verificationStatus: 'PENDING' },
      { verificationStatus: 'REJECTED' },
      { program: 'PKH' },
      { program: 'BPNT' },
      { program: 'PBI_JK' },
      { program: 'PIP' },
      { hasPregnantMember: true },
      { hasPregnantMember: false },
      { hasChildUnder6: true },
      { hasChildUnder6: false },
      { hasElderlyMember: true },
      { hasElderlyMember: false },
      { hasSevereDisability: true },
      { hasSevereDisability: false },
      { notVerifiedSince: '2025-07-01' },
      { notVerifiedSince: '2024-07-01' },
      { regionCode: district, notVerifiedSince: '2026-01-01', decileMax: 5 },
      { program: 'PKH', hasChildUnder6: true, hasElderlyMember: false },
      { hasPregnantMember: true, hasSevereDisability: true, decileMax: 10 },
    ];
    for (const filter of filters) {
      const want = expected(BOGOR, filter, 'ID').map((h) => h.id);
      const got = await allPages('pemda-3201', filter, 'ID', 200);
      expect(got.ids, JSON.stringify(filter)).toEqual(want);
      for (const total of got.totals) expect(total, JSON.stringify(filter)).toBe(want.length);
    }
    // The filters are not vacuous on this snapshot: each selects some but not all households.
    for (const filter of filters.slice(4, 22)) {
      const n = expected(BOGOR, filter, 'ID').length;
      expect(n, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(n, JSON.stringify(filter)).toBeLessThan(bogor.length);
    }
  });

  it('pages through both orders without duplicates or gaps, also across ties and the never-verified', async () => {
    const cases: Array<{ filter: Filter; order: Order; first: number }> = [
      { filter: {}, order: 'ID', first: 50 },
      { filter: {}, order: 'LAST_VERIFIED', first: 10 },
      {
        filter: { notVerifiedSince: '2025-10-01', decileMax: 6 },
        order: 'LAST_VERIFIED',
        first: 7,
      },
    ];
    for (const { filter, order, first } of cases) {
      const want = expected(BOGOR, filter, order);
      const got = await allPages('pemda-3201', filter, order, first);
      expect(got.ids, `${order} ${JSON.stringify(filter)}`).toEqual(want.map((h) => h.id));
      expect(new Set(got.ids).size).toBe(got.ids.length);
      if (order === 'LAST_VERIFIED') {
        // Pages ended inside the never-verified group and inside a run of equal dates.
        const boundaries = want.slice(first).filter((_, i) => i % first === 0);
        const ties = boundaries.map((h) => {
          const i = want.indexOf(h);
          return want[i - 1]!.verifiedAt === h.verifiedAt ? h.verifiedAt : null;
        });
        expect(ties.some((v) => v === '')).toBe(true);
        expect(ties.some((v) => v !== null && v !== '')).toBe(true);
      }
    }
  });

  it('never leaves the region scope: a filter naming another region matches nothing', async () => {
    for (const filter of [{ regionCode: JAKSEL }, { regionCode: '31', program: 'PBI_JK' }]) {
      const p = await page('pemda-3201', { filter, first: 50 });
      expect(p).toEqual({
        totalCount: 0,
        edges: [],
        pageInfo: { endCursor: null, hasNextPage: false },
      });
    }
    // A filter wider than the scope keeps the scope; one inside it stands in for it.
    const wide = await allPages('pemda-3201', { regionCode: '32' }, 'ID', 200);
    expect(wide.ids).toEqual(expected(BOGOR, {}, 'ID').map((h) => h.id));
    const district = `${BOGOR}01`;
    const inside = await allPages('pemda-3201', { regionCode: district }, 'ID', 200);
    expect(inside.ids).toEqual(expected(district, {}, 'ID').map((h) => h.id));
    expect(inside.ids.length).toBeGreaterThan(0);
    // Past the end: an empty page, which has no row to carry the total, still counts it.
    const all = expected(district, {}, 'ID');
    const last = await page('pemda-3201', { filter: { regionCode: district }, first: all.length });
    const beyond = await page('pemda-3201', {
      filter: { regionCode: district },
      first: 5,
      after: last.pageInfo.endCursor,
    });
    expect(beyond.edges).toEqual([]);
    expect(beyond.totalCount).toBe(all.length);
    const fromJaksel = await page('pemda-3171', { filter: { regionCode: BOGOR }, first: 50 });
    expect(fromJaksel.totalCount).toBe(0);
    const jaksel = await allPages('pemda-3171', { hasElderlyMember: true }, 'LAST_VERIFIED', 100);
    expect(jaksel.ids).toEqual(
      expected(JAKSEL, { hasElderlyMember: true }, 'LAST_VERIFIED').map((h) => h.id),
    );
    expect(jaksel.ids.length).toBeGreaterThan(0);
  });

  it('binds a cursor to the client, the filter and the order', async () => {
    const filter: Filter = { decileMax: 6, notVerifiedSince: '2026-01-01' };
    const first = await page('pemda-3201', { filter, first: 5, orderBy: 'LAST_VERIFIED' });
    const after = first.pageInfo.endCursor!;
    const again = await page('pemda-3201', { filter, first: 5, after, orderBy: 'LAST_VERIFIED' });
    expect(again.edges[0]!.node.id).toBe(expected(BOGOR, filter, 'LAST_VERIFIED')[5]!.id);
    expect(again.totalCount).toBe(first.totalCount);
    const misuses: Array<[string, { filter: Filter; orderBy?: Order }]> = [
      ['pemda-3201', { filter, orderBy: 'ID' }],
      ['pemda-3201', { filter }],
      ['pemda-3201', { filter: { ...filter, hasPregnantMember: false }, orderBy: 'LAST_VERIFIED' }],
      [
        'pemda-3201',
        { filter: { ...filter, notVerifiedSince: '2026-01-02' }, orderBy: 'LAST_VERIFIED' },
      ],
      ['pemda-3201', { filter: { ...filter, program: 'PKH' }, orderBy: 'LAST_VERIFIED' }],
      ['pemda-3201-review', { filter, orderBy: 'LAST_VERIFIED' }],
    ];
    for (const [client, v] of misuses) {
      const r = await graphql(gateway, PAGE, {
        variables: { ...v, first: 5, after },
        headers: headers[client],
      });
      expect(codes(r), `${client} ${JSON.stringify(v)}`).toEqual(['BAD_USER_INPUT']);
      expect(r.body.data ?? null).toBeNull();
    }
    // ID is the default order: the same query with and without it is one query.
    const byDefault = await page('pemda-3201', { filter, first: 5 });
    const explicit = await page('pemda-3201', {
      filter,
      first: 5,
      after: byDefault.pageInfo.endCursor,
      orderBy: 'ID',
    });
    expect(explicit.edges[0]!.node.id).toBe(expected(BOGOR, filter, 'ID')[5]!.id);
  });

  it('costs one statement whatever the page size: the page with its members, their programs and the count when asked', async () => {
    const query = (withCount: boolean) => `query($first: Int) {
      households(first: $first, filter: { hasChildUnder6: true, program: PBI_JK }, orderBy: LAST_VERIFIED) {
        ${withCount ? 'totalCount' : ''}
        edges { node { id address decile members { nik name programs } } }
      }
    }`;
    for (const first of [5, 50]) {
      for (const withCount of [false, true]) {
        log.clear();
        const r = await graphql(gateway, query(withCount), {
          variables: { first },
          headers: headers['pemda-3201'],
        });
        expect(r.body.errors).toBeUndefined();
        const edges = (r.body.data as { households: { edges: unknown[] } }).households.edges;
        expect(edges).toHaveLength(first);
        expect(log.statements, `first ${first}, totalCount ${withCount}`).toHaveLength(1);
        const [statement] = log.statements as [string];
        expect(statement).toMatch(/FROM household h[\s\S]*LIMIT/);
        expect(statement).toContain('FROM member m');
        expect(statement).toContain('program_recipient');
        expect(statement.includes('count(*)')).toBe(withCount);
      }
    }
  });

  it('masks NIKs of members, gives their programs, and audits the programs field', async () => {
    const r = await graphql(
      gateway,
      '{ households(first: 40, filter: { program: PKH }) { edges { node { id members { nik name programs } } } } }',
      { headers: headers['pemda-3201'] },
    );
    expect(r.body.errors).toBeUndefined();
    const edges = (
      r.body.data as {
        households: {
          edges: Array<{
            node: { id: string; members: Array<{ nik: string; programs: string[] }> };
          }>;
        };
      }
    ).households.edges;
    expect(edges.length).toBeGreaterThan(0);
    const text = JSON.stringify(r.body);
    edges.forEach((e, i) => {
      const home = homes.get(e.node.id)!;
      expect(e.node.members.map((m) => m.nik)).toEqual(
        home.members.map((m) => `${m.nik.slice(0, 6)}******${m.nik.slice(-4)}`),
      );
      expect(e.node.members.map((m) => m.programs)).toEqual(home.members.map((m) => m.programs));
      for (const m of home.members) expect(text).not.toContain(m.nik);
      expect(r.body.extensions?.disclosure).toContainEqual({
        path: `households.edges.${i}.node.members.0.nik`,
        rule: 'MASKED',
        mask: 'FIRST6_LAST4',
      });
    });
    const requestId = r.headers.get('x-request-id');
    const { rows } = await db.pool.query<{ fields: string[] }>(
      'SELECT fields FROM audit_event WHERE request_id = $1',
      [requestId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fields).toEqual(expect.arrayContaining(['Person.nik', 'Person.programs']));

    // A person looked up by NIK carries the same programs.
    const someone = [...homes.values()]
      .filter((h) => h.region.startsWith(BOGOR))
      .flatMap((h) => h.members)
      .find((m) => m.programs.length > 1)!;
    const one = await graphql(gateway, 'query($nik: NIK!) { person(nik: $nik) { programs } }', {
      variables: { nik: someone.nik },
      headers: headers['pemda-3201'],
    });
    expect(one.body.data).toEqual({ person: { programs: someone.programs } });
  });

  it('refuses filters and orders on fields the agreement withholds, and withholds programs', async () => {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!;
    const { programs: _p, ...person } = demo.fieldPolicy.Person!;
    const { verifiedAt: _v, ...household } = demo.fieldPolicy.Household!;
    const narrow = registration(
      {
        ...demo,
        clientId: 'pemda-3201-narrow',
        fieldPolicy: { Household: household, Person: person },
      },
      'unused-hash',
    );
    await saveClient(db.db, narrow);
    const as = await access.as('pemda-3201-narrow', 'VERIVALI');
    const shown = await graphql(
      gateway,
      '{ households(first: 3, filter: { decileMax: 4 }) { totalCount edges { node { id verifiedAt members { name programs } } } } }',
      { headers: as },
    );
    expect(shown.body.errors).toBeUndefined();
    const node = (
      shown.body.data as {
        households: {
          edges: Array<{ node: { verifiedAt: null; members: Array<{ programs: null }> } }>;
        };
      }
    ).households.edges[0]!.node;
    expect(node.verifiedAt).toBeNull();
    expect(node.members[0]!.programs).toBeNull();
    expect(shown.body.extensions?.disclosure).toContainEqual({
      path: 'households.edges.0.node.members.0.programs',
      rule: 'WITHHELD',
    });
    for (const args of [
      'filter: { program: PKH }',
      'filter: { notVerifiedSince: "2026-01-01" }',
      'orderBy: LAST_VERIFIED',
    ]) {
      const r = await graphql(
        gateway,
        `{ households(first: 3, ${args}) { edges { node { id } } } }`,
        {
          headers: as,
        },
      );
      expect(codes(r), args).toEqual(['FORBIDDEN']);
      expect(r.body.data ?? null, args).toBeNull();
    }
  });

  it('keeps the work-list indexes through an import (the staged tables copy them)', async () => {
    const { rows } = await db.pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'household' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'household_last_verified_idx',
        'household_regency_idx',
        'household_regency_verified_idx',
      ]),
    );
  });

  it("runs the README's work-list example as written", async () => {
    const readme = await readFile('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('#### Work lists'));
    const query = /```graphql\n([\s\S]*?)```/.exec(section)![1]!;
    const variables = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!) as {
      filter: Filter;
    };
    const r = await graphql(gateway, query, { variables, headers: headers['pemda-3201'] });
    expect(r.body.errors).toBeUndefined();
    const got = (r.body.data as { households: { totalCount: number } }).households;
    expect(got.totalCount).toBe(expected(BOGOR, variables.filter, 'LAST_VERIFIED').length);
  });

  it('refuses a date that is not a date before any database work', async () => {
    log.clear();
    const r = await graphql(gateway, PAGE, {
      variables: { filter: { notVerifiedSince: '2025-02-30' }, first: 5 },
      headers: headers['pemda-3201'],
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(log.statements).toEqual([]);
  });
});
