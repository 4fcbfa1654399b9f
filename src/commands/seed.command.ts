import type { Command } from 'commander';
import { createProgress } from '../cli/progress.js';
import { runCommand, withDatabase } from '../cli/command-runner.js';
import { parseDate, parsePositiveInt } from '../cli/options.js';
import { seedSyntheticSnapshot } from '../snapshot/synthetic-seed.js';
import { todayInJakarta } from '../domain/dates.js';
import { printSummary } from './import.command.js';
import { loadOrCreateKeyFile } from '../auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../db/subject-seal.js';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('generate a synthetic snapshot and load it in one streaming step')
    .requiredOption('--persons <n>', 'number of persons', parsePositiveInt)
    .option('--seed <seed>', 'seed (same seed, same snapshot)', '1')
    .option('--as-of <date>', "the snapshot's as-of date (YYYY-MM-DD)", parseDate)
    .action((options: { persons: number; seed: string; asOf?: string }) =>
      runCommand('seed', (env) =>
        withDatabase(env, 'seed', async (database) => {
          const progress = createProgress('seed', { total: options.persons, unit: 'persons' });
          const summary = await seedSyntheticSnapshot(database, {
            persons: options.persons,
            seed: options.seed,
            asOf: options.asOf ?? todayInJakarta(),
            onProgress: (n) => progress.update(n),
            subjectSealKey: await loadOrCreateKeyFile(env.config.dataDir, SUBJECT_SEAL_KEY),
          });
          progress.finish();
          printSummary('seeded', summary);
        }),
      ),
    );
}
