import type { Command } from 'commander';
import { runCommand, withDatabase } from '../cli/command-runner.js';
import { migrateToLatest } from '../db/migrator.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (serve, import and seed also do this)')
    .action(() =>
      runCommand('migrate', (env) =>
        withDatabase(
          env,
          'migrate',
          async (database) => {
            const applied = await migrateToLatest(database);
            console.log(
              applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date',
            );
          },
          { migrate: false },
        ),
      ),
    );
}
