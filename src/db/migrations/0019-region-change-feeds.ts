import { sql, type Kysely } from 'kysely';

/**
 * Change feeds, part two (issue #14, CONTRACT §11).
 *
 * - `change_event` gains two kinds for local governments: HOUSEHOLD_CHANGED (a household of the
 *   agreement's region added, removed or changed by an import; the payload names the changed
 *   fields, never their values) and VERIFICATION_STATUS_CHANGED (a submission the agreement sent
 *   was APPROVED, REJECTED or APPLIED). `subjects_sealed` keeps the NIKs of a household's members
 *   (before and after), sealed as followed NIKs are, so that reading or delivering the event is
 *   audited against those persons without the outbox holding a NIK in clear.
 * - Agreements may follow every subject they checked: `follow_checked_days` (null: off). Each
 *   eligibility check then keeps (or refreshes) a subscription of origin CHECKED with the time of
 *   the check; the import forgets those not checked again within the days.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE change_event DROP CONSTRAINT change_event_kind_check`.execute(db);
  await sql`
    ALTER TABLE change_event
      ADD CONSTRAINT change_event_kind_check
        CHECK (kind IN ('ELIGIBILITY_CHANGED', 'HOUSEHOLD_CHANGED', 'VERIFICATION_STATUS_CHANGED')),
      ADD COLUMN subjects_sealed bytea`.execute(db);
  await sql`
    ALTER TABLE agreement
      ADD COLUMN follow_checked_days integer CHECK (follow_checked_days BETWEEN 1 AND 3660)`.execute(
    db,
  );
  await sql`
    ALTER TABLE change_subscription
      ADD COLUMN origin text NOT NULL DEFAULT 'SUBSCRIBED' CHECK (origin IN ('SUBSCRIBED', 'CHECKED')),
      ADD COLUMN checked_at timestamptz`.execute(db);
  await sql`ALTER TABLE webhook_delivery ADD COLUMN attempting_until timestamptz`.execute(db);
  await sql`
    CREATE INDEX webhook_delivery_attempting_idx ON webhook_delivery (agreement_id)
     WHERE attempting_until IS NOT NULL`.execute(db);
  await sql`
    CREATE INDEX change_subscription_checked_idx ON change_subscription (agreement_id, checked_at)
     WHERE origin = 'CHECKED'`.execute(db);
}
