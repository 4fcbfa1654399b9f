import type pg from 'pg';
import {
  countByRegency,
  resolveSubjects,
  type RegencyCount,
} from '../db/scoped/breach-subjects.js';
import { subjectHash } from './subject-hash.js';

/** Which audit events a breach report covers: a window [from, to) and who disclosed. */
export interface BreachFilter {
  from: Date;
  to: Date;
  clientId?: string | undefined;
  agencyId?: string | undefined;
  purpose?: string | undefined;
}

export type { RegencyCount } from '../db/scoped/breach-subjects.js';

/** What was disclosed in the window (UU PDP Art. 46: what a notification must say). */
export interface BreachReport {
  from: string;
  to: string;
  filter: { clientId: string | null; agencyId: string | null; purpose: string | null };
  /** Audit events in the window matching the filter, and those that disclosed something. */
  events: number;
  disclosingEvents: number;
  /** Distinct persons whose data was disclosed (audit subjects). */
  subjects: number;
  /** Of them, found in the served snapshot (their NIK and region are known). */
  resolvedSubjects: number;
  /**
   * Not in the served snapshot: NIKs checked but not registered, or persons no longer in it.
   * The gateway never stores such NIKs in clear, so they cannot be listed.
   */
  unresolvedSubjects: number;
  byRegency: RegencyCount[];
  /** Resolved subjects whose household has no region code. */
  withoutRegion: number;
  /** Each field (`Type.field`) disclosed, with the number of events that disclosed it. */
  fields: Array<{ field: string; events: number }>;
  /** Eligibility decisions given (distinct decision ids), and change-feed events delivered. */
  decisions: number;
  changeEvents: number;
  /** Statistics answers given (aggregates, no person). */
  aggregates: number;
  /** Events by operation (`query:eligibilityBatch`, `webhook:changes`, …). */
  operations: Array<{ operation: string; events: number }>;
}

/** Operations whose recorded ids are change-feed event ids, not decisions. */
const CHANGE_FEED_OPERATION = /(^|[:,])changes($|,)|^dci:notify$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The breach impact report (issue #17, docs/operations.md "Breach notification"): everything the
 * audit log says was disclosed in a window by a client, an agency or for a purpose — the persons
 * affected counted by regency, the fields, the decisions — and the NIKs of the affected persons
 * for the notification. Audit subjects are keyed hashes: they are resolved to NIKs by hashing every
 * NIK of the served snapshot with the audit subject key (one index-only pass over members), so a
 * subject that is not in the snapshot (a NIK checked but not registered) is counted but cannot be
 * named. `onProgress` is told how many NIKs were hashed.
 */
export async function breachReport(
  pool: pg.Pool,
  subjectKey: Buffer,
  filter: BreachFilter,
  onProgress?: (hashed: number, total: number) => void,
): Promise<{ report: BreachReport; niks: string[] }> {
  // The window's events are read once, into a temporary table the summaries then read (the
  // purpose and agency filters have no index: one scan, not five).
  const client = await pool.connect();
  let totals: { events: number; disclosing: number };
  let operations: Array<{ operation: string; events: number }>;
  let fields: Array<{ field: string; events: number }>;
  let ids: Array<{ id: string; operation: string }>;
  let subjectRows: Array<{ subject: string }>;
  try {
    await client.query('DROP TABLE IF EXISTS pg_temp.breach_window');
    await client.query(
      `CREATE TEMP TABLE breach_window AS
       SELECT e.operation, e.outcome, e.fields, e.subjects, e.decision_ids
         FROM audit_event e
        WHERE e.at >= $1 AND e.at < $2
          AND ($3::text IS NULL OR e.client_id = $3)
          AND ($4::text IS NULL OR e.agency_id = $4)
          AND ($5::text IS NULL OR e.purpose = $5)`,
      [
        filter.from,
        filter.to,
        filter.clientId ?? null,
        filter.agencyId ?? null,
        filter.purpose ?? null,
      ],
    );
    totals = (
      await client.query<{ events: number; disclosing: number }>(
        `SELECT count(*)::int AS events,
                count(*) FILTER (WHERE outcome = 'DISCLOSED')::int AS disclosing
           FROM breach_window`,
      )
    ).rows[0]!;
    await client.query("DELETE FROM breach_window WHERE outcome <> 'DISCLOSED'");
    operations = (
      await client.query<{ operation: string; events: number }>(
        `SELECT operation, count(*)::int AS events FROM breach_window
          GROUP BY 1 ORDER BY 2 DESC, 1`,
      )
    ).rows;
    fields = (
      await client.query<{ field: string; events: number }>(
        `SELECT f AS field, count(*)::int AS events
           FROM breach_window e CROSS JOIN LATERAL unnest(e.fields) f
          GROUP BY 1 ORDER BY 2 DESC, 1`,
      )
    ).rows;
    ids = (
      await client.query<{ id: string; operation: string }>(
        `SELECT DISTINCT ON (d) d AS id, e.operation
           FROM breach_window e CROSS JOIN LATERAL unnest(e.decision_ids) d`,
      )
    ).rows;
    subjectRows = (
      await client.query<{ subject: string }>(
        `SELECT DISTINCT s AS subject FROM breach_window e CROSS JOIN LATERAL unnest(e.subjects) s`,
      )
    ).rows;
    await client.query('DROP TABLE breach_window');
  } finally {
    client.release();
  }
  let decisions = 0;
  let changeEvents = 0;
  let aggregates = 0;
  for (const { id, operation } of ids) {
    if (!UUID.test(id)) aggregates++;
    else if (CHANGE_FEED_OPERATION.test(operation)) changeEvents++;
    else decisions++;
  }
  const wanted = new Set(subjectRows.map((r) => r.subject));
  const niks =
    wanted.size === 0
      ? []
      : await resolveSubjects(pool, (nik) => subjectHash(subjectKey, nik), wanted, onProgress);
  const { byRegency, withoutRegion } = await countByRegency(pool, niks);
  return {
    report: {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
      filter: {
        clientId: filter.clientId ?? null,
        agencyId: filter.agencyId ?? null,
        purpose: filter.purpose ?? null,
      },
      events: totals.events,
      disclosingEvents: totals.disclosing,
      subjects: wanted.size,
      resolvedSubjects: niks.length,
      unresolvedSubjects: wanted.size - niks.length,
      byRegency,
      withoutRegion,
      fields,
      decisions,
      changeEvents,
      aggregates,
      operations,
    },
    niks,
  };
}

/** The report as text for the operator (stdout). */
export function formatBreachReport(r: BreachReport): string {
  const who =
    [
      r.filter.clientId && `client ${r.filter.clientId}`,
      r.filter.agencyId && `agency ${r.filter.agencyId}`,
      r.filter.purpose && `purpose ${r.filter.purpose}`,
    ]
      .filter(Boolean)
      .join(', ') || 'every client';
  const lines = [
    `Breach impact report: ${who}, from ${r.from} to ${r.to} (end excluded)`,
    `audit events: ${r.events} (${r.disclosingEvents} disclosed data)`,
    `persons affected: ${r.subjects} (${r.resolvedSubjects} in the served snapshot; ${r.unresolvedSubjects} not in it: NIKs checked but not registered, or no longer registered, which the gateway cannot name)`,
    `eligibility decisions given: ${r.decisions}; change events delivered: ${r.changeEvents}; statistics answers: ${r.aggregates}`,
    '',
    'persons affected by regency (of their household):',
    ...r.byRegency.map(
      (g) => `  ${g.regencyCode}\t${g.regencyName ?? '?'}\t${g.provinceName ?? '?'}\t${g.subjects}`,
    ),
    ...(r.withoutRegion > 0 ? [`  -\twithout a region\t\t${r.withoutRegion}`] : []),
    '',
    'fields disclosed (events):',
    ...r.fields.map((f) => `  ${f.field}\t${f.events}`),
    '',
    'operations (events):',
    ...r.operations.map((o) => `  ${o.operation}\t${o.events}`),
  ];
  return lines.join('\n') + '\n';
}
