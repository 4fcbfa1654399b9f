/**
 * Hand-made households for the targeting measures (issue #13), as CSV lines, with who each one
 * counts for, worked out by hand from the definitions (docs/privacy.md) — no code shared with
 * the gateway. As of 2026-06-30, every household in one village. Each case is a kind of unit
 * the SQL could get wrong:
 *
 * - HX: no members at all (counted nowhere: no recipient, no ACTIVE member to be eligible).
 * - HQ: decile 1; the head receives PKH but the only PKH-qualifying member (a child of 3) died.
 * - HP: decile 3; a pregnant head, a pupil of 10 receiving PIP, a pupil of 22 receiving PIP (too
 *   old), and a PBI_JK recipient who moved.
 * - HR: decile 2 but REJECTED, its head receiving BPNT and PBI_JK.
 * - HD: decile 7; its only member, the head, died while receiving PKH (no ACTIVE head).
 * - HN: not ranked (no decile); its head receives PBI_JK.
 * - HB: decile 2, 13 ACTIVE members (the head, receiving PKH and PBI_JK, and 12 pupils of 10)
 *   and two DECEASED PIP recipients whose NIKs sort first: 15 candidates of the person programs, 10 counted (the two
 *   DECEASED, the head and 7 pupils); PERSONS counts the head and 9 pupils.
 */

export const TARGETING_AS_OF = '2026-06-30';

/** One targeting unit: a household for PKH and BPNT, a person for PBI_JK and PIP. */
export interface TargetingUnit {
  household: string;
  program: 'PKH' | 'BPNT' | 'PBI_JK' | 'PIP';
  recipient: boolean;
  eligible: boolean;
  /** Of the person, or of the household's ACTIVE head; null when unknown. */
  sex: 'M' | 'F' | null;
  ageBand: string | null;
  decile: number | null;
}

export interface TargetingCases {
  households: string[];
  members: string[];
  recipients: string[];
  /** Every unit counted in some targeting cell (receiving or eligible), by hand. */
  units: TargetingUnit[];
  /** The households' ids. */
  ids: string[];
}

/**
 * The cases in village `village` (10 digits); NIK serials from `serialBase` (4 digits, the last
 * four of each NIK) and household ids after `prefix`, so that a second copy collides with
 * nothing.
 */
export function targetingCases(
  village: string,
  { serialBase = 9100, prefix = '' }: { serialBase?: number; prefix?: string } = {},
): TargetingCases {
  const district = village.slice(0, 6);
  let serial = serialBase;
  const nik = (birth: string, sex: 'M' | 'F') => {
    const [y, m, d] = birth.split('-');
    const day = Number(d) + (sex === 'F' ? 40 : 0);
    return `${district}${String(day).padStart(2, '0')}${m}${y!.slice(2)}${serial++}`;
  };
  const households: string[] = [];
  const members: string[] = [];
  const recipients: string[] = [];
  let kk = 0;
  const household = (id: string, decile: number | null, status: string) => {
    households.push(
      `${prefix}${id},${district}${String(9_900_000_000 + serialBase * 10 + kk++).slice(-10)},${village},,${decile ?? ''},,,,,,,,,${status},,MUSDES`,
    );
  };
  const member = (
    household: string,
    birth: string,
    sex: 'M' | 'F',
    relationship: string,
    status: string,
    extra: { pregnant?: boolean; inSchool?: boolean; receives?: string[] } = {},
  ): string => {
    const n = nik(birth, sex);
    members.push(
      `${n},${prefix}${household},Kasus ${serial},${sex},${birth},${relationship},${extra.pregnant ?? false},NONE,${extra.inSchool ?? false},${status}`,
    );
    for (const program of extra.receives ?? []) recipients.push(`${n},${program},2024-01-01`);
    return n;
  };

  household('HX', 2, 'VERIFIED');

  household('HQ', 1, 'PENDING');
  member('HQ', '1986-01-01', 'M', 'HEAD', 'ACTIVE', { receives: ['PKH'] });
  member('HQ', '2023-01-01', 'M', 'CHILD', 'DECEASED');

  household('HP', 3, 'VERIFIED');
  member('HP', '1990-02-02', 'F', 'HEAD', 'ACTIVE', { pregnant: true });
  member('HP', '2016-05-05', 'M', 'CHILD', 'ACTIVE', { inSchool: true, receives: ['PIP'] });
  member('HP', '2004-05-05', 'F', 'CHILD', 'ACTIVE', { inSchool: true, receives: ['PIP'] });
  member('HP', '1950-01-01', 'M', 'PARENT', 'MOVED', { receives: ['PBI_JK'] });

  household('HR', 2, 'REJECTED');
  member('HR', '1980-03-03', 'M', 'HEAD', 'ACTIVE', { receives: ['BPNT', 'PBI_JK'] });

  household('HD', 7, 'VERIFIED');
  member('HD', '1940-04-04', 'F', 'HEAD', 'DECEASED', { receives: ['PKH'] });

  household('HN', null, 'PENDING');
  member('HN', '1975-06-06', 'M', 'HEAD', 'ACTIVE', { receives: ['PBI_JK'] });

  household('HB', 2, 'VERIFIED');
  // NIKs sort by birth day first: the DECEASED (days 01, 02), the head (05), the pupils (10–21).
  member('HB', '1945-01-01', 'M', 'PARENT', 'DECEASED', { receives: ['PIP'] });
  member('HB', '1945-01-02', 'M', 'PARENT', 'DECEASED', { receives: ['PIP'] });
  member('HB', '1980-01-05', 'M', 'HEAD', 'ACTIVE', { receives: ['PKH', 'PBI_JK'] });
  for (let day = 10; day <= 21; day++) {
    member('HB', `2016-01-${day}`, 'M', 'CHILD', 'ACTIVE', { inSchool: true });
  }

  const unit = (
    household: string,
    program: TargetingUnit['program'],
    recipient: boolean,
    eligible: boolean,
    sex: TargetingUnit['sex'],
    ageBand: string | null,
    decile: number | null,
  ): TargetingUnit => ({
    household: prefix + household,
    program,
    recipient,
    eligible,
    sex,
    ageBand,
    decile,
  });
  const units: TargetingUnit[] = [
    // HQ: PKH received, not eligible (no ACTIVE qualifying member); BPNT eligible only.
    unit('HQ', 'PKH', true, false, 'M', '18-59', 1),
    unit('HQ', 'BPNT', false, true, 'M', '18-59', 1),
    unit('HQ', 'PBI_JK', false, true, 'M', '18-59', 1),
    // HP: pregnant head: PKH and BPNT eligible; PBI_JK for its 3 ACTIVE members, and the moved
    // recipient; PIP received by both pupils, eligible for the one of 10 only.
    unit('HP', 'PKH', false, true, 'F', '18-59', 3),
    unit('HP', 'BPNT', false, true, 'F', '18-59', 3),
    unit('HP', 'PBI_JK', false, true, 'F', '18-59', 3),
    unit('HP', 'PBI_JK', false, true, 'M', '6-17', 3),
    unit('HP', 'PBI_JK', false, true, 'F', '18-59', 3),
    unit('HP', 'PBI_JK', true, false, 'M', '60+', 3),
    unit('HP', 'PIP', true, true, 'M', '6-17', 3),
    unit('HP', 'PIP', true, false, 'F', '18-59', 3),
    // HR: REJECTED: received, never eligible.
    unit('HR', 'BPNT', true, false, 'M', '18-59', 2),
    unit('HR', 'PBI_JK', true, false, 'M', '18-59', 2),
    // HD: a DECEASED recipient: the household still receives PKH; no ACTIVE head.
    unit('HD', 'PKH', true, false, null, null, 7),
    // HN: not ranked.
    unit('HN', 'PBI_JK', true, false, 'M', '18-59', null),
    // HB: household programs eligible (pupils qualify for PKH); person programs: the first 10
    // candidates by NIK — 2 DECEASED PIP recipients, the head, 7 pupils.
    unit('HB', 'PKH', true, true, 'M', '18-59', 2),
    unit('HB', 'BPNT', false, true, 'M', '18-59', 2),
    unit('HB', 'PIP', true, false, 'M', '60+', 2),
    unit('HB', 'PIP', true, false, 'M', '60+', 2),
    unit('HB', 'PBI_JK', true, true, 'M', '18-59', 2),
    ...Array.from({ length: 7 }, () => unit('HB', 'PBI_JK', false, true, 'M', '6-17', 2)),
    ...Array.from({ length: 7 }, () => unit('HB', 'PIP', false, true, 'M', '6-17', 2)),
  ];
  return {
    households,
    members,
    recipients,
    units,
    ids: ['HX', 'HQ', 'HP', 'HR', 'HD', 'HN', 'HB'],
  };
}
