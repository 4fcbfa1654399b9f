import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Database } from '../../src/db/database-types.js';
import { currentRules } from '../../src/db/queries/eligibility-rule-queries.js';
import { compileRule } from '../../src/db/scoped/eligibility-rule-sql.js';

/**
 * The bare baselines of the eligibility benchmark: plain `pg` with the same decision (the
 * program's rule compiled to the same CASE expression), without GraphQL, token, gate, quota or
 * audit chain.
 */
export interface BareEligibility {
  /** One statement for one NIK, the gateway's own shape (text and parameters; `$n` is the NIKs). */
  single: { text: string; values: unknown[]; niksAt: number };
  /** The textbook batch: `m.nik = ANY($n)`, unregistered NIKs filled in by the caller. */
  many: { text: string; values: unknown[]; niksAt: number };
}

const SENTINEL = ['bench-sentinel'];

/** Compiles the bare statements for a program's current rule. */
export async function bareEligibilityStatements(
  pool: pg.Pool,
  program: string,
): Promise<BareEligibility> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const rule = (await currentRules(db)).find((r) => r.program === program);
  if (!rule) throw new Error(`no rule for ${program}`);
  const asOf = sql`(SELECT as_of FROM snapshot ORDER BY id DESC LIMIT 1)`;
  const decision = compileRule(rule.rule, asOf);
  const place = (compiled: { sql: string; parameters: readonly unknown[] }) => ({
    text: compiled.sql,
    values: [...compiled.parameters],
    niksAt: compiled.parameters.indexOf(SENTINEL),
  });
  return {
    single: place(
      sql`SELECT ${decision} AS reason, ${asOf} AS as_of
            FROM unnest(${SENTINEL}::text[]) AS i(nik)
            LEFT JOIN (member m JOIN household h ON h.household_id = m.household_id)
                   ON m.nik = i.nik::char(16) COLLATE "C"`.compile(db),
    ),
    many: place(
      sql`SELECT m.nik, ${decision} AS reason
            FROM member m JOIN household h ON h.household_id = m.household_id
           WHERE m.nik = ANY(${SENTINEL}::char(16)[])`.compile(db),
    ),
  };
}

function withNiks(statement: BareEligibility['single'], niks: string[]): unknown[] {
  const values = [...statement.values];
  values[statement.niksAt] = niks;
  return values;
}

/**
 * The bare single check over HTTP: parse the JSON body, one statement, write JSON. The same lookup
 * and decision as the gateway's `eligibility`.
 */
export function startBareEligibilityServer(
  pool: pg.Pool,
  statements: BareEligibility,
): Promise<number> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        variables: { nik: string };
      };
      pool
        .query<{ reason: string; as_of: string }>(
          statements.single.text,
          withNiks(statements.single, [body.variables.nik]),
        )
        .then(({ rows }) => {
          const row = rows[0]!;
          const payload = JSON.stringify({
            data: {
              eligibility: {
                eligible: row.reason === 'ELIGIBLE',
                reason: row.reason,
                dataAsOf: row.as_of,
              },
            },
          });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          });
          res.end(payload);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export const BARE_AUDIT_TABLE = `CREATE TABLE IF NOT EXISTS bench_bare_audit (
  id bigserial PRIMARY KEY, at timestamptz NOT NULL, subjects text[] NOT NULL, decision_ids text[] NOT NULL)`;

/**
 * The bare batch: the `= ANY` query, then one audit row with a keyed hash of every NIK and a
 * decision id each, committed (fsync on) before the answer counts as given.
 */
export async function bareBatch(
  pool: pg.Pool,
  statements: BareEligibility,
  niks: string[],
  key: Buffer,
): Promise<number> {
  const { rows } = await pool.query<{ nik: string; reason: string }>(
    statements.many.text,
    withNiks(statements.many, niks),
  );
  const found = new Map(rows.map((r) => [r.nik, r.reason]));
  const reasons = niks.map((nik) => found.get(nik) ?? 'NOT_REGISTERED');
  const subjects = niks.map((nik) => createHmac('sha256', key).update(nik).digest('hex'));
  const decisionIds = niks.map(() => randomUUID());
  await pool.query(
    'INSERT INTO bench_bare_audit (at, subjects, decision_ids) VALUES (now(), $1, $2)',
    [subjects, decisionIds],
  );
  return reasons.length;
}
