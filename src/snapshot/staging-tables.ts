import type pg from 'pg';
import type { SnapshotTable } from '../domain/snapshot-format.js';
import {
  PARTITIONED_TABLES,
  householdProvinceSql,
  partitionName,
  partitionedTableDdl,
  type PartitionedTable,
} from '../db/registry-partitions.js';

export const SNAPSHOT_TABLES: readonly SnapshotTable[] = [
  'household',
  'member',
  'program_recipient',
];

const NEXT_INDEX_SUFFIX = '__next';

function isPartitioned(table: SnapshotTable): table is PartitionedTable {
  return (PARTITIONED_TABLES as readonly string[]).includes(table);
}

/**
 * The table a file is loaded into and checked on: `<table>_load` (flat, unlogged: it is thrown
 * away) for the tables partitioned by province, whose rows are then distributed into the
 * partitions of `<table>_next`; `<table>_next` itself for the others.
 */
export function loadTableOf(table: SnapshotTable): string {
  return isPartitioned(table) ? `${table}_load` : `${table}_next`;
}

const like = (table: string) =>
  `(LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`;

/**
 * Creates the empty tables the files are loaded into: `<table>_next` copies of the served tables
 * that are not partitioned, and flat `<table>_load` ones for those that are (the files carry no
 * province: it is the household's, known once both files are in). Same columns, defaults and
 * checks as the served tables, as the migrations left them (the single source of truth for the
 * shape); no indexes yet so the bulk load is fast.
 */
export async function createStagingTables(client: pg.PoolClient): Promise<void> {
  await dropStagingTables(client);
  for (const table of SNAPSHOT_TABLES) {
    if (!isPartitioned(table)) {
      await client.query(`CREATE TABLE ${table}_next ${like(table)}`);
      continue;
    }
    await client.query(`CREATE UNLOGGED TABLE ${table}_load ${like(table)}`);
    await client.query(`ALTER TABLE ${table}_load DROP COLUMN province`);
  }
}

/**
 * Creates the partitioned `<table>_next` copies of the served tables, with one partition for each
 * province the snapshot's households are in (a partition per province of the country would cost
 * a small snapshot its index builds many times over).
 */
export async function createPartitionedTables(
  client: pg.PoolClient,
  provinces: readonly string[],
): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    for (const statement of partitionedTableDdl(`${table}_next`, table, provinces, {
      addProvince: false,
    }))
      await client.query(statement);
  }
}

export async function dropStagingTables(client: pg.PoolClient): Promise<void> {
  for (const table of SNAPSHOT_TABLES) {
    await client.query(`DROP TABLE IF EXISTS ${table}_next`);
    if (isPartitioned(table)) await dropLoadTable(client, table);
  }
}

export async function dropLoadTable(client: pg.PoolClient, table: PartitionedTable): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}_load`);
}

export interface IndexBuild {
  table: SnapshotTable;
  unique: boolean;
  sql: string;
}

interface ServedIndex {
  table: SnapshotTable;
  index: string;
  indexdef: string;
  constraintdef: string | null;
  unique: boolean;
  columns: string[];
}

/** The indexes and key constraints of the served tables (of a partitioned one, its parent's). */
async function servedIndexes(client: pg.PoolClient): Promise<ServedIndex[]> {
  const { rows } = await client.query<ServedIndex>(
    `SELECT t.relname AS table, i.relname AS index, pg_get_indexdef(x.indexrelid) AS indexdef,
            pg_get_constraintdef(c.oid) AS constraintdef, x.indisunique AS unique,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k (attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                   ORDER BY k.n) AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = t.oid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
      ORDER BY x.indisunique DESC, t.relname, i.relname`,
    [SNAPSHOT_TABLES],
  );
  return rows;
}

/** `index`'s definition, renamed and moved onto `target`. */
function buildOn(index: ServedIndex, target: string, name: string): string {
  return index.constraintdef
    ? `ALTER TABLE ${target} ADD CONSTRAINT ${name} ${index.constraintdef}`
    : index.indexdef
        .replace(/^CREATE (UNIQUE )?INDEX \S+ ON /, `CREATE $1INDEX ${name} ON `)
        .replace(new RegExp(`ON (ONLY )?(public\\.)?${index.table} `), `ON ${target} `);
}

/**
 * The statements that check each loaded file's keys, as soon as it is in: on `<table>_next`, the
 * indexes and key constraints of `<table>` (named `<name>__next` until the swap); on a
 * `<table>_load`, a unique index on its key without the province, which is what a household id
 * or a NIK must be unique in. Unique ones first: they double as the duplicate-key checks.
 */
export async function stagingIndexBuilds(client: pg.PoolClient): Promise<IndexBuild[]> {
  return (await servedIndexes(client)).flatMap((r): IndexBuild[] => {
    if (!isPartitioned(r.table))
      return [
        {
          table: r.table,
          unique: r.unique,
          sql: buildOn(r, `${r.table}_next`, r.index + NEXT_INDEX_SUFFIX),
        },
      ];
    if (!r.constraintdef?.startsWith('PRIMARY KEY')) return [];
    const key = r.columns.filter((c) => c !== 'province').join(', ');
    return [
      {
        table: r.table,
        unique: true,
        sql: `CREATE UNIQUE INDEX ${r.table}_load_key ON ${r.table}_load (${key})`,
      },
    ];
  });
}

/**
 * The statements that give every partition of `<table>_next` the indexes and keys of `<table>`,
 * one text per partition (independent of each other: run them side by side), then those that
 * create the parents' (which find the partitions' and attach them rather than build anything).
 */
export async function partitionIndexBuilds(
  client: pg.PoolClient,
  provinces: readonly string[],
): Promise<{ partitions: string[]; parents: string[] }> {
  const indexes = (await servedIndexes(client)).filter((r) => isPartitioned(r.table));
  const partitions = PARTITIONED_TABLES.flatMap((table) =>
    provinces.map((p) => {
      const partition = partitionName(`${table}_next`, p);
      const suffix = partition.slice(`${table}_next`.length);
      return indexes
        .filter((r) => r.table === table)
        .map((r) => buildOn(r, partition, `${r.index}${suffix}${NEXT_INDEX_SUFFIX}`))
        .join(';\n');
    }),
  );
  const parents = indexes.map((r) => buildOn(r, `${r.table}_next`, r.index + NEXT_INDEX_SUFFIX));
  return { partitions, parents };
}

/**
 * The statements that fill the partitions of `<table>_next` from `<table>_load`, in `slices`
 * independent parts (block ranges of the load table, run them side by side): households with the
 * province of their village, members with their household's.
 */
export async function distributionStatements(
  client: pg.PoolClient,
  table: PartitionedTable,
  slices: number,
): Promise<string[]> {
  const { rows } = await client.query<{ column: string; blocks: string }>(
    `SELECT a.attname AS column,
            pg_relation_size($1::regclass) / current_setting('block_size')::int AS blocks
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [`${table}_load`],
  );
  const columns = rows.map((r) => r.column);
  const blocks = Number(rows[0]!.blocks);
  const step = Math.max(1, Math.ceil((blocks + 1) / slices));
  const list = columns.join(', ');
  const values = columns.map((c) => `t.${c}`).join(', ');
  const statements: string[] = [];
  for (let from = 0; from <= blocks; from += step) {
    const range = `t.ctid >= '(${from},0)'::tid AND t.ctid < '(${from + step},0)'::tid`;
    statements.push(
      table === 'household'
        ? `INSERT INTO household_next (${list}, province)
           SELECT ${values}, ${householdProvinceSql('t')} FROM household_load t WHERE ${range}`
        : `INSERT INTO member_next (${list}, province)
           SELECT ${values}, ${householdProvinceSql('h')}
             FROM member_load t JOIN household_load h ON h.household_id = t.household_id
            WHERE ${range}`,
    );
  }
  return statements;
}

/**
 * Replaces the served tables by the staged ones. Run inside the caller's transaction: readers see
 * the old snapshot until it commits and the new one after, never a mix.
 */
export async function swapInStagingTables(client: pg.PoolClient): Promise<void> {
  const staged = SNAPSHOT_TABLES.map((t) => `${t}_next`);
  const { rows: partitions } = await client.query<{ partition: string }>(
    `SELECT c.relname AS partition
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = ANY($1::regclass[])`,
    [staged],
  );
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
    [[...staged, ...partitions.map((p) => p.partition)]],
  );
  const served = (name: string) => name.replace(/_next(?=(_p\w+)?$)/, '');
  for (const table of SNAPSHOT_TABLES) {
    await client.query(`DROP TABLE ${table}`);
    await client.query(`ALTER TABLE ${table}_next RENAME TO ${table}`);
  }
  for (const { partition } of partitions)
    await client.query(`ALTER TABLE ${partition} RENAME TO ${served(partition)}`);
  for (const { index, table, constraint } of indexes) {
    const name = index.slice(0, -NEXT_INDEX_SUFFIX.length);
    await client.query(
      constraint
        ? `ALTER TABLE ${served(table)} RENAME CONSTRAINT ${index} TO ${name}`
        : `ALTER INDEX ${index} RENAME TO ${name}`,
    );
  }
}
