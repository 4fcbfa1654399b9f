/**
 * The one advisory lock every writer of `change_event` holds, transaction-scoped, while it
 * inserts: `id` then grows in commit order, so a reader paging by id (`changes(after)`, the
 * webhook dispatcher) never passes an event that commits later with a smaller id.
 */
export const CHANGE_OUTBOX_LOCK = 0x64746b63; // "dtkc"

/**
 * The channel a writer of the outbox notifies (`pg_notify`, delivered at its commit) so that the
 * webhook dispatcher cuts the new events into deliveries at once rather than at its next tick.
 */
export const CHANGE_EVENTS_CHANNEL = 'dtks_change_events';

/**
 * What a writer runs first in its transaction: the outbox lock, and the notification that
 * PostgreSQL sends only if the transaction commits (its payload names the writer).
 */
export function lockOutboxSql(writer: 'import' | 'review' | 'grievance'): string {
  return `SELECT pg_advisory_xact_lock(${CHANGE_OUTBOX_LOCK}), pg_notify('${CHANGE_EVENTS_CHANNEL}', '${writer}')`;
}

/**
 * The VERIFICATION_STATUS_CHANGED events (CONTRACT §11) of the submissions in `changed`: a
 * relation (a CTE) with `public_id`, `kind`, `household_id`, `client_id`, `previous_status` and
 * `status`. Each goes to the agreement of the client that sent the submission, when that
 * agreement reads change events. The caller holds {@link CHANGE_OUTBOX_LOCK}.
 */
export function verificationEventsSql(changed: string, snapshotId: string): string {
  return `
    INSERT INTO change_event (agreement_id, kind, snapshot_id, payload)
    SELECT a.id, 'VERIFICATION_STATUS_CHANGED', ${snapshotId},
           jsonb_build_object('submissionId', v.public_id, 'submissionKind', v.kind,
                              'householdId', v.household_id,
                              'previousStatus', v.previous_status, 'status', v.status)
      FROM ${changed} v
      JOIN client c ON c.id = v.client_id
      JOIN agreement a ON a.id = c.agreement_id
     WHERE 'changes:read' = ANY (a.scopes) AND a.revoked_at IS NULL
     ORDER BY v.public_id
    RETURNING 1`;
}
