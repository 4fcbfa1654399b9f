import { sql } from 'kysely';
import type pg from 'pg';
import { householdRegionPredicate, regionPredicate } from '../db/scoped/record-projection.js';
import { sealSubject } from '../db/subject-seal.js';
import { HOUSING_COLUMNS } from '../synthetic/housing.js';
import { importCompiler } from './rules-at-import.js';

/**
 * The household changes of followed regions at an import (issue #14, CONTRACT §11).
 *
 * A local government follows its region by its agreement (LOCAL_GOV with the `changes:read`
 * scope). Before the swap, the served households of every followed region are compared with the
 * staged ones into a temporary table: added, removed, or changed in which fields (GraphQL names;
 * the values are never kept). In the swap's transaction each follower gets an event per
 * household that entered its region (ADDED: new, or moved in), left it (REMOVED: gone, or moved
 * out) or changed in it (CHANGED). The members' NIKs before and after are sealed into the event
 * for the audit of whoever reads or receives it. The first import (nothing served yet) writes
 * none: following starts with it.
 */
export interface RegionChanges {
  /** Households of followed regions that changed. */
  households: number;
  seconds: number;
  /** In the swap's transaction (holding the outbox lock), once the snapshot row exists. */
  writeEvents(control: pg.PoolClient, snapshotId: number): Promise<number>;
  dispose(control: pg.PoolClient): Promise<void>;
}

const DIFF = 'household_change_next';
/** Households whose members are read and sealed per statement. */
const PAGE = 20_000;

interface Follower {
  id: string;
  region_scope: string[];
}

/** Field names as Household shows them; the housing columns are one field. */
const HOUSEHOLD_FIELDS: ReadonlyArray<[string, string]> = [
  ['kkNumber', 'kk_number'],
  ['regionCode', 'region_code'],
  ['address', 'address'],
  ['decile', 'decile'],
  ['verificationStatus', 'verification_status'],
  ['verifiedAt', 'verified_at'],
];
/** The housing characteristics: one field, `housing`, for the agency. */
const HOUSING = ['floor_area_m2', ...HOUSING_COLUMNS];
const MEMBER_COLUMNS =
  'm.nik, m.name, m.sex, m.birth_date, m.relationship, m.pregnant, m.disability, m.in_school, m.status';

export async function diffFollowedRegions(
  control: pg.PoolClient,
  sealKey: Buffer | null,
): Promise<RegionChanges> {
  const started = process.hrtime.bigint();
  const { rows: followers } = await control.query<Follower>(
    `SELECT a.id, a.region_scope FROM agreement a JOIN agency g ON g.id = a.agency_id
      WHERE g.kind = 'LOCAL_GOV' AND 'changes:read' = ANY (a.scopes) AND a.revoked_at IS NULL
      ORDER BY a.id`,
  );
  await control.query(`DROP TABLE IF EXISTS ${DIFF}`);
  // The first snapshot is where following starts, not a change: no event for every household.
  const { rows: served } = await control.query('SELECT 1 FROM snapshot LIMIT 1');
  if (followers.length === 0 || served.length === 0) {
    return { households: 0, seconds: 0, writeEvents: async () => 0, dispose: async () => {} };
  }
  const followed = [...new Set(followers.flatMap((f) => f.region_scope))];
  const changedField = ([name, column]: [string, string]) =>
    `CASE WHEN o.${column} IS DISTINCT FROM n.${column} THEN '${name}' END`;
  const housing = `CASE WHEN (${HOUSING.map((c) => `o.${c}`).join(', ')}) IS DISTINCT FROM
                            (${HOUSING.map((c) => `n.${c}`).join(', ')}) THEN 'housing' END`;
  // One digest of every household's member rows per side, aggregated in one pass each (a
  // subquery per household would not scale to every region being followed).
  const digests = (members: string, households: string) =>
    `SELECT m.household_id, md5(string_agg(ROW(${MEMBER_COLUMNS})::text, ',' ORDER BY m.nik)) AS digest
       FROM ${members} m JOIN ${households} USING (household_id, province) GROUP BY m.household_id`;
  const statement = sql`
    CREATE TEMP TABLE ${sql.raw(DIFF)} AS
    WITH o AS MATERIALIZED (
           SELECT * FROM household h WHERE ${householdRegionPredicate(followed)}),
         n AS MATERIALIZED (
           SELECT * FROM household_next h WHERE ${householdRegionPredicate(followed)}),
         om AS (${sql.raw(digests('member', 'o'))}),
         nm AS (${sql.raw(digests('member_next', 'n'))})
    SELECT household_id, old_region, new_region, fields, NULL::bytea AS subjects_sealed
      FROM (
        SELECT coalesce(n.household_id, o.household_id) AS household_id,
               o.region_code AS old_region, n.region_code AS new_region,
               CASE WHEN o.household_id IS NULL OR n.household_id IS NULL THEN '{}'::text[]
                    ELSE array_remove(ARRAY[
                      ${sql.raw(HOUSEHOLD_FIELDS.map(changedField).join(',\n'))},
                      ${sql.raw(housing)},
                      CASE WHEN om.digest IS DISTINCT FROM nm.digest THEN 'members' END
                    ], NULL) END AS fields
          FROM o FULL JOIN n ON n.household_id = o.household_id
          LEFT JOIN om ON om.household_id = o.household_id
          LEFT JOIN nm ON nm.household_id = n.household_id
      ) d
     WHERE old_region IS NULL OR new_region IS NULL OR cardinality(fields) > 0`.compile(
    importCompiler,
  );
  await control.query(statement.sql, statement.parameters as unknown[]);
  await control.query(`ALTER TABLE ${DIFF} ADD PRIMARY KEY (household_id)`);
  const households = await sealMembers(control, sealKey);
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;

  return {
    households,
    get seconds() {
      return seconds;
    },
    async writeEvents(client, snapshotId) {
      const began = process.hrtime.bigint();
      let written = 0;
      for (const follower of followers) {
        const wasIn = regionPredicate(follower.region_scope, 'c.old_region');
        const isIn = regionPredicate(follower.region_scope, 'c.new_region');
        const insert = sql`
          INSERT INTO change_event (agreement_id, kind, snapshot_id, subjects_sealed, payload)
          SELECT ${follower.id}, 'HOUSEHOLD_CHANGED', ${snapshotId}::bigint, c.subjects_sealed,
                 jsonb_build_object(
                   'householdId', c.household_id,
                   'change', c.change,
                   'regionCode', CASE WHEN c.change = 'REMOVED' THEN c.old_region ELSE c.new_region END,
                   'fields', CASE WHEN c.change = 'CHANGED' THEN to_jsonb(c.fields)
                                  ELSE '[]'::jsonb END)
            FROM (SELECT c.*,
                         CASE WHEN NOT coalesce(${wasIn}, false) THEN 'ADDED'
                              WHEN NOT coalesce(${isIn}, false) THEN 'REMOVED'
                              ELSE 'CHANGED' END AS change,
                         coalesce(${wasIn}, false) OR coalesce(${isIn}, false) AS concerns
                    FROM ${sql.raw(DIFF)} c) c
           WHERE c.concerns
           ORDER BY c.household_id`.compile(importCompiler);
        const { rowCount } = await client.query(insert.sql, insert.parameters as unknown[]);
        written += rowCount ?? 0;
      }
      seconds += Number(process.hrtime.bigint() - began) / 1e9;
      return written;
    },
    async dispose(client) {
      await client.query(`DROP TABLE IF EXISTS ${DIFF}`);
    },
  };
}

/**
 * Seals the NIKs of every changed household's members, before and after, into the diff; returns
 * how many households changed.
 */
async function sealMembers(control: pg.PoolClient, sealKey: Buffer | null): Promise<number> {
  let households = 0;
  for (let after = ''; ;) {
    const { rows } = await control.query<{ household_id: string; niks: string[] }>(
      `SELECT c.household_id,
              ARRAY(SELECT nik FROM member WHERE household_id = c.household_id
                    UNION SELECT nik FROM member_next WHERE household_id = c.household_id) AS niks
         FROM ${DIFF} c WHERE c.household_id > $1 ORDER BY c.household_id LIMIT ${PAGE}`,
      [after],
    );
    if (rows.length === 0) return households;
    if (sealKey === null) {
      throw new Error(
        'households of regions local governments follow changed (change feeds): the import needs the subject seal key (keys/subject-seal.key of DTKS_DATA_DIR)',
      );
    }
    await control.query(
      `UPDATE ${DIFF} c SET subjects_sealed = s.sealed
         FROM unnest($1::text[], $2::bytea[]) AS s(household_id, sealed)
        WHERE c.household_id = s.household_id`,
      [
        rows.map((r) => r.household_id),
        rows.map((r) => sealSubject(sealKey, [...r.niks].sort().join(','))),
      ],
    );
    households += rows.length;
    after = rows.at(-1)!.household_id;
  }
}
