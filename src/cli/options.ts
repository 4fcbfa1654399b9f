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
