import type { Readable } from 'node:stream';
import type { DatabaseHandle } from '../db/database.js';
import { loadFile, type FileLoadResult } from './copy-loader.js';
import { LineMap } from './line-map.js';
import {
  findAppliedVerifications,
  markAppliedVerifications,
  type AppliedVerification,
} from './verification-apply.js';
import type pg from 'pg';
import { reportDanglingReferences, reportDuplicates } from './cross-checks.js';
import {
  buildStatisticsRollups,
  dropStatisticsRollups,
  swapInStatisticsRollups,
  type RollupBuild,
} from './statistics-rollup-build.js';
import { publishStatisticsTables } from './published-tables-build.js';
import { ProblemCollector, SnapshotRejectedError } from './problem-collector.js';
import { diffFollowedRegions, type RegionChanges } from './region-changes.js';
import { decideSubscriptions, type SubscriberChanges } from './subscriber-changes.js';
import type { ValidationReferences } from './row-validator.js';
import {
  SNAPSHOT_FILES,
  type SnapshotFileSpec,
  type SnapshotTable,
} from '../domain/snapshot-format.js';
import {
  createPartitionedTables,
  createStagingTables,
  distributionStatements,
  dropLoadTable,
  dropStagingTables,
  loadTableOf,
  partitionIndexBuilds,
  stagingIndexBuilds,
  type IndexBuild,
  swapInStagingTables,
} from './staging-tables.js';
import {
  EVERY_PROVINCE,
  PARTITIONED_TABLES,
  PARTITION_FROM_HOUSEHOLDS,
} from '../db/registry-partitions.js';
import { availableParallelism } from 'node:os';

/** The three files of a snapshot as streams (recipients may be absent). */
export interface SnapshotSources {
  household: Readable;
  member: Readable;
  program_recipient: Readable | null;
  /** Where the snapshot came from, recorded with it (a folder, or "synthetic seed …"). */
  label: string;
}

export interface ImportProgress {
  phase: 'load' | 'check' | 'distribute' | 'index' | 'rollup' | 'changes' | 'swap' | 'publish';
  /** Rows read so far in the load phase, by table. */
  rows: Record<SnapshotTable, number>;
}

export interface ImportOptions {
  asOf: string;
  /**
   * The key followed NIKs are sealed with (src/db/subject-seal.ts), to compute the change events
   * of an import; needed once any agency follows a subject.
   */
  subjectSealKey?: Buffer | null;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Connections that distribute the rows into the province partitions and build their indexes
   * side by side (default {@link defaultImportConnections}); each keeps one PostgreSQL core busy.
   */
  connections?: number;
  /**
   * From how many households the registry is partitioned per province (default
   * {@link PARTITION_FROM_HOUSEHOLDS}); a smaller snapshot is served from one partition.
   */
  partitionFromHouseholds?: number;
}

/** One connection per core of this machine, at least 2 and at most 8. */
export function defaultImportConnections(): number {
  return Math.max(2, Math.min(8, availableParallelism()));
}

export interface ImportSummary {
  snapshotId: number;
  asOf: string;
  households: number;
  persons: number;
  recipients: number;
  warnings: { nikBirthDateMismatch: number };
  /** Approved verifications this snapshot reflects, now APPLIED (docs/verification-export.md). */
  verificationsApplied: number;
  /**
   * Followed subjects decided on the new snapshot, households of followed regions that changed,
   * and the change events written (issue #14).
   */
  changes: { subscriptions: number; households: number; events: number; seconds: number };
  seconds: number;
  /**
   * Seconds spent in each phase: load (parse, validate, COPY), index (the files' keys, then the
   * partitions' indexes), check, distribute (rows into the province partitions), rollup (the
   * statistics rollups), changes (deciding followed subjects; their events are written in the
   * swap), swap, publish (the largest statistics tables, after the swap).
   */
  phases: Record<ImportProgress['phase'], number>;
  /**
   * Why the largest statistics tables were not published after the swap (null: they were). The
   * snapshot is served all the same; its statistics are then summed from its rollups, slower.
   */
  publishError: string | null;
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
    if (!lock[0]!.ok) {
      throw new ImportInProgressError('another snapshot import is running on this database');
    }
    try {
      const refs = await loadReferences(control, options.asOf);
      await createStagingTables(control);
      try {
        const clock = new PhaseClock();
        const staged = await stageSnapshot(handle, control, sources, refs, options, clock);
        clock.enter('rollup');
        options.onProgress?.({ phase: 'rollup', rows: staged.counts });
        const rollups = await buildStatisticsRollups(control, options.asOf);
        const applied = await findAppliedVerifications(control);
        clock.enter('changes');
        options.onProgress?.({ phase: 'changes', rows: staged.counts });
        // Two connections beside this one: the rule's SQL is the cost, one per core.
        const changes = await decideSubscriptions(
          control,
          options.subjectSealKey ?? null,
          options.asOf,
          { pool: handle.pool, connections: 2 },
        );
        const regions = await diffFollowedRegions(control, options.subjectSealKey ?? null).catch(
          async (error: unknown) => {
            await changes.dispose(control);
            throw error;
          },
        );
        clock.enter('swap');
        options.onProgress?.({ phase: 'swap', rows: staged.counts });
        const { snapshotId, verificationsApplied, events } = await publish(
          control,
          staged,
          applied,
          sources.label,
          options.asOf,
          started,
          rollups,
          changes,
          regions,
        ).finally(async () => {
          await changes.dispose(control);
          await regions.dispose(control);
        });
        clock.enter('publish');
        options.onProgress?.({ phase: 'publish', rows: staged.counts });
        const publishError = await publishStatisticsTables(handle.db, snapshotId).then(
          () => null,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        return {
          snapshotId,
          asOf: options.asOf,
          verificationsApplied,
          changes: {
            subscriptions: changes.decided,
            households: regions.households,
            events,
            seconds: changes.seconds + regions.seconds,
          },
          households: staged.counts.household,
          persons: staged.counts.member,
          recipients: staged.counts.program_recipient,
          warnings: staged.warnings,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          phases: clock.stop(),
          publishError,
        };
      } finally {
        await dropStagingTables(control);
        await dropStatisticsRollups(control);
      }
    } finally {
      await control.query('SELECT pg_advisory_unlock($1)', [IMPORT_LOCK]);
    }
  } finally {
    control.release();
  }
}

interface StagedSnapshot {
  counts: Record<SnapshotTable, number>;
  warnings: { nikBirthDateMismatch: number };
}

/**
 * Fills, indexes and checks the staging tables; throws {@link SnapshotRejectedError} on any
 * problem. Each file is staged on its own connection: loaded, then given its keys at once, so the
 * small files' index builds overlap the large members load. Once the cross-file references hold,
 * households and members are distributed into their province's partition and the partitions
 * indexed, side by side on `connections` connections.
 */
async function stageSnapshot(
  handle: DatabaseHandle,
  control: pg.PoolClient,
  sources: SnapshotSources,
  refs: ValidationReferences,
  options: ImportOptions,
  clock: PhaseClock,
): Promise<StagedSnapshot> {
  const counts = { household: 0, member: 0, program_recipient: 0 };
  const problems = new ProblemCollector();
  const fileOrder = SNAPSHOT_FILES.map((f) => f.file);
  const refuse = () => new SnapshotRejectedError(problems.sorted(fileOrder), problems.total);
  const progress = (phase: ImportProgress['phase']) => {
    clock.enter(phase);
    options.onProgress?.({ phase, rows: counts });
  };
  progress('load');
  const builds = await stagingIndexBuilds(control);
  const connections = Math.max(1, options.connections ?? defaultImportConnections());
  const tables = SNAPSHOT_FILES.map((spec) =>
    stageTable(handle, spec, sources[spec.table], refs, problems, builds, (n) => {
      counts[spec.table] += n;
      progress('load');
    }),
  );

  const loads = await Promise.allSettled(tables.map((t) => t.loaded));
  progress('index');
  const indexes = await Promise.allSettled(tables.map((t) => t.indexed));
  const failed = [...loads, ...indexes].find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) {
    for (const spec of SNAPSHOT_FILES) sources[spec.table]?.destroy();
    throw failed.reason;
  }
  if (problems.any) throw refuse();
  const results = loads.map((r) => (r as PromiseFulfilledResult<FileLoadResult>).value);

  progress('check');
  await reportDanglingReferences(control, problems, {
    household: results[0]!.lines,
    member: results[1]!.lines,
    program_recipient: results[2]!.lines,
  });
  if (problems.any) throw refuse();

  progress('distribute');
  const provinces =
    results[0]!.rows >= (options.partitionFromHouseholds ?? PARTITION_FROM_HOUSEHOLDS)
      ? [...results[0]!.provinces].sort()
      : [EVERY_PROVINCE];
  await createPartitionedTables(control, provinces);
  const loaded = { household: results[0]!.rows, member: results[1]!.rows };
  for (const table of PARTITIONED_TABLES) {
    const statements = await distributionStatements(control, table, connections);
    const distributed = await sideBySide(handle, statements, connections);
    // Every row has its household (checked above), so none may be lost on the way.
    if (distributed !== loaded[table]) {
      throw new Error(
        `${table}: ${distributed} rows reached the partitions where ${loaded[table]} were loaded; refusing the snapshot`,
      );
    }
  }
  for (const table of PARTITIONED_TABLES) await dropLoadTable(control, table);

  progress('index');
  const partitionIndexes = await partitionIndexBuilds(control, provinces);
  await sideBySide(handle, partitionIndexes.partitions, connections);
  for (const statement of partitionIndexes.parents) await control.query(statement);
  // The checks and the first queries after the swap need statistics (of a partitioned table:
  // of the whole and of each partition).
  await sideBySide(
    handle,
    PARTITIONED_TABLES.map((t) => `ANALYZE ${t}_next`),
    connections,
  );
  return {
    counts: {
      household: results[0]!.rows,
      member: results[1]!.rows,
      program_recipient: results[2]!.rows,
    },
    warnings: { nikBirthDateMismatch: results.reduce((n, r) => n + r.nikBirthDateMismatches, 0) },
  };
}

/**
 * Stages one table: `loaded` settles when its file is in, `indexed` when it also has its keys,
 * indexes and statistics (skipped once the snapshot is known to be refused). A unique key that
 * cannot be built means duplicates: their lines are reported.
 */
function stageTable(
  handle: DatabaseHandle,
  spec: SnapshotFileSpec,
  input: Readable | null,
  refs: ValidationReferences,
  problems: ProblemCollector,
  builds: IndexBuild[],
  onRows: (count: number) => void,
): { loaded: Promise<FileLoadResult>; indexed: Promise<void> } {
  const connecting = handle.pool.connect();
  const loaded = connecting.then((client) =>
    input === null
      ? { rows: 0, nikBirthDateMismatches: 0, lines: new LineMap(), provinces: new Set<string>() }
      : loadFile(client, spec, loadTableOf(spec.table), input, refs, problems, onRows),
  );
  const indexed = loaded
    .then(async (result) => {
      if (problems.any) return;
      const client = await connecting;
      for (const build of builds.filter((b) => b.table === spec.table)) {
        try {
          await client.query(build.sql);
        } catch (error) {
          if ((error as { code?: string }).code !== '23505') throw error;
          await reportDuplicates(client, problems, spec.table, result.lines);
        }
      }
      // The checks (and, for a table served as loaded, the first queries after the swap) need
      // statistics.
      await client.query(`ANALYZE ${loadTableOf(spec.table)}`);
    })
    .finally(async () => (await connecting).release());
  loaded.catch(() => {}); // both are awaited by the caller; this only avoids unhandled rejections
  indexed.catch(() => {});
  return { loaded, indexed };
}

/**
 * Runs independent statements on up to `connections` connections of the pool, each taking the
 * next statement when it is done; returns the rows they wrote. The first failure stops the rest.
 */
async function sideBySide(
  handle: DatabaseHandle,
  statements: readonly string[],
  connections: number,
): Promise<number> {
  const queue = [...statements];
  let rows = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(connections, queue.length) }, async () => {
      const client = await handle.pool.connect();
      try {
        for (let next = queue.shift(); next !== undefined && !failed; next = queue.shift()) {
          // Awaited first: `rows += await …` would read `rows` before another worker adds to it.
          const written = (await client.query(next)).rowCount ?? 0;
          rows += written;
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        client.release();
      }
    }),
  );
  return rows;
}

/**
 * Swaps the staged tables in, records the snapshot, marks the verifications it reflects as
 * APPLIED and writes the change events of followed subjects, in one transaction.
 */
async function publish(
  control: pg.PoolClient,
  staged: StagedSnapshot,
  applied: readonly AppliedVerification[],
  label: string,
  asOf: string,
  started: bigint,
  rollups: RollupBuild,
  changes: SubscriberChanges,
  regions: RegionChanges,
): Promise<{ snapshotId: number; verificationsApplied: number; events: number }> {
  await control.query('BEGIN');
  try {
    // A long-running reader must not make the swap wait for ever, nor queue readers behind it.
    await control.query("SET LOCAL lock_timeout = '30s'");
    // Before the registry's tables are locked: subscriptions made during the import.
    await changes.catchUp(control);
    await swapInStagingTables(control);
    await swapInStatisticsRollups(control);
    const { rows } = await control.query<{ id: number }>(
      `INSERT INTO snapshot (as_of, households, persons, recipients, warnings, source, load_seconds,
                             rollup_seconds, rule_versions, cell_keys, restrictions_as_of)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10::timestamptz) RETURNING id`,
      [
        asOf,
        staged.counts.household,
        staged.counts.member,
        staged.counts.program_recipient,
        JSON.stringify(staged.warnings),
        label,
        Number(process.hrtime.bigint() - started) / 1e9,
        rollups.seconds,
        // The rules the targeting rollups were decided with (statistics answers name them).
        JSON.stringify(Object.fromEntries(rollups.ruleVersions.map((r) => [r.program, r.version]))),
        // The restrictions its statistics honour, rollups and base tables alike.
        rollups.restrictionsAsOf,
      ],
    );
    // The outbox lock is held since catchUp: these events follow every earlier one.
    const { verificationsApplied, events: verificationEvents } = await markAppliedVerifications(
      control,
      applied,
      rows[0]!.id,
    );
    const events =
      (await changes.writeEvents(control, rows[0]!.id)) +
      (await regions.writeEvents(control, rows[0]!.id)) +
      verificationEvents;
    await control.query('COMMIT');
    return { snapshotId: rows[0]!.id, verificationsApplied, events };
  } catch (error) {
    await control.query('ROLLBACK');
    throw error;
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
    distribute: 0,
    rollup: 0,
    changes: 0,
    swap: 0,
    publish: 0,
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
