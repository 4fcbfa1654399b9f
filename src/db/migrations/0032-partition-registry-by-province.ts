import { sql, type Kysely } from 'kysely';
import {
  EVERY_PROVINCE,
  PARTITION_FROM_HOUSEHOLDS,
  householdProvinceSql,
  partitionedTableDdl,
} from '../registry-partitions.js';

/**
 * The served registry partitioned by province (issue #19, docs/scale.md): `household` and
 * `member` become LIST-partitioned on a new `province` column: one partition per province its
 * households are in and one for those without a region (`''`), or, below
 * PARTITION_FROM_HOUSEHOLDS households, one partition for all, as every import does from now on
 * (src/snapshot/snapshot-importer.ts). A household's province is
 * the first two digits of its village code; a member's is its household's (a NIK's first digits
 * name the province that issued it, not where the person lives). Region-scoped statements then
 * read one partition, and an import fills and indexes the partitions side by side
 * (src/snapshot/staging-tables.ts).
 *
 * PostgreSQL enforces a unique key of a partitioned table only together with the partition key,
 * so the keys become (household_id, province) and (nik, province). That a household id and a NIK
 * are unique across provinces too is checked by every import before it distributes the rows
 * (src/snapshot/cross-checks.ts); the served tables are written by nothing else.
 *
 * The rows served now are copied over, and every index of the flat tables is re-created on the
 * partitioned ones under its name (the primary keys as the keys above). The district work-list
 * index (migration 0029) also includes `province`: region-scoped statements name their province
 * so that PostgreSQL prunes partitions, and it keeps that condition as a filter, which an
 * index-only scan can check only from a column of the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The partitions an import would make of the rows served now.
  const { rows: count } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM household`.execute(db);
  const { rows: provinces } = await sql<{ code: string }>`
    SELECT DISTINCT ${sql.raw(householdProvinceSql('h'))} AS code FROM household h ORDER BY 1`.execute(
    db,
  );
  const codes =
    count[0]!.n >= PARTITION_FROM_HOUSEHOLDS ? provinces.map((p) => p.code) : [EVERY_PROVINCE];
  const indexes = new Map<string, string[]>();
  for (const table of ['household', 'member']) {
    const { rows } = await sql<{ def: string; primary: boolean }>`
      SELECT pg_get_indexdef(x.indexrelid) AS def, x.indisprimary AS primary
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = ${table}::regclass`.execute(db);
    indexes.set(
      table,
      rows
        .filter((r) => !r.primary)
        .map((r) =>
          r.def
            .replace(/ ON (public\.)?\w+ /, ` ON ${table} `)
            .replace(/ INCLUDE \(verified_at\)$/, ' INCLUDE (verified_at, province)'),
        ),
    );
    await sql.raw(`ALTER TABLE ${table} RENAME TO ${table}_flat`).execute(db);
    for (const statement of partitionedTableDdl(table, `${table}_flat`, codes, {
      addProvince: true,
    }))
      await sql.raw(statement).execute(db);
  }
  await sql`
    INSERT INTO household SELECT f.*, ${sql.raw(householdProvinceSql('f'))} FROM household_flat f`.execute(
    db,
  );
  await sql`
    INSERT INTO member SELECT m.*, ${sql.raw(householdProvinceSql('h'))}
      FROM member_flat m JOIN household_flat h ON h.household_id = m.household_id`.execute(db);
  await sql`DROP TABLE member_flat, household_flat`.execute(db);
  await sql`
    ALTER TABLE household ADD CONSTRAINT household_pkey PRIMARY KEY (household_id, province)`.execute(
    db,
  );
  await sql`ALTER TABLE member ADD CONSTRAINT member_pkey PRIMARY KEY (nik, province)`.execute(db);
  for (const table of ['household', 'member']) {
    for (const def of indexes.get(table)!) await sql.raw(def).execute(db);
  }
  await sql`ANALYZE household, member`.execute(db);
}
