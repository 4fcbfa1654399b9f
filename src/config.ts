import path from 'node:path';
import { z } from 'zod';

/**
 * Runtime configuration from the environment (CONTRACT §2). Invalid values stop start-up with
 * one message naming the variable.
 */
/**
 * Requests one process works on at once and how long the others wait for a turn
 * (DTKS_MAX_CONCURRENT_REQUESTS, DTKS_MAX_QUEUE_WAIT_MS; src/server/request-admission.ts).
 */
export const DEFAULT_ADMISSION = { concurrency: 32, maxWaitMs: 10_000 } as const;

/** Days a DCI transaction's status is kept when DTKS_DCI_STATUS_DAYS is not set. */
export const DEFAULT_DCI_STATUS_DAYS = 30;

/** How far a read replica's replay may lag before reads go to the primary (DTKS_READ_MAX_LAG_MS). */
export const DEFAULT_READ_MAX_LAG_MS = 5_000;

const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_RUNTIME_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  // Reads leave a replica lagging further than this and come back at half of it (read-router.ts).
  DTKS_READ_MAX_LAG_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(DEFAULT_READ_MAX_LAG_MS),
  // OpenTelemetry traces (src/monitoring/tracing.ts): the standard OTLP variables. Unset: no traces.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('dtks-gateway'),
  DTKS_DATA_DIR: z.string().min(1).default('./.dtks'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DTKS_DEMO_PERSONS: z.coerce.number().int().min(100).max(300_000_000).default(100_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Issuer (`iss`) and audience (`aud`) of the gateway's own tokens. */
  DTKS_TOKEN_ISSUER: z.string().min(1).default('dtks-gateway'),
  DTKS_TOKEN_AUDIENCE: z.string().min(1).default('dtks-gateway'),
  /** Optional external identity provider whose tokens are also accepted. */
  DTKS_OIDC_JWKS_URL: z.string().url().optional(),
  DTKS_OIDC_ISSUER: z.string().min(1).optional(),
  DTKS_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** `development` enables introspection and field suggestions for every client. */
  DTKS_ENV: z.enum(['production', 'development']).default('production'),
  // ε all researchers together may spend per accounting period (CONTRACT §8); milli-ε precision.
  DTKS_GLOBAL_PRIVACY_BUDGET: z.coerce.number().positive().max(1_000_000).default(10),
  // The privacy accounting period in months, calendar-aligned in Jakarta time (12: each year).
  DTKS_PRIVACY_PERIOD_MONTHS: z.coerce
    .number()
    .int()
    .refine((m) => [1, 2, 3, 4, 6, 12].includes(m), 'must be 1, 2, 3, 4, 6 or 12')
    .default(12),
  // Days a DCI transaction's status is kept for `txn/status` (docs/dci.md "Transaction status").
  DTKS_DCI_STATUS_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_DCI_STATUS_DAYS),
  // Requests worked on at once by one process; the rest wait in arrival order (docs/operations.md).
  DTKS_MAX_CONCURRENT_REQUESTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(DEFAULT_ADMISSION.concurrency),
  // How long a request may wait for its turn before it is answered 503 with Retry-After.
  DTKS_MAX_QUEUE_WAIT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600_000)
    .default(DEFAULT_ADMISSION.maxWaitMs),
  // `/metrics` on a port of its own (unset: the main port) and behind a bearer token (unset: open).
  DTKS_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DTKS_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  databaseReadUrl: string | undefined;
  /**
   * The least-privilege role `serve` answers requests as (DATABASE_RUNTIME_URL); unset: the role
   * `dtks_gateway` on the server of DATABASE_URL (or the embedded one), created by `serve`.
   */
  databaseRuntimeUrl: string | undefined;
  /** Absolute path of the folder for the embedded database, keys and demo secrets. */
  dataDir: string;
  port: number;
  demoPersons: number;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  tokens: {
    issuer: string;
    audience: string;
    /** An external identity provider, when configured (all three variables together). */
    external: { jwksUrl: string; issuer: string; audience: string } | null;
  };
  development: boolean;
  /**
   * ε all researchers together may spend per accounting period (DTKS_GLOBAL_PRIVACY_BUDGET,
   * default 10).
   */
  globalPrivacyBudget: number;
  /** Months of a privacy accounting period (DTKS_PRIVACY_PERIOD_MONTHS, default 12). */
  privacyPeriodMonths: number;
  /** Days a DCI transaction's status is kept (DTKS_DCI_STATUS_DAYS, default 30). */
  dciStatusDays: number;
  /**
   * Requests one process works on at once (DTKS_MAX_CONCURRENT_REQUESTS, default 32) and how long
   * the others wait for a turn (DTKS_MAX_QUEUE_WAIT_MS, default 10,000) before a 503.
   */
  admission: { concurrency: number; maxWaitMs: number };
  /** How far the read replica may lag before reads go to the primary (DTKS_READ_MAX_LAG_MS). */
  readMaxLagMs: number;
  /**
   * Where traces go (OTLP over HTTP): OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or
   * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`; null: no traces.
   */
  tracing: { endpoint: string; serviceName: string } | null;
  /**
   * `/metrics` on its own port (DTKS_METRICS_PORT; unset: the main port) and protected by a bearer
   * token (DTKS_METRICS_TOKEN; unset: open to whoever reaches the port).
   */
  metrics: { port?: number; token?: string };
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
  const oidc = [c.DTKS_OIDC_JWKS_URL, c.DTKS_OIDC_ISSUER, c.DTKS_OIDC_AUDIENCE];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    throw new ConfigError(
      'invalid configuration: DTKS_OIDC_JWKS_URL, DTKS_OIDC_ISSUER and DTKS_OIDC_AUDIENCE go together',
    );
  }
  return {
    databaseUrl: c.DATABASE_URL,
    databaseReadUrl: c.DATABASE_READ_URL,
    readMaxLagMs: c.DTKS_READ_MAX_LAG_MS,
    tracing: tracingOf(c),
    databaseRuntimeUrl: c.DATABASE_RUNTIME_URL,
    dataDir: path.resolve(c.DTKS_DATA_DIR),
    port: c.PORT,
    demoPersons: c.DTKS_DEMO_PERSONS,
    logLevel: c.LOG_LEVEL,
    tokens: {
      issuer: c.DTKS_TOKEN_ISSUER,
      audience: c.DTKS_TOKEN_AUDIENCE,
      external: c.DTKS_OIDC_JWKS_URL
        ? {
            jwksUrl: c.DTKS_OIDC_JWKS_URL,
            issuer: c.DTKS_OIDC_ISSUER!,
            audience: c.DTKS_OIDC_AUDIENCE!,
          }
        : null,
    },
    development: c.DTKS_ENV === 'development',
    globalPrivacyBudget: c.DTKS_GLOBAL_PRIVACY_BUDGET,
    privacyPeriodMonths: c.DTKS_PRIVACY_PERIOD_MONTHS,
    dciStatusDays: c.DTKS_DCI_STATUS_DAYS,
    admission: { concurrency: c.DTKS_MAX_CONCURRENT_REQUESTS, maxWaitMs: c.DTKS_MAX_QUEUE_WAIT_MS },
    metrics: {
      ...(c.DTKS_METRICS_PORT !== undefined ? { port: c.DTKS_METRICS_PORT } : {}),
      ...(c.DTKS_METRICS_TOKEN !== undefined ? { token: c.DTKS_METRICS_TOKEN } : {}),
    },
  };
}

function tracingOf(c: z.infer<typeof configSchema>): Config['tracing'] {
  const endpoint =
    c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (c.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${c.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined);
  return endpoint ? { endpoint, serviceName: c.OTEL_SERVICE_NAME } : null;
}
