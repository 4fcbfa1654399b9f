import { ageBandSql } from '../../src/db/age-band-sql.js';
import type { Dimension, Measure } from '../../src/domain/statistics-query.js';

/**
 * The bare `GROUP BY` over the base tables for a grouping: what someone with direct database
 * access would write — households (with their head for SEX or AGE_BAND, with their members'
 * programs for PROGRAM) or ACTIVE members with their households (and their programs), grouped
 * and counted. No cap on members per household, no region scope, no full grid, no labels.
 */
export function bareGroupBySql(
  measure: Measure,
  groupBy: readonly Dimension[],
  asOf: string,
): string {
  const persons = measure === 'PERSONS';
  const who = persons ? 'm' : 'hd';
  const keys = groupBy.map((d) => {
    switch (d) {
      case 'PROVINCE':
        return 'left(h.region_code, 2)';
      case 'REGENCY':
        return 'left(h.region_code, 4)';
      case 'DISTRICT':
        return 'left(h.region_code, 6)';
      case 'DECILE':
        return 'h.decile';
      case 'SEX':
        return `${who}.sex`;
      case 'AGE_BAND':
        return ageBandSql(`'${asOf}'::date`, `${who}.birth_date`);
      case 'PROGRAM':
        return 'p.program';
    }
  });
  const program = groupBy.includes('PROGRAM');
  const from = persons
    ? `member m JOIN household h USING (household_id)` +
      (program ? ' JOIN program_recipient p ON p.nik = m.nik' : '')
    : 'household h' +
      (groupBy.includes('SEX') || groupBy.includes('AGE_BAND')
        ? ` LEFT JOIN member hd ON hd.household_id = h.household_id AND hd.relationship = 'HEAD' AND hd.status = 'ACTIVE'`
        : '') +
      (program
        ? ` JOIN (SELECT DISTINCT m.household_id, r.program FROM program_recipient r
                    JOIN member m ON m.nik = r.nik AND m.status = 'ACTIVE') p
              ON p.household_id = h.household_id`
        : '');
  const where = persons ? "WHERE m.status = 'ACTIVE'" : '';
  const select = [...keys, 'count(*)'].join(', ');
  const group = keys.length > 0 ? `GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
  return `SELECT ${select} FROM ${from} ${where} ${group}`;
}
