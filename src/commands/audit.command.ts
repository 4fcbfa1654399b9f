import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/audit-verify.js';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { createProgress, type Progress } from '../cli/progress.js';

/** `dtks-gateway audit …`: tools for the tamper-evident audit log (docs/audit.md). */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('inspect the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'walk the audit hash chain and report the first modified, deleted, reordered or inserted event',
    )
    .action(() =>
      runCommand('audit verify', (env) =>
        withDatabase(env, 'audit verify', async (database) => {
          let progress: Progress | undefined; // created once the head tells the total
          let result;
          try {
            result = await verifyAuditChain(database.pool, {
              onProgress: (checked, total) => {
                progress ??= createProgress('verifying audit log', { total, unit: 'events' });
                progress.update(checked);
              },
            });
          } finally {
            progress?.finish();
          }
          if (!result.ok) {
            throw new CommandError(
              `audit log broken at event ${result.firstBadId}: ${result.problem} (${result.message})`,
            );
          }
          console.log(`audit log intact: ${result.events} events, last id ${result.lastId}`);
        }),
      ),
    );
}
