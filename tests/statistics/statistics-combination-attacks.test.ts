import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { documentedPerturbation } from '../support/cell-key-oracle.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { graphqlDocument } from '../support/trusted-documents.js';

/*
 * Combination attacks on statistics through the API (issue #16, docs/privacy.md). An attacker
 * who may ask many tables combines them: differences of filtered totals, overlapping region
 * scopes, groupings at different levels, the same table across filters, two client kinds' views
 * of one table, two researchers with different scopes. The truth comes from the CSV text the
 * test generated; the attacks and their bounds are written here, with no gateway code.
 *
 * With exact counts (the method before this issue) the first attack recovered 3 of 3 hidden
 * cells exactly. Under the cell-key method a difference of two published counts is the
 * difference of the groups plus the difference of two perturbations, which is 0 only with
 * probability Σ P(k)² over the documented table; averaging every estimate the allowed filters
 * give still leaves a standard deviation near 2. The bounds below are stated with the number of
 * trials each run makes (the seed of the record keys is drawn afresh with every database, so the
 * runs differ).
 */

const AS_OF = '2026-06-30';
const BOGOR = '3201';
/** Small regencies of province 32: their regency × decile cells are small. */
const SMALL_REGENCIES = ['3202', '3203', '3204', '3205', '3206', '3207'];

type Row = Record<string, string>;
interface Cell {
  key: { dimension: string; code: string }[];
  value: number | null;
  suppressed: boolean;
}

const STATISTICS = `query S($q: StatisticsQuery!) {
  statistics(query: $q) { cells { key { dimension code } value suppressed } method }
}`;

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
/** The persons PERSONS counts: ACTIVE, the first 10 by NIK of each household. */
let persons: Array<{ region: string; decile: number | null; sex: string; band: string | null }>;
let householdsByRegion: Array<{ region: string; decile: number | null; headSex: string | null }>;
let districts: string[];

function band(birth: string): string | null {
  if (!birth) return null;
  let a = Number(AS_OF.slice(0, 4)) - Number(birth.slice(0, 4));
  if (AS_OF.slice(5) < birth.slice(5)) a--;
  if (a < 0) return null;
  return a <= 5 ? '0-5' : a <= 17 ? '6-17' : a <= 59 ? '18-59' : '60+';
}

beforeAll(async () => {
  db = await createTestDatabase();
  const regions = await readRegions();
  const population = (await readPopulation()).flatMap((p) =>
    p.code === BOGOR
      ? [p]
      : SMALL_REGENCIES.includes(p.code)
        ? [{ ...p, male: p.male / 60, female: p.female / 60, total: p.total / 60 }]
        : [],
  );
  const texts = await generateSnapshotText({
    persons: 9000,
    seed: 'combination-attacks',
    asOf: AS_OF,
    regions,
    population,
  });
  const households = parseCsvRows(texts.households);
  const members = parseCsvRows(texts.members);
  const householdOf = new Map(households.map((h) => [h.household_id!, h]));
  const byHousehold = new Map<string, Row[]>();
  for (const m of members.filter((m) => m.status === 'ACTIVE')) {
    byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
  }
  persons = [...byHousehold.values()]
    .flatMap((list) => list.sort((a, b) => (a.nik! < b.nik! ? -1 : 1)).slice(0, 10))
    .map((m) => {
      const h = householdOf.get(m.household_id!)!;
      return {
        region: h.region_code!,
        decile: h.decile ? Number(h.decile) : null,
        sex: m.sex!,
        band: band(m.birth_date!),
      };
    });
  // A household's sex is its head's: the ACTIVE member with relationship HEAD, smallest NIK.
  const headOf = new Map<string, Row>();
  for (const m of members) {
    if (m.relationship !== 'HEAD' || m.status !== 'ACTIVE') continue;
    const known = headOf.get(m.household_id!);
    if (!known || m.nik! < known.nik!) headOf.set(m.household_id!, m);
  }
  householdsByRegion = households.map((h) => ({
    region: h.region_code!,
    decile: h.decile ? Number(h.decile) : null,
    headSex: headOf.get(h.household_id!)?.sex || null,
  }));
  districts = [...new Set(persons.map((p) => p.region.slice(0, 6)))]
    .filter((d) => d.startsWith(BOGOR))
    .sort();
  await importText(db, texts, AS_OF);
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  // A second researcher, of another agency (its own budget), scoped to the small regencies.
  const researcher = DEMO_CLIENTS.find((c) => c.clientId === 'bps-researcher')!;
  await saveClient(
    db.db,
    registration(
      {
        ...researcher,
        clientId: 'researcher-small',
        agency: { id: 'univ-jabar', name: 'Universitas di Jawa Barat', kind: 'RESEARCHER' },
        regionScope: SMALL_REGENCIES,
        privacyBudget: 100,
      },
      'unused-hash',
    ),
  );
  // The attacker may ask as much as it likes: no rate limit or quota stops it here.
  await db.pool.query(
    `UPDATE agreement SET rate_limit_per_minute = 1000000000, daily_quota = 1000000000,
                          privacy_budget = CASE WHEN privacy_budget IS NULL THEN NULL ELSE 100 END
      WHERE id IN (SELECT agreement_id FROM client)`,
  );
}, 180_000);
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

/** The exact number of counted persons meeting `keep` (the truth the attacker is after). */
const truePersons = (keep: (p: (typeof persons)[number]) => boolean) => persons.filter(keep).length;

interface Asked {
  cells: Cell[];
  code: string | null;
}

async function ask(clientId: string, purpose: string, q: Record<string, unknown>): Promise<Asked> {
  const options = { variables: { q }, headers: await access.as(clientId, purpose) };
  const r =
    clientId === 'pusdatin-dashboard'
      ? await graphqlDocument(gateway, db, STATISTICS, options)
      : await graphql(gateway, STATISTICS, options);
  const data = r.body.data as { statistics: { cells: Cell[] } } | null | undefined;
  const code = (r.body.errors?.[0]?.extensions?.code as string | undefined) ?? null;
  return { cells: data?.statistics.cells ?? [], code };
}

const dashboard = (q: Record<string, unknown>) => ask('pusdatin-dashboard', 'MONITORING', q);

/** A dashboard total (no grouping): its value, or null when suppressed. */
async function total(filter: Record<string, unknown>): Promise<number | null> {
  const { cells, code } = await dashboard({ measure: 'PERSONS', filter });
  if (code !== null) throw new Error(`refused: ${code}`);
  return cells[0]!.value;
}

/** Codes of a cell joined by `|`. */
const keyOf = (cell: Cell) => cell.key.map((k) => k.code).join('|');
const prefix = (k: number) => Array.from({ length: k }, (_, i) => i + 1);

/** The hidden cells (true count 1–9) of the dashboard's PERSONS district × decile table of 3201. */
async function hiddenDistrictDeciles(): Promise<Array<{ district: string; decile: number }>> {
  const { cells } = await dashboard({
    measure: 'PERSONS',
    groupBy: ['DISTRICT', 'DECILE'],
    filter: { regionCode: BOGOR },
  });
  return cells
    .filter((c) => c.suppressed)
    .map((c) => ({ district: c.key[0]!.code, decile: Number(c.key[1]!.code) }))
    .filter(({ district, decile }) => {
      const n = truePersons((p) => p.region.startsWith(district) && p.decile === decile);
      return n >= 1 && n <= 9;
    });
}

/**
 * How many hits out of `trials` a guesser right with probability at most `p` each can reach,
 * except with probability 1e-9 (Hoeffding: p·n + sqrt(n·ln(1e9)/2)).
 */
const hitBound = (p: number, trials: number) =>
  p * trials + Math.sqrt((trials * Math.log(1e9)) / 2);

/** The probability that two independent perturbations are equal: Σ P(k)² of the table. */
const SAME_PERTURBATION = (() => {
  const counts = new Map<number, number>();
  for (let key = 0; key < 256; key++) {
    const p = documentedPerturbation(key);
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return [...counts.values()].reduce((s, c) => s + (c / 256) ** 2, 0);
})();

describe('dashboards under the cell-key method', () => {
  it('refuse the decile and program filters whose differences would average the noise away', async () => {
    // The outside review's attack: deciles 1–10 minus deciles 1–10 except one.
    const d = districts[0]!;
    expect(
      (await dashboard({ measure: 'PERSONS', filter: { regionCode: d, deciles: prefix(10) } }))
        .code,
    ).toBeNull();
    const except7 = prefix(10).filter((k) => k !== 7);
    expect(
      (await dashboard({ measure: 'PERSONS', filter: { regionCode: d, deciles: except7 } })).code,
    ).toBe('BAD_USER_INPUT');
    expect((await dashboard({ measure: 'PERSONS', filter: { deciles: [3, 4] } })).code).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      (await dashboard({ measure: 'PERSONS', filter: { programs: ['PKH', 'PIP'] } })).code,
    ).toBe('BAD_USER_INPUT');
    // Grouped by PROGRAM, a list of programs only picks the program cells: allowed.
    expect(
      (
        await dashboard({
          measure: 'PERSONS',
          groupBy: ['PROGRAM'],
          filter: { programs: ['PKH', 'PIP'] },
        })
      ).code,
    ).toBeNull();
  });

  it('the difference of two filtered totals gives no hidden count exactly (the review attack, allowed filters)', async () => {
    const hidden = await hiddenDistrictDeciles();
    let trials = 0;
    let hits = 0;
    for (const { district, decile } of hidden) {
      if (decile === 1) continue; // deciles [1] alone is the cell itself, suppressed
      const upTo = await total({ regionCode: district, deciles: prefix(decile) });
      const below = await total({ regionCode: district, deciles: prefix(decile - 1) });
      if (upTo === null || below === null) continue;
      trials++;
      const truth = truePersons((p) => p.region.startsWith(district) && p.decile === decile);
      if (upTo - below === truth) hits++;
    }
    // Exact counts gave every one of these (hits = trials); now a hit needs two equal
    // perturbations, probability Σ P(k)² ≈ 0.137.
    expect(trials).toBeGreaterThanOrEqual(30);
    expect(hits).toBeLessThanOrEqual(hitBound(SAME_PERTURBATION, trials));
    expect(hits).toBeLessThan(trials / 2);
  });

  it('averaging every estimate the allowed tables give recovers few hidden counts', async () => {
    const hidden = await hiddenDistrictDeciles();
    let trials = 0;
    let hits = 0;
    for (const { district, decile } of hidden) {
      if (decile === 1) continue;
      // Each estimate: the published values whose exact counterparts add up to the hidden count,
      // with how many perturbations it carries (its variance is that many times the table's).
      const estimates: Array<{ value: number; terms: number }> = [];
      const split = async (groupBy: string[]) => {
        const upTo = await dashboard({
          measure: 'PERSONS',
          groupBy,
          filter: { regionCode: district, deciles: prefix(decile) },
        });
        const below = await dashboard({
          measure: 'PERSONS',
          groupBy,
          filter: { regionCode: district, deciles: prefix(decile - 1) },
        });
        const all = [...upTo.cells, ...below.cells];
        if (all.some((c) => c.value === null)) return;
        const sum = (cells: Cell[]) => cells.reduce((s, c) => s + c.value!, 0);
        estimates.push({ value: sum(upTo.cells) - sum(below.cells), terms: all.length });
      };
      await split([]);
      await split(['SEX']);
      await split(['AGE_BAND']);
      await split(['SEX', 'AGE_BAND']);
      // The district's decile row: the total up to this decile minus the cells below it.
      const row = await dashboard({
        measure: 'PERSONS',
        groupBy: ['DECILE'],
        filter: { regionCode: district },
      });
      const upTo = await total({ regionCode: district, deciles: prefix(decile) });
      const below = row.cells.filter((c) => Number(c.key[0]!.code) < decile);
      if (upTo !== null && below.every((c) => c.value !== null)) {
        estimates.push({
          value: upTo - below.reduce((s, c) => s + c.value!, 0),
          terms: below.length + 1,
        });
      }
      if (estimates.length === 0) continue;
      trials++;
      const weight = estimates.reduce((s, e) => s + 1 / e.terms, 0);
      const mean = estimates.reduce((s, e) => s + e.value / e.terms, 0) / weight;
      // The attacker knows a suppressed cell holds 1–9.
      const guess = Math.min(9, Math.max(1, Math.round(mean)));
      const truth = truePersons((p) => p.region.startsWith(district) && p.decile === decile);
      if (guess === truth) hits++;
    }
    // Stated bound: at most half of the hidden counts, over at least 30 trials (72 in this
    // snapshot; 8–24 hits were seen), where exact counts gave all. The attacker never knows
    // which of its guesses are the right ones.
    expect(trials).toBeGreaterThanOrEqual(30);
    expect(hits).toBeLessThanOrEqual(trials / 2);
  });

  it('random pairs and triples of filtered totals give a small group exactly no more often than chance', async () => {
    // Random allowed totals over 3201: a region (the regency or one district), the poorest k
    // deciles (or none), one program (or none).
    let seed = 20261206;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    interface Total {
      filter: Record<string, unknown>;
      truth: number;
      shown: number | null;
    }
    const totals: Total[] = [];
    for (let i = 0; i < 60; i++) {
      const region = random(3) === 0 ? BOGOR : districts[random(districts.length)]!;
      const k = random(11);
      const filter = { regionCode: region, ...(k > 0 ? { deciles: prefix(k) } : {}) };
      const truth = truePersons(
        (p) => p.region.startsWith(region) && (k === 0 || (p.decile !== null && p.decile <= k)),
      );
      totals.push({ filter, truth, shown: await total(filter) });
    }
    const shown = totals.filter((t) => t.shown !== null);
    let trials = 0;
    let hits = 0;
    const consider = (exact: number, published: number) => {
      if (exact < 1 || exact > 9) return;
      trials++;
      if (published === exact) hits++;
    };
    for (let a = 0; a < shown.length; a++) {
      for (let b = 0; b < shown.length; b++) {
        if (a === b) continue;
        const [x, y] = [shown[a]!, shown[b]!];
        consider(x.truth - y.truth, x.shown! - y.shown!);
        for (let c = b + 1; c < shown.length; c++) {
          if (c === a) continue;
          const z = shown[c]!;
          consider(x.truth - y.truth - z.truth, x.shown! - y.shown! - z.shown!);
        }
      }
    }
    // Exact totals would give every one of these small differences. The combinations share
    // totals, so they are not independent; the bound is the single-difference chance with a
    // wide margin.
    expect(trials).toBeGreaterThanOrEqual(50);
    expect(hits / trials).toBeLessThanOrEqual(SAME_PERTURBATION + 0.15);
  });

  it('give the same group the same value from overlapping scopes, levels and filters', async () => {
    // The same districts from the province, from the regency and from the poorest-10 filter
    // that keeps the same households: the same units, so the same perturbation — asking again
    // another way gives nothing new to average.
    const province = await dashboard({
      measure: 'PERSONS',
      groupBy: ['DISTRICT'],
      filter: { regionCode: '32' },
    });
    const regency = await dashboard({
      measure: 'PERSONS',
      groupBy: ['DISTRICT'],
      filter: { regionCode: BOGOR },
    });
    const fromProvince = new Map(province.cells.map((c) => [keyOf(c), c.value]));
    expect(regency.cells.length).toBeGreaterThan(10);
    for (const cell of regency.cells) expect(fromProvince.get(keyOf(cell))).toBe(cell.value);
    const byDecile = await dashboard({
      measure: 'PERSONS',
      groupBy: ['DISTRICT', 'DECILE'],
      filter: { regionCode: BOGOR },
    });
    const poorest = await dashboard({
      measure: 'PERSONS',
      groupBy: ['DISTRICT', 'DECILE'],
      filter: { regionCode: BOGOR, deciles: prefix(5) },
    });
    // (Which cells are complements depends on the table; a value shown in both is the same.)
    const all = new Map(byDecile.cells.map((c) => [keyOf(c), c.value]));
    let compared = 0;
    for (const cell of poorest.cells) {
      const other = all.get(keyOf(cell));
      if (cell.value === null || other === null) continue;
      expect(other).toBe(cell.value);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    // A district's total asked alone is its cell in the district table.
    const d = districts[1]!;
    expect(await total({ regionCode: d })).toBe(fromProvince.get(d));
  });
});

describe('every client kind', () => {
  it('only dashboards, researchers and the administrator may ask statistics', async () => {
    for (const [client, purpose] of [
      ['kemensos-bansos', 'BANSOS_DISTRIBUTION'],
      ['pemda-3201', 'VERIVALI'],
    ] as const) {
      const { code } = await ask(client, purpose, { measure: 'PERSONS' });
      expect(code, client).toBe('FORBIDDEN');
    }
  });

  it('the dashboard, researcher and administrator views of one table: only the administrator is exact', async () => {
    // HOUSEHOLDS by regency × decile in the small regencies: small cells in every row.
    const q = {
      measure: 'HOUSEHOLDS',
      groupBy: ['REGENCY', 'DECILE'],
      filter: { regionCode: '32' },
    };
    const [dash, research, admin] = await Promise.all([
      ask('pusdatin-dashboard', 'MONITORING', q),
      ask('bps-researcher', 'RESEARCH', q),
      ask('gateway-admin', 'OVERSIGHT', q),
    ]);
    const truth = (key: string) => {
      const [regency, decile] = key.split('|');
      return householdsByRegion.filter(
        (h) => h.region.startsWith(regency!) && h.decile === Number(decile),
      ).length;
    };
    // The administrator (oversight, audited) is the declared exception: exact counts.
    for (const cell of admin.cells) expect(cell.value, keyOf(cell)).toBe(truth(keyOf(cell)));
    const researchOf = new Map(research.cells.map((c) => [keyOf(c), c.value]));
    let trials = 0;
    let hits = 0;
    for (const cell of dash.cells) {
      const key = keyOf(cell);
      const exact = truth(key);
      if (!cell.suppressed || exact < 1 || exact > 9) continue;
      // The hidden cell from the two views together: the researcher's noisy value (the
      // dashboard gives nothing for it), with the attacker's knowledge that it is 1–9.
      const noisy = researchOf.get(key);
      if (noisy === null || noisy === undefined) continue;
      trials++;
      if (Math.min(9, Math.max(1, noisy)) === exact) hits++;
    }
    // Noise of scale 10 (ε 0.1, sensitivity 1) fitted to a non-negative table: the attacker,
    // who knows the count is 1–9, guesses right mostly at the ends (a true 1 when the noise
    // pushed the value down). Stated bound: at most half, over at least 30 trials; exact
    // counts would give all.
    expect(trials).toBeGreaterThanOrEqual(30);
    expect(hits).toBeLessThanOrEqual(trials / 2);
  });

  it('two researchers with different region scopes recover no small count from their answers together', async () => {
    // The national researcher's regency × decile × sex table of province 32 and the scoped
    // researcher's table of its regencies: different questions (different scopes), so
    // independent noise, both paid for.
    const q = { measure: 'HOUSEHOLDS', groupBy: ['REGENCY', 'DECILE', 'SEX'], epsilon: 0.2 };
    const national = await ask('bps-researcher', 'RESEARCH', {
      ...q,
      filter: { regionCode: '32' },
    });
    const scoped = await ask('researcher-small', 'RESEARCH', q);
    expect(national.code).toBeNull();
    expect(scoped.code).toBeNull();
    const nationalOf = new Map(national.cells.map((c) => [keyOf(c), c.value]));
    let trials = 0;
    let hits = 0;
    for (const cell of scoped.cells) {
      const [regency, decile, sex] = keyOf(cell).split('|');
      const exact = householdsByRegion.filter(
        (h) => h.region.startsWith(regency!) && h.decile === Number(decile) && h.headSex === sex,
      ).length;
      const other = nationalOf.get(keyOf(cell));
      if (exact < 1 || exact > 9 || cell.value === null || other === null || other === undefined) {
        continue;
      }
      trials++;
      if (Math.round((cell.value + other) / 2) === exact) hits++;
    }
    // Two draws of scale 5 (ε 0.2) each, fitted to non-negative tables: the mean's error is 0
    // with probability about 0.1 (0.3 stated, for the fit's pull of small cells towards 0).
    expect(trials).toBeGreaterThanOrEqual(40);
    expect(hits).toBeLessThanOrEqual(hitBound(0.3, trials));
  });
});
