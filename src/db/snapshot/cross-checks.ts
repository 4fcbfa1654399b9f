import type pg from 'pg';
import { MAX_REPORTED_PROBLEMS, type ProblemCollector } from './problem-collector.js';
import type { SnapshotTable } from './snapshot-format.js';

/**
 * Rules that span rows or files, checked in SQL on the staging tables after the load so that the
 * importer's memory does not grow with the snapshot. Each reports the offending lines.
 *
 * Duplicate keys are found by building the unique indexes (needed anyway); only when a build
 * fails does {@link reportDuplicates} look for the lines.
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

/** Reports every line whose key repeats an earlier line of the same file. */
export async function reportDuplicates(
  client: pg.PoolClient,
  problems: ProblemCollector,
  table: SnapshotTable,
): Promise<void> {
  const d = DUPLICATES[table];
  await report(
    client,
    problems,
    d.file,
    d.column,
    `SELECT line, '${d.what} appears more than once (first at line ' || first_line || ')' AS reason
       FROM (SELECT line, min(line) OVER (PARTITION BY ${d.key}) AS first_line FROM ${table}_next) d
      WHERE line <> first_line`,
  );
}

/** Members must belong to a household of the snapshot, and recipients must be members. */
export async function reportDanglingReferences(
  client: pg.PoolClient,
  problems: ProblemCollector,
): Promise<void> {
  await report(
    client,
    problems,
    'members.csv',
    'household_id',
    `SELECT m.line, 'household_id not found in households.csv' AS reason
       FROM member_next m
      WHERE NOT EXISTS (SELECT 1 FROM household_next h WHERE h.household_id = m.household_id)`,
  );
  await report(
    client,
    problems,
    'program_recipients.csv',
    'nik',
    `SELECT r.line, 'NIK not found in members.csv' AS reason
       FROM program_recipient_next r
      WHERE NOT EXISTS (SELECT 1 FROM member_next m WHERE m.nik = r.nik)`,
  );
}

async function report(
  client: pg.PoolClient,
  problems: ProblemCollector,
  file: string,
  column: string,
  query: string,
): Promise<void> {
  const { rows } = await client.query<{ line: number; reason: string; total: number }>(
    `SELECT line, reason, count(*) OVER ()::int AS total FROM (${query}) q
      ORDER BY line LIMIT ${MAX_REPORTED_PROBLEMS}`,
  );
  if (rows.length === 0) return;
  for (const row of rows) problems.add({ file, line: row.line, column, reason: row.reason });
  problems.total += rows[0]!.total - rows.length; // counted, not listed
}
