import type pg from 'pg';
import type { SnapshotTable } from '../domain/snapshot-format.js';

export const SNAPSHOT_TABLES: readonly SnapshotTable[] = [
  'household',
  'member',
  'program_recipient',
];

const NEXT_INDEX_SUFFIX = '__next';

/**
 * Creates empty `<table>_next` copies of the served tables (same columns, defaults and checks, no
 * indexes yet so the bulk load is fast). The served tables, as the migrations left them, are the
 * single source of truth for the shape.
 */
export async function createStagingTables(client: pg.PoolClient): Promise<void> {
  await dropStagingTables(client);
  for (const table of SNAPSHOT_TABLES) {
    await client.query(
      `CREATE TABLE ${table}_next (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`,
    );
  }
}

export async function dropStagingTables(client: pg.PoolClient): Promise<void> {
  for (const table of SNAPSHOT_TABLES) await client.query(`DROP TABLE IF EXISTS ${table}_next`);
}

export interface IndexBuild {
  table: SnapshotTable;
  unique: boolean;
  sql: string;
}

/**
 * The statements that give `<table>_next` the indexes and key constraints of `<table>`, named
 * `<name>__next` until the swap. Unique ones first: they double as the duplicate-key checks.
 */
export async function stagingIndexBuilds(client: pg.PoolClient): Promise<IndexBuild[]> {
  const { rows } = await client.query<{
    table: SnapshotTable;
    index: string;
    indexdef: string;
    constraintdef: string | null;
    unique: boolean;
  }>(
    `SELECT t.relname AS table, i.relname AS index, pg_get_indexdef(x.indexrelid) AS indexdef,
            pg_get_constraintdef(c.oid) AS constraintdef, x.indisunique AS unique
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = t.oid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
      ORDER BY x.indisunique DESC, t.relname, i.relname`,
    [SNAPSHOT_TABLES],
  );
  return rows.map((r) => {
    const name = r.index + NEXT_INDEX_SUFFIX;
    const sql = r.constraintdef
      ? `ALTER TABLE ${r.table}_next ADD CONSTRAINT ${name} ${r.constraintdef}`
      : r.indexdef
          .replace(/^CREATE (UNIQUE )?INDEX \S+ ON /, `CREATE $1INDEX ${name} ON `)
          .replace(new RegExp(`ON (public\\.)?${r.table} `), `ON ${r.table}_next `);
    return { table: r.table, unique: r.unique, sql };
  });
}

/**
 * Replaces the served tables by the staged ones. Run inside the caller's transaction: readers see
 * the old snapshot until it commits and the new one after, never a mix.
 */
export async function swapInStagingTables(client: pg.PoolClient): Promise<void> {
  const { rows: indexes } = await client.query<{
    index: string;
    table: string;
    constraint: boolean;
  }>(
    `SELECT i.relname AS index, t.relname AS table,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) AS constraint
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace`,
    [SNAPSHOT_TABLES.map((t) => `${t}_next`)],
  );
  for (const table of SNAPSHOT_TABLES) {
    await client.query(`DROP TABLE ${table}`);
    await client.query(`ALTER TABLE ${table}_next RENAME TO ${table}`);
  }
  for (const { index, table, constraint } of indexes) {
    const served = index.slice(0, -NEXT_INDEX_SUFFIX.length);
    const target = table.slice(0, -'_next'.length);
    await client.query(
      constraint
        ? `ALTER TABLE ${target} RENAME CONSTRAINT ${index} TO ${served}`
        : `ALTER INDEX ${index} RENAME TO ${served}`,
    );
  }
}
