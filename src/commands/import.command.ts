import type { Command } from 'commander';
import { createProgress } from '../cli/progress.js';
import { runCommand, withDatabase } from '../cli/command-runner.js';
import { parseDate, parsePositiveInt } from '../cli/options.js';
import { openSnapshotDirectory } from '../snapshot/snapshot-directory.js';
import { importSnapshot, type ImportSummary } from '../snapshot/snapshot-importer.js';
import { todayInJakarta } from '../domain/dates.js';
import { loadOrCreateKeyFile } from '../auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../db/subject-seal.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'load a snapshot folder (households.csv, members.csv, program_recipients.csv) atomically',
    )
    .argument('<dir>', 'the snapshot folder')
    .option('--as-of <date>', "the snapshot's as-of date (YYYY-MM-DD)", parseDate)
    .option(
      '--connections <n>',
      'connections that fill and index the province partitions side by side (default: one per core, 2 to 8)',
      parsePositiveInt,
    )
    .action((dir: string, options: { asOf?: string; connections?: number }) =>
      runCommand('import', (env) =>
        withDatabase(env, 'import', async (database) => {
          const asOf = options.asOf ?? todayInJakarta();
          const snapshot = await openSnapshotDirectory(dir);
          const progress = createProgress('import', { total: snapshot.totalBytes, unit: 'bytes' });
          const summary = await importSnapshot(database, snapshot.sources, {
            asOf,
            connections: options.connections,
            onProgress: () => progress.update(snapshot.bytesRead()),
            subjectSealKey: await loadOrCreateKeyFile(env.config.dataDir, SUBJECT_SEAL_KEY),
          });
          progress.finish();
          printSummary('imported', summary);
        }),
      ),
    );
}

export function printSummary(verb: string, s: ImportSummary): void {
  console.log(
    `${verb} snapshot ${s.snapshotId} as of ${s.asOf}: ${s.households} households, ${s.persons} persons, ` +
      `${s.recipients} program recipients, ${s.warnings.nikBirthDateMismatch} data-quality warnings ` +
      `(NIK birth date disagrees) in ${s.seconds.toFixed(1)} s (load ${s.phases.load.toFixed(1)}, ` +
      `check ${s.phases.check.toFixed(1)}, distribute ${s.phases.distribute.toFixed(1)}, ` +
      `index ${s.phases.index.toFixed(1)}, rollup ${s.phases.rollup.toFixed(1)}, ` +
      `changes ${s.phases.changes.toFixed(1)}, swap ${s.phases.swap.toFixed(1)}, ` +
      `publish ${s.phases.publish.toFixed(1)}); ` +
      `peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB` +
      (s.verificationsApplied > 0
        ? `; ${s.verificationsApplied} approved verifications now APPLIED`
        : '') +
      (s.changes.events > 0 || s.changes.subscriptions > 0
        ? `; ${s.changes.subscriptions} followed subjects decided, ${s.changes.households} ` +
          `households of followed regions changed, ${s.changes.events} change events ` +
          `(${s.changes.seconds.toFixed(1)} s)`
        : '') +
      (s.publishError !== null
        ? `; the largest statistics tables were not published (${s.publishError}): ` +
          'statistics are summed from the rollups until the next import'
        : ''),
  );
}
