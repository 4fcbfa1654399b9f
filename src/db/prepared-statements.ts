import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';

/**
 * Hot statements are sent as named prepared statements: PostgreSQL parses (and, while it pays,
 * plans) each text once per connection instead of once per request. A statement opts in by
 * starting with this comment (`PREPARED` in kysely's `sql`, `PREPARED_TEXT` in raw text); the
 * pool's clients (`createPool`) then send it under a name derived from its text. Opt-in, not
 * every statement: each name lives as long as the connection, so only statements whose texts
 * come from a small fixed set (one per agreement and selection at most) are named.
 */
export const PREPARED_TEXT = '/* prepared */ ';

/** {@link PREPARED_TEXT} for kysely's `sql` template. */
export const PREPARED = sql.raw(PREPARED_TEXT);

/** At most this many texts get names in a process; later ones run unnamed (bounded memory). */
const MAX_NAMED = 2_000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `dtks_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

type Query = (...args: unknown[]) => unknown;

/**
 * Makes a client send statements that opt in as named prepared statements. Called once per new
 * connection; everything else the client sends is untouched.
 */
export function namePreparedStatements(client: pg.ClientBase): void {
  const query = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && text.startsWith(PREPARED_TEXT)) {
      const name = nameOf(text);
      if (name !== undefined) return query({ name, text, values }, ...args.slice(2));
    }
    return query(...args);
  };
}
