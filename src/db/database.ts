import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Database } from './database-types.js';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded/embedded-cluster.js';

/** An open database: the kysely instance, its pool (for COPY and raw SQL) and how to close both. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Read-only queries (DATABASE_READ_URL when set, else the primary). */
  readDb: Kysely<Database>;
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

/** Opens a pool and kysely instance on a PostgreSQL URL. */
export function connect(
  url: string,
  options: { max?: number; readUrl?: string } = {},
): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, types: typeParsers });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let readDb = db;
  let readPool: pg.Pool | undefined;
  if (options.readUrl) {
    readPool = new pg.Pool({
      connectionString: options.readUrl,
      max: options.max ?? 20,
      types: typeParsers,
    });
    readPool.on('error', () => {});
    readDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: readPool }) });
  }
  return {
    db,
    pool,
    readDb,
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
