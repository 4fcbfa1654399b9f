/**
 * L1 sensitivity of a statistics query with the household as the privacy unit: how much all the
 * cells of one table can change together when one household is added to or removed from the
 * registry. The noise scale is sensitivity / ε.
 */
import { PROGRAMS } from '../../domain/programs.js';
import {
  isTargetingMeasure,
  MAX_MEMBERS_COUNTED,
  PROGRAM_CODES,
  targetingPrograms,
  type Dimension,
  type Measure,
} from '../../domain/statistics-query.js';

/** What sensitivity depends on: the measure, the grouping and, when given, the program filter. */
export interface QueryShape {
  measure: Measure;
  groupBy: readonly Dimension[];
  /** The programs filter (normalized); when non-empty, PROGRAM cells are limited to these. */
  programs?: readonly string[];
}

/**
 * The L1 sensitivity of a query shape.
 *
 * - Region, DECILE: a household has one region and one decile, and all its members share them.
 * - SEX, AGE_BAND: for PERSONS each person is in one cell; for HOUSEHOLDS they are the head of
 *   household's sex and age band, so a household is in one cell.
 * - PROGRAM: a household (or person) is counted once per program it receives, so it touches up
 *   to 4 cells (or as many programs as the filter keeps).
 *
 * HOUSEHOLDS: 1 × program cells; PERSONS: MAX_MEMBERS_COUNTED × program cells.
 *
 * Targeting measures (RECIPIENTS, ELIGIBLE, ELIGIBLE_NON_RECIPIENTS, RECIPIENTS_NOT_ELIGIBLE):
 * the table's programs (one per PROGRAM cell, or the filter's one) each add what one household
 * can put in them: a household program counts the household at most once (1); a person program
 * counts at most MAX_MEMBERS_COUNTED of its members, each in one cell (10). So PROGRAM over all
 * four: 1 + 1 + 10 + 10 = 22; PKH alone 1; PIP alone 10.
 */
export function sensitivity(shape: QueryShape): number {
  if (isTargetingMeasure(shape.measure)) {
    const programs = targetingPrograms({
      groupBy: [...shape.groupBy],
      programs: shape.programs && shape.programs.length > 0 ? [...new Set(shape.programs)] : null,
    });
    if (programs.length === 0) {
      throw new RangeError(
        'a targeting measure counts per program: PROGRAM grouped or one program',
      );
    }
    return programs.reduce(
      (sum, p) => sum + (PROGRAMS[p].unit === 'HOUSEHOLD' ? 1 : MAX_MEMBERS_COUNTED),
      0,
    );
  }
  const programCells = shape.groupBy.includes('PROGRAM')
    ? Math.min(
        PROGRAM_CODES.length,
        shape.programs && shape.programs.length > 0
          ? new Set(shape.programs).size
          : PROGRAM_CODES.length,
      )
    : 1;
  const perHousehold = shape.measure === 'PERSONS' ? MAX_MEMBERS_COUNTED : 1;
  return perHousehold * programCells;
}
