import path from 'node:path';
import { z } from 'zod';

/**
 * Runtime configuration from the environment (CONTRACT §2). Invalid values stop start-up with
 * one message naming the variable.
 */
const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DTKS_DATA_DIR: z.string().min(1).default('./.dtks'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DTKS_DEMO_PERSONS: z.coerce.number().int().min(100).max(300_000_000).default(100_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  databaseUrl: string | undefined;
  databaseReadUrl: string | undefined;
  /** Absolute path of the folder for the embedded database, keys and demo secrets. */
  dataDir: string;
  port: number;
  demoPersons: number;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
}

/** Thrown for invalid configuration; its message is meant for the operator as is. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, as in most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    databaseReadUrl: c.DATABASE_READ_URL,
    dataDir: path.resolve(c.DTKS_DATA_DIR),
    port: c.PORT,
    demoPersons: c.DTKS_DEMO_PERSONS,
    logLevel: c.LOG_LEVEL,
  };
}
