import type {
  StatusTally,
  SubmissionTally,
  VerificationHistogram,
  VerificationProgressReads,
} from '../db/scoped/verification-progress-reads.js';
import { badUserInput } from '../errors/gateway-errors.js';
import {
  HOUSEHOLD_THRESHOLD,
  hiddenRegencies,
  notVerifiedSince,
  publishableRungs,
  type RegencyHistogram,
} from './household-disclosure.js';

/** What `verificationProgress` is asked. */
export interface VerificationProgressFilter {
  /** A province (2 digits) or a regency (4 digits); null: every regency of the scope. */
  regionCode?: string | null;
  /** A month's first day (`YYYY-MM-01`); null: no "not verified since" figure. */
  notVerifiedSince?: string | null;
}

/** A household count as the dashboard may show it: `value` null when `suppressed`. */
export interface ProtectedCount {
  value: number | null;
  suppressed: boolean;
}

export interface StatusCounts extends StatusTally {
  total: number;
}

export interface RegencyProgress {
  regencyCode: string;
  regencyName: string;
  provinceCode: string;
  /** The regency has 1–9 households in the scope: every figure of it is hidden. */
  suppressed: boolean;
  households: ProtectedCount;
  neverVerified: ProtectedCount;
  notVerifiedSince: ProtectedCount | null;
  submissions: StatusCounts | null;
  proposals: StatusCounts | null;
  reviewed: number | null;
  medianDaysToReview: number | null;
}

export interface VerificationProgressAnswer {
  dataAsOf: string | null;
  notVerifiedSince: string | null;
  threshold: number;
  regencies: RegencyProgress[];
}

const HIDDEN: ProtectedCount = Object.freeze({ value: null, suppressed: true });
const shown = (value: number): ProtectedCount => ({ value, suppressed: false });

/** Checks the filter: BAD_USER_INPUT for what verification progress does not offer. */
export function checkProgressFilter(filter: VerificationProgressFilter): {
  regionCode: string | null;
  notVerifiedSince: string | null;
} {
  const regionCode = filter.regionCode ?? null;
  const since = filter.notVerifiedSince ?? null;
  if (regionCode !== null && !/^(?:\d{2}|\d{4})$/.test(regionCode)) {
    throw badUserInput(
      'regionCode: verification progress is per regency; give a province (2 digits) or a regency (4 digits)',
    );
  }
  if (since !== null && !since.endsWith('-01')) {
    throw badUserInput(
      'notVerifiedSince: give the first day of a month (YYYY-MM-01); households are counted by month of last verification',
    );
  }
  return { regionCode, notVerifiedSince: since };
}

/**
 * Verification progress per regency of the scope (issue #13): households, never verified, not
 * verified since a month, under the dashboard rule (`household-disclosure.ts`); submissions and
 * proposals by status and the median days to review, exact except in a regency of 1–9
 * households (docs/privacy.md, "Operational figures").
 */
export async function verificationProgress(
  reads: VerificationProgressReads,
  filter: VerificationProgressFilter,
  /** The scope's histogram (all of it: cells outside the province asked are skipped). */
  histogramOfScope: () => Promise<VerificationHistogram> = () =>
    reads.householdsByLastVerification(null),
): Promise<VerificationProgressAnswer> {
  const { regionCode, notVerifiedSince: since } = checkProgressFilter(filter);
  // Hidden regencies are decided over the whole province, whatever the filter.
  const province = regionCode?.slice(0, 2) ?? null;
  const [regencies, histogram, tallies] = await Promise.all([
    reads.regencies(province),
    histogramOfScope(),
    reads.submissions(regionCode),
  ]);
  const byRegency = new Map<string, RegencyHistogram>(
    regencies.map((r) => [
      r.code,
      { regency: r.code, province: r.provinceCode, households: 0, neverVerified: 0, months: [] },
    ]),
  );
  const months = new Map<string, Array<{ month: string; n: number }>>();
  for (const cell of histogram.cells) {
    const h = byRegency.get(cell.regency);
    if (!h) continue; // another province than the one asked
    h.households += cell.n;
    if (cell.month === null) h.neverVerified += cell.n;
    else {
      const list = months.get(cell.regency) ?? [];
      list.push({ month: cell.month, n: cell.n });
      months.set(cell.regency, list);
    }
  }
  for (const [regency, list] of months) {
    byRegency.get(regency)!.months = list.sort((a, b) => (a.month < b.month ? -1 : 1));
  }
  const hidden = hiddenRegencies([...byRegency.values()]);
  const tallyOf = new Map(tallies.map((t) => [t.regency, t]));

  const rows: RegencyProgress[] = [];
  for (const r of regencies) {
    if (regionCode !== null && !r.code.startsWith(regionCode)) continue;
    const h = byRegency.get(r.code)!;
    const small = hidden.primary.has(r.code);
    const householdsHidden = small || hidden.complementary.has(r.code);
    const rungs = publishableRungs(h);
    const figure = (value: number): ProtectedCount =>
      householdsHidden || !rungs.has(value) ? HIDDEN : shown(value);
    const t = tallyOf.get(r.code);
    rows.push({
      regencyCode: r.code,
      regencyName: r.name,
      provinceCode: r.provinceCode,
      suppressed: small,
      households: householdsHidden ? HIDDEN : shown(h.households),
      neverVerified: figure(h.neverVerified),
      notVerifiedSince: since === null ? null : figure(notVerifiedSince(h, since)),
      submissions: small ? null : counts(t?.submissions),
      proposals: small ? null : counts(t?.proposals),
      reviewed: small ? null : (t?.reviewed ?? 0),
      medianDaysToReview: small ? null : days(t),
    });
  }
  return {
    dataAsOf: histogram.asOf,
    notVerifiedSince: since,
    threshold: HOUSEHOLD_THRESHOLD,
    regencies: rows,
  };
}

function counts(t: StatusTally | undefined): StatusCounts {
  const s = t ?? { submitted: 0, approved: 0, rejected: 0, applied: 0 };
  return { ...s, total: s.submitted + s.approved + s.rejected + s.applied };
}

/** Median seconds as days with one decimal; null when nothing was reviewed. */
function days(t: SubmissionTally | undefined): number | null {
  if (!t || t.medianReviewSeconds === null) return null;
  return Math.round((t.medianReviewSeconds / 86_400) * 10) / 10;
}
