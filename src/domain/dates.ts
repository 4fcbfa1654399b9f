/**
 * Calendar dates as `YYYY-MM-DD` strings (CONTRACT §4). Dates in the registry have no time zone;
 * keeping them as strings avoids the classic off-by-one of `new Date()` in UTC+7.
 */
const DASH = 45;
const ZERO = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when `value` is a real calendar date written `YYYY-MM-DD` (rejects 2024-02-30). Written
 * without regular expressions or `Date` objects: it runs for every date of every imported row.
 */
export function isIsoDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH)
    return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  return year >= 1850 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The number written by the ASCII digits in [from, to), or -1 when any is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}

/** Today's date in Indonesia's western time zone (WIB, UTC+7), where the registry lives. */
export function todayInJakarta(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** Completed years between `birthDate` and `onDate` (both `YYYY-MM-DD`). */
export function ageInYears(birthDate: string, onDate: string): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
