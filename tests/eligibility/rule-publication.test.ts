import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { registerRules } from '../../src/commands/rules.command.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { runInProcess } from '../support/cli-in-process.js';

/**
 * Issue #19, item 5: `dtks-gateway rules publish PROGRAM --file RULE.json --effective DATE`. The
 * file is checked; the impact on the served snapshot (decisions that would change, by reason and
 * by province) agrees with a rule evaluator written here, which shares no code with the gateway;
 * a published version is scheduled until a snapshot as of its date is served, then decisions and
 * change events carry it.
 */
const AS_OF_A = '2026-06-30';
const AS_OF_B = '2026-09-30';

type Row = Record<string, string>;
interface Condition {
  pregnant?: boolean;
  minAge?: number;
  maxAge?: number;
  inSchool?: boolean;
  disability?: string;
}
interface RuleData {
  unit: 'HOUSEHOLD' | 'PERSON';
  maxDecile: number;
  qualifyingMember?: Condition[];
  targetGroup?: Condition[];
}

/** The shipped PIP rule (CONTRACT §5), as data. */
const PIP_V1: RuleData = {
  unit: 'PERSON',
  maxDecile: 4,
  targetGroup: [{ minAge: 6, maxAge: 21, inSchool: true }],
};
const PIP_V2: RuleData = {
  unit: 'PERSON',
  maxDecile: 5,
  targetGroup: [{ minAge: 6, maxAge: 18, inSchool: true }, { disability: 'SEVERE' }],
};
const PBI_V1: RuleData = { unit: 'PERSON', maxDecile: 5 };
const PBI_V2: RuleData = { unit: 'PERSON', maxDecile: 3 };

function age(birth: string, asOf: string): number {
  const years = Number(asOf.slice(0, 4)) - Number(birth.slice(0, 4));
  return asOf.slice(5) < birth.slice(5) ? years - 1 : years;
}

function matches(c: Condition, p: Row, asOf: string): boolean {
  const a = p.birth_date ? age(p.birth_date, asOf) : NaN;
  return (
    (c.pregnant === undefined || (p.pregnant === 'true') === c.pregnant) &&
    (c.minAge === undefined || a >= c.minAge) &&
    (c.maxAge === undefined || a <= c.maxAge) &&
    (c.inSchool === undefined || (p.in_school === 'true') === c.inSchool) &&
    (c.disability === undefined || p.disability === c.disability)
  );
}

/** The rule language of CONTRACT §5, evaluated in plain TypeScript over the CSV rows. */
function decide(rule: RuleData, m: Row, h: Row, members: Row[], asOf: string): string {
  if (m.status !== 'ACTIVE') return 'INACTIVE';
  if (h.verification_status === 'REJECTED') return 'HOUSEHOLD_REJECTED';
  if (h.decile === '') return 'NOT_RANKED';
  if (Number(h.decile) > rule.maxDecile) return 'ABOVE_DECILE_THRESHOLD';
  if (
    rule.qualifyingMember &&
    !members.some(
      (q) => q.status === 'ACTIVE' && rule.qualifyingMember!.some((c) => matches(c, q, asOf)),
    )
  )
    return 'NO_QUALIFYING_MEMBER';
  if (rule.targetGroup && !rule.targetGroup.some((c) => matches(c, m, asOf)))
    return 'NOT_IN_TARGET_GROUP';
  return 'ELIGIBLE';
}

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let dir: string;
let texts: { households: string; members: string; recipients: string };
let households: Map<string, Row>;
let memberRows: Row[];
let byHousehold: Map<string, Row[]>;

/** Each NIK's reason under two rules at `asOf`. */
function compare(before: RuleData, after: RuleData, asOf: string) {
  return memberRows.map((m) => {
    const h = households.get(m.household_id!)!;
    const others = byHousehold.get(m.household_id!)!;
    return {
      nik: m.nik!,
      province: h.region_code!.slice(0, 2),
      before: decide(before, m, h, others, asOf),
      after: decide(after, m, h, others, asOf),
    };
  });
}

/** `rules …` run in this process (tests/support/cli-in-process.ts). */
const rules = (args: string[]) => runInProcess(registerRules, ['rules', ...args]);

async function ruleFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const versions = async () =>
  (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM eligibility_rule')).rows[0]!
    .n;

const savedEnv = { ...process.env };
beforeAll(async () => {
  db = await createTestDatabase();
  texts = await generateSnapshotText({
    persons: 3000,
    seed: 'rule-publication',
    asOf: AS_OF_A,
    regions: await readRegions(),
    population: await readPopulation(),
  });
  await importText(db, texts, AS_OF_A);
  households = new Map(parseCsvRows(texts.households).map((h) => [h.household_id!, h]));
  memberRows = parseCsvRows(texts.members);
  byHousehold = new Map();
  for (const m of memberRows)
    byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  dir = await mkdtemp(path.join(os.tmpdir(), 'dtks-rules-'));
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    DTKS_DATA_DIR: gateway.dataDir,
    LOG_LEVEL: 'silent',
  });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await gateway?.close();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('rules publish', () => {
  it('refuses a rule file or date that is not valid, saying why, and publishes nothing', async () => {
    const before = await versions();
    const cases: Array<[string, string[], RegExp]> = [
      ['not-json.json', ['PIP', '--effective', '2026-10-01'], /not JSON/],
      [
        'unknown-key.json',
        ['PIP', '--effective', '2026-10-01'],
        /rule: Unrecognized key.*"incomeBelow"/,
      ],
      ['decile.json', ['PIP', '--effective', '2026-10-01'], /rule\.maxDecile: .*10/],
      ['household-target.json', ['PKH', '--effective', '2026-10-01'], /targetGroup is for PERSON/],
      ['person-rule.json', ['PKH', '--effective', '2026-10-01'], /PKH is given to a HOUSEHOLD/],
      ['person-rule.json', ['BANSOS_X', '--effective', '2026-10-01'], /unknown program BANSOS_X/],
      ['person-rule.json', ['PIP', '--effective', AS_OF_A, '--yes'], /must be after 2026-06-30/],
      ['person-rule.json', ['PIP', '--effective', '1 Oktober'], /YYYY-MM-DD/],
      ['empty-condition.json', ['PIP', '--effective', '2026-10-01'], /at least one requirement/],
    ];
    await ruleFile('not-json.json', '{ "rule": ');
    await ruleFile('unknown-key.json', {
      description: 'Persons in decile 1–4 with low income',
      rule: { ...PIP_V1, incomeBelow: 1_000_000 },
    });
    await ruleFile('decile.json', {
      description: 'Persons of any decile',
      rule: { ...PIP_V1, maxDecile: 11 },
    });
    await ruleFile('household-target.json', {
      description: 'Households in decile 1–4',
      rule: { unit: 'HOUSEHOLD', maxDecile: 4, targetGroup: [{ minAge: 6 }] },
    });
    await ruleFile('person-rule.json', { description: 'Persons in decile 1–4', rule: PIP_V1 });
    await ruleFile('empty-condition.json', {
      description: 'Persons in decile 1–4',
      rule: { ...PIP_V1, targetGroup: [{}] },
    });
    for (const [file, args, message] of cases) {
      const r = await rules(['publish', ...args, '--file', path.join(dir, file)]);
      expect(r.code, `${file} ${args.join(' ')}`).not.toBe(0);
      expect(r.stderr, `${file} ${args.join(' ')}`).toMatch(message);
    }
    expect(await versions()).toBe(before);
  });

  it('shows the impact on the served snapshot by reason and province, as an independent evaluator finds it; --dry-run and an unconfirmed run publish nothing', async () => {
    const file = await ruleFile('pip-v2.json', {
      description: 'Person aged 6–18 and in school, or severely disabled, in decile 1–5.',
      rule: PIP_V2,
    });
    const before = await versions();
    const dry = await rules([
      'publish',
      'PIP',
      '--file',
      file,
      '--effective',
      '2026-10-01',
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing published');

    const expected = compare(PIP_V1, PIP_V2, AS_OF_A);
    const changed = expected.filter((e) => e.before !== e.after);
    expect(changed.length).toBeGreaterThan(20); // the comparison has something to find
    expect(dry.stdout).toContain(
      `${changed.length.toLocaleString('en-US')} of ${expected.length.toLocaleString('en-US')} decisions would change`,
    );
    const tally = (key: (e: (typeof changed)[number]) => string) => {
      const counts = new Map<string, number>();
      for (const e of changed) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
      return counts;
    };
    for (const [pair, n] of tally((e) => `${e.before} → ${e.after}`)) {
      expect(dry.stdout).toMatch(new RegExp(`^    ${pair}\\t${n.toLocaleString('en-US')}$`, 'm'));
    }
    const provinces = tally((e) => e.province);
    for (const [code, n] of provinces) {
      expect(dry.stdout).toMatch(
        new RegExp(`^    ${code} [^\\t]+\\t${n.toLocaleString('en-US')}$`, 'm'),
      );
    }
    // Nothing else is listed under the provinces.
    const listed = dry.stdout.slice(dry.stdout.indexOf('By province:')).match(/^ {4}\d{2} /gm);
    expect(listed).toHaveLength(provinces.size);

    // Not asked on a terminal and no --yes: the impact, then a refusal.
    const unconfirmed = await rules([
      'publish',
      'PIP',
      '--file',
      file,
      '--effective',
      '2026-10-01',
    ]);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain('add --yes');
    expect(await versions()).toBe(before);
  });

  it('schedules a published version; a snapshot as of its date applies it to decisions and change events', async () => {
    const pbi = { client: 'kemenkes-pbi', purpose: 'PBI_JK_VERIFICATION' };
    const headers = async () => access.as(pbi.client, pbi.purpose);
    // NIKs eligible now whose decile (4–5) the new rule excludes, and some it keeps.
    const compared = compare(PBI_V1, PBI_V2, AS_OF_A);
    const losing = compared.filter((e) => e.before === 'ELIGIBLE' && e.after !== 'ELIGIBLE');
    const keeping = compared.filter((e) => e.before === 'ELIGIBLE' && e.after === 'ELIGIBLE');
    const followed = [...losing.slice(0, 5), ...keeping.slice(0, 5)].map((e) => e.nik);
    expect(followed).toHaveLength(10);
    const subscribed = await graphql(
      gateway,
      `
        mutation ($n: [NIK!]!) {
          subscribeSubjects(program: PBI_JK, niks: $n) {
            subscribed
          }
        }
      `,
      { variables: { n: followed }, headers: await headers() },
    );
    expect(subscribed.body.errors).toBeUndefined();
    // The agency's references of the NIKs it follows (its events name them, not the NIK).
    const refs = await graphql(
      gateway,
      `
        query ($n: [NIK!]!) {
          eligibilityBatch(program: PBI_JK, niks: $n) {
            subjectRef
          }
        }
      `,
      { variables: { n: followed }, headers: await headers() },
    );
    const refOf = new Map(
      (refs.body.data as { eligibilityBatch: { subjectRef: string }[] }).eligibilityBatch.map(
        (d, i) => [followed[i]!, d.subjectRef],
      ),
    );

    const file = await ruleFile('pbi-v2.json', {
      description: 'Person in a household of decile 1–3.',
      rule: PBI_V2,
    });
    const published = await rules([
      'publish',
      'PBI_JK',
      '--file',
      file,
      '--effective',
      '2026-09-01',
      '--yes',
    ]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain('published PBI_JK version 2');
    const listed = await rules(['list']);
    expect(listed.stdout).toMatch(/^PBI_JK\t1\tin force\tfrom the start\t/m);
    expect(listed.stdout).toMatch(
      /^PBI_JK\t2\tscheduled\t2026-09-01\tPerson in a household of decile 1–3\.$/m,
    );

    const PROGRAMS = `{ programs { code ruleVersion effectiveOn scheduled { ruleVersion effectiveOn rule } } }`;
    const DECIDE = `query($n: NIK!) { eligibility(nik: $n, program: PBI_JK) { eligible ruleVersion dataAsOf } }`;
    const pbiInfo = async () =>
      (
        (await graphql(gateway, PROGRAMS, { headers: await headers() })).body.data as {
          programs: Array<{ code: string }>;
        }
      ).programs.find((p) => p.code === 'PBI_JK');
    // Scheduled: the served snapshot (as of 2026-06-30) keeps version 1.
    expect(await pbiInfo()).toEqual({
      code: 'PBI_JK',
      ruleVersion: 1,
      effectiveOn: null,
      scheduled: [
        { ruleVersion: 2, effectiveOn: '2026-09-01', rule: 'Person in a household of decile 1–3.' },
      ],
    });
    const now = await graphql(gateway, DECIDE, {
      variables: { n: losing[0]!.nik },
      headers: await headers(),
    });
    expect(now.body.data).toEqual({
      eligibility: { eligible: true, ruleVersion: 1, dataAsOf: AS_OF_A },
    });

    // The next quarter's snapshot (the same households, as of 2026-09-30) is decided under version 2.
    const key = await loadOrCreateKeyFile(gateway.dataDir, SUBJECT_SEAL_KEY);
    await importText(db, texts, AS_OF_B, key);
    expect(await pbiInfo()).toEqual({
      code: 'PBI_JK',
      ruleVersion: 2,
      effectiveOn: '2026-09-01',
      scheduled: [],
    });
    for (const e of [losing[0]!, keeping[0]!]) {
      const r = await graphql(gateway, DECIDE, {
        variables: { n: e.nik },
        headers: await headers(),
      });
      expect(r.body.data).toEqual({
        eligibility: { eligible: e === keeping[0], ruleVersion: 2, dataAsOf: AS_OF_B },
      });
    }
    // Those the new version excludes get an event naming both versions; the others none.
    const events = await graphql(
      gateway,
      `
        {
          changes(first: 100) {
            edges {
              node {
                kind
                ... on EligibilityChange {
                  program
                  subjectRef
                  previous {
                    eligible
                    ruleVersion
                  }
                  current {
                    eligible
                    reason
                    ruleVersion
                  }
                }
              }
            }
          }
        }
      `,
      { headers: await headers() },
    );
    expect(events.body.errors).toBeUndefined();
    const nodes = (
      events.body.data as {
        changes: { edges: Array<{ node: { subjectRef: string } }> };
      }
    ).changes.edges.map((e) => e.node);
    expect(new Set(nodes.map((n) => n.subjectRef))).toEqual(
      new Set(losing.slice(0, 5).map((e) => refOf.get(e.nik))),
    );
    for (const node of nodes) {
      expect(node).toMatchObject({
        kind: 'ELIGIBILITY_CHANGED',
        program: 'PBI_JK',
        previous: { eligible: true, ruleVersion: 1 },
        current: { eligible: false, reason: 'ABOVE_DECILE_THRESHOLD', ruleVersion: 2 },
      });
    }
  });
});
