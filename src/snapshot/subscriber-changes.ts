import { sql } from 'kysely';
import type pg from 'pg';
import { lockOutboxSql } from '../db/change-outbox.js';
import type { EligibilityRuleDefinition } from '../db/database-types.js';
import { compileRule } from '../db/scoped/eligibility-rule-sql.js';
import { householdRegionPredicate } from '../db/scoped/record-projection.js';
import { notRestrictedForAgreement } from '../db/scoped/restriction-sql.js';
import { openSubject } from '../db/subject-seal.js';
import { importCompiler, rulesAtImport } from './rules-at-import.js';

/**
 * The eligibility changes of followed subjects at an import (issue #14, CONTRACT §11).
 *
 * Before the swap, every subscription's decision is computed on the staged snapshot
 * (`member_next`, `household_next`) with the rules current at import, as the agency would see it
 * (reason codes only for agreements with detailed reasons; NOT_REGISTERED outside its region
 * scope), into a temporary table. In the swap's transaction the subscriptions made meanwhile are
 * decided too (the table is locked against new ones until the commit), and every subscription
 * whose decision differs from the one last sent becomes an event of the outbox, and its new
 * decision the one last sent. So the events commit with the swap or not at all.
 */
export interface SubscriberChanges {
  /** Subscriptions decided so far. */
  decided: number;
  /** Seconds spent deciding and writing events. */
  seconds: number;
  /** In the swap's transaction, before the swap: decides the subscriptions made meanwhile. */
  catchUp(control: pg.PoolClient): Promise<void>;
  /** In the swap's transaction, once the snapshot row exists: writes the events. */
  writeEvents(control: pg.PoolClient, snapshotId: number): Promise<number>;
  /** Drops the work table. */
  dispose(control: pg.PoolClient): Promise<void>;
}

const DECISIONS = 'change_decision_next';
/** Subscriptions opened and decided per statement. */
const PAGE = 50_000;

interface AgreementScope {
  regionScope: string[];
  detailed: boolean;
  agencyId: string;
  purposes: string[];
  purposeLegalBasis: Record<string, string>;
}

interface Rule {
  version: number;
  rule: EligibilityRuleDefinition;
}

/**
 * Decides every subscription on the staged snapshot. Needs the subject seal key when anybody
 * follows anything.
 */
export async function decideSubscriptions(
  control: pg.PoolClient,
  sealKey: Buffer | null,
  asOf: string,
  /**
   * Where pages are decided side by side before the swap (the rule's SQL is the cost: one
   * connection per core halves it on two); without it, on `control` one after another.
   */
  parallel: { pool: pg.Pool; connections: number } | null = null,
): Promise<SubscriberChanges> {
  // Subjects followed because they were checked lapse when not checked again within the
  // agreement's days (or when it no longer follows what it checks).
  await control.query(
    `DELETE FROM change_subscription s USING agreement a
      WHERE s.agreement_id = a.id AND s.origin = 'CHECKED'
        AND (a.follow_checked_days IS NULL
             OR s.checked_at < now() - make_interval(days => a.follow_checked_days))`,
  );
  const { rows: top } = await control.query<{ max: string }>(
    'SELECT coalesce(max(id), 0)::text AS max FROM change_subscription',
  );
  const started = process.hrtime.bigint();
  const rules = new Map(
    (await rulesAtImport(control, asOf)).map((r) => [
      r.program,
      { version: r.version, rule: r.rule },
    ]),
  );
  await control.query(`DROP TABLE IF EXISTS ${DECISIONS}`);
  await control.query(
    // Unlogged, not temporary: the parallel connections write it too (dropped at the end).
    `CREATE UNLOGGED TABLE ${DECISIONS} (subscription_id bigint PRIMARY KEY, reason text NOT NULL,
                                     rule_version integer NOT NULL)`,
  );
  const scopes = new Map<string, AgreementScope>();
  let decided = 0;
  let done = '0';
  const decideUpTo = async (client: pg.PoolClient, last: string | null, side: Workers | null) => {
    try {
      for (;;) {
        const { rows } = await client.query<{
          id: string;
          agreement_id: string;
          program: string;
          nik_sealed: Buffer;
        }>(
          // `id` stays bigint (pg returns it as a string): ordered as a number, not as text.
          `SELECT id, agreement_id, program, nik_sealed FROM change_subscription
            WHERE id > $1 AND ($2::bigint IS NULL OR id <= $2) ORDER BY id LIMIT ${PAGE}`,
          [done, last],
        );
        if (rows.length === 0) return;
        if (sealKey === null) {
          throw new Error(
            'agencies follow subjects (change feeds): the import needs the subject seal key (keys/subject-seal.key of DTKS_DATA_DIR)',
          );
        }
        await loadScopes(client, scopes, rows);
        const groups = new Map<string, { ids: string[]; niks: string[] }>();
        for (const row of rows) {
          const key = `${row.agreement_id}\n${row.program}`;
          let group = groups.get(key);
          if (!group) groups.set(key, (group = { ids: [], niks: [] }));
          group.ids.push(row.id);
          group.niks.push(openSubject(sealKey, row.nik_sealed));
        }
        for (const [key, group] of groups) {
          const [agreementId, program] = key.split('\n') as [string, string];
          const rule = rules.get(program);
          if (!rule) continue; // a program without a rule decides nothing (none ships so)
          const decide = (on: pg.PoolClient) =>
            insertDecisions(on, group, rule, scopes.get(agreementId)!, asOf);
          if (side) await side.run(decide);
          else await decide(client);
        }
        decided += rows.length;
        done = rows.at(-1)!.id;
      }
    } finally {
      await side?.drain();
    }
  };
  await decideUpTo(
    control,
    top[0]!.max,
    parallel && parallel.connections > 1 ? new Workers(parallel.pool, parallel.connections) : null,
  );
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;

  return {
    get decided() {
      return decided;
    },
    get seconds() {
      return seconds;
    },
    async catchUp(client) {
      const began = process.hrtime.bigint();
      // With the outbox lock, a notification that PostgreSQL sends only if the swap commits: it
      // wakes the webhook dispatcher of every gateway at once (it would else wait for its tick).
      await client.query(lockOutboxSql('import'));
      // No subscription comes or goes until the swap commits: the events cover exactly the
      // subscriptions that exist when it does.
      await client.query('LOCK TABLE change_subscription IN SHARE MODE');
      await decideUpTo(client, null, null);
      seconds += Number(process.hrtime.bigint() - began) / 1e9;
    },
    async writeEvents(client, snapshotId) {
      const began = process.hrtime.bigint();
      const { rowCount } = await client.query(
        `INSERT INTO change_event (agreement_id, kind, snapshot_id, program, subject_ref, nik_sealed, payload)
         SELECT s.agreement_id, 'ELIGIBILITY_CHANGED', $1, s.program, s.subject_ref, s.nik_sealed,
                jsonb_build_object(
                  'decisionId', gen_random_uuid(),
                  'previous', jsonb_build_object('eligible', s.eligible, 'reason', s.reason,
                                                 'ruleVersion', s.rule_version, 'dataAsOf', s.data_as_of),
                  'current', jsonb_build_object('eligible', d.reason = 'ELIGIBLE', 'reason', d.reason,
                                                'ruleVersion', d.rule_version, 'dataAsOf', $2::date))
           FROM ${DECISIONS} d JOIN change_subscription s ON s.id = d.subscription_id
          WHERE d.reason <> s.reason
          ORDER BY s.agreement_id, s.id`,
        [snapshotId, asOf],
      );
      await client.query(
        `UPDATE change_subscription s
            SET eligible = d.reason = 'ELIGIBLE', reason = d.reason, rule_version = d.rule_version,
                data_as_of = $1
           FROM ${DECISIONS} d
          WHERE s.id = d.subscription_id AND d.reason <> s.reason`,
        [asOf],
      );
      seconds += Number(process.hrtime.bigint() - began) / 1e9;
      return rowCount ?? 0;
    },
    async dispose(client) {
      await client.query(`DROP TABLE IF EXISTS ${DECISIONS}`);
    },
  };
}

/**
 * At most `size` statements under way at once, each on a connection of its own; the first
 * failure is thrown by the next `run` or by `drain`.
 */
class Workers {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly size: number,
  ) {}

  async run(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    if (this.failure) throw this.failure;
    const task = (async () => {
      const client = await this.pool.connect();
      try {
        await work(client);
      } finally {
        client.release();
      }
    })()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure;
  }
}

async function loadScopes(
  client: pg.PoolClient,
  scopes: Map<string, AgreementScope>,
  rows: ReadonlyArray<{ agreement_id: string }>,
): Promise<void> {
  const missing = [...new Set(rows.map((r) => r.agreement_id))].filter((id) => !scopes.has(id));
  if (missing.length === 0) return;
  const { rows: found } = await client.query<{
    id: string;
    agency_id: string;
    region_scope: string[];
    detailed_reasons: boolean;
    purposes: string[];
    purpose_legal_basis: Record<string, string>;
  }>(
    `SELECT id, agency_id, region_scope, detailed_reasons, purposes, purpose_legal_basis
       FROM agreement WHERE id = ANY($1)`,
    [missing],
  );
  for (const a of found) {
    scopes.set(a.id, {
      regionScope: a.region_scope,
      detailed: a.detailed_reasons,
      agencyId: a.agency_id,
      purposes: a.purposes,
      purposeLegalBasis: a.purpose_legal_basis,
    });
  }
}

/**
 * Decides one agreement's subscriptions of one program on the staged tables, exactly as
 * `evaluateEligibility` decides them for the agreement's requests (the same compiled rule, the
 * same region scope), reduced to ELIGIBLE / NOT_ELIGIBLE without detailed reasons.
 */
async function insertDecisions(
  client: pg.PoolClient,
  group: { ids: string[]; niks: string[] },
  rule: Rule,
  scope: AgreementScope,
  asOf: string,
): Promise<void> {
  const decision = compileRule(rule.rule, sql`${asOf}::date`, 'member_next');
  const reason = scope.detailed
    ? decision
    : sql`CASE WHEN ${decision} = 'ELIGIBLE' THEN 'ELIGIBLE' ELSE 'NOT_ELIGIBLE' END`;
  const inScope = householdRegionPredicate(scope.regionScope);
  // A person whose restriction stops the agreement's purposes is decided as not registered, as
  // the agreement's own requests would decide them.
  const visible = notRestrictedForAgreement(scope, sql`m.nik`);
  const statement = sql`
    INSERT INTO ${sql.table(DECISIONS)} (subscription_id, reason, rule_version)
    SELECT i.id, ${reason}, ${rule.version}::integer
      FROM unnest(${group.ids}::bigint[], ${group.niks}::text[]) AS i(id, nik)
      LEFT JOIN (member_next m JOIN household_next h
                         ON h.household_id = m.household_id AND h.province = m.province AND ${inScope})
             ON m.nik = i.nik::char(16) COLLATE "C" AND ${visible}`.compile(importCompiler);
  await client.query(statement.sql, statement.parameters as unknown[]);
}
