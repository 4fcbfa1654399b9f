import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { accountingPeriod } from '../../src/domain/accounting-period.js';

describe('configuration', () => {
  it('reads the global privacy budget, 10 by default, and refuses one that is not positive', () => {
    expect(loadConfig({}).globalPrivacyBudget).toBe(10);
    expect(loadConfig({ DTKS_GLOBAL_PRIVACY_BUDGET: '2.5' }).globalPrivacyBudget).toBe(2.5);
    for (const bad of ['0', '-1', 'lots']) {
      expect(() => loadConfig({ DTKS_GLOBAL_PRIVACY_BUDGET: bad })).toThrow(
        /DTKS_GLOBAL_PRIVACY_BUDGET/,
      );
    }
  });

  it('reads the privacy accounting period, a year by default, in months that divide a year', () => {
    expect(loadConfig({}).privacyPeriodMonths).toBe(12);
    expect(loadConfig({ DTKS_PRIVACY_PERIOD_MONTHS: '3' }).privacyPeriodMonths).toBe(3);
    for (const bad of ['0', '5', '24', '1.5', 'yearly']) {
      expect(() => loadConfig({ DTKS_PRIVACY_PERIOD_MONTHS: bad })).toThrow(
        /DTKS_PRIVACY_PERIOD_MONTHS/,
      );
    }
  });
});

describe('accounting periods', () => {
  it('are calendar periods in Jakarta time (UTC+7)', () => {
    // 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Jakarta.
    const newYear = accountingPeriod(new Date('2026-12-31T18:00:00Z'), 12);
    expect(newYear.start.toISOString()).toBe('2026-12-31T17:00:00.000Z');
    expect(newYear.end.toISOString()).toBe('2027-12-31T17:00:00.000Z');
    expect(newYear.label).toBe('2027-01-01 to 2027-12-31');
    const quarter = accountingPeriod(new Date('2026-08-15T00:00:00Z'), 3);
    expect(quarter.label).toBe('2026-07-01 to 2026-09-30');
    expect(accountingPeriod(new Date('2026-02-10T00:00:00Z'), 1).label).toBe(
      '2026-02-01 to 2026-02-28',
    );
    expect(() => accountingPeriod(new Date(), 5)).toThrow(RangeError);
  });
});
