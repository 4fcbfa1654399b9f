import { randomBytes } from 'node:crypto';
import { Migrator, sql, type Migration } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, type DatabaseHandle } from '../../src/db/database.js';
import { MIGRATION_NAMES } from '../../src/db/migrator.js';
import { withDatabase } from '../support/global-setup.js';
import { REGISTRY_INDEXES } from '../support/snapshot-fixture.js';

/*
 * Migration 0032 on a database that already serves a snapshot (issue #19 item 4): the flat
 * households and members become partitioned by province with every row, its province and every
 * index; a deployment upgrading keeps serving what it served.
 */
const PARTITIONING = '0032-partition-registry-by-province';
const adminUrl = () => inject('adminUrl');
let name: string;
let handle: DatabaseHandle;

/** A migrator that knows the migrations up to `last` (all of them without). */
function migrator(last?: string): Migrator {
  const names = last
    ? MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf(last) + 1)
    : MIGRATION_NAMES;
  return new Migrator({
    db: handle.db,
    provider: {
      getMigrations: async () =>
        Object.fromEntries(
          await Promise.all(
            names.map(async (n) => [
              n,
              (await import(`../../src/db/migrations/${n}.ts`)) as Migration,
            ]),
          ),
        ),
    },
  });
}

beforeAll(async () => {
  name = `dtks_migration_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  handle = connect(withDatabase(adminUrl(), name), { max: 2 });
}, 60_000);
afterAll(async () => {
  await handle?.close();
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('migration 0032', () => {
  it('moves a served snapshot into the partitioned tables with every row, its province and every index', async () => {
    const before = MIGRATION_NAMES[MIGRATION_NAMES.indexOf(PARTITIONING) - 1]!;
    const first = await migrator(before).migrateToLatest();
    expect(first.error).toBeUndefined();
    await sql`
      INSERT INTO household (household_id, kk_number, region_code, decile, verification_status, verified_at, source)
      VALUES ('H1', '3201010101109001', '3201011001', 2, 'VERIFIED', '2026-01-15', 'SIKS_NG'),
             ('H2', '3171010202159002', '3171011001', NULL, 'PENDING', NULL, 'SIKS_DROID'),
             ('H3', '3201010303189003', NULL, 5, 'PENDING', NULL, 'BPS')`.execute(handle.db);
    await sql`
      INSERT INTO member (nik, household_id, name, status)
      VALUES ('3201011505809001', 'H1', 'Budi', 'ACTIVE'), ('3374010202709004', 'H2', 'Dewi', 'ACTIVE'),
             ('3201010707509005', 'H3', 'Yohanes', 'ACTIVE')`.execute(handle.db);

    const rest = await migrator().migrateToLatest();
    expect(rest.error).toBeUndefined();
    expect(rest.results?.map((r) => r.migrationName)).toContain(PARTITIONING);

    const { rows: members } = await sql<{ nik: string; name: string; province: string }>`
      SELECT m.nik, m.name, m.province FROM member m
        JOIN household h ON h.household_id = m.household_id AND h.province = m.province
       ORDER BY m.nik`.execute(handle.db);
    expect(members).toEqual([
      { nik: '3201010707509005', name: 'Yohanes', province: '' },
      { nik: '3201011505809001', name: 'Budi', province: '32' },
      { nik: '3374010202709004', name: 'Dewi', province: '31' },
    ]);
    const { rows: tables } = await sql<{ table: string; kind: string }>`
      SELECT relname AS table, relkind::text AS kind FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relname ~ '^(household|member)'
         AND relkind IN ('r', 'p') ORDER BY 1`.execute(handle.db);
    // Three households: below the threshold, one partition holds every province, as at import.
    expect(tables).toEqual([
      { table: 'household', kind: 'p' },
      { table: 'household_pall', kind: 'r' },
      { table: 'member', kind: 'p' },
      { table: 'member_pall', kind: 'r' },
    ]);
    const { rows: indexes } = await sql<{ name: string; def: string }>`
      SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE tablename IN ('household', 'member') ORDER BY 1`.execute(handle.db);
    expect(indexes.map((i) => i.name)).toEqual(REGISTRY_INDEXES);
    expect(indexes.find((i) => i.name === 'household_pkey')!.def).toMatch(
      /\(household_id, province\)$/,
    );
    expect(indexes.find((i) => i.name === 'household_region_verified_idx')!.def).toMatch(
      /INCLUDE \(verified_at, province\)$/,
    );
    const leftovers = await sql`SELECT 1 FROM pg_class WHERE relname LIKE '%\\_flat'`.execute(
      handle.db,
    );
    expect(leftovers.rows).toEqual([]);
  }, 120_000);
});
