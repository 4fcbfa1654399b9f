import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { withStatementLog, type StatementLog } from '../support/statement-log.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

// For an agreement without detailed reasons (kemendikdasmen-pip), a registered and an unregistered
// NIK must fall in the same timing class: the same answer shape and size, the same headers, the
// same SQL statements in the same number, the same quota accounting and the same audit record. The
// only difference left is one index probe inside a single statement, far below network jitter.
// (Measured latencies of the two classes are reported by bench/eligibility, not asserted here.)

const BUDI = '3201011505809001'; // registered, adult: NOT_ELIGIBLE for PIP
const AHMAD = '3201010101159003'; // registered, in school: ELIGIBLE
const DEWI = '3374010202709004'; // registered, unranked household
const UNKNOWN = '3201019999999999'; // not registered
const UNKNOWN_OTHER_PROVINCE = '3374019999999998';

let base: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
let log: StatementLog;

beforeAll(async () => {
  base = await createTestDatabase();
  await importText(base, validSnapshot());
  const logged = withStatementLog(base);
  log = logged.log;
  gateway = await startTestGateway(logged.database);
  access = await demoAccess(base, gateway);
});
afterAll(async () => {
  await gateway?.close();
  await base?.close();
});

interface Observation {
  status: number;
  headerNames: string[];
  bodyLength: number;
  shape: unknown;
  statements: string[];
  newQuotaSubjects: number;
  audit: { operation: string; outcome: string; subjects: number; decisions: number };
}

async function observe(nik: string, query: string): Promise<Observation> {
  const headers = await access.as('kemendikdasmen-pip', 'PIP_TARGETING');
  // Warm the rule and policy caches so that both classes are observed in the same cache state.
  await post(UNKNOWN_OTHER_PROVINCE, query, headers);
  await base.pool.query("DELETE FROM daily_subject WHERE agreement_id = 'kemendikdasmen-pip-pks'");
  const auditBefore = await lastAuditId();
  log.clear();
  const response = await post(nik, query, headers);
  const statements = [...log.statements];
  const text = await response.text();
  const body = JSON.parse(text) as { data: Record<string, unknown> };
  const { rows } = await base.pool.query(
    `SELECT operation, outcome, cardinality(subjects) AS subjects, cardinality(decision_ids) AS decisions
       FROM audit_event WHERE id > $1 ORDER BY id DESC LIMIT 1`,
    [auditBefore],
  );
  return {
    status: response.status,
    headerNames: [...response.headers.keys()].filter((h) => h !== 'date' && h !== 'x-request-id'),
    bodyLength: text.length,
    shape: JSON.parse(
      JSON.stringify(body).replace(/"(decisionId|subjectRef)":"[^"]*"/g, '"$1":"…"'),
    ) as unknown,
    statements,
    newQuotaSubjects: await quotaSubjects(),
    audit: rows[0] as Observation['audit'],
  };
}

function post(nik: string, query: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables: { nik } }),
  });
}

/** Subjects counted for the quota; they are recorded just after the answer, so wait a little. */
async function quotaSubjects(): Promise<number> {
  let n = 0;
  for (let wait = 0; wait < 40 && n === 0; wait++) {
    if (wait > 0) await new Promise((r) => setTimeout(r, 50));
    const { rows } = await base.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM daily_subject WHERE agreement_id = 'kemendikdasmen-pip-pks'",
    );
    n = rows[0]!.n;
  }
  return n;
}

async function lastAuditId(): Promise<number> {
  const { rows } = await base.pool.query<{ id: string | null }>(
    'SELECT max(id) AS id FROM audit_event',
  );
  return Number(rows[0]!.id ?? 0);
}

describe('timing class of coarse eligibility answers', () => {
  const SINGLE =
    'query($nik: NIK!) { eligibility(nik: $nik, program: PIP) { program eligible reason decisionId dataAsOf ruleVersion subjectRef decile } }';

  it('does the same work and gives the same shape for a registered and an unregistered NIK', async () => {
    const registered = await observe(BUDI, SINGLE);
    const unregistered = await observe(UNKNOWN, SINGLE);
    expect(registered.status).toBe(200);
    expect(registered.statements).toHaveLength(1); // one statement per decision, whatever the NIK
    expect(unregistered).toEqual(registered);
    expect(registered.newQuotaSubjects).toBe(1);
    expect(registered.audit).toEqual({
      operation: 'query:eligibility',
      outcome: 'DISCLOSED',
      subjects: 1,
      decisions: 1,
    });
  });

  it('keeps the class across a registered household without a ranking and another province', async () => {
    const reference = await observe(UNKNOWN, SINGLE);
    for (const nik of [DEWI, UNKNOWN_OTHER_PROVINCE]) {
      expect(await observe(nik, SINGLE)).toEqual(reference);
    }
  });

  it('differs only in eligible and reason between an eligible and a not-eligible NIK', async () => {
    const eligible = await observe(AHMAD, SINGLE);
    const unregistered = await observe(UNKNOWN, SINGLE);
    expect(eligible.statements).toEqual(unregistered.statements);
    expect(eligible.headerNames).toEqual(unregistered.headerNames);
    expect(eligible.audit).toEqual(unregistered.audit);
    expect(eligible.shape).toMatchObject({ data: { eligibility: { reason: 'ELIGIBLE' } } });
  });
});
