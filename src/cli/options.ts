import { InvalidArgumentError } from 'commander';
import { isIsoDate } from '../domain/dates.js';

/** Commander parser for `--as-of YYYY-MM-DD`. */
export function parseDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError('expected a date written YYYY-MM-DD');
  return value;
}

/** Commander parser for a positive whole number (accepts 1_000_000 and 1e6). */
export function parsePositiveInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/**
 * Commander parser for a moment: `YYYY-MM-DD` (midnight WIB, the start of that day in Jakarta) or
 * an ISO timestamp with its time zone.
 */
export function parseMoment(value: string): Date {
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+07:00` : value);
  if (Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError('a date (YYYY-MM-DD, from midnight WIB) or an ISO timestamp');
  }
  return at;
}
