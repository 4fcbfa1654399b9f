import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * What the gateway was used for, aggregated in SQL (issue #13, `gatewayUse`): from the hourly
 * counts of audit events (migration 0030, kept by the audit writer with each batch), the privacy
 * ledger (migration 0011) and the daily-quota counters (migrations 0006 and 0008). Every statement
 * groups by agency, client, purpose, outcome, code or day and returns counts only; the audit
 * counts hold no subjects, officers, request ids or decision ids to begin with. A question costs
 * one row per hour and kind of request of its range, however many requests were served.
 *
 * A range is two Jakarta calendar days, both included (`from` 00:00 WIB up to the day after `to`),
 * which the key of `audit_usage` (hour first) turns into one index range.
 */
export interface JakartaDays {
  from: string;
  to: string;
}

export interface RequestCountRow {
  day: string;
  agencyId: string | null;
  agencyName: string | null;
  purpose: string | null;
  outcome: string;
  count: number;
}

export interface OperationCountRow {
  operation: string;
  outcome: string;
  count: number;
}

export interface RefusalCountRow {
  errorCode: string;
  agencyId: string | null;
  agencyName: string | null;
  count: number;
}

export interface ClientSpendRow {
  snapshotId: number;
  asOf: string;
  clientId: string;
  agencyId: string | null;
  agencyName: string | null;
  spentMilli: number;
  /** The client's current agreement's budget (ε per accounting period); null without one. */
  budget: number | null;
  /** What the client's agency spent in the current accounting period, all clients together. */
  agencyPeriodMilli: number;
}

export interface GlobalSpendRow {
  snapshotId: number;
  asOf: string;
  spentMilli: number;
  /** What all researchers spent in the current accounting period. */
  periodMilli: number;
}

export interface QuotaUseRow {
  day: string;
  agreementId: string;
  agencyId: string;
  agencyName: string;
  distinctSubjects: number;
  reserved: number;
  dailyQuota: number;
}

/** A purpose no agreement has (a refused request's header) is reported as this, never as sent. */
export const UNRECOGNIZED_PURPOSE = 'UNRECOGNIZED';

const start = (r: JakartaDays) => sql`(${r.from}::date::timestamp AT TIME ZONE 'Asia/Jakarta')`;
const end = (r: JakartaDays) => sql`((${r.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')`;
const inRange = (r: JakartaDays): RawBuilder<unknown> =>
  sql`u.hour >= ${start(r)} AND u.hour < ${end(r)}`;

/**
 * Audited requests per Jakarta day, agency, purpose and outcome. A refused request recorded
 * before its agency was known (rate limits) takes its client's agency. The purpose is a header the
 * client wrote: one that no agreement has is reported as UNRECOGNIZED, so nothing a client typed
 * into it is ever repeated.
 */
export async function requestCounts(
  db: Kysely<Database>,
  range: JakartaDays,
): Promise<RequestCountRow[]> {
  const { rows } = await sql<RequestCountRow>`
    WITH known AS (SELECT DISTINCT unnest(purposes) AS purpose FROM agreement),
         counted AS (
           SELECT to_char((u.hour AT TIME ZONE 'Asia/Jakarta')::date, 'YYYY-MM-DD') AS day,
                  COALESCE(u.agency_id, c.agency_id) AS agency_id,
                  CASE WHEN u.purpose IS NULL THEN NULL
                       WHEN k.purpose IS NULL THEN ${UNRECOGNIZED_PURPOSE}
                       ELSE u.purpose END AS purpose,
                  u.outcome, sum(u.count)::int AS count
             FROM audit_usage u
             LEFT JOIN client c ON c.id = u.client_id
             LEFT JOIN known k ON k.purpose = u.purpose
            WHERE ${inRange(range)}
            GROUP BY 1, 2, 3, 4)
    SELECT counted.day, counted.agency_id AS "agencyId", g.name AS "agencyName", counted.purpose,
           counted.outcome, counted.count
      FROM counted LEFT JOIN agency g ON g.id = counted.agency_id
     ORDER BY counted.day, counted.agency_id NULLS FIRST, counted.purpose NULLS FIRST, counted.outcome`.execute(
    db,
  );
  return rows;
}

/** Audited requests per operation (its root fields, e.g. `query:statistics`) and outcome. */
export async function operationCounts(
  db: Kysely<Database>,
  range: JakartaDays,
): Promise<OperationCountRow[]> {
  const { rows } = await sql<OperationCountRow>`
    SELECT u.operation, u.outcome, sum(u.count)::int AS count
      FROM audit_usage u
     WHERE ${inRange(range)}
     GROUP BY 1, 2
     ORDER BY 3 DESC, 1, 2`.execute(db);
  return rows;
}

/** Refused requests per error code and agency (null: the caller was not authenticated). */
export async function refusalCounts(
  db: Kysely<Database>,
  range: JakartaDays,
): Promise<RefusalCountRow[]> {
  const { rows } = await sql<RefusalCountRow>`
    WITH counted AS (
      SELECT COALESCE(u.error_code, 'UNKNOWN') AS error_code,
             COALESCE(u.agency_id, c.agency_id) AS agency_id, sum(u.count)::int AS count
        FROM audit_usage u
        LEFT JOIN client c ON c.id = u.client_id
       WHERE ${inRange(range)} AND u.outcome = 'REFUSED'
       GROUP BY 1, 2)
    SELECT counted.error_code AS "errorCode", counted.agency_id AS "agencyId",
           g.name AS "agencyName", counted.count
      FROM counted LEFT JOIN agency g ON g.id = counted.agency_id
     ORDER BY counted.count DESC, counted.error_code, counted.agency_id NULLS FIRST`.execute(db);
  return rows;
}

/**
 * The snapshots served at some moment of the range: each from its load until the next one's
 * (the last one until now).
 */
const servedSnapshots = (range: JakartaDays) => sql`
  served AS (
    SELECT s.id, s.as_of, s.loaded_at, lead(s.loaded_at) OVER (ORDER BY s.id) AS replaced_at
      FROM snapshot s),
  in_range AS (
    SELECT id, as_of FROM served
     WHERE loaded_at < ${end(range)} AND (replaced_at IS NULL OR replaced_at >= ${start(range)}))`;

/**
 * ε spent per client on each snapshot served in the range (from the ledger of spends), with the
 * client's budget and what its agency spent in the accounting period starting at `periodStart`.
 */
export async function clientSpend(
  db: Kysely<Database>,
  range: JakartaDays,
  periodStart: Date,
): Promise<ClientSpendRow[]> {
  const { rows } = await sql<ClientSpendRow>`
    WITH ${servedSnapshots(range)},
    spent AS (SELECT snapshot_id, client_id, min(agency_id) AS agency_id,
                     sum(epsilon_milli)::int AS spent_milli
                FROM privacy_spend GROUP BY 1, 2),
    period AS (SELECT agency_id, sum(epsilon_milli)::int AS spent_milli
                 FROM privacy_spend WHERE spent_at >= ${periodStart} GROUP BY 1)
    SELECT p.snapshot_id::int AS "snapshotId", r.as_of AS "asOf", p.client_id AS "clientId",
           c.agency_id AS "agencyId", g.name AS "agencyName", p.spent_milli AS "spentMilli",
           a.privacy_budget AS budget, coalesce(q.spent_milli, 0) AS "agencyPeriodMilli"
      FROM spent p
      JOIN in_range r ON r.id = p.snapshot_id
      LEFT JOIN client c ON c.id = p.client_id
      LEFT JOIN agreement a ON a.id = c.agreement_id
      LEFT JOIN agency g ON g.id = c.agency_id
      LEFT JOIN period q ON q.agency_id = p.agency_id
     ORDER BY p.snapshot_id DESC, p.client_id`.execute(db);
  return rows;
}

/**
 * ε spent by all researchers together on each snapshot served in the range, and in the
 * accounting period starting at `periodStart`.
 */
export async function globalSpend(
  db: Kysely<Database>,
  range: JakartaDays,
  periodStart: Date,
): Promise<GlobalSpendRow[]> {
  const { rows } = await sql<GlobalSpendRow>`
    WITH ${servedSnapshots(range)}
    SELECT r.id::int AS "snapshotId", r.as_of AS "asOf",
           (SELECT coalesce(sum(epsilon_milli), 0)::int FROM privacy_spend
             WHERE snapshot_id = r.id) AS "spentMilli",
           (SELECT coalesce(sum(epsilon_milli), 0)::int FROM privacy_spend
             WHERE spent_at >= ${periodStart}) AS "periodMilli"
      FROM in_range r
     ORDER BY r.id DESC`.execute(db);
  return rows;
}

/** Distinct NIKs checked per agreement and Jakarta day in the range, against its daily quota. */
export async function quotaUse(db: Kysely<Database>, range: JakartaDays): Promise<QuotaUseRow[]> {
  const { rows } = await sql<QuotaUseRow>`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.agreement_id AS "agreementId",
           a.agency_id AS "agencyId", g.name AS "agencyName",
           d.distinct_subjects AS "distinctSubjects", d.reserved, a.daily_quota AS "dailyQuota"
      FROM daily_usage d
      JOIN agreement a ON a.id = d.agreement_id
      JOIN agency g ON g.id = a.agency_id
     WHERE d.day BETWEEN ${range.from}::date AND ${range.to}::date
     ORDER BY d.day, d.agreement_id`.execute(db);
  return rows;
}
