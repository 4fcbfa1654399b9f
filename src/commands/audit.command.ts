import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { verifyAuditChain } from '../audit/audit-verify.js';
import { breachReport, formatBreachReport } from '../audit/breach-report.js';
import { readSubjectKey, subjectKeyPath } from '../audit/subject-hash.js';
import { CHECKPOINT_PUBLIC_FILE, readCheckpointPublicKeys } from '../audit/checkpoint-key.js';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { parseMoment } from '../cli/options.js';
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

  audit
    .command('breach-report')
    .description(
      'what was disclosed in a window by a client, an agency or for a purpose: persons affected by regency, fields, decisions (UU PDP Art. 46; docs/operations.md)',
    )
    .requiredOption(
      '--from <when>',
      'start: YYYY-MM-DD (midnight WIB) or an ISO timestamp',
      parseMoment,
    )
    .requiredOption(
      '--to <when>',
      'end, excluded: YYYY-MM-DD (midnight WIB) or an ISO timestamp',
      parseMoment,
    )
    .option('--client <id>', 'only what this client disclosed')
    .option('--agency <id>', 'only what this agency’s clients disclosed')
    .option('--purpose <code>', 'only what was disclosed for this purpose')
    .option(
      '--subjects <file>',
      'write the NIKs of the persons affected, one per line, to a new file (mode 0600)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      (o: {
        from: Date;
        to: Date;
        client?: string;
        agency?: string;
        purpose?: string;
        subjects?: string;
        json?: boolean;
      }) =>
        runCommand('audit breach-report', async (env) => {
          if (o.from.getTime() >= o.to.getTime())
            throw new CommandError('--from must be before --to');
          // The key that made the audit's subject hashes; a new one would match nobody.
          const keyFile = subjectKeyPath(env.config.dataDir);
          const key = await readSubjectKey(env.config.dataDir).catch((error: unknown) => {
            throw new CommandError((error as Error).message);
          });
          if (key === null) {
            throw new CommandError(
              `no audit subject key at ${keyFile}: run this with the gateway's DTKS_DATA_DIR`,
            );
          }
          await withDatabase(env, 'audit breach-report', async (database) => {
            let progress: Progress | undefined;
            let result;
            try {
              result = await breachReport(
                database.pool,
                key,
                {
                  from: o.from,
                  to: o.to,
                  clientId: o.client,
                  agencyId: o.agency,
                  purpose: o.purpose,
                },
                (hashed, total) => {
                  progress ??= createProgress('matching persons', { total, unit: 'NIKs' });
                  progress.update(hashed);
                },
              );
            } finally {
              progress?.finish();
            }
            if (o.subjects !== undefined) {
              // A new file only (never overwrite one: it may be an earlier notification list).
              await writeFile(o.subjects, result.niks.map((n) => `${n}\n`).join(''), {
                mode: 0o600,
                flag: 'wx',
              }).catch((error: NodeJS.ErrnoException) => {
                throw new CommandError(
                  error.code === 'EEXIST'
                    ? `--subjects: ${o.subjects} exists; choose a new file`
                    : `--subjects: cannot write ${o.subjects} (${error.code ?? error.message})`,
                );
              });
              await chmod(o.subjects, 0o600); // whatever the umask
            }
            process.stdout.write(
              o.json ? `${JSON.stringify(result.report)}\n` : formatBreachReport(result.report),
            );
            if (o.subjects !== undefined) {
              process.stderr.write(
                `wrote ${result.niks.length} NIKs to ${o.subjects} (mode 0600)\n`,
              );
            }
          });
        }),
    );
}
