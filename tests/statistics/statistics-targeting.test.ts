import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database-types.js';
import { countStatistics, countsByCell } from '../../src/db/scoped/statistics-sql.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { demoPrincipal } from '../../src/demo/demo-principal.js';
import {
  MEASURES,
  TARGETING_MEASURES,
  type Dimension,
  type Measure,
} from '../../src/domain/statistics-query.js';
import type { DisclosureRecord } from '../../src/audit/disclosure-record.js';
import { normalizeStatisticsQuery } from '../../src/statistics/privacy/canonical-query.js';
import { noiseScale } from '../../src/statistics/privacy/discrete-laplace.js';
import { margin95 } from '../../src/statistics/privacy/margin.js';
import { sensitivity } from '../../src/statistics/privacy/sensitivity.js';
import { cellsOf } from '../../src/statistics/statistics-table.js';
import {
  StatisticsService,
  type StatisticsAnswer,
} from '../../src/statistics/statistics-service.js';
import { parseCsvRows } from '../support/generated-snapshot.js';
import {
  HOUSEHOLDS_HEADER,
  importText,
  MEMBERS_HEADER,
  RECIPIENTS_HEADER,
  type SnapshotText,
} from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { TARGETING_AS_OF, targetingCases, type TargetingUnit } from './targeting-cases.js';

/*
 * The targeting measures (issue #13) over the hand-made households of targeting-cases.ts, whose
 * counts were worked out by hand: what each measure counts, per program in its own unit, from
 * the rollups and the base tables alike; the program each cell needs; the rule versions answers
 * name; the three methods; and the bound the noise relies on: one household, added or removed,
 * changes any table by at most its sensitivity.
 */

const VILLAGE = '3201011001';
const cases = targetingCases(VILLAGE);

type Rows = Pick<ReturnType<typeof targetingCases>, 'households' | 'members' | 'recipients'>;

function snapshotOf(...parts: Rows[]): SnapshotText {
  return {
    households: [HOUSEHOLDS_HEADER, ...parts.flatMap((c) => c.households)].join('\n'),
    members: [MEMBERS_HEADER, ...parts.flatMap((c) => c.members)].join('\n'),
    recipients: [RECIPIENTS_HEADER, ...parts.flatMap((c) => c.recipients)].join('\n'),
  };
}

/**
 * 30 one-person households in Jakarta Selatan (3171), for the dashboards' check: BPNT received
 * by 15 eligible households (decile 2) and 3 ineligible ones (decile 8), not by 12 eligible ones
 * (decile 3). So RECIPIENTS 18, ELIGIBLE 27, ELIGIBLE_NON_RECIPIENTS 12 — and
 * RECIPIENTS_NOT_ELIGIBLE 3 = 18 − 27 + 12 if the first three were all shown.
 */
function jakartaHouseholds(): Rows {
  const rows: Rows = { households: [], members: [], recipients: [] };
  for (let i = 0; i < 30; i++) {
    const id = `J${i}`;
    const decile = i < 15 ? 2 : i < 18 ? 8 : 3;
    rows.households.push(
      `${id},31710188${String(i).padStart(8, '0')},3171011001,,${decile},,,,,,,,,VERIFIED,,SIKS_NG`,
    );
    const nik = `317101010180${5000 + i}`;
    rows.members.push(`${nik},${id},Warga ${i},M,1980-01-01,HEAD,false,NONE,false,ACTIVE`);
    if (i < 18) rows.recipients.push(`${nik},BPNT,2024-01-01`);
  }
  return rows;
}

interface Cell {
  key: { dimension: string; code: string }[];
  value: number | null;
  suppressed: boolean;
  margin95: number | null;
}
interface Result {
  cells: Cell[];
  method: string;
  epsilonSpent: number;
  cached: boolean;
  ruleVersions: { program: string; version: number }[];
}

const STATISTICS = `query S($q: StatisticsQuery!) {
  statistics(query: $q) {
    cells { key { dimension code } value suppressed margin95 }
    method epsilonSpent cached ruleVersions { program version }
  }
}`;

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, snapshotOf(cases, jakartaHouseholds()), TARGETING_AS_OF);
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
): Promise<{ result: Result | null; errors: { code?: string; message: string }[] }> {
  const r = await graphql(gateway, STATISTICS, {
    variables: { q },
    headers: await access.as(clientId, purpose),
  });
  return {
    result: (r.body.data as { statistics: Result } | null | undefined)?.statistics ?? null,
    errors: (r.body.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message })),
  };
}

const exact = async (q: Record<string, unknown>): Promise<Result> => {
  const { result, errors } = await ask('gateway-admin', 'OVERSIGHT', q);
  expect(errors).toEqual([]);
  expect(result!.method).toBe('EXACT');
  return result!;
};

/** The non-zero cells of an answer, keyed by their codes. */
const nonZero = (cells: readonly Cell[]) =>
  Object.fromEntries(
    cells.filter((c) => c.value !== 0).map((c) => [c.key.map((k) => k.code).join('|'), c.value]),
  );

/** The expected cells of a targeting table, tallied from the hand-made units. */
function tally(
  units: readonly TargetingUnit[],
  measure: Measure,
  groupBy: readonly Dimension[],
  programs?: readonly string[],
): Record<string, number> {
  const want = {
    RECIPIENTS: (u: TargetingUnit) => u.recipient,
    ELIGIBLE: (u: TargetingUnit) => u.eligible,
    ELIGIBLE_NON_RECIPIENTS: (u: TargetingUnit) => u.eligible && !u.recipient,
    RECIPIENTS_NOT_ELIGIBLE: (u: TargetingUnit) => u.recipient && !u.eligible,
  }[measure as (typeof TARGETING_MEASURES)[number]];
  const out: Record<string, number> = {};
  for (const u of units) {
    if (!want(u) || (programs && !programs.includes(u.program))) continue;
    const codes = groupBy.map((d) =>
      d === 'PROGRAM'
        ? u.program
        : d === 'SEX'
          ? u.sex
          : d === 'AGE_BAND'
            ? u.ageBand
            : d === 'DECILE'
              ? u.decile === null
                ? null
                : String(u.decile)
              : VILLAGE.slice(0, { PROVINCE: 2, REGENCY: 4, DISTRICT: 6 }[d as 'PROVINCE']),
    );
    if (codes.some((c) => c === null)) continue;
    const key = codes.join('|');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('targeting measures', () => {
  it('count each program in its own unit, as worked out by hand', async () => {
    const byProgram = async (measure: string) =>
      nonZero(
        (await exact({ measure, groupBy: ['PROGRAM'], filter: { regionCode: '3201' } })).cells,
      );
    // Households for PKH and BPNT, persons (at most 10 per household) for PBI_JK and PIP.
    expect(await byProgram('RECIPIENTS')).toEqual({ PKH: 3, BPNT: 1, PBI_JK: 4, PIP: 4 });
    expect(await byProgram('ELIGIBLE')).toEqual({ PKH: 2, BPNT: 3, PBI_JK: 12, PIP: 8 });
    expect(await byProgram('ELIGIBLE_NON_RECIPIENTS')).toEqual({
      PKH: 1,
      BPNT: 3,
      PBI_JK: 11,
      PIP: 7,
    });
    expect(await byProgram('RECIPIENTS_NOT_ELIGIBLE')).toEqual({
      PKH: 2,
      BPNT: 1,
      PBI_JK: 3,
      PIP: 3,
    });
  });

  it('give the hand-made cells for every grouping, from the rollups and the base tables', async () => {
    const shapes: { groupBy: Dimension[]; programs?: string[] }[] = [
      { groupBy: ['PROGRAM', 'SEX', 'AGE_BAND'] },
      { groupBy: ['REGENCY', 'PROGRAM', 'DECILE'] },
      { groupBy: ['DECILE'], programs: ['PIP'] },
      { groupBy: ['AGE_BAND'], programs: ['PKH'] },
      { groupBy: ['SEX'], programs: ['PBI_JK'] },
      { groupBy: [], programs: ['BPNT'] },
      { groupBy: ['PROGRAM', 'DISTRICT'], programs: ['PKH', 'PIP'] },
    ];
    for (const measure of TARGETING_MEASURES) {
      for (const { groupBy, programs } of shapes) {
        const label = `${measure} ${groupBy.join(',')} ${programs?.join(',') ?? ''}`;
        const query = normalizeStatisticsQuery({
          measure,
          groupBy,
          filter: { programs: programs ?? null, regionCode: '3201' },
          epsilonMilli: 0,
        });
        // Cells keyed in the normalized order of the dimensions.
        const expected = tally(cases.units, measure, query.groupBy, programs);
        for (const source of ['rollups', 'base-tables'] as const) {
          const table = await countStatistics(db.readDb, query, ['*'], { source });
          expect(Object.fromEntries(countsByCell(table!).counts), `${label} ${source}`).toEqual(
            expected,
          );
        }
      }
    }
    // Through the API, a village filter takes the base tables: the same cells.
    const { cells } = await exact({
      measure: 'RECIPIENTS_NOT_ELIGIBLE',
      groupBy: ['PROGRAM', 'AGE_BAND'],
      filter: { regionCode: VILLAGE },
    });
    expect(nonZero(cells)).toEqual(
      tally(cases.units, 'RECIPIENTS_NOT_ELIGIBLE', ['PROGRAM', 'AGE_BAND']),
    );
  });

  it('refuse a table whose cells do not name their program, and spend nothing', async () => {
    for (const q of [
      { measure: 'RECIPIENTS' },
      { measure: 'ELIGIBLE', groupBy: ['DECILE'] },
      { measure: 'ELIGIBLE_NON_RECIPIENTS', filter: { programs: ['PKH', 'PIP'] } },
    ]) {
      for (const [client, purpose] of [
        ['gateway-admin', 'OVERSIGHT'],
        ['bps-researcher', 'RESEARCH'],
      ] as const) {
        const { result, errors } = await ask(client, purpose, q);
        expect(result).toBeNull();
        expect(errors).toEqual([
          {
            code: 'BAD_USER_INPUT',
            message: expect.stringMatching(/group by PROGRAM or filter on exactly one program/),
          },
        ]);
      }
    }
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM privacy_spend`.execute(db.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('give researchers noise scaled to the units one household can add, and the same answer again', async () => {
    for (const [q, delta] of [
      [{ measure: 'RECIPIENTS', groupBy: ['PROGRAM'], epsilon: 1 }, 1 + 1 + 10 + 10],
      [{ measure: 'ELIGIBLE', filter: { programs: ['PKH'] }, epsilon: 1 }, 1],
      [{ measure: 'RECIPIENTS_NOT_ELIGIBLE', filter: { programs: ['PIP'] }, epsilon: 1 }, 10],
    ] as const) {
      const { result, errors } = await ask('bps-researcher', 'RESEARCH', q);
      expect(errors).toEqual([]);
      expect(result).toMatchObject({
        method: 'DIFFERENTIAL_PRIVACY',
        cached: false,
        epsilonSpent: 1,
      });
      const margin = margin95(noiseScale(delta, 1000));
      for (const cell of result!.cells) {
        expect(cell.margin95 ?? margin).toBe(margin);
      }
      expect(result!.ruleVersions.length).toBeGreaterThan(0);
      const again = await ask('bps-researcher', 'RESEARCH', q);
      expect(again.result).toEqual({ ...result, cached: true, epsilonSpent: 0 });
    }
  });

  it('give dashboards perturbed counts, the four measures hiding the same cells', async () => {
    const dashboard = DEMO_CLIENTS.find((c) => c.clientId === 'pusdatin-dashboard')!;
    const service = new StatisticsService({
      principal: demoPrincipal(dashboard),
      db: db.db,
      readDb: db.readDb,
      disclosure: { fields: new Set(), aggregates: [] } as unknown as DisclosureRecord,
    });
    for (const q of [
      { groupBy: ['PROGRAM'] as Dimension[], filter: { regionCode: '3171' } },
      { groupBy: ['PROVINCE', 'PROGRAM'] as Dimension[] },
      { groupBy: ['DECILE'] as Dimension[], filter: { programs: ['BPNT'] } },
    ]) {
      const answers = new Map<string, StatisticsAnswer>();
      for (const measure of TARGETING_MEASURES) {
        const answer = await service.query({ measure, ...q });
        expect(answer.method).toBe('SUPPRESSION');
        expect(answer.ruleVersions.length).toBeGreaterThan(0);
        answers.set(measure, answer);
      }
      const cells = (measure: string) => cellsOf(answers.get(measure)!.table);
      const hidden = (measure: string) =>
        cells(measure)
          .filter((c) => c.suppressed)
          .map((c) => c.key.map((k) => k.code).join('|'));
      // The same cells are hidden in all four tables …
      for (const measure of TARGETING_MEASURES) expect(hidden(measure)).toEqual(hidden('ELIGIBLE'));
      // … so a cell shown in one is shown in all, and its three groups (exact, from the
      // administrator's tables) are 0 or at least 10.
      const exactCells = new Map<string, Result['cells']>();
      for (const measure of TARGETING_MEASURES) {
        exactCells.set(measure, (await exact({ measure, ...q })).cells);
      }
      cells('ELIGIBLE').forEach((cell, i) => {
        if (cell.suppressed) return;
        const [r, e, rne, enr] = [
          'RECIPIENTS',
          'ELIGIBLE',
          'RECIPIENTS_NOT_ELIGIBLE',
          'ELIGIBLE_NON_RECIPIENTS',
        ].map((m) => exactCells.get(m)![i]!.value!);
        expect(r! - rne!).toBe(e! - enr!);
        for (const group of [r! - rne!, rne!, enr!]) {
          expect(group === 0 || group >= 10, JSON.stringify(cell.key)).toBe(true);
        }
        // The shown value is the exact one moved by at most 4.
        const shown = cells('ELIGIBLE')[i]!.value!;
        expect(Math.abs(shown - e!)).toBeLessThanOrEqual(4);
      });
    }
    // In Jakarta Selatan, BPNT is hidden in every targeting table (3 recipients not eligible),
    // though RECIPIENTS 18, ELIGIBLE 27 and ELIGIBLE_NON_RECIPIENTS 12 are each 10 or more.
    for (const measure of TARGETING_MEASURES) {
      const answer = await service.query({
        measure,
        filter: { regionCode: '3171', programs: ['BPNT'] },
      });
      expect(cellsOf(answer.table)).toEqual([
        { key: [], value: null, suppressed: true, margin95: null },
      ]);
    }
    const exactBpnt = async (measure: string) =>
      (await exact({ measure, filter: { regionCode: '3171', programs: ['BPNT'] } })).cells[0]!
        .value;
    expect(await Promise.all(TARGETING_MEASURES.map((m) => exactBpnt(m)))).toEqual([18, 27, 12, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
// The sensitivity bound, household by household.
// ---------------------------------------------------------------------------------------------

interface Shape {
  measure: Measure;
  groupBy: Dimension[];
}

/**
 * Tables of every measure by PROGRAM, alone and with SEX and AGE_BAND (and the totals of PERSONS
 * and HOUSEHOLDS). A table of one program (filtered to it, not grouped by it) has the cells of
 * that program here: `perProgram` checks those too.
 */
const SHAPES: Shape[] = MEASURES.flatMap((measure) => [
  { measure, groupBy: ['PROGRAM'] as Dimension[] },
  { measure, groupBy: ['PROGRAM', 'SEX', 'AGE_BAND'] as Dimension[] },
  ...(TARGETING_MEASURES.includes(measure as never) ? [] : [{ measure, groupBy: [] }]),
]);

async function tables(trx: Kysely<Database>): Promise<Map<string, number>[]> {
  const out: Map<string, number>[] = [];
  for (const shape of SHAPES) {
    const query = normalizeStatisticsQuery({ ...shape, filter: null, epsilonMilli: 0 });
    out.push(
      countsByCell((await countStatistics(trx, query, ['*'], { source: 'base-tables' }))!).counts,
    );
  }
  return out;
}

/** The cells of one program of a table grouped by PROGRAM (first in the normalized order). */
const ofProgram = (table: Map<string, number>, program: string) =>
  new Map([...table].filter(([key]) => key.split('|')[0] === program));

const l1 = (a: Map<string, number>, b: Map<string, number>) =>
  [...new Set([...a.keys(), ...b.keys()])].reduce(
    (sum, key) => sum + Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0)),
    0,
  );

/** Runs `change` in a transaction that is rolled back, and returns the tables it saw. */
async function tablesAfter(change: (trx: Kysely<Database>) => Promise<void>) {
  let seen: Map<string, number>[] = [];
  const rollback = new Error('rollback');
  await db.db
    .transaction()
    .execute(async (trx) => {
      await change(trx);
      seen = await tables(trx);
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
  return seen;
}

/** The rows of a copy of the cases, as the tables hold them ('' is null). */
function rowsOf(c: ReturnType<typeof targetingCases>) {
  const nulls = (rows: Record<string, string>[]) =>
    rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v])),
    );
  const text = snapshotOf(c);
  return {
    households: nulls(parseCsvRows(text.households)),
    members: nulls(parseCsvRows(text.members)),
    recipients: nulls(parseCsvRows(text.recipients!)),
  };
}

describe('one household changes any table by at most its sensitivity', () => {
  it('removing or adding a household of each kind moves every table by at most its sensitivity, and some by exactly it', async () => {
    const all = await tables(db.db);
    const worst = new Map<string, number>();
    const within = (
      measure: Measure,
      groupBy: Dimension[],
      programs: string[] | undefined,
      before: Map<string, number>,
      after: Map<string, number>,
      label: string,
    ) => {
      const bound = sensitivity({ measure, groupBy, programs });
      const distance = l1(before, after);
      const shape = `${measure} [${groupBy.join(',')}] ${programs?.join(',') ?? ''}`;
      expect(distance, `${label}: ${shape}`).toBeLessThanOrEqual(bound);
      worst.set(shape, Math.max(worst.get(shape) ?? 0, distance / bound));
    };
    const check = (changed: Map<string, number>[], label: string) => {
      SHAPES.forEach(({ measure, groupBy }, i) => {
        within(measure, groupBy, undefined, all[i]!, changed[i]!, label);
        if (!groupBy.includes('PROGRAM')) return;
        const rest = groupBy.filter((d) => d !== 'PROGRAM');
        for (const p of ['PKH', 'BPNT', 'PBI_JK', 'PIP']) {
          within(measure, rest, [p], ofProgram(all[i]!, p), ofProgram(changed[i]!, p), label);
        }
      });
    };

    for (const id of cases.ids) {
      const without = await tablesAfter(async (trx) => {
        await sql`DELETE FROM program_recipient WHERE nik IN
                    (SELECT nik FROM member WHERE household_id = ${id})`.execute(trx);
        await sql`DELETE FROM member WHERE household_id = ${id}`.execute(trx);
        await sql`DELETE FROM household WHERE household_id = ${id}`.execute(trx);
      });
      check(without, `without ${id}`);
    }

    // A second copy of each kind, added to the registry.
    const copy = rowsOf(targetingCases(VILLAGE, { serialBase: 9500, prefix: 'N' }));
    for (const household of copy.households) {
      const id = household.household_id!;
      const members = copy.members.filter((m) => m.household_id === id);
      const recipients = copy.recipients.filter((r) => members.some((m) => m.nik === r.nik));
      const withCopy = await tablesAfter(async (trx) => {
        const insert = (table: string, rows: object[]) =>
          rows.length === 0
            ? Promise.resolve()
            : sql`INSERT INTO ${sql.table(table)}
                  SELECT * FROM json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)})`.execute(
                trx,
              );
        // The partition key (migration 0032): the household's province, and its members'.
        const province = household.region_code!.slice(0, 2);
        await insert('household', [{ ...household, province }]);
        await insert(
          'member',
          members.map((m) => ({ ...m, province })),
        );
        await insert('program_recipient', recipients);
      });
      check(withCopy, `with a copy of ${id}`);
    }

    // The bound is reached (e.g. one household program alone: 1), and the large household HB
    // moves ELIGIBLE by PROGRAM by 1 + 1 + 8 + 7 = 17 of 22.
    expect(Math.max(...worst.values())).toBe(1);
    expect(worst.get('ELIGIBLE [PROGRAM] ')).toBeCloseTo(17 / 22, 5);
  });
});

// ---------------------------------------------------------------------------------------------
// Rule versions (last: it changes the rules).
// ---------------------------------------------------------------------------------------------

describe('rule versions', () => {
  const pipEligible = async (filter: object = {}) => {
    const r = await exact({ measure: 'ELIGIBLE', filter: { programs: ['PIP'], ...filter } });
    return { value: r.cells[0]!.value, ruleVersions: r.ruleVersions };
  };

  it('are recorded at import, named by answers, and a new rule applies from the next import', async () => {
    const { rows } = await sql<{ rule_versions: unknown }>`
      SELECT rule_versions FROM snapshot ORDER BY id DESC LIMIT 1`.execute(db.db);
    expect(rows[0]!.rule_versions).toEqual({ PKH: 1, BPNT: 1, PBI_JK: 1, PIP: 1 });
    expect((await exact({ measure: 'RECIPIENTS', groupBy: ['PROGRAM'] })).ruleVersions).toEqual([
      { program: 'PKH', version: 1 },
      { program: 'BPNT', version: 1 },
      { program: 'PBI_JK', version: 1 },
      { program: 'PIP', version: 1 },
    ]);
    expect((await exact({ measure: 'PERSONS', groupBy: ['PROGRAM'] })).ruleVersions).toEqual([]);
    const v1 = { value: 8, ruleVersions: [{ program: 'PIP', version: 1 }] };
    expect(await pipEligible()).toEqual(v1);

    // PIP version 2: deciles 1–2 only. HP (decile 3) loses its pupil of 10; HB keeps its 7.
    await sql`
      INSERT INTO eligibility_rule (program, version, rule, description)
      VALUES ('PIP', 2, ${JSON.stringify({
        unit: 'PERSON',
        maxDecile: 2,
        targetGroup: [{ minAge: 6, maxAge: 21, inSchool: true }],
      })}::jsonb, 'test: deciles 1–2')`.execute(db.db);
    // The served snapshot keeps the rules of its import, on both paths.
    expect(await pipEligible()).toEqual(v1);
    expect(await pipEligible({ regionCode: VILLAGE })).toEqual(v1);

    await importText(db, snapshotOf(cases, jakartaHouseholds()), TARGETING_AS_OF);
    const v2 = { value: 7, ruleVersions: [{ program: 'PIP', version: 2 }] };
    expect(await pipEligible()).toEqual(v2);
    expect(await pipEligible({ regionCode: VILLAGE })).toEqual(v2);

    // A snapshot imported before rule versions were recorded: the base tables and the rules of
    // now (version 2 withdrawn again, so version 1).
    await sql`UPDATE snapshot SET rule_versions = NULL
               WHERE id = (SELECT max(id) FROM snapshot)`.execute(db.db);
    await sql`DELETE FROM eligibility_rule WHERE program = 'PIP' AND version = 2`.execute(db.db);
    expect(await pipEligible()).toEqual(v1);
    const query = normalizeStatisticsQuery({
      measure: 'ELIGIBLE',
      groupBy: [],
      filter: { programs: ['PIP'] },
      epsilonMilli: 0,
    });
    await expect(countStatistics(db.readDb, query, ['*'], { source: 'rollups' })).rejects.toThrow(
      /no rollups/,
    );
    // PERSONS still come from the rollups.
    const persons = { ...query, measure: 'PERSONS' as const };
    expect((await countStatistics(db.readDb, persons, ['*']))!.source).toBe('rollups');
  });
});
