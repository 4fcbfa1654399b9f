import path from 'node:path';
import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/audit-verify.js';
import { CHECKPOINT_PUBLIC_FILE, readCheckpointPublicKeys } from '../audit/checkpoint-key.js';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { createProgress, type Progress } from '../cli/progress.js';

/** `dtks-gateway audit …`: tools for the tamper-evident audit log (docs/audit.md). */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('inspect the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'walk the audit hash chain and its signed checkpoints and report the first modified, deleted, reordered, inserted or unsigned event',
    )
    .option(
      '--public-key <file...>',
      `checkpoint public keys to trust (PEM); default: DTKS_DATA_DIR/${CHECKPOINT_PUBLIC_FILE}`,
    )
    .action((options: { publicKey?: string[] }) =>
      runCommand('audit verify', async (env) => {
        const files = options.publicKey ?? [path.join(env.config.dataDir, CHECKPOINT_PUBLIC_FILE)];
        let publicKeys;
        try {
          publicKeys = await readCheckpointPublicKeys(files);
        } catch (error) {
          throw new CommandError(
            `${(error as Error).message}; pass the gateway's checkpoint key with --public-key FILE`,
          );
        }
        await withDatabase(env, 'audit verify', async (database) => {
          let progress: Progress | undefined; // created once the total is known
          let result;
          try {
            result = await verifyAuditChain(database.pool, {
              publicKeys,
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
          const legacy =
            result.unsignedLegacy > 0
              ? `; events 1 to ${result.unsignedLegacy} predate signing and are covered by the hash chain only`
              : '';
          console.log(
            `audit log intact: ${result.events} events, last id ${result.lastId}, ${result.checkpoints} signed checkpoints${legacy}`,
          );
        });
      }),
    );
}
