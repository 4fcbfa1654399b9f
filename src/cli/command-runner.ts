import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { createLogger, type Logger } from '../logger.js';
import { formatProblem, SnapshotRejectedError } from '../snapshot/problem-collector.js';

/** An expected failure: its message is printed as the one-line reason. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    /** The process exit code (1 unless a command documents another). */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CommandEnv {
  config: Config;
  logger: Logger;
}

/**
 * Runs one CLI command: loads the configuration, and on failure prints a one-line reason (plus the
 * problems of a refused snapshot) and exits non-zero.
 */
export async function runCommand(
  name: string,
  body: (env: CommandEnv) => Promise<void>,
): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger(config.logLevel);
    await body({ config, logger });
  } catch (error) {
    reportFailure(name, error, logger);
    process.exitCode = error instanceof CommandError ? error.exitCode : 1;
  } finally {
    logger?.flush();
  }
}

function reportFailure(name: string, error: unknown, logger: Logger | undefined): void {
  if (error instanceof SnapshotRejectedError) {
    for (const p of error.problems) process.stderr.write(`${formatProblem(p)}\n`);
    const unlisted = error.total - error.problems.length;
    if (unlisted > 0) process.stderr.write(`… and ${unlisted} more problems\n`);
    process.stderr.write(
      `dtks-gateway ${name}: ${error.message}; the served snapshot is unchanged\n`,
    );
    return;
  }
  const known =
    error instanceof CommandError || error instanceof ConfigError || error instanceof Error;
  const message = known ? (error as Error).message : String(error);
  if (!(error instanceof CommandError || error instanceof ConfigError)) {
    logger?.debug({ err: error }, 'command failed');
  }
  process.stderr.write(`dtks-gateway ${name}: ${message}\n`);
}

/**
 * Opens the configured database and migrates it, runs `body`, and closes the database (stopping
 * an embedded server this process started) also when interrupted with Ctrl-C or SIGTERM.
 */
export async function withDatabase<T>(
  env: CommandEnv,
  command: string,
  body: (database: DatabaseHandle) => Promise<T>,
  options: { exclusive?: boolean; migrate?: boolean } = {},
): Promise<T> {
  const database = await openDatabase(env.config, {
    logger: env.logger,
    command,
    exclusive: options.exclusive,
  });
  const interrupted = () => {
    process.stderr.write(`\ndtks-gateway ${command}: interrupted; nothing was changed\n`);
    database.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(database);
      if (applied.length > 0) env.logger.info({ applied }, 'database migrated');
    }
    return await body(database);
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await database.close();
  }
}
