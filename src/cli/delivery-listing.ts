import { InvalidArgumentError, type Command } from 'commander';
import { parsePositiveInt } from './options.js';

/**
 * What the listings of outbound deliveries share (`deliveries list` for webhooks, `dci callbacks`
 * for DCI callbacks): their states, their options, the last result of an attempt, and a header row
 * followed by one tab-separated row per delivery.
 */

/** The states of an outbound delivery. */
export const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'DEAD'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Commander parser for `--state`: one of {@link DELIVERY_STATES}, in any case. */
export function parseDeliveryState(value: string): DeliveryState {
  const state = value.toUpperCase();
  if (!(DELIVERY_STATES as readonly string[]).includes(state)) {
    throw new InvalidArgumentError(DELIVERY_STATES.join(' | '));
  }
  return state as DeliveryState;
}

/** The options of a delivery listing, as commander gives them. */
export interface DeliveryListOptions {
  client?: string;
  state?: DeliveryState;
  limit?: number;
}

/** Adds `--client`, `--state` and `--limit` to a listing command. */
export function withDeliveryListOptions(command: Command): Command {
  return command
    .option('--client <id>', "only this client's")
    .option('--state <state>', DELIVERY_STATES.join(' | '), parseDeliveryState)
    .option('--limit <n>', 'at most this many (default 50)', parsePositiveInt);
}

/** The query filter of a listing's options (50 rows unless `--limit` says otherwise). */
export function deliveryListFilter(o: DeliveryListOptions): {
  clientId?: string;
  state?: DeliveryState;
  limit: number;
} {
  return {
    ...(o.client ? { clientId: o.client } : {}),
    ...(o.state ? { state: o.state } : {}),
    limit: o.limit ?? 50,
  };
}

/** The columns every listing ends with, and their header. */
export const ATTEMPT_COLUMNS = [
  'STATE',
  'ATTEMPTS',
  'LAST_RESULT',
  'CREATED_AT',
  'DELIVERED_AT',
] as const;

/** A delivery's {@link ATTEMPT_COLUMNS}: the last result is its error, or the HTTP status. */
export function attemptColumns(r: {
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
}): Array<string | number> {
  return [
    r.state,
    r.attempts,
    r.lastError ?? (r.lastStatus === null ? '' : `HTTP ${r.lastStatus}`),
    r.createdAt.toISOString(),
    r.deliveredAt?.toISOString() ?? '',
  ];
}

/** A header row, then one tab-separated row per item, on stdout. */
export function printRows(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): void {
  console.log(header.join('\t'));
  for (const row of rows) console.log(row.join('\t'));
}
