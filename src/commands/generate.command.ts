import type { Command } from 'commander';
import { createProgress } from '../cli/progress.js';
import { runCommand } from '../cli/command-runner.js';
import { parseDate, parsePositiveInt } from '../cli/options.js';
import { readPopulation, readRegions } from '../domain/region-reference.js';
import { writeSnapshotToDir } from '../synthetic/generator.js';
import { todayInJakarta } from '../domain/dates.js';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a synthetic snapshot in the import format (deterministic for a seed)')
    .requiredOption('--persons <n>', 'number of persons', parsePositiveInt)
    .requiredOption(
      '--out <dir>',
      'folder to write households.csv, members.csv, program_recipients.csv',
    )
    .option('--seed <seed>', 'seed (same seed and options, same files)', '1')
    .option('--as-of <date>', "the snapshot's as-of date (YYYY-MM-DD)", parseDate)
    .action((options: { persons: number; out: string; seed: string; asOf?: string }) =>
      runCommand('generate', async () => {
        const progress = createProgress('generate', { total: options.persons, unit: 'persons' });
        const started = Date.now();
        const summary = await writeSnapshotToDir(
          {
            persons: options.persons,
            seed: options.seed,
            asOf: options.asOf ?? todayInJakarta(),
            regions: await readRegions(),
            population: await readPopulation(),
            onProgress: (n) => progress.update(n),
          },
          options.out,
        );
        progress.finish();
        console.log(
          `wrote ${options.out}: ${summary.households} households, ${summary.persons} persons, ` +
            `${summary.recipients} program recipients in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }),
    );
}
