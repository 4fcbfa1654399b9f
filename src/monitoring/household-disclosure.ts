/**
 * Disclosure control of the household counts of verification progress (docs/privacy.md,
 * "Operational figures"): the dashboard rule — no group of 1–9 households may be learned — for
 * figures that differ only by a date and so could be subtracted from one another.
 *
 * Pure: the result depends only on the counts, never on the question asked, so every question
 * about the same snapshot is answered from one fixed set of publishable values.
 */

/** Groups of 1 to THRESHOLD − 1 households are never shown (CONTRACT §8, dashboards). */
export const HOUSEHOLD_THRESHOLD = 10;

/** One regency's households by month of last verification (`YYYY-MM-01`; null: never). */
export interface RegencyHistogram {
  regency: string;
  province: string;
  households: number;
  neverVerified: number;
  /** Households last verified in each month, ascending by month. */
  months: ReadonlyArray<{ month: string; n: number }>;
}

/**
 * Rung: The values of a regency's "not verified since" count that may be shown.
 *
 * "Households not verified since d" (never verified, or last verified before d) grows with d,
 * from the never-verified count up to all households. Shown for two dates, the difference is the
 * households last verified between them; shown beside the total, the complement is those verified
 * since. So the values that may ever be shown form a fixed ladder: 0, then — walking the months
 * from the oldest — each cumulative count at least THRESHOLD above the last rung kept, and the
 * total, with the last rung dropped while the total is less than THRESHOLD above it. Any two
 * rungs, and a rung and the total, differ by 0 or at least THRESHOLD, so no combination of
 * answers, whatever dates are asked, isolates 1–9 households. A value that is not a rung is
 * hidden.
 */
export function publishableRungs(
  h: Pick<RegencyHistogram, 'households' | 'neverVerified' | 'months'>,
  threshold: number = HOUSEHOLD_THRESHOLD,
): ReadonlySet<number> {
  const rungs = [0];
  let cumulative = h.neverVerified;
  const steps = [cumulative];
  for (const m of h.months) {
    cumulative += m.n;
    steps.push(cumulative);
  }
  for (const value of steps) {
    if (value >= h.households) break;
    if (value - rungs[rungs.length - 1]! >= threshold) rungs.push(value);
  }
  while (rungs.length > 1 && h.households - rungs[rungs.length - 1]! < threshold) rungs.pop();
  rungs.push(h.households);
  return new Set(rungs);
}

/** Households never verified or last verified before `date` (a month's first day). */
export function notVerifiedSince(h: RegencyHistogram, date: string): number {
  let n = h.neverVerified;
  for (const m of h.months) if (m.month < date) n += m.n;
  return n;
}

/**
 * The regencies whose household figures are all hidden: those with 1–9 households (primary), and
 * in each province where exactly one regency is so hidden, the province's other regency with the
 * fewest households (ties: the lower code), because a province's and the country's households are
 * published (`snapshot`, `statistics`) and their difference with the regencies shown would give
 * the hidden one away. Computed over every regency of the province within the scope, whatever the
 * filter, so that no filter changes what is hidden.
 */
export function hiddenRegencies(
  rows: ReadonlyArray<Pick<RegencyHistogram, 'regency' | 'province' | 'households'>>,
  threshold: number = HOUSEHOLD_THRESHOLD,
): { primary: ReadonlySet<string>; complementary: ReadonlySet<string> } {
  const small = (n: number) => n >= 1 && n < threshold;
  const primary = new Set(rows.filter((r) => small(r.households)).map((r) => r.regency));
  const complementary = new Set<string>();
  const provinces = new Set(rows.map((r) => r.province));
  for (const province of provinces) {
    const own = rows.filter((r) => r.province === province);
    if (own.filter((r) => primary.has(r.regency)).length !== 1) continue;
    const candidates = own
      .filter((r) => !primary.has(r.regency) && r.households > 0)
      .sort((a, b) => a.households - b.households || (a.regency < b.regency ? -1 : 1));
    if (candidates[0]) complementary.add(candidates[0].regency);
  }
  return { primary, complementary };
}
