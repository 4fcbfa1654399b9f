import type { ProgramCode } from '../domain/programs.js';
import { DateTable } from './date-table.js';
import { DISABILITY_SEVERE, STATUS_ACTIVE, type MemberDraft } from './household-model.js';
import type { Rng } from './random.js';

/** Share of eligible units that receive the program (1 − exclusion error). */
export const COVERAGE: Readonly<Record<ProgramCode, number>> = {
  PKH: 0.8,
  BPNT: 0.82,
  PBI_JK: 0.85,
  PIP: 0.72,
};
/** Share of ineligible units in deciles ≤ 6 (ranked, not rejected) that receive it anyway. */
export const INCLUSION: Readonly<Record<ProgramCode, number>> = {
  PKH: 0.04,
  BPNT: 0.06,
  PBI_JK: 0.08,
  PIP: 0.05,
};
/** Inclusion errors only reach households in deciles up to this one. */
const INCLUSION_MAX_DECILE = 6;
const SINCE_MAX_DAYS = DateTable.yearsToDays(8);

/** The eligibility rules of CONTRACT §5 as the generator applies them (ACTIVE members only). */
export function hasPkhComponent(m: MemberDraft): boolean {
  if (m.status !== STATUS_ACTIVE) return false;
  const a = m.age;
  return (
    m.pregnant ||
    a <= 5 ||
    (a >= 6 && a <= 21 && m.inSchool) ||
    a >= 60 ||
    m.disability === DISABILITY_SEVERE
  );
}

export function isPipAge(m: MemberDraft): boolean {
  return m.age >= 6 && m.age <= 21;
}

/** Where `drawRecipients` appends: CSV rows (`nik,program,since`) and their count. */
export interface RecipientRows {
  text: string;
  count: number;
}

/**
 * Draws the recipients of one household and appends their rows to `out`. `decile` is null when
 * unranked; rejected and unranked households are never eligible. Household programs name the
 * head (always ACTIVE here); DECEASED and MOVED members never receive.
 */
export function drawRecipients(
  rng: Rng,
  members: readonly MemberDraft[],
  niks: readonly string[],
  decile: number | null,
  rejected: boolean,
  dateText: readonly string[],
  out: RecipientRows,
): void {
  if (decile === null || rejected || decile > INCLUSION_MAX_DECILE) return;
  const poor = decile <= 4;
  const head = niks[0]!;
  let pkh = false;
  if (poor) for (const m of members) pkh ||= hasPkhComponent(m);
  if (rng.chance(pkh ? COVERAGE.PKH : INCLUSION.PKH)) {
    out.text += `${head},PKH,${dateText[rng.int(SINCE_MAX_DAYS + 1)]}\n`;
    out.count++;
  }
  if (rng.chance(poor ? COVERAGE.BPNT : INCLUSION.BPNT)) {
    out.text += `${head},BPNT,${dateText[rng.int(SINCE_MAX_DAYS + 1)]}\n`;
    out.count++;
  }
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (m.status !== STATUS_ACTIVE) continue;
    // Not before birth: a child's PBI-JK or PIP starts after it was born.
    const sinceDays = Math.min(SINCE_MAX_DAYS, m.birthOffset) + 1;
    if (rng.chance(decile <= 5 ? COVERAGE.PBI_JK : INCLUSION.PBI_JK)) {
      out.text += `${niks[i]},PBI_JK,${dateText[rng.int(sinceDays)]}\n`;
      out.count++;
    }
    // PIP errors only among school-age children: a PIP grant to a 40-year-old is not plausible.
    if (isPipAge(m) && rng.chance(poor && m.inSchool ? COVERAGE.PIP : INCLUSION.PIP)) {
      out.text += `${niks[i]},PIP,${dateText[rng.int(sinceDays)]}\n`;
      out.count++;
    }
  }
}
