import { PROGRAM_CODES, PROGRAMS, type ProgramCode } from './programs.js';

/**
 * The vocabulary of a statistics question (CONTRACT §8), shared by the statistics service
 * (src/statistics/), its SQL (src/db/scoped/statistics-*.ts) and the rollup build
 * (src/snapshot/statistics-rollup-build.ts).
 */
export type Measure = 'PERSONS' | 'HOUSEHOLDS' | TargetingMeasure;

/**
 * The targeting measures (CONTRACT §10, issue #13): per program, the units that receive it, that
 * are eligible under its rule, and the two errors of targeting. Each program counts in its own
 * unit (`PROGRAMS[p].unit`): households for PKH and BPNT, persons for PBI_JK and PIP.
 */
export type TargetingMeasure =
  'RECIPIENTS' | 'ELIGIBLE' | 'ELIGIBLE_NON_RECIPIENTS' | 'RECIPIENTS_NOT_ELIGIBLE';

export const TARGETING_MEASURES: readonly TargetingMeasure[] = [
  'RECIPIENTS',
  'ELIGIBLE',
  'ELIGIBLE_NON_RECIPIENTS',
  'RECIPIENTS_NOT_ELIGIBLE',
];

/** Every measure, in the order the schema lists them. */
export const MEASURES: readonly Measure[] = ['PERSONS', 'HOUSEHOLDS', ...TARGETING_MEASURES];

export function isTargetingMeasure(measure: Measure): measure is TargetingMeasure {
  return (TARGETING_MEASURES as readonly string[]).includes(measure);
}

/**
 * Which units of a program a targeting measure counts, by whether the unit receives the program
 * and whether it is eligible under the program's rule (a condition left out holds either way).
 * So RECIPIENTS = recipients eligible + RECIPIENTS_NOT_ELIGIBLE and ELIGIBLE = recipients
 * eligible + ELIGIBLE_NON_RECIPIENTS, cell by cell.
 */
export const TARGETING_CONDITIONS: Readonly<
  Record<TargetingMeasure, { recipient?: boolean; eligible?: boolean }>
> = {
  RECIPIENTS: { recipient: true },
  ELIGIBLE: { eligible: true },
  ELIGIBLE_NON_RECIPIENTS: { eligible: true, recipient: false },
  RECIPIENTS_NOT_ELIGIBLE: { recipient: true, eligible: false },
};

/** The programs whose unit is the household (PKH, BPNT) or the person (PBI_JK, PIP). */
export const HOUSEHOLD_PROGRAMS: readonly ProgramCode[] = PROGRAM_CODES.filter(
  (p) => PROGRAMS[p].unit === 'HOUSEHOLD',
);
export const PERSON_PROGRAMS: readonly ProgramCode[] = PROGRAM_CODES.filter(
  (p) => PROGRAMS[p].unit === 'PERSON',
);

/**
 * The programs a targeting table counts, in program order: with PROGRAM grouped, one cell each
 * (the filter's programs, or all); without, the one program of the filter. Empty when the query
 * names no program per cell (the service refuses it).
 */
export function targetingPrograms(
  query: Pick<NormalizedStatisticsQuery, 'groupBy' | 'programs'>,
): ProgramCode[] {
  if (query.groupBy.includes('PROGRAM')) {
    return PROGRAM_CODES.filter((p) => query.programs?.includes(p) ?? true);
  }
  return query.programs?.length === 1 ? PROGRAM_CODES.filter((p) => p === query.programs![0]) : [];
}

/** The version of a program's eligibility rule that a targeting table was decided with. */
export interface RuleVersion {
  program: ProgramCode;
  version: number;
}
export type Dimension =
  'PROVINCE' | 'REGENCY' | 'DISTRICT' | 'DECILE' | 'PROGRAM' | 'SEX' | 'AGE_BAND';

/** Every dimension, in the order a normalized query lists them. */
export const DIMENSIONS: readonly Dimension[] = [
  'PROVINCE',
  'REGENCY',
  'DISTRICT',
  'DECILE',
  'PROGRAM',
  'SEX',
  'AGE_BAND',
];

/** The region levels; a table groups by at most one of them. */
export const REGION_DIMENSIONS: readonly Dimension[] = ['PROVINCE', 'REGENCY', 'DISTRICT'];

/** The programs a household or person can be counted in (one cell each when PROGRAM is grouped). */
export { PROGRAM_CODES };

/**
 * PERSONS statistics count at most this many ACTIVE members per household (the first ones in a
 * fixed order; the SQL must apply the same cap). Without a cap one large household could move a
 * count by its whole size and the noise would have to cover the largest household in the
 * registry. Larger households are counted as 10 persons: a small downward bias, documented in
 * docs/privacy.md. The targeting measures of the person programs take the same cap over their
 * own candidates (a household's members who are ACTIVE or receive a person program).
 */
export const MAX_MEMBERS_COUNTED = 10;

/**
 * A statistics question in one form (src/statistics/privacy/canonical-query.ts makes it):
 * groupBy in the DIMENSIONS order, filter lists sorted and deduplicated, an empty list the same as
 * no filter (null). The SQL consumes this form, so that two inputs with one key always compute
 * the same table.
 */
export interface NormalizedStatisticsQuery {
  measure: Measure;
  groupBy: Dimension[];
  regionCode: string | null;
  deciles: number[] | null;
  programs: string[] | null;
  epsilonMilli: number;
}
