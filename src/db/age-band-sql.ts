import { AGE_BANDS } from '../domain/age-bands.js';

/**
 * The SQL giving the age band of a birth date at an as-of date (both SQL expressions, the as-of
 * a date constant or column): NULL when the birth date is unknown or after the as-of date. A
 * person is in the band of their completed years, as PostgreSQL `age()` counts them
 * (eligibility-rule-sql.ts): `age(asOf, birth) >= k years` exactly when `birth <= asOf - k
 * years`, which tests/statistics/statistics-rollups.test.ts checks day by day, leap days included. Written
 * with those cut-off dates, which the planner folds to constants, because `age()` on every one
 * of ten million members is most of the cost of building the rollups. One text for the
 * base-table path and the rollup build, so both put every person in the same band.
 */
export function ageBandSql(asOf: string, birthDate: string): string {
  const bands = [...AGE_BANDS].sort((a, b) => a.min - b.min);
  const branches = bands.slice(0, -1).map((band, i) => {
    const next = bands[i + 1]!.min;
    return `WHEN ${birthDate} > (${asOf} - interval '${next} years')::date THEN '${band.code}'`;
  });
  return (
    `CASE WHEN ${birthDate} IS NULL OR ${birthDate} > ${asOf} THEN NULL ` +
    `${branches.join(' ')} ELSE '${bands.at(-1)!.code}' END`
  );
}
