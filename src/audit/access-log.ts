import type pg from 'pg';
import type { AuditOutcome } from './audit-event.js';

/** One access to a data subject's record, as shown to that subject. */
export interface AccessLogEntry {
  id: number;
  at: Date;
  clientId: string | null;
  agencyId: string | null;
  officerId: string | null;
  purpose: string | null;
  operation: string;
  outcome: AuditOutcome;
  fields: string[];
}

/** Largest page `accessLogFor` returns. */
export const ACCESS_LOG_MAX_PAGE = 1000;

/**
 * Events whose subjects contain this subject hash, newest first, keyset-paginated by id: pass the
 * smallest id of a page as `beforeId` to get the next one. Uses the GIN index on `subjects`.
 */
export async function accessLogFor(
  pool: pg.Pool,
  subject: string,
  options: { first: number; beforeId?: number },
): Promise<AccessLogEntry[]> {
  const { first, beforeId } = options;
  if (!Number.isInteger(first) || first < 1 || first > ACCESS_LOG_MAX_PAGE) {
    throw new RangeError(`first must be an integer from 1 to ${ACCESS_LOG_MAX_PAGE}`);
  }
  if (beforeId !== undefined && !Number.isSafeInteger(beforeId)) {
    throw new RangeError('beforeId must be an integer');
  }
  const { rows } = await pool.query<{
    id: string | number;
    at: Date;
    client_id: string | null;
    agency_id: string | null;
    officer_id: string | null;
    purpose: string | null;
    operation: string;
    outcome: string;
    fields: string[];
  }>(
    `SELECT id, at, client_id, agency_id, officer_id, purpose, operation, outcome, fields
     FROM audit_event
     WHERE subjects @> ARRAY[$1::text] AND ($2::bigint IS NULL OR id < $2::bigint)
     ORDER BY id DESC
     LIMIT $3`,
    [subject, beforeId ?? null, first],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    clientId: r.client_id,
    agencyId: r.agency_id,
    officerId: r.officer_id,
    purpose: r.purpose,
    operation: r.operation,
    outcome: r.outcome as AuditOutcome,
    fields: r.fields,
  }));
}
