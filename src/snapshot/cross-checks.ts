import type pg from 'pg';
import type { LineMap } from './line-map.js';
import { MAX_REPORTED_PROBLEMS, type ProblemCollector } from './problem-collector.js';
import type { SnapshotTable } from '../domain/snapshot-format.js';
import { loadTableOf } from './staging-tables.js';

/**
 * Rules that span rows or files, checked in SQL on the staging tables after the load so that the
 * importer's memory does not grow with the snapshot.
 *
 * The success path costs one index build or one anti-join each: duplicate keys are found by
 * building the unique indexes (needed anyway), dangling references by an EXISTS. Only when a rule
 * is broken are the rows numbered in load order (`ORDER BY ctid`: a fresh table filled by one COPY
 * stores rows in the order they came) and mapped back to their lines.
 */
const DUPLICATES: Record<
  SnapshotTable,
  { file: string; column: string; key: string; what: string }
> = {
  household: {
    file: 'households.csv',
    column: 'household_id',
    key: 'household_id',
    what: 'household_id',
  },
  member: { file: 'members.csv', column: 'nik', key: 'nik', what: 'NIK' },
  program_recipient: {
    file: 'program_recipients.csv',
    column: 'program',
    key: 'nik, program',
    what: 'this NIK and program',
  },
};

export type LineMaps = Record<SnapshotTable, LineMap>;

/** Reports every row whose key repeats an earlier row of the same file. */
export async function reportDuplicates(
  client: pg.PoolClient,
  problems: ProblemCollector,
  table: SnapshotTable,
  map: LineMap,
): Promise<void> {
  const d = DUPLICATES[table];
  const { rows } = await client.query<{ ord: number; first_ord: number; total: number }>(
    `SELECT ord, first_ord, count(*) OVER ()::int AS total
       FROM (SELECT ord, min(ord) OVER (PARTITION BY ${d.key}) AS first_ord
               FROM (SELECT (row_number() OVER (ORDER BY ctid))::int - 1 AS ord, ${d.key} FROM ${loadTableOf(table)}) n) k
      WHERE ord <> first_ord
      ORDER BY ord LIMIT ${MAX_REPORTED_PROBLEMS}`,
  );
  const reason = (r: { first_ord: number }) =>
    `${d.what} appears more than once (first at line ${map.lineOf(r.first_ord)})`;
  report(problems, rows, d.file, d.column, reason, map);
}

/** Members must belong to a household of the snapshot, and recipients must be members. */
export async function reportDanglingReferences(
  client: pg.PoolClient,
  problems: ProblemCollector,
  lines: LineMaps,
): Promise<void> {
  const checks = [
    {
      table: 'member' as const,
      file: 'members.csv',
      column: 'household_id',
      reason: 'household_id not found in households.csv',
      orphan: `NOT EXISTS (SELECT 1 FROM ${loadTableOf('household')} h WHERE h.household_id = t.household_id)`,
    },
    {
      table: 'program_recipient' as const,
      file: 'program_recipients.csv',
      column: 'nik',
      reason: 'NIK not found in members.csv',
      orphan: `NOT EXISTS (SELECT 1 FROM ${loadTableOf('member')} m WHERE m.nik = t.nik)`,
    },
  ];
  for (const c of checks) {
    // count(*), not EXISTS: EXISTS makes the planner choose a fast-start nested loop of index
    // probes, several times slower than the hash anti-join when (as usual) nothing is found.
    const { rows: found } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${loadTableOf(c.table)} t WHERE ${c.orphan}`,
    );
    if (found[0]!.n === 0) continue;
    const { rows } = await client.query<{ ord: number; total: number }>(
      `SELECT ord, count(*) OVER ()::int AS total
         FROM (SELECT (row_number() OVER (ORDER BY ctid))::int - 1 AS ord, t.* FROM ${loadTableOf(c.table)} t) t
        WHERE ${c.orphan}
        ORDER BY ord LIMIT ${MAX_REPORTED_PROBLEMS}`,
    );
    report(problems, rows, c.file, c.column, () => c.reason, lines[c.table]);
  }
}

function report<R extends { ord: number; total: number }>(
  problems: ProblemCollector,
  rows: R[],
  file: string,
  column: string,
  reason: (row: R) => string,
  lines: LineMap,
): void {
  if (rows.length === 0) return;
  for (const row of rows)
    problems.add({ file, line: lines.lineOf(row.ord), column, reason: reason(row) });
  problems.total += rows[0]!.total - rows.length; // counted, not listed
}
