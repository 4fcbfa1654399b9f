import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotRejectedError } from '../../src/snapshot/problem-collector.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { Readable } from 'node:stream';
import { importSnapshot } from '../../src/snapshot/snapshot-importer.js';
import {
  AS_OF,
  HOUSEHOLDS_HEADER,
  importText,
  validSnapshot,
  type SnapshotText,
} from '../support/snapshot-fixture.js';
import { demoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * The registry partitioned by province (issue #19 item 4, migration 0032): where an import puts
 * each row, that a NIK and a household id stay unique across partitions, that the staging
 * tables leave nothing behind, and that a region-scoped request reads its province's
 * partitions only (the plans of the statements it ran, EXPLAINed with their parameters).
 */
let db: TestDatabase;
let log: StatementLog;
let gateway: TestGateway;
let headers: Record<string, string>;

/** A regional agency's person, household and members: Budi of H1 (province 32). */
const PERSON_QUERY = `{ person(nik: "3201011505809001") { name household { members { name } } } }`;

/** The valid fixture, plus a household without a region code and its member. */
function snapshot(): SnapshotText {
  const base = validSnapshot();
  return {
    ...base,
    households: `${base.households}\nH4,3201010404209004,,,3,,,,,,,,,PENDING,,BPS`,
    members: `${base.members}\n3201010808609006,H4,Rina,F,1960-08-08,HEAD,false,NONE,false,ACTIVE`,
  };
}

/** Imports with a partition per province, however small the snapshot. */
function importPartitioned(text: SnapshotText) {
  return importSnapshot(
    db,
    {
      household: Readable.from([text.households]),
      member: Readable.from([text.members]),
      program_recipient: text.recipients === null ? null : Readable.from([text.recipients]),
      label: 'partitioned test',
    },
    { asOf: AS_OF, partitionFromHouseholds: 0 },
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  await importPartitioned(snapshot());
  const logged = withStatementLog(db);
  log = logged.log;
  gateway = await startTestGateway(logged.database);
  headers = await (await demoAccess(db, gateway)).as('pemda-3201', 'VERIVALI');
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

async function placement(table: 'household' | 'member', key: string) {
  const { rows } = await db.pool.query<{ key: string; partition: string; province: string }>(
    `SELECT ${key} AS key, tableoid::regclass::text AS partition, province FROM ${table} ORDER BY 1`,
  );
  return rows;
}

async function refusal(text: SnapshotText): Promise<string[]> {
  const error = await importPartitioned(text).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnapshotRejectedError);
  return (error as SnapshotRejectedError).problems.map((p) => `${p.file}:${p.line}:${p.reason}`);
}

/**
 * Every table a plan read, from EXPLAIN (ANALYZE, FORMAT JSON): a partition pruned while the
 * statement ran (by a parameter of an outer row) is listed, but never executed.
 */
function relations(plan: Record<string, unknown>): string[] {
  const read = typeof plan['Relation Name'] === 'string' && Number(plan['Actual Loops']) > 0;
  const own = read ? [plan['Relation Name'] as string] : [];
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [...own, ...children.flatMap(relations)];
}

/** The registry partitions the statements logged since `log.clear()` read. */
async function partitionsRead(): Promise<string[]> {
  const read = new Set<string>();
  for (const q of log.queries) {
    if (!/\b(household|member)\b/.test(q.sql)) continue;
    const { rows } = await db.pool.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`,
      q.parameters as unknown[],
    );
    for (const r of relations(rows[0]!['QUERY PLAN'][0].Plan))
      if (/^(household|member)_p/.test(r)) read.add(r);
  }
  return [...read].sort();
}

describe('the registry partitioned by province', () => {
  it('puts each household in its province’s partition and each member in its household’s, whatever the NIK says', async () => {
    expect(await placement('household', 'household_id')).toEqual([
      { key: 'H1', partition: 'household_p32', province: '32' },
      { key: 'H2', partition: 'household_p31', province: '31' },
      { key: 'H3', partition: 'household_p32', province: '32' },
      { key: 'H4', partition: 'household_pnone', province: '' },
    ]);
    const members = await placement('member', 'nik');
    // Issued in Jawa Tengah (33), living in Jakarta (31): the household decides.
    expect(members.find((m) => m.key === '3374010202709004')).toEqual({
      key: '3374010202709004',
      partition: 'member_p31',
      province: '31',
    });
    expect(members.find((m) => m.key === '3201010808609006')!.partition).toBe('member_pnone');
    expect(members.filter((m) => m.partition === 'member_p32')).toHaveLength(4);
  });

  it('has a partition per province of the snapshot, each with the served indexes, and leaves no staging table or name behind', async () => {
    const { rows } = await db.pool.query<{ partition: string; indexes: string[] }>(
      `SELECT c.relname AS partition, array_agg(i.indexname::text ORDER BY i.indexname) AS indexes
         FROM pg_inherits x JOIN pg_class c ON c.oid = x.inhrelid
         JOIN pg_indexes i ON i.tablename = c.relname
        WHERE x.inhparent IN ('household'::regclass, 'member'::regclass)
        GROUP BY c.relname`,
    );
    // One partition per province the households are in, and one for those without a region.
    expect(rows.map((r) => r.partition).sort()).toEqual([
      'household_p31',
      'household_p32',
      'household_pnone',
      'member_p31',
      'member_p32',
      'member_pnone',
    ]);
    const p32 = rows.find((r) => r.partition === 'household_p32')!;
    expect(p32.indexes).toEqual([
      'household_last_verified_idx_p32',
      'household_pkey_p32',
      'household_regency_idx_p32',
      'household_regency_verified_idx_p32',
      'household_region_idx_p32',
      'household_region_verified_idx_p32',
    ]);
    expect(rows.find((r) => r.partition === 'member_pnone')!.indexes).toEqual([
      'member_household_idx_pnone',
      'member_pkey_pnone',
    ]);
    const leftovers = await db.pool.query(
      `SELECT relname FROM pg_class
        WHERE relnamespace = 'public'::regnamespace
          AND (relname LIKE '%\\_next%' OR relname LIKE '%\\_load%')`,
    );
    expect(leftovers.rows).toEqual([]);
    // The district work-list index answers a province's count without the table.
    const { rows: def } = await db.pool.query<{ def: string }>(
      `SELECT pg_get_indexdef('household_region_verified_idx'::regclass) AS def`,
    );
    expect(def[0]!.def).toMatch(/INCLUDE \(verified_at, province\)$/);
  });

  it('refuses a NIK or a household id repeated in another province, as within one', async () => {
    const base = snapshot();
    // H1's head again, in H2 (Jakarta): another partition than the first.
    const nik = await refusal({
      ...base,
      members: `${base.members}\n3201011505809001,H2,Budi Santoso,M,1980-05-15,OTHER,false,NONE,false,ACTIVE`,
    });
    expect(nik).toEqual(['members.csv:8:NIK appears more than once (first at line 2)']);
    const household = await refusal({
      ...base,
      households: `${HOUSEHOLDS_HEADER}\n${base.households
        .split('\n')
        .slice(1)
        .join('\n')}\nH1,3171010505159005,3171011001,,4,,,,,,,,,PENDING,,BPS`,
    });
    expect(household).toEqual([
      'households.csv:7:household_id appears more than once (first at line 2)',
    ]);
    // Refused: the served snapshot is the one imported before.
    expect(await placement('household', 'household_id')).toHaveLength(4);
  });

  it('reads only the province of a regional agency’s scope, for a person and for a work list', async () => {
    log.clear();
    const person = await graphql(gateway, PERSON_QUERY, { headers });
    expect(person.body.errors).toBeUndefined();
    expect(await partitionsRead()).toEqual(['household_p32', 'member_p32']);

    log.clear();
    const list = await graphql(
      gateway,
      `
        {
          households(first: 10, filter: { regionCode: "320101" }) {
            totalCount
            edges {
              node {
                id
                members {
                  name
                }
              }
            }
          }
        }
      `,
      { headers },
    );
    expect(list.body.errors).toBeUndefined();
    expect(await partitionsRead()).toEqual(['household_p32', 'member_p32']);
  });

  it('serves a snapshot below the threshold from one partition, with the same answers', async () => {
    await importText(db, snapshot());
    expect(new Set((await placement('household', 'household_id')).map((h) => h.partition))).toEqual(
      new Set(['household_pall']),
    );
    expect(new Set((await placement('member', 'nik')).map((m) => m.partition))).toEqual(
      new Set(['member_pall']),
    );
    const person = await graphql(gateway, PERSON_QUERY, { headers });
    expect(person.body.errors).toBeUndefined();
    const { household } = (person.body.data as { person: { household: { members: unknown[] } } })
      .person;
    expect(household.members).toHaveLength(3);
  });
});
