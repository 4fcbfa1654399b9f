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

/**
 * RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE_NON_RECIPIENTS of one grid: a count per cell,
 * in the same cell order.
 */
export interface TargetingGroups {
  recipients: readonly number[];
  recipientsNotEligible: readonly number[];
  eligibleNonRecipients: readonly number[];
}

/** The suppression count of each cell of the grid, for any targeting measure of that grid. */
export function targetingProtectionCounts(groups: TargetingGroups, threshold: number): number[] {
  return groups.recipients.map((recipients, i) => {
    const rne = groups.recipientsNotEligible[i]!;
    const enr = groups.eligibleNonRecipients[i]!;
    const re = recipients - rne;
    if (re < 0) throw new Error('targeting counts of different snapshots');
    const small = [re, rne, enr].filter((n) => n >= 1 && n < threshold);
    return small.length > 0 ? Math.min(...small) : re + rne + enr;
  });
}
