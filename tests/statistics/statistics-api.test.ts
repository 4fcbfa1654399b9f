import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { noiseScale } from '../../src/statistics/privacy/discrete-laplace.js';
import { margin95 } from '../../src/statistics/privacy/margin.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { documentedShownCount, recordKeys } from '../support/cell-key-oracle.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { graphqlDocument } from '../support/trusted-documents.js';

/*
 * `statistics` over a generated snapshot, against counts computed here from the CSV text (no
 * code shared with the gateway's SQL), for the three methods of CONTRACT §8.
 */
const AS_OF = '2026-06-30';

type Row = Record<string, string>;

function age(birth: string): number {
  const years = Number(AS_OF.slice(0, 4)) - Number(birth.slice(0, 4));
  return AS_OF.slice(5) < birth.slice(5) ? years - 1 : years;
}

function band(birth: string): string | null {
  if (!birth) return null;
  const a = age(birth);
  if (a < 0) return null;
  return a <= 5 ? '0-5' : a <= 17 ? '6-17' : a <= 59 ? '18-59' : '60+';
}

interface Cell {
  key: { dimension: string; code: string; label: string }[];
  value: number | null;
  suppressed: boolean;
  margin95: number | null;
}
interface Result {
  cells: Cell[];
  method: string;
  epsilonSpent: number;
  budgetRemaining: number | null;
  dataAsOf: string;
  cached: boolean;
  noise: { mechanism: string; epsilon: number; sensitivity: number; scale: number } | null;
  invariants: string[];
}

const STATISTICS = `query S($q: StatisticsQuery!) {
  statistics(query: $q) {
    cells { key { dimension code label } value suppressed margin95 }
    method epsilonSpent budgetRemaining dataAsOf cached
    noise { mechanism epsilon sensitivity scale } invariants
  }
}`;

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let households: Row[];
let members: Row[];
let recipients: Row[];
let regencyCount: number;

beforeAll(async () => {
  db = await createTestDatabase();
  const regions = await readRegions();
  regencyCount = regions.filter((r) => r.level === 2).length;
  const texts = await generateSnapshotText({
    persons: 4000,
    seed: 'statistics',
    asOf: AS_OF,
    regions,
    population: await readPopulation(),
  });
  households = parseCsvRows(texts.households);
  members = parseCsvRows(texts.members);
  recipients = parseCsvRows(texts.recipients);
  await importText(db, texts, AS_OF);
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

async function ask(
  clientId: string,
  purpose: string,
  q: Record<string, unknown>,
  requestId?: string,
): Promise<{ result: Result | null; codes: unknown[] }> {
  const headers = await access.as(clientId, purpose);
  const options = {
    variables: { q },
    headers: requestId ? { ...headers, 'x-request-id': requestId } : headers,
  };
  // The dashboard may only run published documents (CONTRACT §10).
  const r =
    clientId === 'pusdatin-dashboard'
      ? await graphqlDocument(gateway, db, STATISTICS, options)
      : await graphql(gateway, STATISTICS, options);
  const data = r.body.data as { statistics: Result } | null | undefined;
  return {
    result: data?.statistics ?? null,
    codes: (r.body.errors ?? []).map((e) => e.extensions?.code),
  };
}

const keyOf = (cell: Cell) => cell.key.map((k) => k.code).join('|');

function tally(keys: Iterable<string | null>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** ACTIVE members counted for PERSONS: the first 10 by NIK of each household. */
function countedPersons(): Row[] {
  const byHousehold = new Map<string, Row[]>();
  for (const m of members.filter((m) => m.status === 'ACTIVE')) {
    byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
  }
  return [...byHousehold.values()].flatMap((list) =>
    list.sort((a, b) => (a.nik! < b.nik! ? -1 : 1)).slice(0, 10),
  );
}

const BOTH_FORMS = `query S($q: StatisticsQuery!) {
  statistics(query: $q) {
    cells { key { dimension code label } value suppressed margin95 }
    table { dimensions { dimension codes labels } values suppressed margin95 }
  }
}`;

interface Compact {
  dimensions: { dimension: string; codes: string[]; labels: string[] }[];
  values: (number | null)[];
  suppressed: boolean[];
  margin95: (number | null)[];
}

describe('statistics: the compact form', () => {
  it('gives the same numbers as the cells, row-major in the order asked, for each method', async () => {
    const q = { measure: 'PERSONS', groupBy: ['SEX', 'PROVINCE', 'AGE_BAND'] };
    for (const [client, purpose] of [
      ['gateway-admin', 'OVERSIGHT'],
      ['pusdatin-dashboard', 'MONITORING'],
      ['bps-researcher', 'RESEARCH'],
    ] as const) {
      const options = { variables: { q }, headers: await access.as(client, purpose) };
      const r =
        client === 'pusdatin-dashboard'
          ? await graphqlDocument(gateway, db, BOTH_FORMS, options)
          : await graphql(gateway, BOTH_FORMS, options);
      expect(r.body.errors, client).toBeUndefined();
      const { cells, table } = (r.body.data as { statistics: { cells: Cell[]; table: Compact } })
        .statistics;
      expect(table.dimensions.map((d) => d.dimension)).toEqual(['SEX', 'PROVINCE', 'AGE_BAND']);
      const sizes = table.dimensions.map((d) => d.codes.length);
      expect(sizes[1]).toBe(38);
      expect(cells).toHaveLength(sizes[0]! * sizes[1]! * sizes[2]!);
      expect(table.values).toHaveLength(cells.length);
      cells.forEach((cell, i) => {
        // Cell i has codes (⌊i / (n2·n3)⌋, ⌊i / n3⌋ mod n2, i mod n3).
        const at = [
          Math.floor(i / (sizes[1]! * sizes[2]!)),
          Math.floor(i / sizes[2]!) % sizes[1]!,
          i % sizes[2]!,
        ];
        expect(cell.key.map((k) => k.code)).toEqual(
          at.map((a, d) => table.dimensions[d]!.codes[a]),
        );
        expect(cell.key.map((k) => k.label)).toEqual(
          at.map((a, d) => table.dimensions[d]!.labels[a]),
        );
        expect([cell.value, cell.suppressed, cell.margin95]).toEqual([
          table.values[i],
          table.suppressed[i],
          table.margin95[i],
        ]);
      });
    }
    // The researcher's budget as the tests below expect to find it (their first spend).
    await db.pool.query('DELETE FROM privacy_spend');
  });
});

describe('statistics: EXACT for the administrator', () => {
  it('HOUSEHOLDS by REGENCY × DECILE equals the independent counts, with the full grid', async () => {
    const { result, codes } = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'HOUSEHOLDS',
      groupBy: ['REGENCY', 'DECILE'],
    });
    expect(codes).toEqual([]);
    expect(result!.method).toBe('EXACT');
    expect(result!.dataAsOf).toBe(AS_OF);
    expect(result!.cells).toHaveLength(regencyCount * 10);
    const expected = tally(
      households.map((h) =>
        h.region_code && h.decile ? `${h.region_code.slice(0, 4)}|${h.decile}` : null,
      ),
    );
    for (const cell of result!.cells) {
      expect(cell.key.map((k) => k.dimension)).toEqual(['REGENCY', 'DECILE']);
      expect(cell.value, keyOf(cell)).toBe(expected.get(keyOf(cell)) ?? 0);
      expect(cell.suppressed).toBe(false);
      expect(cell.margin95).toBeNull();
    }
    expect(result!.cells.reduce((s, c) => s + c.value!, 0)).toBe(
      [...expected.values()].reduce((s, n) => s + n, 0),
    );
  });

  it('PERSONS by PROGRAM × SEX counts each person once per program received (own receipt)', async () => {
    const { result } = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'PERSONS',
      groupBy: ['PROGRAM', 'SEX'],
    });
    const counted = new Map(countedPersons().map((m) => [m.nik!, m]));
    const expected = tally(
      recipients.map((r) => {
        const m = counted.get(r.nik!);
        return m && m.sex ? `${r.program}|${m.sex}` : null;
      }),
    );
    expect(result!.cells).toHaveLength(8);
    for (const cell of result!.cells) {
      expect(cell.value, keyOf(cell)).toBe(expected.get(keyOf(cell)) ?? 0);
    }
    expect(result!.cells.reduce((sum, c) => sum + c.value!, 0)).toBeGreaterThan(100);
    expect(result!.cells[0]!.key[0]).toEqual({
      dimension: 'PROGRAM',
      code: 'PKH',
      label: 'Program Keluarga Harapan',
    });
  });

  it('HOUSEHOLDS by PROGRAM within a province: households with an ACTIVE recipient member', async () => {
    const { result } = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'HOUSEHOLDS',
      groupBy: ['PROGRAM'],
      filter: { regionCode: '32' },
    });
    const householdOf = new Map(members.map((m) => [m.nik!, m]));
    const inProvince = new Set(
      households.filter((h) => h.region_code!.startsWith('32')).map((h) => h.household_id!),
    );
    const pairs = new Set<string>();
    for (const r of recipients) {
      const m = householdOf.get(r.nik!);
      if (m && m.status === 'ACTIVE' && inProvince.has(m.household_id!)) {
        pairs.add(`${m.household_id}|${r.program}`);
      }
    }
    const expected = tally([...pairs].map((p) => p.split('|')[1]!));
    expect(result!.cells.map(keyOf)).toEqual(['PKH', 'BPNT', 'PBI_JK', 'PIP']);
    for (const cell of result!.cells) {
      expect(cell.value, keyOf(cell)).toBe(expected.get(keyOf(cell)) ?? 0);
    }
    expect(result!.cells.reduce((sum, c) => sum + c.value!, 0)).toBeGreaterThan(10);
  });

  it('HOUSEHOLDS by AGE_BAND of the head, filtered by deciles and a program', async () => {
    const { result } = await ask('gateway-admin', 'OVERSIGHT', {
      measure: 'HOUSEHOLDS',
      groupBy: ['AGE_BAND'],
      filter: { deciles: [1, 2, 3], programs: ['PBI_JK'] },
    });
    const receiving = new Set(
      recipients
        .filter((r) => r.program === 'PBI_JK')
        .map((r) => members.find((m) => m.nik === r.nik && m.status === 'ACTIVE')?.household_id)
        .filter((id): id is string => id !== undefined),
    );
    const heads = new Map<string, Row>();
    for (const m of [...members].sort((a, b) => (a.nik! < b.nik! ? -1 : 1))) {
      if (m.relationship === 'HEAD' && m.status === 'ACTIVE' && !heads.has(m.household_id!)) {
        heads.set(m.household_id!, m);
      }
    }
    const expected = tally(
      households
        .filter((h) => ['1', '2', '3'].includes(h.decile!) && receiving.has(h.household_id!))
        .map((h) => {
          const head = heads.get(h.household_id!);
          return head ? band(head.birth_date!) : null;
        }),
    );
    expect(result!.cells.map(keyOf)).toEqual(['0-5', '6-17', '18-59', '60+']);
    expect(result!.cells.reduce((sum, c) => sum + c.value!, 0)).toBeGreaterThan(10);
    for (const cell of result!.cells) {
      expect(cell.value, keyOf(cell)).toBe(expected.get(keyOf(cell)) ?? 0);
    }
  });
});

/** Problems with a suppressed table: a small cell shown, or a line with one suppressed cell. */
function lineRuleProblems(cells: Cell[]): string[] {
  const problems: string[] = [];
  for (const c of cells) {
    if (!c.suppressed && c.value !== null && c.value >= 1 && c.value < 10) {
      problems.push(`small cell shown ${keyOf(c)}`);
    }
  }
  const dims = cells[0]?.key.length ?? 0;
  for (let free = 0; free < dims; free++) {
    const lines = new Map<string, Cell[]>();
    for (const c of cells) {
      const rest = c.key
        .filter((_, i) => i !== free)
        .map((k) => k.code)
        .join('|');
      lines.set(rest, [...(lines.get(rest) ?? []), c]);
    }
    for (const [rest, line] of lines) {
      if (line.length < 2) continue;
      if (line.filter((c) => c.suppressed).length === 1) problems.push(`lone cell in ${rest}`);
    }
  }
  return problems;
}

describe('statistics: SUPPRESSION for the internal dashboard', () => {
  it('shows cell-key perturbed values, hides small cells and no line has a lone suppressed cell', async () => {
    const { result, codes } = await ask('pusdatin-dashboard', 'MONITORING', {
      measure: 'PERSONS',
      groupBy: ['PROVINCE', 'DECILE'],
    });
    expect(codes).toEqual([]);
    expect(result!.method).toBe('SUPPRESSION');
    expect(result!.noise).toBeNull();
    const counted = countedPersons();
    const householdOf = new Map(households.map((h) => [h.household_id!, h]));
    const cellOf = (m: Row) => {
      const h = householdOf.get(m.household_id!)!;
      return h.region_code && h.decile ? `${h.region_code.slice(0, 2)}|${h.decile}` : null;
    };
    const expected = tally(counted.map(cellOf));
    const keys = await recordKeys(
      db,
      counted.map((m) => m.nik!),
    );
    const keySums = new Map<string, number>();
    for (const m of counted) {
      const cell = cellOf(m);
      if (cell !== null) keySums.set(cell, (keySums.get(cell) ?? 0) + keys.get(m.nik!)!);
    }
    let hidden = 0;
    let moved = 0;
    for (const cell of result!.cells) {
      const exact = expected.get(keyOf(cell)) ?? 0;
      if (cell.suppressed) {
        expect(cell.value).toBeNull();
        hidden++;
      } else {
        const shown = documentedShownCount(exact, keySums.get(keyOf(cell)) ?? 0);
        expect(cell.value, keyOf(cell)).toBe(shown);
        expect(Math.abs(cell.value! - exact)).toBeLessThanOrEqual(4);
        if (cell.value !== exact) moved++;
      }
    }
    expect(hidden).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
    expect(lineRuleProblems(result!.cells)).toEqual([]);
  });

  it('refuses epsilon, which only applies to researchers', async () => {
    const { codes } = await ask('pusdatin-dashboard', 'MONITORING', {
      measure: 'HOUSEHOLDS',
      epsilon: 0.5,
    });
    expect(codes).toEqual(['BAD_USER_INPUT']);
  });
});

describe('statistics: DIFFERENTIAL_PRIVACY for researchers', () => {
  async function budgetLeft(): Promise<number> {
    const r = await graphql(gateway, '{ me { privacyBudgetRemaining } }', {
      headers: await access.as('bps-researcher'),
    });
    return (r.body.data as { me: { privacyBudgetRemaining: number } }).me.privacyBudgetRemaining;
  }

  it('noisy non-negative integers whose margins add up, nothing hidden; a repeat is cached and spends nothing', async () => {
    expect(await budgetLeft()).toBe(3);
    const q = { measure: 'HOUSEHOLDS', groupBy: ['DECILE', 'PROVINCE'] };
    const first = await ask('bps-researcher', 'RESEARCH', q, 'stats-dp-1');
    expect(first.codes).toEqual([]);
    const r = first.result!;
    expect(r.method).toBe('DIFFERENTIAL_PRIVACY');
    expect(r.cached).toBe(false);
    expect(r.epsilonSpent).toBe(0.1);
    // The table states how its noise was made: one household moves one cell by one.
    expect(r.noise).toEqual({
      mechanism: 'DISCRETE_LAPLACE',
      epsilon: 0.1,
      sensitivity: 1,
      scale: 10,
    });
    // The exact figures beside it, outside the guarantee: the registry totals.
    expect(r.invariants).toEqual(['snapshot.households', 'snapshot.persons']);
    expect(r.budgetRemaining).toBeCloseTo(2.9, 9);
    expect(await budgetLeft()).toBeCloseTo(2.9, 9);
    const margin = margin95(noiseScale(1, 100));
    for (const cell of r.cells) {
      expect(cell.key.map((k) => k.dimension)).toEqual(['DECILE', 'PROVINCE']);
      expect(cell.suppressed).toBe(false);
      expect(Number.isInteger(cell.value)).toBe(true);
      expect(cell.value!).toBeGreaterThanOrEqual(0);
      expect(cell.margin95).toBe(margin);
    }
    // A few thousand households over 38 provinces: small cells are shown too (no hiding, so no
    // bias in sums), and the table's total is within noise of the truth: the sum of 380 cells'
    // noise before the fit has a standard deviation of about 10·√2·√380 ≈ 276.
    expect(r.cells.some((c) => c.value! < 10)).toBe(true);
    const shownTotal = r.cells.reduce((s, c) => s + c.value!, 0);
    const ranked = households.filter((h) => h.decile && h.region_code).length;
    expect(Math.abs(shownTotal - ranked)).toBeLessThan(6 * 276);

    const again = await ask('bps-researcher', 'RESEARCH', q);
    expect(again.result!.cached).toBe(true);
    expect(again.result!.cells).toEqual(r.cells);
    expect(again.result!.epsilonSpent).toBe(0);
    expect(again.result!.noise).toEqual(r.noise);
    expect(again.result!.budgetRemaining).toBeCloseTo(2.9, 9);

    // The same question with the dimensions in another order: the same stored answer.
    const permuted = await ask('bps-researcher', 'RESEARCH', {
      ...q,
      groupBy: ['PROVINCE', 'DECILE'],
    });
    expect(permuted.result!.cached).toBe(true);
    const byKey = new Map(r.cells.map((c) => [`${c.key[1]!.code}|${c.key[0]!.code}`, c.value]));
    for (const cell of permuted.result!.cells) {
      expect(cell.key.map((k) => k.dimension)).toEqual(['PROVINCE', 'DECILE']);
      expect(cell.value).toBe(byKey.get(keyOf(cell)));
    }
    expect(await budgetLeft()).toBeCloseTo(2.9, 9);

    // Audited: DISCLOSED, no subjects, the query key among the decision ids.
    const { rows } = await db.pool.query<{
      outcome: string;
      subjects: string[];
      decision_ids: string[];
    }>('SELECT outcome, subjects, decision_ids FROM audit_event WHERE request_id = $1', [
      'stats-dp-1',
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('DISCLOSED');
    expect(rows[0]!.subjects).toEqual([]);
    expect(rows[0]!.decision_ids[0]).toMatch(/^DIFFERENTIAL_PRIVACY:sq2:[0-9a-f]{64}$/);
  });

  it('the global budget (DTKS_GLOBAL_PRIVACY_BUDGET) caps every researcher', async () => {
    const capped = await startTestGateway(db, {
      globalPrivacyBudget: 0.05,
      dataDir: gateway.dataDir,
    });
    try {
      const q = { measure: 'HOUSEHOLDS', groupBy: ['DECILE', 'SEX'] };
      const r = await graphql(capped, STATISTICS, {
        variables: { q },
        headers: await access.as('bps-researcher', 'RESEARCH'),
      });
      expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['BUDGET_EXHAUSTED']);
      // The client's own budget had room: the default gateway (global 10) answers it.
      const { result, codes } = await ask('bps-researcher', 'RESEARCH', q);
      expect(codes).toEqual([]);
      expect(result!.epsilonSpent).toBe(0.1);
    } finally {
      await capped.close();
    }
  });

  it('charges the agency: a second client of BPS draws from the same budget', async () => {
    const researcher = DEMO_CLIENTS.find((c) => c.clientId === 'bps-researcher')!;
    await saveClient(
      db.db,
      registration({ ...researcher, clientId: 'bps-researcher-2' }, 'unused-hash'),
    );
    const before = await budgetLeft();
    const second = await graphql(gateway, '{ me { privacyBudgetRemaining } }', {
      headers: await access.as('bps-researcher-2'),
    });
    expect(second.body.data).toEqual({ me: { privacyBudgetRemaining: before } });
    const { result, codes } = await ask('bps-researcher-2', 'RESEARCH', {
      measure: 'HOUSEHOLDS',
      groupBy: ['AGE_BAND'],
      epsilon: 0.25,
    });
    expect(codes).toEqual([]);
    expect(result!.budgetRemaining).toBeCloseTo(before - 0.25, 9);
    expect(await budgetLeft()).toBeCloseTo(before - 0.25, 9);
  });

  it('refuses ε above 1.0, DISTRICT (grouping or a district filter) and two region levels', async () => {
    const before = await budgetLeft();
    for (const q of [
      { measure: 'HOUSEHOLDS', epsilon: 1.5 },
      { measure: 'HOUSEHOLDS', groupBy: ['DISTRICT'] },
      { measure: 'PERSONS', filter: { regionCode: '320101' } },
      { measure: 'HOUSEHOLDS', groupBy: ['PROVINCE', 'REGENCY'] },
    ]) {
      const { result, codes } = await ask('bps-researcher', 'RESEARCH', q);
      expect(codes, JSON.stringify(q)).toEqual(['BAD_USER_INPUT']);
      expect(result).toBeNull();
    }
    expect(await budgetLeft()).toBe(before);
  });

  it('BUDGET_EXHAUSTED when the ε does not fit; what was refused spends nothing', async () => {
    let exhausted = false;
    for (let i = 1; i <= 10 && !exhausted; i++) {
      const { result, codes } = await ask('bps-researcher', 'RESEARCH', {
        measure: 'PERSONS',
        filter: { deciles: [i] },
        epsilon: 1,
      });
      if (codes.length > 0) {
        expect(codes).toEqual(['BUDGET_EXHAUSTED']);
        exhausted = true;
      } else {
        expect(result!.epsilonSpent).toBe(1);
      }
    }
    expect(exhausted).toBe(true);
    const left = await budgetLeft();
    expect(left).toBeLessThan(1);
    expect(left).toBeGreaterThanOrEqual(0);
    // A smaller ε that fits is still answered.
    if (left >= 0.1) {
      const { result } = await ask('bps-researcher', 'RESEARCH', {
        measure: 'HOUSEHOLDS',
        groupBy: ['SEX'],
      });
      expect(result!.budgetRemaining).toBeCloseTo(left - 0.1, 9);
    }
  });
});

describe('statistics: who may ask', () => {
  it('ministries and local governments are FORBIDDEN, and the refusal is audited', async () => {
    for (const [client, purpose] of [
      ['kemenkes-pbi', 'PBI_JK_VERIFICATION'],
      ['pemda-3201', 'VERIVALI'],
    ] as const) {
      const { result, codes } = await ask(
        client,
        purpose,
        { measure: 'HOUSEHOLDS' },
        `no-${client}`,
      );
      expect(codes).toEqual(['FORBIDDEN']);
      expect(result).toBeNull();
      const { rows } = await db.pool.query<{ outcome: string }>(
        'SELECT outcome FROM audit_event WHERE request_id = $1',
        [`no-${client}`],
      );
      expect(rows.map((r) => r.outcome)).toEqual(['REFUSED']);
    }
  });

  it('every statistics call is audited, whatever the method', async () => {
    for (const [client, purpose] of [
      ['pusdatin-dashboard', 'MONITORING'],
      ['gateway-admin', 'OVERSIGHT'],
    ] as const) {
      await ask(client, purpose, { measure: 'HOUSEHOLDS' }, `audit-${client}`);
      const { rows } = await db.pool.query<{ outcome: string; decision_ids: string[] }>(
        'SELECT outcome, decision_ids FROM audit_event WHERE request_id = $1',
        [`audit-${client}`],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.outcome).toBe('DISCLOSED');
      expect(rows[0]!.decision_ids[0]).toMatch(/^(SUPPRESSION|EXACT):sq2:/);
    }
  });

  it('me shows no privacy budget for clients without one', async () => {
    const r = await graphqlDocument(gateway, db, '{ me { privacyBudgetRemaining } }', {
      headers: await access.as('pusdatin-dashboard'),
    });
    expect(r.body.data).toEqual({ me: { privacyBudgetRemaining: null } });
  });
});
