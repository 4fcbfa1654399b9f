import { sql, type Kysely } from 'kysely';
import type { Database } from './database-types.js';
import { JOB_SCHEMA } from './job-queue.js';

/**
 * The rights the serving gateway has in PostgreSQL: this is the place.
 *
 * The gateway answers requests as a least-privilege role, never as the owner of the tables:
 * migrations and snapshot imports run as the owner (`DATABASE_URL`), requests as a login role that
 * is a member of the group role `dtks_runtime`. The group may read every table, write only the
 * tables below, and on the audit tables only add rows: no UPDATE, DELETE or TRUNCATE, no DDL, no
 * superuser. So whoever holds the runtime role's password (or a connection of the gateway) cannot
 * rewrite or remove an audit event; what they could add is caught by the signed checkpoints
 * (src/audit/checkpoint-key.ts).
 *
 * A table not listed here is read-only to the gateway. A new table the gateway must write goes
 * here, with the fewest privileges its statements need (`ON CONFLICT … DO UPDATE` and
 * `SELECT … FOR UPDATE` need UPDATE).
 */
export const RUNTIME_GROUP = 'dtks_runtime';

/** The login role `serve` creates and uses when DATABASE_RUNTIME_URL is not set. */
export const DEFAULT_RUNTIME_LOGIN = 'dtks_gateway';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Privilege = 'INSERT' | 'UPDATE' | 'DELETE';

export const RUNTIME_WRITES: Readonly<Record<string, readonly Privilege[]>> = Object.freeze({
  // The audit log: append only (CONTRACT §6, docs/security.md "Database roles").
  audit_event: ['INSERT'],
  audit_checkpoint: ['INSERT'],
  // Hourly counts of audit events, added to by the audit writer with each batch: monitoring
  // figures derived from the log (gatewayUse), not evidence; the log itself stays append-only.
  audit_usage: ['INSERT', 'UPDATE'],
  // Usage limits shared by all gateway processes (counters, pruned by the gateway).
  rate_window: ['INSERT', 'UPDATE', 'DELETE'],
  daily_usage: ['INSERT', 'UPDATE'],
  daily_subject: ['INSERT', 'DELETE'],
  // Verification submissions and their review (CONTRACT §9).
  verification_submission: ['INSERT', 'UPDATE'],
  // The differential-privacy ledger and its published answers (CONTRACT §8).
  statistics_answer_cache: ['INSERT', 'UPDATE'],
  privacy_spend: ['INSERT'],
  // The subjects ministries follow (change feeds, CONTRACT §11): subscribed, or refreshed by a
  // check when the agreement follows what it checks.
  change_subscription: ['INSERT', 'UPDATE', 'DELETE'],
  // Change events: imports write most; a verification review writes its status event.
  change_event: ['INSERT'],
  // Webhook deliveries of change events, and how far each agreement's events were dispatched.
  webhook_delivery: ['INSERT', 'UPDATE'],
  webhook_cursor: ['INSERT', 'UPDATE'],
  // What DCI partners asked under a transaction id, and how it ended (statuses only); deleted
  // after DTKS_DCI_STATUS_DAYS.
  dci_transaction: ['INSERT', 'UPDATE', 'DELETE'],
  // Message ids seen (replays refused), pruned by the gateway after the accepted clock window.
  dci_message: ['INSERT', 'DELETE'],
  // DCI callbacks to send, and the subscriptions `registry/subscribe` started.
  dci_callback: ['INSERT', 'UPDATE'],
  dci_subscription: ['INSERT', 'UPDATE'],
  // How far each agreement's change events were sent as DCI notify callbacks.
  dci_notify_cursor: ['INSERT', 'UPDATE'],
  // Restrictions of processing a person or the administrator asked for: added and lifted, never
  // deleted (CONTRACT §13).
  processing_restriction: ['INSERT', 'UPDATE'],
  // Grievances (sanggah): opened by a subjects' service or a ministry, handled by the region.
  grievance: ['INSERT', 'UPDATE'],
});

/** Serialises `grantRuntimeRights` between processes (a transaction-scoped advisory lock). */
const GRANT_LOCK = 7_365_428_092;

/** Tables no runtime role may ever change, only add to (checked at start by `serve`). */
export const APPEND_ONLY_TABLES = ['audit_event', 'audit_checkpoint'] as const;

/**
 * Gives the group role exactly the rights above, in one transaction (a gateway serving meanwhile
 * never sees a gap): everything revoked, then SELECT on every table and sequence use, then the
 * writes. Run by every `migrate`, after the migrations; new tables the owner creates later (a
 * snapshot swapped in by an import) are readable through the default privileges of migration 0013.
 */
export async function grantRuntimeRights(db: Kysely<Database>): Promise<void> {
  await retryCatalogRace(() =>
    db.transaction().execute(async (trx) => {
      // Commands started together (two gateways, an import beside a serve) would otherwise update
      // the same catalog rows at once ("tuple concurrently updated"): one at a time.
      await sql`SELECT pg_advisory_xact_lock(${GRANT_LOCK})`.execute(trx);
      const group = sql.id(RUNTIME_GROUP);
      await sql`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${group}`.execute(trx);
      await sql`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${group}`.execute(trx);
      await sql`GRANT USAGE ON SCHEMA public TO ${group}`.execute(trx);
      await sql`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${group}`.execute(trx);
      await sql`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${group}`.execute(trx);
      for (const [table, privileges] of Object.entries(RUNTIME_WRITES)) {
        await sql`GRANT ${sql.raw(privileges.join(', '))} ON ${sql.table(table)} TO ${group}`.execute(
          trx,
        );
      }
      // The job queue (src/db/job-queue.ts): the gateway takes, completes and archives its jobs.
      // Its tables hold job ids and delivery ids only, never personal data.
      const { rows } = await sql<{ found: boolean }>`
        SELECT to_regnamespace(${JOB_SCHEMA}) IS NOT NULL AS found`.execute(trx);
      if (rows[0]?.found) {
        const jobs = sql.id(JOB_SCHEMA);
        await sql`REVOKE ALL ON ALL TABLES IN SCHEMA ${jobs} FROM ${group}`.execute(trx);
        await sql`GRANT USAGE ON SCHEMA ${jobs} TO ${group}`.execute(trx);
        await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${jobs} TO ${group}`.execute(
          trx,
        );
        await sql`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${jobs} TO ${group}`.execute(trx);
      }
    }),
  );
}

/**
 * Makes `login` a login role in the runtime group with `password` (creating it when missing), and
 * takes every stronger attribute away from it. Needs an owner with CREATEROLE (the embedded
 * server's owner is a superuser). Roles belong to the whole server, not one database.
 */
export async function ensureRuntimeLogin(
  db: Kysely<Database>,
  login: string,
  password: string,
): Promise<void> {
  if (!ROLE_NAME.test(login)) throw new Error(`"${login}" is not a plain role name`);
  const role = sql.id(login);
  // Roles belong to the whole server: serves of other databases may do this at the same moment.
  await retryCatalogRace(() =>
    db.transaction().execute(async (trx) => {
      await sql`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${sql.lit(login)}) THEN
        CREATE ROLE ${role};
      END IF;
    END $$`.execute(trx);
      await sql`ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${sql.lit(password)}`.execute(
        trx,
      );
      await sql`GRANT ${sql.id(RUNTIME_GROUP)} TO ${role}`.execute(trx);
    }),
  );
}

/**
 * Runs a transaction that changes shared catalog rows again when a concurrent one changed them
 * first: PostgreSQL takes no row lock on catalogs for GRANT and ALTER ROLE and fails the later
 * one with "tuple concurrently updated" (or a duplicate key for two CREATE ROLE) instead.
 */
async function retryCatalogRace<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const message = (error as Error).message ?? '';
      const race =
        message.includes('tuple concurrently updated') ||
        (error as { code?: string }).code === '23505';
      if (!race || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** What a runtime role may do that it must not; empty when it is least-privilege. */
export async function excessRuntimeRights(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{
    role: string;
    superuser: boolean;
    bypass_rls: boolean;
    create_role: boolean;
    owns: string | null;
    create_in_schema: boolean;
    audit_rights: string | null;
  }>`
    SELECT current_user AS role,
           r.rolsuper AS superuser,
           r.rolbypassrls AS bypass_rls,
           r.rolcreaterole AS create_role,
           (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'u')
               AND pg_has_role(current_user, c.relowner, 'USAGE')) AS owns,
           has_schema_privilege('public', 'CREATE') AS create_in_schema,
           (SELECT string_agg(t || ' ' || p, ', ' ORDER BY t, p)
              FROM unnest(${sql.val([...APPEND_ONLY_TABLES])}::text[]) AS t,
                   unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) AS p
             WHERE to_regclass(t) IS NOT NULL AND has_table_privilege(t, p)) AS audit_rights
    FROM pg_roles r WHERE r.rolname = current_user`.execute(db);
  const r = rows[0];
  if (!r) return ['the current role is not in pg_roles'];
  const excess: string[] = [];
  if (r.superuser) excess.push('is a superuser');
  if (r.bypass_rls) excess.push('bypasses row-level security');
  if (r.create_role) excess.push('may create roles');
  if (r.owns)
    excess.push(`owns tables (${r.owns.length > 80 ? r.owns.slice(0, 80) + '…' : r.owns})`);
  if (r.create_in_schema) excess.push('may create objects in schema public');
  if (r.audit_rights) excess.push(`may change the audit log (${r.audit_rights})`);
  return excess;
}
