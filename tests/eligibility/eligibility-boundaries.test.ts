import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ministryPrincipal } from '../support/test-principal.js';
import { currentRules, type CurrentRule } from '../../src/db/queries/eligibility-rule-queries.js';
import { evaluateEligibility } from '../../src/db/scoped/eligibility-evaluator.js';
import { HOUSEHOLDS_HEADER, MEMBERS_HEADER, importText } from '../support/snapshot-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * Hand-made boundary cases of CONTRACT §5, as of 2026-06-30: ages exactly on the as-of date, a
 * deceased member who alone would qualify, rejected and unranked households, deciles at each
 * threshold, a NIK issued in another district, duplicates and unregistered NIKs in one batch.
 * Every household has one adult head (aged 30, qualifying for nothing) and at most one other member.
 */
const AS_OF = '2026-06-30';
let serial = 9000;
const nik = () => `32010101019${String(serial++).padStart(5, '0')}`.slice(0, 16);

interface Case {
  household: string;
  decile: string;
  status?: string;
  /** The member under test: birth date, flags, status. */
  member?: { birth: string; inSchool?: boolean; pregnant?: boolean; status?: string };
  headNik?: string;
}

const CASES: Record<string, Case> = {
  age5: { household: 'B01', decile: '3', member: { birth: '2021-06-30' } }, // 5 today
  age6NoSchool: { household: 'B02', decile: '3', member: { birth: '2020-06-30' } }, // 6 today, not in school
  age21InSchool: { household: 'B03', decile: '3', member: { birth: '2005-06-30', inSchool: true } }, // 21 today
  age22InSchool: { household: 'B04', decile: '3', member: { birth: '2004-06-30', inSchool: true } }, // 22 today
  age59: { household: 'B05', decile: '3', member: { birth: '1966-07-01' } }, // 60 tomorrow
  age60: { household: 'B06', decile: '3', member: { birth: '1966-06-30' } }, // 60 today
  deceasedPregnant: {
    household: 'B07',
    decile: '3',
    member: { birth: '1995-01-01', pregnant: true, status: 'DECEASED' },
  },
  rejected: { household: 'B08', decile: '1', status: 'REJECTED', member: { birth: '2024-01-01' } },
  unranked: { household: 'B09', decile: '', member: { birth: '2024-01-01' } },
  decile4: { household: 'B10', decile: '4', member: { birth: '2024-01-01' } },
  decile5: { household: 'B11', decile: '5', member: { birth: '2024-01-01' } },
  decile6: { household: 'B12', decile: '6', member: { birth: '2024-01-01' } },
  otherDistrict: {
    household: 'B13',
    decile: '2',
    member: { birth: '2024-01-01' },
    headNik: '3374010101909999',
  },
};

const heads: Record<string, string> = {};
const members: Record<string, string> = {};

function snapshot() {
  const households = [HOUSEHOLDS_HEADER];
  const rows = [MEMBERS_HEADER];
  for (const [name, c] of Object.entries(CASES)) {
    households.push(
      `${c.household},3201010101909000,3201011001,,${c.decile},,,,,,,,,${c.status ?? 'VERIFIED'},,SIKS_NG`,
    );
    heads[name] = c.headNik ?? nik();
    rows.push(
      `${heads[name]},${c.household},Kepala ${c.household},M,1996-01-01,HEAD,false,NONE,false,ACTIVE`,
    );
    if (c.member) {
      members[name] = nik();
      const m = c.member;
      rows.push(
        `${members[name]},${c.household},Anggota ${c.household},F,${m.birth},CHILD,${m.pregnant === true},NONE,${m.inSchool === true},${m.status ?? 'ACTIVE'}`,
      );
    }
  }
  return { households: households.join('\n'), members: rows.join('\n'), recipients: null };
}

let db: TestDatabase;
let rules: Map<string, CurrentRule>;
const everywhere = ministryPrincipal({ regionScope: ['*'] });

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, snapshot(), AS_OF);
  rules = new Map((await currentRules(db.db)).map((r) => [r.program, r]));
});
afterAll(async () => {
  await db.close();
});

async function reasons(program: string, niks: string[]): Promise<string[]> {
  const { facts } = await evaluateEligibility(db.db, everywhere, niks, rules.get(program)!);
  return facts.map((f) => f.reason);
}

describe('eligibility at the boundaries (as of 2026-06-30)', () => {
  it('PKH: a household qualifies through a child of 5 or a member of 60 on the as-of date, not 6 out of school or 59', async () => {
    const names = [
      'age5',
      'age6NoSchool',
      'age21InSchool',
      'age22InSchool',
      'age59',
      'age60',
      'deceasedPregnant',
    ];
    expect(
      await reasons(
        'PKH',
        names.map((n) => heads[n]!),
      ),
    ).toEqual([
      'ELIGIBLE',
      'NO_QUALIFYING_MEMBER',
      'ELIGIBLE',
      'NO_QUALIFYING_MEMBER',
      'NO_QUALIFYING_MEMBER',
      'ELIGIBLE',
      'NO_QUALIFYING_MEMBER', // the only qualifying member is deceased
    ]);
  });

  it('PKH: the deceased member is INACTIVE herself', async () => {
    expect(await reasons('PKH', [members.deceasedPregnant!])).toEqual(['INACTIVE']);
  });

  it('PIP: in school and aged 6–21 on the as-of date, 21 included and 22 not', async () => {
    expect(
      await reasons('PIP', [members.age21InSchool!, members.age22InSchool!, members.age6NoSchool!]),
    ).toEqual(['ELIGIBLE', 'NOT_IN_TARGET_GROUP', 'NOT_IN_TARGET_GROUP']);
  });

  it('rejected and unranked households come before the decile and the members', async () => {
    expect(await reasons('BPNT', [heads.rejected!, heads.unranked!])).toEqual([
      'HOUSEHOLD_REJECTED',
      'NOT_RANKED',
    ]);
    expect(await reasons('PKH', [heads.rejected!, heads.unranked!])).toEqual([
      'HOUSEHOLD_REJECTED',
      'NOT_RANKED',
    ]);
  });

  it('deciles at each threshold: BPNT and PKH up to 4, PBI_JK up to 5', async () => {
    const three = [heads.decile4!, heads.decile5!, heads.decile6!];
    expect(await reasons('BPNT', three)).toEqual([
      'ELIGIBLE',
      'ABOVE_DECILE_THRESHOLD',
      'ABOVE_DECILE_THRESHOLD',
    ]);
    expect(await reasons('PBI_JK', three)).toEqual([
      'ELIGIBLE',
      'ELIGIBLE',
      'ABOVE_DECILE_THRESHOLD',
    ]);
    expect(await reasons('PKH', three)).toEqual([
      'ELIGIBLE',
      'ABOVE_DECILE_THRESHOLD',
      'ABOVE_DECILE_THRESHOLD',
    ]);
  });

  it('a NIK issued in another district is decided by where the person lives', async () => {
    expect(heads.otherDistrict!.slice(0, 4)).toBe('3374');
    expect(await reasons('BPNT', [heads.otherDistrict!])).toEqual(['ELIGIBLE']);
  });

  it('answers duplicates and unregistered NIKs in place, in input order', async () => {
    const unknown = '3201019999999999';
    expect(
      await reasons('BPNT', [heads.decile4!, unknown, heads.decile4!, heads.decile6!, unknown]),
    ).toEqual([
      'ELIGIBLE',
      'NOT_REGISTERED',
      'ELIGIBLE',
      'ABOVE_DECILE_THRESHOLD',
      'NOT_REGISTERED',
    ]);
  });
});
