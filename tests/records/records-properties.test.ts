import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { seedSyntheticSnapshot } from '../../src/snapshot/synthetic-seed.js';
import { PROVINCE_CODES } from '../../src/domain/provinces.js';
import { demoAccess } from '../support/test-clients.js';
import { graphqlDocument } from '../support/trusted-documents.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  graphql,
  startTestGateway,
  type GraphQLResult,
  type TestGateway,
} from '../support/test-gateway.js';

/**
 * Property tests of the records API (CONTRACT §6–7): random sequences of lookups, pages, filters,
 * cursors and selections (aliases, inline and named fragments, nested members and households)
 * for every local government, checked against an oracle read straight from the tables:
 *
 * 1. no raw NIK or KK number ever appears; masked values are first 6 + ****** + last 4 of the
 *    true value;
 * 2. every household and person given is inside the principal's region scope, and pages list
 *    exactly the in-scope households matching the filter, in id order;
 * 3. an out-of-scope lookup answers exactly as a lookup of something that does not exist;
 * 4. `extensions.disclosure` lists exactly the masked values, by response path;
 * 5. clients that may not read records get FORBIDDEN and nothing else;
 * and cursors of another client, of another filter, or tampered with, are BAD_USER_INPUT.
 *
 * fast-check runs are reproducible: the seed is fixed (set FC_SEED to explore others, FC_RUNS for
 * more runs per principal) and printed with the counterexample on failure.
 */

const AS_OF = '2026-06-30';
const PERSONS = 5000;
const NUM_RUNS = Number(process.env.FC_RUNS ?? 60);
const FC_SEED = process.env.FC_SEED === undefined ? 42 : Number(process.env.FC_SEED);

// ---------------------------------------------------------------------------------------------
// Oracle

interface HouseholdRow {
  id: string;
  kk: string;
  region: string;
  decile: number | null;
  status: string;
  /** Members' NIKs in NIK order (the order of Household.members). */
  members: string[];
}

interface PersonRow {
  nik: string;
  household: string;
  name: string;
}

interface Oracle {
  households: Map<string, HouseholdRow>;
  persons: Map<string, PersonRow>;
  /** Every raw NIK and KK number of the snapshot. */
  raw: Set<string>;
  /** Household ids in the gateway's page order (COLLATE "C" = code-unit order). */
  sortedIds: string[];
}

async function loadOracle(db: TestDatabase): Promise<Oracle> {
  const { rows: hh } = await db.pool.query<{
    household_id: string;
    kk_number: string;
    region_code: string;
    decile: number | null;
    verification_status: string;
  }>('SELECT household_id, kk_number, region_code, decile, verification_status FROM household');
  const { rows: mm } = await db.pool.query<{ nik: string; household_id: string; name: string }>(
    'SELECT nik, household_id, name FROM member ORDER BY nik',
  );
  const households = new Map<string, HouseholdRow>();
  for (const h of hh) {
    households.set(h.household_id, {
      id: h.household_id,
      kk: h.kk_number.trim(),
      region: h.region_code,
      decile: h.decile,
      status: h.verification_status,
      members: [],
    });
  }
  const persons = new Map<string, PersonRow>();
  for (const m of mm) {
    persons.set(m.nik, { nik: m.nik, household: m.household_id, name: m.name });
    households.get(m.household_id)!.members.push(m.nik);
  }
  for (const h of households.values()) h.members.sort(byCodeUnit);
  const raw = new Set<string>([...persons.keys(), ...[...households.values()].map((h) => h.kk)]);
  const sortedIds = [...households.keys()].sort(byCodeUnit);
  return { households, persons, raw, sortedIds };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const mask = (value: string) => `${value.slice(0, 6)}******${value.slice(-4)}`;

// ---------------------------------------------------------------------------------------------
// Principals

interface LocalGov {
  clientId: string;
  scope: string;
  /** Another local government whose cursors must not work for this one. */
  foreign: string;
}

const LOCAL_GOVS: LocalGov[] = [
  { clientId: 'pemda-3201', scope: '3201', foreign: 'pemda-3171' },
  { clientId: 'pemda-3201-review', scope: '3201', foreign: 'pemda-3201' },
  { clientId: 'pemda-3171', scope: '3171', foreign: 'pemda-3201' },
];

/** Demo clients that may not read records at all (CONTRACT §6). */
const NON_RECORD_CLIENTS = DEMO_CLIENTS.filter((c) => c.agency.kind !== 'LOCAL_GOV');

// ---------------------------------------------------------------------------------------------
// Selections: a tree the test renders into GraphQL and walks the response with

type TypeName = 'Person' | 'Household';
type Style = 'plain' | 'inline' | 'named';

interface FieldSel {
  field: string;
  alias: string | null;
  style: Style;
  sub: Sel | null;
}

interface Sel {
  type: TypeName;
  fields: FieldSel[];
}

const SCALARS: Record<TypeName, string[]> = {
  Person: ['nik', 'name', 'sex', 'birthDate', 'relationship', 'status'],
  Household: [
    'id',
    'kkNumber',
    'regionCode',
    'address',
    'decile',
    'verificationStatus',
    'verifiedAt',
  ],
};
const RELATION: Record<TypeName, { field: string; type: TypeName }> = {
  Person: { field: 'household', type: 'Household' },
  Household: { field: 'members', type: 'Person' },
};
/** graphql-armor allows 15 aliases per operation; roots use up to 3. */
const MAX_FIELD_ALIASES = 10;

const keyOf = (f: FieldSel) => f.alias ?? f.field;

const styleArb = fc.constantFrom<Style>('plain', 'plain', 'inline', 'named');

function selectionArb(type: TypeName, depth: number): fc.Arbitrary<Sel> {
  const names = SCALARS[type];
  const choice = fc.record({
    include: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    alias: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    style: styleArb,
  });
  const relation = RELATION[type];
  const related: fc.Arbitrary<{ alias: boolean; style: Style; sub: Sel } | null> =
    depth > 0
      ? fc.option(
          fc.record({
            alias: fc.boolean(),
            style: styleArb,
            sub: selectionArb(relation.type, depth - 1),
          }),
          { nil: null, freq: 3 },
        )
      : fc.constant(null);
  return fc
    .record({ choices: fc.tuple(...names.map(() => choice)), related })
    .map(({ choices, related: rel }) => {
      const fields: FieldSel[] = [];
      names.forEach((field, i) => {
        const c = choices[i]!;
        // Household.id is always selected: the walk needs it to know which household it is.
        if (c.include || field === 'id')
          fields.push({ field, alias: c.alias ? `a_${field}` : null, style: c.style, sub: null });
      });
      if (rel)
        fields.push({
          field: relation.field,
          alias: rel.alias ? `a_${relation.field}` : null,
          style: rel.style,
          sub: rel.sub,
        });
      if (fields.length === 0)
        fields.push({ field: 'name', alias: null, style: 'plain', sub: null });
      return { type, fields };
    });
}

/** A copy of the tree with at most `budget.left` aliases (graphql-armor's limit). */
function capAliases(sel: Sel, budget = { left: MAX_FIELD_ALIASES }): Sel {
  return {
    type: sel.type,
    fields: sel.fields.map((f) => {
      let alias = f.alias;
      if (alias !== null) {
        if (budget.left > 0) budget.left--;
        else alias = null;
      }
      return { ...f, alias, sub: f.sub ? capAliases(f.sub, budget) : null };
    }),
  };
}

/** Renders selections, collecting the named fragments they use. */
class Renderer {
  private readonly fragments: string[] = [];

  selection(sel: Sel): string {
    const groups: Record<Style, string[]> = { plain: [], inline: [], named: [] };
    for (const f of sel.fields) groups[f.style].push(this.field(f));
    const parts = [...groups.plain];
    if (groups.inline.length > 0) parts.push(`... on ${sel.type} { ${groups.inline.join(' ')} }`);
    if (groups.named.length > 0) {
      const name = `F${this.fragments.length}`;
      this.fragments.push(`fragment ${name} on ${sel.type} { ${groups.named.join(' ')} }`);
      parts.push(`...${name}`);
    }
    return parts.join(' ');
  }

  fragment(name: string, on: string, body: string): string {
    this.fragments.push(`fragment ${name} on ${on} { ${body} }`);
    return `...${name}`;
  }

  document(operation: string): string {
    return [operation, ...this.fragments].join('\n');
  }

  private field(f: FieldSel): string {
    const head = f.alias ? `${f.alias}: ${f.field}` : f.field;
    return f.sub ? `${head} { ${this.selection(f.sub)} }` : head;
  }
}

// ---------------------------------------------------------------------------------------------
// Operations

type Source = 'in' | 'out' | 'outNear' | 'unknown';

interface Lookup {
  kind: 'person' | 'household';
  source: Source;
  value: string;
  /** A value of the same kind that does not exist, for the out-of-scope twin request. */
  twin: string;
  /** NIKs only: written into the document instead of passed as a variable. */
  literal: boolean;
  sel: Sel;
}

interface LookupOp {
  op: 'lookup';
  roots: Lookup[];
  aliasRoot: boolean;
}

interface Filter {
  regionCode?: string;
  decileMin?: number;
  decileMax?: number;
  verificationStatus?: string;
}

interface PagesOp {
  op: 'pages';
  filter: Filter | null;
  first: number;
  maxPages: number;
  sel: Sel;
  aliasRoot: boolean;
  connectionFragment: boolean;
}

interface CursorOp {
  op: 'cursor';
  /**
   * foreign: the other local government's endCursor for the same filter;
   * otherFilter: this client's cursor of another filter;
   * tampered: this client's MAC over a body that points elsewhere;
   * garbage: anything.
   */
  source: 'foreign' | 'otherFilter' | 'tampered' | 'garbage';
  filter: Filter;
  first: number;
  position: string;
  garbage: string;
}

interface NonRecordsOp {
  op: 'nonRecords';
  clientId: string;
  inner: LookupOp | PagesOp;
}

type Op = LookupOp | PagesOp | CursorOp | NonRecordsOp;

interface Built {
  query: string;
  variables: Record<string, unknown>;
}

function rootKey(field: string, index: number, aliased: boolean): string {
  return aliased ? `r${index}_${field}` : field;
}

function buildLookup(op: LookupOp, useTwins: boolean): Built {
  const r = new Renderer();
  const aliased = op.aliasRoot || op.roots.length > 1;
  const params: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  op.roots.forEach((root, i) => {
    const value = useTwins && root.source !== 'in' ? root.twin : root.value;
    const head = aliased ? `${rootKey(root.kind, i, true)}: ` : '';
    let arg: string;
    if (root.kind === 'person' && root.literal) {
      arg = `nik: ${JSON.stringify(value)}`;
    } else {
      params.push(`$v${i}: ${root.kind === 'person' ? 'NIK!' : 'ID!'}`);
      arg = `${root.kind === 'person' ? 'nik' : 'id'}: $v${i}`;
      variables[`v${i}`] = value;
    }
    fields.push(`${head}${root.kind}(${arg}) { ${r.selection(root.sel)} }`);
  });
  const signature = params.length > 0 ? `(${params.join(', ')})` : '';
  return { query: r.document(`query Lookup${signature} { ${fields.join(' ')} }`), variables };
}

function buildPage(op: PagesOp, after: string | null): Built {
  const r = new Renderer();
  const connection = `edges { cursor node { ${r.selection(op.sel)} } } pageInfo { endCursor hasNextPage }`;
  const body = op.connectionFragment
    ? r.fragment('Conn', 'HouseholdConnection', connection)
    : connection;
  const head = op.aliasRoot ? 'page: ' : '';
  return {
    query: r.document(
      `query Page($filter: HouseholdFilterInput, $first: Int, $after: String) { ${head}households(filter: $filter, first: $first, after: $after) { ${body} } }`,
    ),
    variables: { filter: op.filter, first: op.first, after },
  };
}

const PAGE_QUERY =
  'query($filter: HouseholdFilterInput, $first: Int, $after: String) { households(filter: $filter, first: $first, after: $after) { edges { node { id } } pageInfo { endCursor hasNextPage } } }';

// ---------------------------------------------------------------------------------------------
// Test setup

let db: TestDatabase;
let gateway: TestGateway;
let oracle: Oracle;
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedSyntheticSnapshot(db, { persons: PERSONS, seed: 'records-properties', asOf: AS_OF });
  gateway = await startTestGateway(db);
  const access = await demoAccess(db, gateway);
  for (const c of DEMO_CLIENTS) headers.set(c.clientId, await access.as(c.clientId, c.purposes[0]));
  oracle = await loadOracle(db);
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

const inScope = (p: LocalGov, householdId: string) =>
  oracle.households.get(householdId)?.region.startsWith(p.scope) === true;

/** Clients that may run published documents only (the dashboard): they send no query text. */
const TRUSTED_ONLY = new Set(
  DEMO_CLIENTS.filter((c) => c.trustedDocumentsOnly).map((c) => c.clientId),
);

function call(clientId: string, built: Built): Promise<GraphQLResult> {
  const options = { variables: built.variables, headers: headers.get(clientId) };
  return TRUSTED_ONLY.has(clientId)
    ? graphqlDocument(gateway, db, built.query, options)
    : graphql(gateway, built.query, options);
}

// ---------------------------------------------------------------------------------------------
// Checks

/** What a response check collects: the response paths of masked values seen. */
interface Walk {
  p: LocalGov;
  masked: string[];
}

function checkHousehold(
  w: Walk,
  node: unknown,
  sel: Sel,
  path: Array<string | number>,
  expectId: string | null,
): void {
  const where = path.join('.');
  expect(node, where).toBeTypeOf('object');
  expect(node, where).not.toBeNull();
  const obj = node as Record<string, unknown>;
  expect(Object.keys(obj).sort(), where).toEqual(sel.fields.map(keyOf).sort());
  const id = obj[keyOf(sel.fields.find((f) => f.field === 'id')!)] as string;
  const h = oracle.households.get(id);
  expect(h, `${where}: household ${id} does not exist`).toBeDefined();
  expect(inScope(w.p, id), `${where}: household ${id} outside ${w.p.scope}`).toBe(true);
  if (expectId !== null) expect(id, where).toBe(expectId);
  for (const f of sel.fields) {
    const value = obj[keyOf(f)];
    const at = [...path, keyOf(f)];
    switch (f.field) {
      case 'kkNumber':
        expect(value, at.join('.')).toBe(mask(h!.kk));
        expect(value).toMatch(/^\d{6}\*{6}\d{4}$/);
        w.masked.push(at.join('.'));
        break;
      case 'regionCode':
        expect(value, at.join('.')).toBe(h!.region);
        break;
      case 'decile':
        expect(value, at.join('.')).toBe(h!.decile);
        break;
      case 'verificationStatus':
        expect(value, at.join('.')).toBe(h!.status);
        break;
      case 'members': {
        expect(Array.isArray(value), at.join('.')).toBe(true);
        const members = value as unknown[];
        expect(members.length, at.join('.')).toBe(h!.members.length);
        members.forEach((m, i) => checkPerson(w, m, f.sub!, [...at, i], h!.members[i]!));
        break;
      }
    }
  }
}

function checkPerson(
  w: Walk,
  node: unknown,
  sel: Sel,
  path: Array<string | number>,
  expectNik: string,
): void {
  const where = path.join('.');
  expect(node, where).toBeTypeOf('object');
  expect(node, where).not.toBeNull();
  const obj = node as Record<string, unknown>;
  expect(Object.keys(obj).sort(), where).toEqual(sel.fields.map(keyOf).sort());
  const person = oracle.persons.get(expectNik)!;
  expect(inScope(w.p, person.household), `${where}: person outside ${w.p.scope}`).toBe(true);
  for (const f of sel.fields) {
    const value = obj[keyOf(f)];
    const at = [...path, keyOf(f)];
    switch (f.field) {
      case 'nik':
        expect(value, at.join('.')).toBe(mask(person.nik));
        expect(value).toMatch(/^\d{6}\*{6}\d{4}$/);
        w.masked.push(at.join('.'));
        break;
      case 'name':
        expect(value, at.join('.')).toBe(person.name);
        break;
      case 'household':
        checkHousehold(w, value, f.sub!, at, person.household);
        break;
    }
  }
}

/** `extensions.disclosure` lists exactly the masked values, by their response paths. */
function checkDisclosure(w: Walk, r: GraphQLResult): void {
  const notes = r.body.extensions?.disclosure ?? [];
  for (const n of notes) expect(n).toEqual({ path: n.path, rule: 'MASKED', mask: 'FIRST6_LAST4' });
  expect(notes.map((n) => n.path).sort(byCodeUnit)).toEqual([...w.masked].sort(byCodeUnit));
}

/**
 * The whole serialized response: no raw NIK or KK in any run of digits; every household id and
 * every masked value that appears belongs to the principal's scope (none at all for `null`).
 */
function scanText(p: LocalGov | null, r: GraphQLResult): void {
  const text = JSON.stringify(r.body);
  for (const m of text.matchAll(/\d{16,}/g)) {
    for (let i = 0; i + 16 <= m[0].length; i++) {
      const w = m[0].slice(i, i + 16);
      expect(oracle.raw.has(w), `raw NIK/KK ${w} in a response`).toBe(false);
    }
  }
  for (const m of text.matchAll(/H\d{9}/g)) {
    if (!oracle.households.has(m[0])) continue;
    expect(p !== null && inScope(p, m[0]), `household ${m[0]} in a response`).toBe(true);
  }
  for (const m of text.matchAll(/\d{6}\*{6}\d{4}/g)) {
    expect(p, `masked value ${m[0]} given to a non-records client`).not.toBeNull();
    expect(inScopeMasks(p!).has(m[0]), `masked value ${m[0]} matches nothing in scope`).toBe(true);
  }
}

const maskCache = new Map<string, Set<string>>();
function inScopeMasks(p: LocalGov): Set<string> {
  let set = maskCache.get(p.scope);
  if (!set) {
    set = new Set();
    for (const h of oracle.households.values()) {
      if (!h.region.startsWith(p.scope)) continue;
      set.add(mask(h.kk));
      for (const nik of h.members) set.add(mask(nik));
    }
    maskCache.set(p.scope, set);
  }
  return set;
}

const codes = (r: GraphQLResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);

function matchesFilter(h: HouseholdRow, f: Filter | null): boolean {
  if (!f) return true;
  if (f.regionCode !== undefined && !h.region.startsWith(f.regionCode)) return false;
  if (f.decileMin !== undefined && (h.decile === null || h.decile < f.decileMin)) return false;
  if (f.decileMax !== undefined && (h.decile === null || h.decile > f.decileMax)) return false;
  if (f.verificationStatus !== undefined && h.status !== f.verificationStatus) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Running operations

async function runLookup(p: LocalGov, op: LookupOp): Promise<void> {
  const built = buildLookup(op, false);
  const r = await call(p.clientId, built);
  const label = `${built.query} → ${JSON.stringify(r.body.errors)}`;
  expect(r.status, label).toBe(200);
  expect(r.body.errors, label).toBeUndefined();
  const data = r.body.data as Record<string, unknown>;
  const aliased = op.aliasRoot || op.roots.length > 1;
  const w: Walk = { p, masked: [] };
  op.roots.forEach((root, i) => {
    const key = rootKey(root.kind, i, aliased);
    if (root.source !== 'in') {
      expect(data[key], `${key} (${root.source})`).toBeNull();
      return;
    }
    if (root.kind === 'person') checkPerson(w, data[key], root.sel, [key], root.value);
    else checkHousehold(w, data[key], root.sel, [key], root.value);
  });
  checkDisclosure(w, r);
  scanText(p, r);

  // Out of scope answers exactly as does not exist: same status, same body, byte for byte.
  if (op.roots.some((root) => root.source !== 'in')) {
    const twin = await call(p.clientId, buildLookup(op, true));
    expect(twin.status, label).toBe(r.status);
    if (op.roots.length === 1) {
      expect(JSON.stringify(twin.body), label).toBe(JSON.stringify(r.body));
    } else {
      // Several roots resolve concurrently, so the order of disclosure notes varies from run to
      // run (also for identical requests); everything else is byte for byte the same.
      expect(JSON.stringify(twin.body.data), label).toBe(JSON.stringify(r.body.data));
      expect(twin.body.errors, label).toEqual(r.body.errors);
      const paths = (x: GraphQLResult) =>
        (x.body.extensions?.disclosure ?? []).map((n) => JSON.stringify(n)).sort(byCodeUnit);
      expect(paths(twin), label).toEqual(paths(r));
    }
  }
}

async function runPages(p: LocalGov, op: PagesOp): Promise<void> {
  const expected = oracle.sortedIds.filter(
    (id) => inScope(p, id) && matchesFilter(oracle.households.get(id)!, op.filter),
  );
  const seen: string[] = [];
  const key = op.aliasRoot ? 'page' : 'households';
  let after: string | null = null;
  let done = false;
  for (let page = 0; page < op.maxPages && !done; page++) {
    const built = buildPage(op, after);
    const r = await call(p.clientId, built);
    const label = `${built.query} ${JSON.stringify(built.variables)} → ${JSON.stringify(r.body.errors)}`;
    expect(r.status, label).toBe(200);
    expect(r.body.errors, label).toBeUndefined();
    const conn = (r.body.data as Record<string, unknown>)[key] as {
      edges: Array<{ cursor: string; node: unknown }>;
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
    const w: Walk = { p, masked: [] };
    conn.edges.forEach((edge, i) => {
      checkHousehold(w, edge.node, op.sel, [key, 'edges', i, 'node'], null);
      const node = edge.node as Record<string, unknown>;
      seen.push(node[keyOf(op.sel.fields.find((f) => f.field === 'id')!)] as string);
    });
    checkDisclosure(w, r);
    scanText(p, r);
    expect(conn.edges.length, label).toBeLessThanOrEqual(op.first);
    expect(conn.pageInfo.endCursor, label).toBe(conn.edges.at(-1)?.cursor ?? null);
    if (conn.pageInfo.hasNextPage) expect(conn.edges.length, label).toBe(op.first);
    done = !conn.pageInfo.hasNextPage;
    after = conn.pageInfo.endCursor;
  }
  // Exactly the in-scope households of the filter, in id order, none twice.
  if (done) expect(seen).toEqual(expected);
  else expect(seen).toEqual(expected.slice(0, seen.length));
}

async function endCursorOf(clientId: string, filter: Filter | null, first: number) {
  const r = await call(clientId, { query: PAGE_QUERY, variables: { filter, first } });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { households: { pageInfo: { endCursor: string | null } } }).households
    .pageInfo.endCursor;
}

async function runCursor(p: LocalGov, op: CursorOp): Promise<void> {
  let cursor: string | null;
  let filter: Filter | null = op.filter;
  switch (op.source) {
    case 'foreign':
      cursor = await endCursorOf(p.foreign, filter, op.first);
      if (cursor === null) {
        filter = null;
        cursor = await endCursorOf(p.foreign, null, op.first);
      }
      break;
    case 'otherFilter': {
      cursor = await endCursorOf(p.clientId, null, op.first);
      if (Object.keys(filter).length === 0) filter = { decileMin: 1 };
      break;
    }
    case 'tampered': {
      const own = (await endCursorOf(p.clientId, filter, op.first)) ?? '.x';
      const [ownBody, mac] = own.split('.') as [string, string];
      let body = Buffer.from(JSON.stringify({ p: op.position })).toString('base64url');
      // The drawn position may be exactly where the page ended: then point one further.
      if (body === ownBody)
        body = Buffer.from(JSON.stringify({ p: `${op.position}0` })).toString('base64url');
      cursor = `${body}.${mac}`;
      break;
    }
    case 'garbage':
      cursor = op.garbage;
      break;
  }
  expect(cursor, 'a cursor to try').not.toBeNull();
  const r = await call(p.clientId, {
    query: PAGE_QUERY,
    variables: { filter, first: op.first, after: cursor },
  });
  const label = `${op.source} cursor ${cursor} with ${JSON.stringify(filter)}`;
  expect(codes(r), label).toEqual(['BAD_USER_INPUT']);
  expect(r.body.data ?? null, label).toBeNull();
  scanText(null, r);
}

async function runNonRecords(op: NonRecordsOp): Promise<void> {
  const built = op.inner.op === 'lookup' ? buildLookup(op.inner, false) : buildPage(op.inner, null);
  const r = await call(op.clientId, built);
  const label = `${op.clientId}: ${built.query}`;
  const got = codes(r);
  expect(got.length, label).toBeGreaterThan(0);
  for (const c of got) expect(c, label).toBe('FORBIDDEN');
  const data = r.body.data as Record<string, unknown> | null | undefined;
  for (const value of Object.values(data ?? {})) expect(value, label).toBeNull();
  expect(r.body.extensions?.disclosure, label).toBeUndefined();
  scanText(null, r);
}

async function run(p: LocalGov, op: Op): Promise<void> {
  switch (op.op) {
    case 'lookup':
      return runLookup(p, op);
    case 'pages':
      return runPages(p, op);
    case 'cursor':
      return runCursor(p, op);
    case 'nonRecords':
      return runNonRecords(op);
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries (built from the oracle, per principal)

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

function operations(p: LocalGov): fc.Arbitrary<Op[]> {
  const niks = [...oracle.persons.values()];
  const inNiks = niks.filter((x) => inScope(p, x.household)).map((x) => x.nik);
  const outNiks = niks.filter((x) => !inScope(p, x.household)).map((x) => x.nik);
  // Out of scope but issued in the scope's region (moved away): the NIK prefix must not matter.
  const outNear = outNiks.filter((n) => n.startsWith(p.scope));
  const ids = [...oracle.households.keys()];
  const inIds = ids.filter((id) => inScope(p, id));
  const outIds = ids.filter((id) => !inScope(p, id));
  const foreignScope = LOCAL_GOVS.find((g) => g.clientId === p.foreign)!.scope;
  const outNearIds = outIds.filter((id) =>
    oracle.households.get(id)!.region.startsWith(foreignScope),
  );
  expect(inNiks.length).toBeGreaterThan(10);
  expect(inIds.length).toBeGreaterThan(3);

  const unknownNik = fc
    .oneof(
      fc.tuple(fc.constantFrom(...PROVINCE_CODES), digits(14)).map(([a, b]) => a + b),
      digits(12).map((d) => p.scope + d),
    )
    .filter((n) => !oracle.persons.has(n));
  const unknownId = fc
    .oneof(
      fc.integer({ min: 0, max: 999_999_999 }).map((n) => `H${String(n).padStart(9, '0')}`),
      fc.string({ maxLength: 24 }),
      // Any UTF-16: NUL, lone surrogates, LIKE wildcards (ids are compared with =, never LIKE).
      fc.string({ unit: 'binary', maxLength: 12 }),
    )
    .filter((id) => !oracle.households.has(id));
  const pick = <T>(xs: T[]) => fc.constantFrom(...xs);

  const nikOf: fc.Arbitrary<{ source: Source; value: string }> = fc.oneof(
    { weight: 5, arbitrary: pick(inNiks).map((value) => ({ source: 'in' as const, value })) },
    { weight: 2, arbitrary: pick(outNiks).map((value) => ({ source: 'out' as const, value })) },
    ...(outNear.length > 0
      ? [
          {
            weight: 1,
            arbitrary: pick(outNear).map((value) => ({ source: 'outNear' as const, value })),
          },
        ]
      : []),
    { weight: 1, arbitrary: unknownNik.map((value) => ({ source: 'unknown' as const, value })) },
  );
  const idOf: fc.Arbitrary<{ source: Source; value: string }> = fc.oneof(
    { weight: 5, arbitrary: pick(inIds).map((value) => ({ source: 'in' as const, value })) },
    { weight: 2, arbitrary: pick(outIds).map((value) => ({ source: 'out' as const, value })) },
    ...(outNearIds.length > 0
      ? [
          {
            weight: 1,
            arbitrary: pick(outNearIds).map((value) => ({ source: 'outNear' as const, value })),
          },
        ]
      : []),
    { weight: 1, arbitrary: unknownId.map((value) => ({ source: 'unknown' as const, value })) },
  );
  const personLookup: fc.Arbitrary<Lookup> = fc
    .record({ v: nikOf, twin: unknownNik, literal: fc.boolean(), sel: selectionArb('Person', 3) })
    .map(({ v, twin, literal, sel }) => ({ kind: 'person', ...v, twin, literal, sel }));
  const householdLookup: fc.Arbitrary<Lookup> = fc
    .record({ v: idOf, twin: unknownId, sel: selectionArb('Household', 3) })
    .map(({ v, twin, sel }) => ({ kind: 'household', ...v, twin, literal: false, sel }));
  const lookupOp: fc.Arbitrary<LookupOp> = fc
    .record({
      roots: fc.array(fc.oneof(personLookup, householdLookup), { minLength: 1, maxLength: 3 }),
      aliasRoot: fc.boolean(),
    })
    .map(({ roots, aliasRoot }) => {
      const budget = { left: MAX_FIELD_ALIASES };
      return {
        op: 'lookup' as const,
        roots: roots.map((root) => ({ ...root, sel: capAliases(root.sel, budget) })),
        aliasRoot,
      };
    });

  // Region filters at every level, inside and outside the scope, from the data.
  const regions = [...new Set([...oracle.households.values()].map((h) => h.region))].sort();
  const near = (prefix: string, len: number, n: number) =>
    [...new Set(regions.filter((r) => r.startsWith(prefix)).map((r) => r.slice(0, len)))].slice(
      0,
      n,
    );
  const regionPool = [
    ...new Set([
      '31',
      '32',
      '33',
      '3201',
      '3171',
      '3172',
      '3202',
      ...near('3201', 6, 4),
      ...near('3171', 6, 3),
      ...near('3201', 10, 3),
      ...near('3171', 10, 3),
      ...near('33', 10, 2),
    ]),
  ];
  const maybe = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  const filterArb: fc.Arbitrary<Filter> = fc
    .record({
      regionCode: maybe(pick(regionPool)),
      decileMin: maybe(fc.integer({ min: 1, max: 10 })),
      decileMax: maybe(fc.integer({ min: 1, max: 10 })),
      verificationStatus: maybe(fc.constantFrom('VERIFIED', 'PENDING', 'REJECTED')),
    })
    .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)));
  const firstArb = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 50 }));
  const pagesOp: fc.Arbitrary<PagesOp> = fc.record({
    op: fc.constant('pages' as const),
    filter: fc.option(filterArb, { nil: null, freq: 6 }),
    first: firstArb,
    maxPages: fc.integer({ min: 1, max: 6 }),
    sel: selectionArb('Household', 3).map((s) => capAliases(s)),
    aliasRoot: fc.boolean(),
    connectionFragment: fc.boolean(),
  });
  const cursorOp: fc.Arbitrary<CursorOp> = fc.record({
    op: fc.constant('cursor' as const),
    source: fc.constantFrom('foreign', 'otherFilter', 'tampered', 'garbage'),
    filter: filterArb,
    first: fc.integer({ min: 1, max: 5 }),
    position: fc.oneof(pick(outIds), pick(inIds), fc.constant('')),
    garbage: fc.string({ minLength: 1, maxLength: 60 }),
  });
  const nonRecordsOp: fc.Arbitrary<NonRecordsOp> = fc.record({
    op: fc.constant('nonRecords' as const),
    clientId: pick(NON_RECORD_CLIENTS.map((c) => c.clientId)),
    inner: fc.oneof(lookupOp, pagesOp),
  });
  return fc.array(
    fc.oneof(
      { weight: 5, arbitrary: lookupOp },
      { weight: 3, arbitrary: pagesOp },
      { weight: 1, arbitrary: cursorOp },
      { weight: 1, arbitrary: nonRecordsOp },
    ),
    { minLength: 1, maxLength: 6 },
  );
}

// ---------------------------------------------------------------------------------------------

describe('records properties: scope, masking and disclosure for every local government', () => {
  it('the snapshot has households in and out of every scope', () => {
    for (const p of LOCAL_GOVS) {
      const mine = oracle.sortedIds.filter((id) => inScope(p, id));
      expect(mine.length, p.clientId).toBeGreaterThan(3);
      expect(mine.length, p.clientId).toBeLessThan(oracle.sortedIds.length);
    }
  });

  for (const p of LOCAL_GOVS) {
    it(`${p.clientId} (scope ${p.scope}): no raw NIK/KK, nothing outside the scope, through any path`, async () => {
      await fc.assert(
        fc.asyncProperty(operations(p), async (ops) => {
          for (const op of ops) await run(p, op);
        }),
        { seed: FC_SEED, numRuns: NUM_RUNS },
      );
    }, 180_000);
  }
});

describe('the oracle checks themselves', () => {
  it('catch a raw NIK or KK, a foreign household, a wrong mask and a missing disclosure note', () => {
    const p = LOCAL_GOVS[0]!;
    const inId = oracle.sortedIds.find((id) => inScope(p, id))!;
    const outId = oracle.sortedIds.find((id) => !inScope(p, id))!;
    const h = oracle.households.get(inId)!;
    const out = oracle.households.get(outId)!;
    const nik = h.members[0]!;
    const res = (body: GraphQLResult['body']): GraphQLResult => ({
      status: 200,
      headers: new Headers(),
      body,
    });
    expect(() => scanText(p, res({ data: { x: `No. ${nik}.` } }))).toThrow(/raw NIK/);
    expect(() => scanText(p, res({ data: { x: `7${h.kk}7` } }))).toThrow(/raw NIK/);
    expect(() => scanText(p, res({ data: { x: outId } }))).toThrow(/household/);
    expect(() => scanText(p, res({ data: { x: mask(out.kk) } }))).toThrow(/matches nothing/);
    expect(() => scanText(null, res({ data: { x: mask(nik) } }))).toThrow(/non-records/);
    scanText(p, res({ data: { x: inId, y: mask(nik), z: mask(h.kk) } }));

    const sel: Sel = {
      type: 'Household',
      fields: [
        { field: 'id', alias: null, style: 'plain', sub: null },
        { field: 'kkNumber', alias: 'kk', style: 'named', sub: null },
      ],
    };
    const walk = (): Walk => ({ p, masked: [] });
    expect(() => checkHousehold(walk(), { id: outId, kk: mask(out.kk) }, sel, ['h'], null)).toThrow(
      /outside/,
    );
    expect(() => checkHousehold(walk(), { id: inId, kk: h.kk }, sel, ['h'], null)).toThrow();
    expect(() => checkHousehold(walk(), { id: inId }, sel, ['h'], null)).toThrow();
    const w = walk();
    checkHousehold(w, { id: inId, kk: mask(h.kk) }, sel, ['h'], null);
    expect(() => checkDisclosure(w, res({ data: {} }))).toThrow();
    const note = { path: 'h.kk', rule: 'MASKED', mask: 'FIRST6_LAST4' };
    expect(() =>
      checkDisclosure(
        w,
        res({ data: {}, extensions: { disclosure: [{ ...note, path: 'h.kkNumber' }] } }),
      ),
    ).toThrow();
    checkDisclosure(w, res({ data: {}, extensions: { disclosure: [note] } }));
  });
});

describe('operation limits with fragments', () => {
  // Regression (found by these properties at b47a2a6, fixed in 200a1e5): graphql-armor's maxDepth
  // without `flattenFragments` counted every inline fragment as a level and every named fragment
  // spread as two, so this 6-field-deep query (households → edges → node → members → household →
  // regionCode) was refused as QUERY_TOO_COMPLEX only because it uses one fragment per type, as
  // code generators write queries.
  it('accepts a legitimate 6-level query written with named fragments', async () => {
    const query = `
      query Worklist { households(first: 2) { ...Page } }
      fragment Page on HouseholdConnection { edges { node { ...HouseholdFields } } }
      fragment HouseholdFields on Household { id members { ...PersonFields } }
      fragment PersonFields on Person { name household { ...HouseholdRef } }
      fragment HouseholdRef on Household { regionCode }`;
    const r = await graphql(gateway, query, { headers: headers.get('pemda-3201') });
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe(200);
  });

  it('accepts the same query written without fragments', async () => {
    const query =
      '{ households(first: 2) { edges { node { id members { name household { regionCode } } } } } }';
    const r = await graphql(gateway, query, { headers: headers.get('pemda-3201') });
    expect(codes(r)).toEqual([]);
  });
});

describe('odd inputs to lookups and filters', () => {
  const HOUSEHOLD = 'query($id: ID!) { household(id: $id) { id kkNumber } }';
  const PAGE =
    'query($f: HouseholdFilterInput) { households(filter: $f, first: 3) { edges { node { id } } } }';

  it('answers ids that cannot exist (LIKE wildcards, non-ASCII, lone surrogates) with null', async () => {
    for (const id of ['%', '_', 'H00000001_', 'H0000000%', 'é', '\ud800', ' ', '']) {
      const r = await graphql(gateway, HOUSEHOLD, {
        variables: { id },
        headers: headers.get('pemda-3201'),
      });
      expect(r.body, JSON.stringify(id)).toEqual({ data: { household: null } });
    }
  });

  // Regression (found at b47a2a6, fixed in 200a1e5): an ID with a NUL character went to PostgreSQL,
  // which refuses NUL in text, and the client got INTERNAL_SERVER_ERROR where CONTRACT §6 wants
  // `null`, exactly as for any id that does not exist.
  it('answers an id with a NUL character with null, as any id that does not exist', async () => {
    for (const id of ['\u0000', 'H\u0000']) {
      const r = await graphql(gateway, HOUSEHOLD, {
        variables: { id },
        headers: headers.get('pemda-3201'),
      });
      expect(r.body, JSON.stringify(id)).toEqual({ data: { household: null } });
    }
  });

  // Regression (found at b47a2a6, fixed in 200a1e5): decile bounds outside PostgreSQL's smallint
  // (the type of household.decile) failed in SQL, and the client got INTERNAL_SERVER_ERROR for
  // its own input. A bound beyond 1–10 is a plain bound.
  it('treats a decile filter far outside 1–10 as a plain bound, without an internal error', async () => {
    for (const f of [{ decileMin: 40_000 }, { decileMax: -40_000 }, { decileMin: 2_147_483_647 }]) {
      const r = await graphql(gateway, PAGE, {
        variables: { f },
        headers: headers.get('pemda-3201'),
      });
      expect(r.body, JSON.stringify(f)).toEqual({ data: { households: { edges: [] } } });
    }
    const r = await graphql(gateway, PAGE, {
      variables: { f: { decileMin: -2_147_483_648, decileMax: 2_147_483_647 } },
      headers: headers.get('pemda-3201'),
    });
    const ranked = oracle.sortedIds.filter(
      (id) => inScope(LOCAL_GOVS[0]!, id) && oracle.households.get(id)!.decile !== null,
    );
    expect(r.body).toEqual({
      data: { households: { edges: ranked.slice(0, 3).map((id) => ({ node: { id } })) } },
    });
  });

  it('treats a decile filter just outside 1–10 as a plain bound', async () => {
    const r = await graphql(gateway, PAGE, {
      variables: { f: { decileMin: 0, decileMax: 11 } },
      headers: headers.get('pemda-3201'),
    });
    expect(codes(r)).toEqual([]);
  });
});
