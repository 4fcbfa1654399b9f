import { InvalidArgumentError, type Command } from 'commander';
import { CommandError, runCommand, withDatabase, type CommandEnv } from '../cli/command-runner.js';
import { parseDuration } from '../auth/tokens/duration.js';
import { databaseClientStore } from '../auth/tokens/oauth-token-endpoint.js';
import { loadOrCreateSigningKeys } from '../auth/tokens/signing-keys.js';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  issueAccessToken,
  MAX_TOKEN_TTL_SECONDS,
} from '../auth/tokens/token-issuer.js';

const CLIENT_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Commander parser for `--ttl`: 30m, 1h, 12h, 3600s (1 second to 24 hours). */
export function parseTtl(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === null || seconds < 1 || seconds > MAX_TOKEN_TTL_SECONDS) {
    throw new InvalidArgumentError(
      'expected a lifetime such as 30m, 1h, 12h or 3600s, at most 24h',
    );
  }
  return seconds;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description(
      'print a bearer access token for a registered client, and nothing else, on stdout (operator tool)',
    )
    .requiredOption('--client <id>', 'the client id')
    .option('--ttl <duration>', 'lifetime: 30m, 1h, 12h, 3600s; at most 24h (default 1h)', parseTtl)
    .action((options: { client: string; ttl?: number }) =>
      runCommand('token', (env) => printToken(env, options.client, options.ttl)),
    );
}

async function printToken(env: CommandEnv, clientId: string, ttl?: number): Promise<void> {
  const token = await withDatabase(env, 'token', async (database) => {
    const active =
      CLIENT_ID_RE.test(clientId) &&
      (await databaseClientStore(database.db).activeClientSecretHash(clientId)) !== null;
    if (!active) throw new CommandError('unknown or revoked client');
    const keys = await loadOrCreateSigningKeys(env.config.dataDir);
    return issueAccessToken(keys, {
      clientId,
      issuer: env.config.tokens.issuer,
      audience: env.config.tokens.audience,
      ttlSeconds: ttl ?? DEFAULT_TOKEN_TTL_SECONDS,
    });
  });
  process.stdout.write(`${token.accessToken}\n`);
}
