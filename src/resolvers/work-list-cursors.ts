import type { CursorCodec } from '../auth/cursor-codec.js';
import type {
  HouseholdFilter,
  HouseholdOrder,
  HouseholdPosition,
  HouseholdRecord,
} from '../db/scoped/scoped-registry.js';
import { badUserInput } from '../errors/gateway-errors.js';

/**
 * The cursors of one work-list query, signed together with the client, every filter condition
 * and the order, so that a cursor cannot be carried to another client, filter or order.
 * In id order the position is the household id; in LAST_VERIFIED order it is
 * `[verifiedAt | null, id]` (JSON), the sort key of the last household given.
 */
export class WorkListCursors {
  private readonly key: string;

  constructor(
    private readonly codec: CursorCodec,
    private readonly clientId: string,
    filter: HouseholdFilter,
    private readonly order: HouseholdOrder,
  ) {
    this.key = workListKey(filter, order);
  }

  encode(row: HouseholdRecord): string {
    return this.encodePosition({ id: row._key, verifiedAt: row._verifiedAt ?? null });
  }

  /** The cursor of a position in the list (the page after it starts after it). */
  encodePosition(position: HouseholdPosition): string {
    const text =
      this.order === 'ID' ? position.id : JSON.stringify([position.verifiedAt, position.id]);
    return this.codec.encode(this.clientId, this.key, text);
  }

  /** The position after which the page starts; BAD_USER_INPUT for a cursor of another query. */
  decode(cursor: string): HouseholdPosition {
    const position = this.codec.decode(this.clientId, this.key, cursor);
    if (this.order === 'ID') return { id: position, verifiedAt: null };
    // Signed by us, so well-formed; checked anyway, since a parse error must not become a 500.
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(position);
    } catch {
      // refused below
    }
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (parsed[0] === null || typeof parsed[0] === 'string') &&
      typeof parsed[1] === 'string'
    ) {
      return { verifiedAt: parsed[0] as string | null, id: parsed[1] };
    }
    throw badUserInput('invalid cursor: use the endCursor of the previous page of the same query');
  }
}

/**
 * Every condition of the filter and the order, in fixed positions. Trailing absent conditions
 * are dropped, so that an id-order query with only the first four filters keeps the key (and the
 * cursors) it had before the other filters existed.
 */
function workListKey(f: HouseholdFilter, order: HouseholdOrder): string {
  const key: unknown[] = [
    f.regionCode ?? null,
    f.decileMin ?? null,
    f.decileMax ?? null,
    f.verificationStatus ?? null,
    f.program ?? null,
    f.hasPregnantMember ?? null,
    f.hasChildUnder6 ?? null,
    f.hasElderlyMember ?? null,
    f.hasSevereDisability ?? null,
    f.notVerifiedSince ?? null,
    order === 'ID' ? null : order,
  ];
  while (key.length > 4 && key.at(-1) === null) key.pop();
  return JSON.stringify(key);
}
