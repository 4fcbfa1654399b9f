/**
 * The counts that decide cell suppression for the targeting measures (issue #13), so that the
 * four measures hide the same cells.
 *
 * Per program and cell, the four measures are sums of three disjoint groups of units: recipients
 * eligible (RE), recipients not eligible (RNE) and eligible non-recipients (ENR):
 * RECIPIENTS = RE + RNE, ELIGIBLE = RE + ENR, RECIPIENTS_NOT_ELIGIBLE = RNE,
 * ELIGIBLE_NON_RECIPIENTS = ENR. Suppressing each measure's table on its own counts would let a
 * dashboard subtract shown cells of two tables — ELIGIBLE 12 and ELIGIBLE_NON_RECIPIENTS 11 give
 * one eligible recipient, a group of 1. So every targeting table of the same grid is suppressed
 * on one set of counts, whatever its measure: a cell whose three groups include one of 1–9 is
 * primary (given that group's size), any other cell counts its units (RE + RNE + ENR). The cells
 * a table shows then show all three groups at 0 or at least 10, and the complements are chosen
 * alike in all four tables.
 */

/** Cells (by `cellKey`) of RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE_NON_RECIPIENTS. */
export interface TargetingGroups {
  recipients: ReadonlyMap<string, number>;
  recipientsNotEligible: ReadonlyMap<string, number>;
  eligibleNonRecipients: ReadonlyMap<string, number>;
}

/** The suppression count of each cell of `keys`, for any targeting measure of that grid. */
export function targetingProtectionCounts(
  keys: readonly string[],
  groups: TargetingGroups,
  threshold: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const rne = groups.recipientsNotEligible.get(key) ?? 0;
    const enr = groups.eligibleNonRecipients.get(key) ?? 0;
    const re = (groups.recipients.get(key) ?? 0) - rne;
    if (re < 0) throw new Error('targeting counts of different snapshots');
    const small = [re, rne, enr].filter((n) => n >= 1 && n < threshold);
    counts.set(key, small.length > 0 ? Math.min(...small) : re + rne + enr);
  }
  return counts;
}
