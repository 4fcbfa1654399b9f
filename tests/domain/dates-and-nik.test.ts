import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageInYears, daysInMonth, isIsoDate } from '../../src/domain/dates.js';
import { isNikFormat, nikDatePart, nikMatchesBirthDate } from '../../src/domain/nik.js';

describe('isIsoDate', () => {
  it('agrees with the calendar for every day from 1850 to 2100', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1850, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, m, d) => {
          const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
          expect(isIsoDate(text)).toBe(real);
        },
      ),
    );
  });

  it('rejects other spellings', () => {
    for (const bad of [
      '2024-2-01',
      '2024/02/01',
      '01-02-2024',
      '2024-02-1x',
      ' 2024-02-01',
      '2024-02-010',
      '1849-12-31',
      '+024-02-01',
    ]) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
  });

  it('counts completed years on birthdays and the day before', () => {
    expect(ageInYears('2020-06-30', '2026-06-30')).toBe(6);
    expect(ageInYears('2020-07-01', '2026-06-30')).toBe(5);
    expect(ageInYears('2008-02-29', '2026-02-28')).toBe(17);
  });
});

describe('NIK', () => {
  it('encodes the birth date with +40 on the day for women, and checks it back', () => {
    expect(nikDatePart('1982-08-15', 'F')).toBe('550882');
    expect(nikDatePart('1980-05-15', 'M')).toBe('150580');
    expect(nikMatchesBirthDate('3201015508829002', '1982-08-15', 'F')).toBe(true);
    expect(nikMatchesBirthDate('3201015508829002', '1982-08-15', 'M')).toBe(false);
    expect(nikMatchesBirthDate('3201015508829002', '1982-08-16', null)).toBe(false);
    expect(isNikFormat('320101550882900')).toBe(false);
    expect(isNikFormat('3201015508829002')).toBe(true);
  });
});
