import { ageBandSql } from '../../src/db/age-band-sql.js';
import {
  isTargetingMeasure,
  type Dimension,
  type Measure,
  type TargetingMeasure,
} from '../../src/domain/statistics-query.js';

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
  if (isTargetingMeasure(measure)) return bareTargetingSql(measure, groupBy, asOf);
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

/**
 * The bare targeting count, grouped by PROGRAM among others: the default rules of CONTRACT §5
 * written out by hand (what someone with direct database access would write, for the rules as
 * shipped), households for PKH and BPNT (a member of any status receiving; eligible when ranked
 * within decile 4, not REJECTED, with an ACTIVE member, and for PKH a qualifying one), every
 * member for PBI_JK and PIP (no cap). No region scope, no full grid, no labels.
 */
function bareTargetingSql(
  measure: TargetingMeasure,
  groupBy: readonly Dimension[],
  asOf: string,
): string {
  const date = `'${asOf}'::date`;
  const age = (m: string) => `date_part('year', age(${date}, ${m}.birth_date))`;
  const keys = groupBy.map((d) => {
    switch (d) {
      case 'PROVINCE':
        return 'left(u.region_code, 2)';
      case 'REGENCY':
        return 'left(u.region_code, 4)';
      case 'DISTRICT':
        return 'left(u.region_code, 6)';
      case 'DECILE':
        return 'u.decile';
      case 'SEX':
        return 'u.sex';
      case 'AGE_BAND':
        return ageBandSql(date, 'u.birth_date');
      case 'PROGRAM':
        return 'u.program';
    }
  });
  const head =
    groupBy.includes('SEX') || groupBy.includes('AGE_BAND')
      ? `LEFT JOIN member hd ON hd.household_id = h.household_id AND hd.relationship = 'HEAD' AND hd.status = 'ACTIVE'`
      : 'LEFT JOIN (SELECT NULL::char(1) AS sex, NULL::date AS birth_date) hd ON false';
  const condition = {
    RECIPIENTS: 'u.recipient',
    ELIGIBLE: 'u.eligible',
    ELIGIBLE_NON_RECIPIENTS: 'u.eligible AND NOT u.recipient',
    RECIPIENTS_NOT_ELIGIBLE: 'u.recipient AND NOT u.eligible',
  }[measure];
  const select = [...keys, 'count(*)'].join(', ');
  const group = keys.length > 0 ? `GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : '';
  return `
    SELECT ${select} FROM (
      SELECT h.region_code, h.decile, hd.sex, hd.birth_date, p.program,
             EXISTS (SELECT 1 FROM member m JOIN program_recipient r ON r.nik = m.nik
                      WHERE m.household_id = h.household_id AND r.program = p.program) AS recipient,
             coalesce(h.verification_status <> 'REJECTED' AND h.decile <= 4
               AND EXISTS (SELECT 1 FROM member q WHERE q.household_id = h.household_id
                              AND q.status = 'ACTIVE'
                              AND (p.program = 'BPNT' OR q.pregnant OR ${age('q')} <= 5
                                   OR (${age('q')} BETWEEN 6 AND 21 AND q.in_school)
                                   OR ${age('q')} >= 60 OR q.disability = 'SEVERE')), false) AS eligible
        FROM household h ${head} CROSS JOIN (VALUES ('PKH'), ('BPNT')) p (program)
      UNION ALL
      SELECT h.region_code, h.decile, m.sex, m.birth_date, p.program, r.nik IS NOT NULL,
             coalesce(m.status = 'ACTIVE' AND h.verification_status <> 'REJECTED'
               AND CASE p.program WHEN 'PBI_JK' THEN h.decile <= 5
                     ELSE h.decile <= 4 AND ${age('m')} BETWEEN 6 AND 21 AND m.in_school END, false)
        FROM member m JOIN household h USING (household_id)
        CROSS JOIN (VALUES ('PBI_JK'), ('PIP')) p (program)
        LEFT JOIN program_recipient r ON r.nik = m.nik AND r.program = p.program) u
     WHERE ${condition} ${group}`;
}
