/**
 * Privacy accounting periods (CONTRACT §8, docs/privacy.md "ε and budgets"): budgets are spent
 * per agency over a period of 1, 2, 3, 4, 6 or 12 months (`DTKS_PRIVACY_PERIOD_MONTHS`, default
 * 12), aligned on the calendar in Jakarta time (UTC+7, no daylight saving): with 12 months, each
 * year from 1 January 00:00 WIB; with 3, each quarter.
 */

const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;

/** One accounting period: [start, end). */
export interface AccountingPeriod {
  start: Date;
  end: Date;
  /** The period's first and last day in Jakarta, e.g. `2026-01-01 to 2026-12-31`. */
  label: string;
}

/** The accounting period of `months` months that contains `now`. */
export function accountingPeriod(now: Date, months: number): AccountingPeriod {
  if (![1, 2, 3, 4, 6, 12].includes(months)) {
    throw new RangeError('an accounting period is 1, 2, 3, 4, 6 or 12 months');
  }
  // Jakarta's calendar date of `now`, read from a UTC date shifted by the offset.
  const local = new Date(now.getTime() + JAKARTA_OFFSET_MS);
  const year = local.getUTCFullYear();
  const first = Math.floor(local.getUTCMonth() / months) * months;
  const start = new Date(Date.UTC(year, first, 1) - JAKARTA_OFFSET_MS);
  const end = new Date(Date.UTC(year, first + months, 1) - JAKARTA_OFFSET_MS);
  const day = (d: Date) => new Date(d.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
  return { start, end, label: `${day(start)} to ${day(new Date(end.getTime() - 1))}` };
}
