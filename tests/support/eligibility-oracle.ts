/*
 * An independent oracle: the contract's rules (CONTRACT §5) written again in plain TypeScript over
 * the CSV rows of a snapshot (tests/support/generated-snapshot.ts parses them). It shares no code
 * with the gateway's SQL; the eligibility and change-feed tests compare the gateway with it.
 */

export interface Row {
  [column: string]: string;
}

function age(birth: string, asOf: string): number {
  const years = Number(asOf.slice(0, 4)) - Number(birth.slice(0, 4));
  return asOf.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** The reason code of one NIK for one program, as of `asOf` (default 2026-06-30). */
export function oracle(
  program: string,
  nik: string,
  members: Map<string, Row>,
  byHousehold: Map<string, Row[]>,
  households: Map<string, Row>,
  asOf = '2026-06-30',
): string {
  const m = members.get(nik);
  if (!m) return 'NOT_REGISTERED';
  if (m.status !== 'ACTIVE') return 'INACTIVE';
  const h = households.get(m.household_id!)!;
  if (h.verification_status === 'REJECTED') return 'HOUSEHOLD_REJECTED';
  if (h.decile === '') return 'NOT_RANKED';
  const decile = Number(h.decile);
  const max = program === 'PBI_JK' ? 5 : 4;
  if (decile > max) return 'ABOVE_DECILE_THRESHOLD';
  const a = (p: Row) => (p.birth_date ? age(p.birth_date, asOf) : NaN);
  if (program === 'PKH') {
    const qualifies = (byHousehold.get(h.household_id!) ?? []).some(
      (q) =>
        q.status === 'ACTIVE' &&
        (q.pregnant === 'true' ||
          a(q) <= 5 ||
          (a(q) >= 6 && a(q) <= 21 && q.in_school === 'true') ||
          a(q) >= 60 ||
          q.disability === 'SEVERE'),
    );
    if (!qualifies) return 'NO_QUALIFYING_MEMBER';
  }
  if (program === 'PIP' && !(a(m) >= 6 && a(m) <= 21 && m.in_school === 'true'))
    return 'NOT_IN_TARGET_GROUP';
  return 'ELIGIBLE';
}
