import type { Readable } from 'node:stream';
import type { DatabaseHandle } from '../database.js';
import { loadFile, type FileLoadResult } from './copy-loader.js';
import { LineMap } from './line-map.js';
import type pg from 'pg';
import { reportDanglingReferences, reportDuplicates, type LineMaps } from './cross-checks.js';
import { ProblemCollector, SnapshotRejectedError } from './problem-collector.js';
import type { ValidationReferences } from './row-validator.js';
import { SNAPSHOT_FILES, type SnapshotTable } from './snapshot-format.js';
import {
  createStagingTables,
  dropStagingTables,
  SNAPSHOT_TABLES,
  stagingIndexBuilds,
  swapInStagingTables,
} from './staging-tables.js';

/** The three files of a snapshot as streams (recipients may be absent). */
export interface SnapshotSources {
  household: Readable;
  member: Readable;
  program_recipient: Readable | null;
  /** Where the snapshot came from, recorded with it (a folder, or "synthetic seed …"). */
  label: string;
}

export interface ImportProgress {
  phase: 'load' | 'check' | 'index' | 'swap';
  /** Rows read so far in the load phase, by table. */
  rows: Record<SnapshotTable, number>;
}

export interface ImportOptions {
  asOf: string;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportSummary {
  snapshotId: number;
  asOf: string;
  households: number;
  persons: number;
  recipients: number;
  warnings: { nikBirthDateMismatch: number };
  seconds: number;
  /** Seconds spent in each phase: load (parse, validate, COPY), index, check, swap. */
  phases: Record<ImportProgress['phase'], number>;
}

/** Another import holds the lock. */
export class ImportInProgressError extends Error {
  override name = 'ImportInProgressError';
}

const IMPORT_LOCK = 0x64746b73; // "dtks": one import at a time per database

/**
 * Loads a snapshot atomically (CONTRACT §4): stream every file into staging tables with COPY,
 * validate every row and every cross-file rule, build the indexes, and swap the staged tables in
 * with one transaction. Any problem leaves the served snapshot untouched and throws
 * {@link SnapshotRejectedError} with every problem (the first 100 listed, then a count). Readers
 * keep seeing the previous snapshot until the swap commits.
 */
export async function importSnapshot(
  handle: DatabaseHandle,
  sources: SnapshotSources,
  options: ImportOptions,
): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const control = await handle.pool.connect();
  try {
    const { rows: lock } = await control.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS ok',
      [IMPORT_LOCK],
    );
    if (!lock[0]!.ok)
      throw new ImportInProgressError('another snapshot import is running on this database');
    try {
      const refs = await loadReferences(control, options.asOf);
      await createStagingTables(control);
      try {
        const counts = { household: 0, member: 0, program_recipient: 0 };
        const problems = new ProblemCollector();
        const clock = new PhaseClock();
        const progress = (phase: ImportProgress['phase']) => {
          clock.enter(phase);
          options.onProgress?.({ phase, rows: counts });
        };
        progress('load');

        // The three files load concurrently on their own connections: the generator behind `seed`
        // writes them interleaved, and PostgreSQL ingests one while Node parses another.
        const settled = await Promise.allSettled(
          SNAPSHOT_FILES.map(async (spec) => {
            const input = sources[spec.table];
            if (input === null) return { rows: 0, nikBirthDateMismatches: 0, lines: new LineMap() };
            const client = await handle.pool.connect();
            try {
              return await loadFile(client, spec, input, refs, problems, (n) => {
                counts[spec.table] += n;
                progress('load');
              });
            } finally {
              client.release();
            }
          }),
        );
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) {
          for (const spec of SNAPSHOT_FILES) sources[spec.table]?.destroy();
          throw failed.reason;
        }
        const results = settled.map((r) => (r as PromiseFulfilledResult<FileLoadResult>).value);
        const fileOrder = SNAPSHOT_FILES.map((f) => f.file);
        const lines = {
          household: results[0]!.lines,
          member: results[1]!.lines,
          program_recipient: results[2]!.lines,
        };
        if (problems.any)
          throw new SnapshotRejectedError(problems.sorted(fileOrder), problems.total);

        progress('index');
        await buildStagingIndexes(handle, control, problems, lines);
        progress('check');
        if (!problems.any) await reportDanglingReferences(control, problems, lines);
        if (problems.any)
          throw new SnapshotRejectedError(problems.sorted(fileOrder), problems.total);

        progress('swap');
        const warnings = {
          nikBirthDateMismatch: results.reduce((n, r) => n + r.nikBirthDateMismatches, 0),
        };
        const [households, persons, recipients] = results.map((r) => r.rows) as [
          number,
          number,
          number,
        ];
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        await control.query('BEGIN');
        try {
          // A long-running reader must not make the swap wait for ever, nor queue readers behind it.
          await control.query("SET LOCAL lock_timeout = '30s'");
          await swapInStagingTables(control);
          const { rows } = await control.query<{ id: number }>(
            `INSERT INTO snapshot (as_of, households, persons, recipients, warnings, source, load_seconds)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
            [
              options.asOf,
              households,
              persons,
              recipients,
              JSON.stringify(warnings),
              sources.label,
              seconds,
            ],
          );
          await control.query('COMMIT');
          return {
            phases: clock.stop(),
            snapshotId: rows[0]!.id,
            asOf: options.asOf,
            households,
            persons,
            recipients,
            warnings,
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          };
        } catch (error) {
          await control.query('ROLLBACK');
          throw error;
        }
      } finally {
        await dropStagingTables(control);
      }
    } finally {
      await control.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK]);
    }
  } finally {
    control.release();
  }
}

/**
 * Gives the staged tables the served tables' keys and indexes, two tables at a time on two
 * connections, then ANALYZE (the checks and the first queries after the swap need statistics).
 * A unique key that cannot be built means duplicates: their lines are reported.
 */
async function buildStagingIndexes(
  handle: DatabaseHandle,
  control: pg.PoolClient,
  problems: ProblemCollector,
  lines: LineMaps,
): Promise<void> {
  const builds = await stagingIndexBuilds(control);
  const byTable = SNAPSHOT_TABLES.map((table) => builds.filter((b) => b.table === table));
  const queue = [...byTable];
  const worker = async (client: pg.PoolClient) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const build of next) {
        try {
          await client.query(build.sql);
        } catch (error) {
          if ((error as { code?: string }).code !== '23505') throw error;
          await reportDuplicates(client, problems, build.table, lines);
        }
      }
      if (next[0]) await client.query(`ANALYZE ${next[0].table}_next`);
    }
  };
  const second = await handle.pool.connect();
  try {
    await Promise.all([worker(control), worker(second)]);
  } finally {
    second.release();
  }
}

async function loadReferences(
  client: { query: DatabaseHandle['pool']['query'] },
  asOf: string,
): Promise<ValidationReferences> {
  const { rows } = await client.query<{ code: string; level: number }>(
    'SELECT code, level FROM region WHERE level IN (1, 4)',
  );
  if (rows.length === 0)
    throw new Error('the region reference is empty: run `dtks-gateway migrate` first');
  return {
    villageCodes: new Set(rows.filter((r) => r.level === 4).map((r) => r.code)),
    provinceCodes: new Set(rows.filter((r) => r.level === 1).map((r) => r.code)),
    asOf,
  };
}

/** Adds up the seconds spent in each import phase. */
class PhaseClock {
  private readonly seconds: Record<ImportProgress['phase'], number> = {
    load: 0,
    index: 0,
    check: 0,
    swap: 0,
  };
  private current: ImportProgress['phase'] | null = null;
  private since = process.hrtime.bigint();

  enter(phase: ImportProgress['phase']): void {
    if (phase === this.current) return;
    this.stop();
    this.current = phase;
  }

  stop(): Record<ImportProgress['phase'], number> {
    const now = process.hrtime.bigint();
    if (this.current) this.seconds[this.current] += Number(now - this.since) / 1e9;
    this.current = null;
    this.since = now;
    return { ...this.seconds };
  }
}
