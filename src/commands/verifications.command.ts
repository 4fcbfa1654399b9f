import path from 'node:path';
import type { Command } from 'commander';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { parseDate } from '../cli/options.js';
import { exportApproved } from '../verification/export-csv.js';

/** `dtks-gateway verifications …`: operator tools for verivali (docs/verification-export.md). */
export function registerVerifications(program: Command): void {
  const verifications = program
    .command('verifications')
    .description('verification and validation (verivali) submissions');
  verifications
    .command('export')
    .description(
      'write the submissions and proposals approved since a date to a CSV for the central ranking cycle',
    )
    .requiredOption(
      '--since <date>',
      'approved on or after this date, Jakarta time (YYYY-MM-DD)',
      parseDate,
    )
    .requiredOption('--out <file>', 'the CSV file to write (replaced atomically)')
    .action((options: { since: string; out: string }) =>
      runCommand('verifications export', (env) =>
        withDatabase(env, 'verifications export', async (database) => {
          const out = path.resolve(options.out);
          let summary;
          try {
            summary = await exportApproved(database.db, { since: options.since, out });
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT' || code === 'EACCES' || code === 'EEXIST' || code === 'EISDIR')
              throw new CommandError(`cannot write ${out} (${code})`);
            throw error;
          }
          console.log(
            `wrote ${summary.rows} rows for ${summary.submissions} submissions and ` +
              `${summary.proposals} proposals approved since ${options.since} ` +
              `(${summary.alreadyApplied} already APPLIED) to ${out}`,
          );
        }),
      ),
    );
}
