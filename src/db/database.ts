import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from './database-errors.js';
import type { Database } from './database-types.js';
import { namePreparedStatements } from './prepared-statements.js';
import { statementSpan } from './statement-spans.js';
import { DEFAULT_RUNTIME_LOGIN, ensureRuntimeLogin, excessRuntimeRights } from './runtime-role.js';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded/embedded-cluster.js';

/** An open database: the kysely instance, its pool (for COPY and raw SQL) and how to close both. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Read-only queries (DATABASE_READ_URL when set, else the primary). */
  readDb: Kysely<Database>;
  /** The pool of DATABASE_READ_URL, when set (for the metrics). */
  readPool?: pg.Pool;
  /** DATABASE_READ_URL, when set (the read router checks the replica on a connection of its own). */
  readUrl?: string;
  url: string;
  close(): Promise<void>;
}

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Dates stay `YYYY-MM-DD` strings (no time-zone shifts); counts and numerics become numbers. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PoolOptions {
  max?: number;
  /** Session options sent at connect (`-c name=value …`). */
  options?: string;
  /** Told of every connection the server drops (the pool replaces it); default: ignored. */
  onConnectionError?: (error: Error) => void;
}

/**
 * A `pg` pool that survives the database going away. pg-pool listens for errors only on idle
 * clients: a client checked out between two queries (a transaction, a COPY) whose connection
 * drops emits an `'error'` with no listener, which ends the process. Every client gets a listener
 * of its own when it connects; the query in flight rejects as usual and the pool discards the
 * client. Connecting waits at most 5 s, so requests fail (503) instead of queueing forever while
 * the server is down; TCP keep-alive notices a silently vanished server.
 */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    types: typeParsers,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(options.options !== undefined ? { options: options.options } : {}),
  });
  const onError = options.onConnectionError ?? (() => {});
  pool.on('error', onError); // an idle client lost its connection
  pool.on('connect', (client) => {
    client.on('error', onError);
    namePreparedStatements(client);
  });
  return pool;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** Opens a pool and kysely instance on a PostgreSQL URL. */
export function connect(
  url: string,
  options: { max?: number; readUrl?: string; onConnectionError?: (error: Error) => void } = {},
): DatabaseHandle {
  const poolOptions = { max: options.max, onConnectionError: options.onConnectionError };
  const pool = createPool(url, poolOptions);
  // Each statement becomes a trace span when tracing is on (statement-spans.ts).
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: statementSpan });
  let readDb = db;
  let readPool: pg.Pool | undefined;
  if (options.readUrl) {
    readPool = createPool(options.readUrl, poolOptions);
    readDb = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: readPool }),
      log: statementSpan,
    });
  }
  return {
    db,
    pool,
    readDb,
    ...(readPool ? { readPool, readUrl: options.readUrl } : {}),
    url,
    async close() {
      await db.destroy(); // ends the pool
      if (readPool) await readDb.destroy();
    },
  };
}

/**
 * Opens the configured database: `DATABASE_URL` when set, otherwise the embedded PostgreSQL under
 * `DTKS_DATA_DIR`, started (and initialised on first use) for this process. Closing the handle
 * stops an embedded server this process started.
 */
export async function openDatabase(
  config: Config,
  options: { logger: Logger; command: string; exclusive?: boolean; maxConnections?: number },
): Promise<DatabaseHandle> {
  let cluster: EmbeddedCluster | undefined;
  let url = config.databaseUrl;
  if (!url) {
    cluster = await startEmbeddedCluster(config.dataDir, {
      exclusive: options.exclusive ?? false,
      command: options.command,
      logger: options.logger,
    });
    url = cluster.url;
  }
  const handle = connect(url, { max: options.maxConnections, readUrl: config.databaseReadUrl });
  try {
    await checkServerVersion(handle.pool);
  } catch (error) {
    await handle.close();
    await cluster?.stop();
    throw error;
  }
  return {
    ...handle,
    async close() {
      await handle.close();
      await cluster?.stop();
    },
  };
}

async function checkServerVersion(pool: pg.Pool): Promise<void> {
  let version: number;
  try {
    const { rows } = await pool.query<{ v: string }>(
      "SELECT current_setting('server_version_num') AS v",
    );
    version = Number(rows[0]!.v);
  } catch (error) {
    throw new Error(`cannot reach PostgreSQL: ${(error as Error).message}`);
  }
  if (version < 150000) {
    throw new Error(
      `PostgreSQL 15 or newer is required; this server is ${Math.floor(version / 10000)}`,
    );
  }
}

/**
 * The connection `serve` answers requests on: a least-privilege role, never the owner
 * (src/db/runtime-role.ts). `DATABASE_RUNTIME_URL` when set (its role made a member of
 * `dtks_runtime` by a database administrator); otherwise the owner's server and database as the
 * login role `dtks_gateway`, which the owner creates or updates here with `password` (kept in
 * DTKS_DATA_DIR). Refuses a role with more rights than serving needs: it could rewrite the audit
 * log.
 */
export async function openRuntimeDatabase(
  config: Pick<Config, 'databaseRuntimeUrl' | 'databaseReadUrl'>,
  owner: DatabaseHandle,
  options: {
    password: () => Promise<string>;
    maxConnections?: number;
    onConnectionError?: (error: Error) => void;
  },
): Promise<DatabaseHandle> {
  let url = config.databaseRuntimeUrl;
  if (url === undefined) {
    const password = await options.password();
    await ensureRuntimeLogin(owner.db, DEFAULT_RUNTIME_LOGIN, password);
    url = withCredentials(owner.url, DEFAULT_RUNTIME_LOGIN, password);
  }
  const handle = connect(url, {
    max: options.maxConnections,
    readUrl: config.databaseReadUrl,
    onConnectionError: options.onConnectionError,
  });
  try {
    const excess = await excessRuntimeRights(handle.db);
    if (excess.length > 0) {
      throw new Error(
        `the database role that serves requests (${new URL(url).username || 'default'}) ${excess.join('; ')}: ` +
          'it could rewrite the audit log. Serve as a least-privilege role: see docs/security.md, "Database roles"',
      );
    }
  } catch (error) {
    await handle.close();
    throw isDatabaseUnavailable(error)
      ? new Error(`cannot reach PostgreSQL as the runtime role: ${(error as Error).message}`)
      : error;
  }
  return handle;
}

/** The same server and database as `url`, as another role. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
