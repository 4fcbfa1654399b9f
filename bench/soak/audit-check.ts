/**
 * Audit completeness of a soak run: every answer that must have an audit event (the load
 * generator wrote every answer's request id, which the gateway takes from `x-request-id` and
 * stores in `audit_event.request_id`) is looked up among the events written during the run, and
 * every answer's kind is set beside its event's outcome; then the whole chain is verified
 * (`dtks-gateway audit verify`'s function).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import {
  CHECKPOINT_PUBLIC_FILE,
  readCheckpointPublicKeys,
} from '../../src/audit/checkpoint-key.js';
import { verifyAuditChain } from '../../src/audit/audit-verify.js';

export interface AuditCheck {
  /** Answers received (with a request id). */
  answers: number;
  /** Answers that must have an audit event (data from an audited operation, or a refusal). */
  expected: number;
  /** Events of this run's request ids. */
  events: number;
  /** Expected ids with no event. */
  missing: number;
  /** Expected ids with more than one event. */
  duplicated: number;
  /**
   * Events of this run's ids that no answer received had: requests the client gave up on (timed
   * out) or that were in flight when the run ended, which the gateway still answered and audited.
   */
  unexpected: number;
  /** Answers by what they were (data, limit, error <status>) and their event's outcome. */
  outcomes: Array<{ answer: string; mustAudit: boolean; outcome: string; count: number }>;
  /** Up to 10 missing ids, for a report. */
  missingExamples: string[];
  /** Missing and unexpected events by workload (the id's third part). */
  missingByWorkload: Record<string, number>;
  unexpectedByOutcome: Record<string, number>;
  /** Every event written during the run, whoever wrote it. */
  allEventsDuringRun: number;
  verify: { ok: boolean; events: number; seconds: number; message: string };
}

/** The highest audit event id now: the run's events come after it. */
export async function lastAuditId(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT coalesce(max(id), 0)::text AS id FROM audit_event',
  );
  return Number(rows[0]!.id);
}

export async function checkAudit(
  pool: pg.Pool,
  options: {
    run: string;
    afterId: number;
    idsFile: string;
    workloadKeys: string[];
    dataDir: string;
  },
): Promise<AuditCheck> {
  const answered = new Map<string, { must: boolean; kind: string }>();
  for (const line of (await readFile(options.idsFile, 'utf8')).split('\n')) {
    const [id, must, kind] = line.split('\t');
    if (id && kind) answered.set(id, { must: must === '1', kind });
  }
  const expected = new Set([...answered].filter(([, a]) => a.must).map(([id]) => id));
  const { rows } = await pool.query<{ request_id: string; n: number; outcome: string }>(
    `SELECT request_id, count(*)::int AS n, min(outcome || coalesce(' ' || error_code, '')) AS outcome
       FROM audit_event WHERE id > $1 AND request_id LIKE $2 GROUP BY request_id`,
    [options.afterId, `soak.${options.run}.%`],
  );
  const { rows: all } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM audit_event WHERE id > $1',
    [options.afterId],
  );
  const found = new Map(rows.map((r) => [r.request_id, r]));
  const workloadOf = (id: string) => options.workloadKeys[Number(id.split('.')[2])] ?? '?';
  const missing = [...expected].filter((id) => !found.has(id));
  const missingByWorkload: Record<string, number> = {};
  for (const id of missing) {
    const w = workloadOf(id);
    missingByWorkload[w] = (missingByWorkload[w] ?? 0) + 1;
  }
  const unexpectedByOutcome: Record<string, number> = {};
  let unexpected = 0;
  const crossTab = new Map<string, number>();
  for (const [id, a] of answered) {
    const key = `${a.kind}\t${a.must ? 1 : 0}\t${found.get(id)?.outcome ?? 'no event'}`;
    crossTab.set(key, (crossTab.get(key) ?? 0) + 1);
  }
  for (const r of rows) {
    if (answered.has(r.request_id)) continue;
    unexpected++;
    const key = `${workloadOf(r.request_id)}: ${r.outcome}`;
    unexpectedByOutcome[key] = (unexpectedByOutcome[key] ?? 0) + 1;
  }

  console.log('verifying the audit chain');
  const started = performance.now();
  const publicKeys = await readCheckpointPublicKeys([
    path.join(options.dataDir, CHECKPOINT_PUBLIC_FILE),
  ]);
  const result = await verifyAuditChain(pool, { publicKeys });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  return {
    answers: answered.size,
    expected: expected.size,
    events: rows.reduce((a, r) => a + r.n, 0),
    missing: missing.length,
    duplicated: rows.filter((r) => r.n > 1).length,
    unexpected,
    outcomes: [...crossTab]
      .map(([key, count]) => {
        const [answer, must, outcome] = key.split('\t');
        return { answer: answer!, mustAudit: must === '1', outcome: outcome!, count };
      })
      .sort((a, b) => b.count - a.count),
    missingExamples: missing.slice(0, 10),
    missingByWorkload,
    unexpectedByOutcome,
    allEventsDuringRun: Number(all[0]!.n),
    verify: result.ok
      ? {
          ok: true,
          events: result.events,
          seconds,
          message: `intact: ${result.events} events, last id ${result.lastId}, ${result.checkpoints} signed checkpoints`,
        }
      : {
          ok: false,
          events: result.events,
          seconds,
          message: `broken at event ${result.firstBadId}: ${result.problem} (${result.message})`,
        },
  };
}
