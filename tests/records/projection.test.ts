import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldPolicy, FieldRule } from '../../src/auth/agreement.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Projection from the selection set (issue #18): for random field policies and random operations
 * (lookups, work-list pages, nested members and households, fragments), every record statement
 * the gateway sends reads exactly the policed fields the operation names, each the way the
 * policy says (shown as the column, masked through its mask in SQL, withheld never selected),
 * and nothing else; and the answer carries each field as the policy says.
 *
 * The expected SELECT text of a field is written out here, not taken from the gateway.
 */

const HOUSEHOLD_FIELDS = {
  kkNumber: { column: 'h.kk_number', mask: true },
  regionCode: { column: 'h.region_code', mask: false },
  address: { column: 'h.address', mask: false },
  decile: { column: 'h.decile', mask: false },
  verificationStatus: { column: 'h.verification_status', mask: false },
  verifiedAt: { column: 'h.verified_at', mask: false },
} as const;
const PERSON_FIELDS = {
  nik: { column: 'm.nik', mask: true },
  name: { column: 'm.name', mask: false },
  sex: { column: 'm.sex', mask: false },
  birthDate: { column: 'm.birth_date', mask: false },
  relationship: { column: 'm.relationship', mask: false },
  status: { column: 'm.status', mask: false },
  programs: { column: 'FROM program_recipient r WHERE r.nik = m.nik', mask: false },
} as const;
type HouseholdField = keyof typeof HOUSEHOLD_FIELDS;
type PersonField = keyof typeof PERSON_FIELDS;
const HOUSEHOLD_NAMES = Object.keys(HOUSEHOLD_FIELDS) as HouseholdField[];
const PERSON_NAMES = Object.keys(PERSON_FIELDS) as PersonField[];
/** Internal columns every record statement may read besides the policed fields. */
const INTERNAL = new Set([
  'id',
  '_key',
  '_verifiedAt',
  '_province',
  '_niks',
  '_nik',
  '_household',
  '_members',
  '_total',
  'dataAsOf',
]);

const BUDI = '3201011505809001';
const RULES: FieldRule[] = ['show', 'mask', 'withhold'];
const POLICIES = 6;
const NUM_RUNS = Number(process.env.FC_RUNS ?? 40);
const FC_SEED = process.env.FC_SEED === undefined ? 18 : Number(process.env.FC_SEED);

const policyArbitrary = fc.record({
  Household: fc.record({
    ...Object.fromEntries(HOUSEHOLD_NAMES.map((f) => [f, fc.constantFrom(...RULES)])),
    members: fc.constantFrom<FieldRule>('show', 'show', 'withhold'),
  }),
  Person: fc.record({
    ...Object.fromEntries(PERSON_NAMES.map((f) => [f, fc.constantFrom(...RULES)])),
    household: fc.constantFrom<FieldRule>('show', 'show', 'withhold'),
  }),
}) as fc.Arbitrary<FieldPolicy>;

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let log: StatementLog;
const clients: Array<{ clientId: string; policy: FieldPolicy }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, validSnapshot());
  const logged = withStatementLog(db);
  log = logged.log;
  gateway = await startTestGateway(logged.database);
  access = await demoAccess(db, gateway);
  const base = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!;
  const policies = fc.sample(policyArbitrary, { numRuns: POLICIES, seed: FC_SEED });
  for (const [i, policy] of policies.entries()) {
    const clientId = `projection-${i}`;
    await saveClient(
      db.db,
      registration({ ...base, clientId, fieldPolicy: policy }, 'unused-hash'),
    );
    clients.push({ clientId, policy });
  }
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

interface Shape {
  root: 'person' | 'household' | 'households';
  household: HouseholdField[];
  person: PersonField[];
  /** Follow Household.members / Person.household. */
  nested: boolean;
  /** Put the fields in a named fragment. */
  fragment: boolean;
}

const shapeArbitrary: fc.Arbitrary<Shape> = fc.record({
  root: fc.constantFrom('person', 'household', 'households'),
  household: fc.subarray(HOUSEHOLD_NAMES),
  person: fc.subarray(PERSON_NAMES),
  nested: fc.boolean(),
  fragment: fc.boolean(),
});

function documentOf(shape: Shape): string {
  const hh = `id ${shape.household.join(' ')}`;
  const pp = `${shape.person.join(' ')} dataAsOf`;
  const hhSel = shape.fragment ? '...H' : hh;
  const ppSel = shape.fragment ? '...P' : pp;
  const householdBody = shape.nested ? `${hhSel} members { ${ppSel} }` : hhSel;
  const personBody = shape.nested ? `${ppSel} household { ${hhSel} }` : ppSel;
  const root =
    shape.root === 'person'
      ? `person(nik: "${BUDI}") { ${personBody} }`
      : shape.root === 'household'
        ? `household(id: "H1") { ${householdBody} }`
        : `households(first: 3) { edges { node { ${householdBody} } } }`;
  // Only the fragments the operation spreads (an unused one fails validation).
  const fragments = shape.fragment
    ? [
        root.includes('...H') ? `fragment H on Household { ${hh} }` : '',
        root.includes('...P') ? `fragment P on Person { ${pp} }` : '',
      ].join(' ')
    : '';
  return `query { ${root} } ${fragments}`;
}

/** The fields of each type the document names (what the gateway may read). */
function named(shape: Shape): { Household: Set<string>; Person: Set<string> } {
  const household = new Set<string>();
  const person = new Set<string>();
  const readsHousehold = shape.root !== 'person' || shape.nested;
  const readsPerson = shape.root === 'person' || shape.nested;
  if (readsHousehold) for (const f of shape.household) household.add(f);
  if (readsPerson) for (const f of shape.person) person.add(f);
  return { Household: household, Person: person };
}

function ruleOf(policy: FieldPolicy, type: 'Household' | 'Person', field: string): FieldRule {
  const rule = (policy[type] as Record<string, FieldRule> | undefined)?.[field] ?? 'withhold';
  const maskable = type === 'Household' ? field === 'kkNumber' : field === 'nik';
  return rule === 'mask' && !maskable ? 'withhold' : rule;
}

/** The SELECT list of a record statement: from its first SELECT to its own FROM. */
function selectList(statement: string): string | null {
  const from = statement.search(/FROM (member m|household h)\b/);
  if (from < 0 || !/^\s*(\/\*[^*]*\*\/\s*)?SELECT/.test(statement)) return null;
  return statement.slice(0, from);
}

function checkStatement(
  list: string,
  policy: FieldPolicy,
  wanted: { Household: Set<string>; Person: Set<string> },
): void {
  const aliases = [...list.matchAll(/AS "([A-Za-z_]+)"/g)].map((m) => m[1]!);
  for (const alias of aliases) {
    const isHousehold = alias in HOUSEHOLD_FIELDS;
    const isPerson = alias in PERSON_FIELDS;
    if (INTERNAL.has(alias)) continue;
    expect(isHousehold || isPerson, `${alias} is a policed field`).toBe(true);
  }
  const check = (
    t: 'Household' | 'Person',
    fields: Record<string, { column: string; mask: boolean }>,
  ) => {
    for (const [field, { column }] of Object.entries(fields)) {
      const read = aliases.includes(field);
      if (!read) continue;
      // Read only when named, and never when withheld.
      expect(wanted[t].has(field), `${t}.${field} read though not asked for`).toBe(true);
      const rule = ruleOf(policy, t, field);
      expect(rule, `${t}.${field} read though withheld`).not.toBe('withhold');
      if (rule === 'mask') {
        expect(list).toContain(
          `left(${column}, 6) || '******' || right(${column}, 4) AS "${field}"`,
        );
        expect(list).not.toContain(`${column} AS "${field}"`);
      }
    }
  };
  if (/m\.|program_recipient/.test(list) && aliases.some((a) => a in PERSON_FIELDS))
    check('Person', PERSON_FIELDS);
  if (aliases.some((a) => a in HOUSEHOLD_FIELDS)) check('Household', HOUSEHOLD_FIELDS);
}

describe('projection from the selection set', () => {
  it('reads exactly the policed fields an operation names, as the policy says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(POLICIES - 1), shapeArbitrary, async (which, shape) => {
        const { clientId, policy } = clients[which]!;
        const wanted = named(shape);
        log.clear();
        const r = await graphql(gateway, documentOf(shape), {
          headers: await access.as(clientId, 'VERIVALI'),
        });
        expect(r.body.errors).toBeUndefined();
        const lists = log.statements.map(selectList).filter((l): l is string => l !== null);
        expect(lists.length).toBeGreaterThan(0);
        for (const list of lists) checkStatement(list, policy, wanted);

        // Every field named and not withheld is read in some statement (so answered from SQL).
        const all = lists.join('\n');
        for (const t of ['Household', 'Person'] as const) {
          const reachable =
            t === 'Household'
              ? shape.root !== 'person' ||
                (shape.nested && ruleOf(policy, 'Person', 'household') === 'show')
              : shape.root === 'person' ||
                (shape.nested && ruleOf(policy, 'Household', 'members') === 'show');
          if (!reachable) continue;
          for (const field of wanted[t]) {
            const expected = ruleOf(policy, t, field) !== 'withhold';
            expect(all.includes(`AS "${field}"`), `${t}.${field}`).toBe(expected);
          }
        }

        // The answer: BUDI's person record, field by field, as the policy says.
        if (shape.root === 'person') {
          const person = (r.body.data as { person: Record<string, unknown> | null }).person;
          expect(person).not.toBeNull();
          for (const field of shape.person) {
            const rule = ruleOf(policy, 'Person', field);
            const value = person![field];
            if (rule === 'withhold') expect(value, field).toBeNull();
            else if (field === 'nik')
              expect(value).toBe(rule === 'mask' ? '320101******9001' : BUDI);
            else if (field === 'name') expect(value).toBe('Budi Santoso');
            else if (field === 'programs') expect(Array.isArray(value)).toBe(true);
            else expect(value, field).not.toBeNull();
          }
        }
      }),
      { numRuns: NUM_RUNS, seed: FC_SEED },
    );
  });

  it('reads no programs subquery and no member columns for a page that names none', async () => {
    log.clear();
    const r = await graphql(gateway, '{ households(first: 5) { edges { node { id decile } } } }', {
      headers: await access.as('pemda-3201', 'VERIVALI'),
    });
    expect(r.body.errors).toBeUndefined();
    expect(log.statements).toHaveLength(1);
    const list = selectList(log.statements[0]!)!;
    expect(list).toContain('h.decile AS "decile"');
    for (const field of ['kkNumber', 'address', 'regionCode', 'verificationStatus', 'verifiedAt']) {
      expect(list).not.toContain(`AS "${field}"`);
    }
    expect(list).not.toContain('program_recipient');
  });
});
