import { InvalidArgumentError, type Command } from 'commander';
import { runCommand } from '../cli/command-runner.js';
import { parseDuration } from '../auth/tokens/duration.js';
import {
  DEFAULT_KEEP_RETIRED_FOR,
  keysDirectory,
  listSigningKeys,
  rotateSigningKey,
} from '../auth/tokens/signing-keys.js';
import { MAX_TOKEN_TTL_SECONDS } from '../auth/tokens/token-issuer.js';

const MAX_KEEP_RETIRED_FOR = 30 * 86_400;

function parseKeepRetiredFor(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === null || seconds > MAX_KEEP_RETIRED_FOR) {
    throw new InvalidArgumentError('expected a duration such as 24h, 36h or 2d, at most 30d');
  }
  return seconds;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage the token signing keys (kept under DTKS_DATA_DIR/keys)');

  keys
    .command('rotate')
    .description(
      'make a new signing key active and print its kid; earlier keys stay valid for verification ' +
        'for --keep-retired-for',
    )
    .option(
      '--keep-retired-for <duration>',
      'how long retired keys still verify tokens (default 24h; keep it ≥ the longest token lifetime)',
      parseKeepRetiredFor,
    )
    .action((options: { keepRetiredFor?: number }) =>
      runCommand('keys rotate', async (env) => {
        const keepRetiredFor = options.keepRetiredFor ?? DEFAULT_KEEP_RETIRED_FOR;
        if (keepRetiredFor < MAX_TOKEN_TTL_SECONDS) {
          process.stderr.write(
            'dtks-gateway keys rotate: warning: tokens signed with the retired key may be refused ' +
              'before they expire (tokens live up to 24h)\n',
          );
        }
        const { kid } = await rotateSigningKey(env.config.dataDir, { keepRetiredFor });
        process.stdout.write(`${kid}\n`);
      }),
    );

  keys
    .command('list')
    .description('list the signing keys: kid, state, created, removed after')
    .action(() =>
      runCommand('keys list', async (env) => {
        const all = await listSigningKeys(env.config.dataDir);
        if (all.length === 0) {
          process.stderr.write(
            `no signing keys in ${keysDirectory(env.config.dataDir)} yet (serve or token creates the first)\n`,
          );
          return;
        }
        for (const key of all) {
          const state = key.active ? 'active' : key.retiredAt ? 'retired' : 'unused';
          const removeAfter = key.removeAfter ? key.removeAfter.toISOString() : '-';
          process.stdout.write(
            `${key.kid}  ${state.padEnd(7)}  created ${key.createdAt.toISOString()}  remove after ${removeAfter}\n`,
          );
        }
      }),
    );
}
