import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

// Fixture (as of 2026-06-30): Budi (H1, decile 2, born 1980) ACTIVE; Ahmad (H1, born 2015, in school);
// Dewi (H2, unranked); Yohanes (H3, decile 9, DECEASED, REJECTED household).
const BUDI = '3201011505809001';
const AHMAD = '3201010101159003';
const DEWI = '3374010202709004';
const YOHANES = '3201010707509005';
const UNKNOWN = '3201019999999999';
const DECIDE =
  'query($nik: NIK!, $p: Program!) { eligibility(nik: $nik, program: $p) { program eligible reason decisionId dataAsOf ruleVersion subjectRef decile } }';

type Decision = {
  eligible: boolean;
  reason: string;
  decisionId: string;
  dataAsOf: string;
  subjectRef: string;
  decile: number | null;
  program: string;
  ruleVersion: number;
};
const decisionOf = (r: { body: { data?: unknown } }) =>
  (r.body.data as { eligibility: Decision }).eligibility;

describe('eligibility for partner ministries', () => {
  it('gives detailed reasons in the contract’s order to agreements that have them', async () => {
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const reasons: Record<string, string> = {};
    for (const [name, nik] of Object.entries({ BUDI, DEWI, YOHANES, UNKNOWN })) {
      reasons[name] = decisionOf(
        await graphql(gateway, DECIDE, { variables: { nik, p: 'PKH' }, headers }),
      ).reason;
    }
    expect(reasons).toEqual({
      BUDI: 'ELIGIBLE',
      DEWI: 'NOT_RANKED',
      YOHANES: 'INACTIVE',
      UNKNOWN: 'NOT_REGISTERED',
    });
    const budi = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: BUDI, p: 'BPNT' }, headers }),
    );
    expect(budi).toMatchObject({
      program: 'BPNT',
      eligible: true,
      dataAsOf: '2026-06-30',
      ruleVersion: 1,
      decile: 2,
    });
    expect(budi.decisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes a registered and an unregistered NIK indistinguishable without detailed reasons', async () => {
    const headers = await access.as('kemendikdasmen-pip', 'PIP_TARGETING');
    const registered = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: BUDI, p: 'PIP' }, headers }),
    );
    const unknown = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: UNKNOWN, p: 'PIP' }, headers }),
    );
    const shape = (d: Decision) => ({ ...d, decisionId: 'x', subjectRef: 'x' });
    expect(shape(registered)).toEqual(shape(unknown));
    expect(registered).toMatchObject({ eligible: false, reason: 'NOT_ELIGIBLE', decile: null });
    expect(unknown.subjectRef).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ahmad = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: AHMAD, p: 'PIP' }, headers }),
    );
    expect(ahmad).toMatchObject({ eligible: true, reason: 'ELIGIBLE', decile: null });
  });

  it('gives each agency a stable pseudonym that other agencies cannot link', async () => {
    const kemensos = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const kemenkes = await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION');
    const a1 = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: BUDI, p: 'PKH' }, headers: kemensos }),
    );
    const a2 = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: BUDI, p: 'BPNT' }, headers: kemensos }),
    );
    const b = decisionOf(
      await graphql(gateway, DECIDE, { variables: { nik: BUDI, p: 'PBI_JK' }, headers: kemenkes }),
    );
    expect(a1.subjectRef).toBe(a2.subjectRef);
    expect(b.subjectRef).not.toBe(a1.subjectRef);
    expect(b.decile).toBeNull(); // kemenkes: decile withheld
    expect(a1.decisionId).not.toBe(a2.decisionId);
  });

  it('refuses programs outside the agreement', async () => {
    const r = await graphql(gateway, DECIDE, {
      variables: { nik: BUDI, p: 'PKH' },
      headers: await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION'),
    });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers a batch in input order, duplicates included, and records every decision id in the audit log', async () => {
    const r = await graphql(
      gateway,
      'query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: PBI_JK) { reason decisionId } }',
      {
        variables: { n: [UNKNOWN, BUDI, DEWI, BUDI] },
        headers: {
          ...(await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION')),
          'x-request-id': 'batch-1',
        },
      },
    );
    const decisions = (
      r.body.data as { eligibilityBatch: Array<{ reason: string; decisionId: string }> }
    ).eligibilityBatch;
    expect(decisions.map((d) => d.reason)).toEqual([
      'NOT_REGISTERED',
      'ELIGIBLE',
      'NOT_RANKED',
      'ELIGIBLE',
    ]);
    const { rows } = await db.pool.query(
      "SELECT decision_ids, cardinality(subjects) AS subjects, outcome FROM audit_event WHERE request_id = 'batch-1'",
    );
    expect(rows).toHaveLength(1);
    expect([...rows[0].decision_ids].sort()).toEqual(decisions.map((d) => d.decisionId).sort());
    expect(rows[0].subjects).toBe(3);
  });

  it('lists every program with its rule in plain words and its version', async () => {
    const r = await graphql(gateway, '{ programs { code unit ruleVersion rule } }', {
      headers: await access.as('kemenkes-pbi'),
    });
    const programs = (
      r.body.data as {
        programs: Array<{ code: string; unit: string; ruleVersion: number; rule: string }>;
      }
    ).programs;
    expect(programs.map((p) => `${p.code}/${p.unit}/${p.ruleVersion}`)).toEqual([
      'BPNT/HOUSEHOLD/1',
      'PBI_JK/PERSON/1',
      'PIP/PERSON/1',
      'PKH/HOUSEHOLD/1',
    ]);
    expect(programs.find((p) => p.code === 'PKH')!.rule).toMatch(/decile 1–4.*pregnant/);
  });
});

describe('batch limits', () => {
  it('counts NIKs across all fields and aliases, so aliases cannot multiply the limit', async () => {
    await db.pool.query("UPDATE agreement SET batch_limit = 3 WHERE id = 'kemenkes-pbi-pks'");
    await db.pool.query("SELECT pg_notify('dtks_policy', 'kemenkes-pbi')");
    await new Promise((r) => setTimeout(r, 100));
    const headers = await access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION');
    const within = await graphql(
      gateway,
      'query($n: [NIK!]!) { a: eligibilityBatch(niks: $n, program: PBI_JK) { reason } b: eligibility(nik: "3201011505809001", program: PBI_JK) { reason } }',
      {
        variables: { n: [BUDI, DEWI] },
        headers,
      },
    );
    expect(within.body.errors).toBeUndefined();
    const over = await graphql(
      gateway,
      'query($n: [NIK!]!) { a: eligibilityBatch(niks: $n, program: PBI_JK) { reason } b: eligibilityBatch(niks: $n, program: PBI_JK) { reason } }',
      {
        variables: { n: [BUDI, DEWI] },
        headers,
      },
    );
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('BATCH_TOO_LARGE');
    expect(over.body.data).toBeUndefined();
    const viaFragment = await graphql(
      gateway,
      'query { ...F ...F2 } fragment F on Query { x: eligibility(nik: "3201011505809001", program: PBI_JK) { reason } y: eligibility(nik: "3201011505809001", program: PBI_JK) { reason } } fragment F2 on Query { z: eligibility(nik: "3201011505809001", program: PBI_JK) { reason } w: eligibility(nik: "3201011505809001", program: PBI_JK) { reason } }',
      { headers },
    );
    expect(viaFragment.body.errors?.[0]?.extensions?.code).toBe('BATCH_TOO_LARGE');
    await db.pool.query("UPDATE agreement SET batch_limit = 10000 WHERE id = 'kemenkes-pbi-pks'");
    await db.pool.query("SELECT pg_notify('dtks_policy', 'kemenkes-pbi')");
  });
});

describe('usage limits', () => {
  async function setLimits(column: 'rate_limit_per_minute' | 'daily_quota', value: number) {
    await db.pool.query(`UPDATE agreement SET ${column} = $1 WHERE id = 'kemensos-bansos-pks'`, [
      value,
    ]);
    await db.pool.query("SELECT pg_notify('dtks_policy', 'kemensos-bansos')");
    await new Promise((r) => setTimeout(r, 100));
  }

  it('answers 429 RATE_LIMITED with Retry-After past the requests per minute', async () => {
    // A client of its own, so that no other test's requests count in its minute.
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'kemensos-bansos')!;
    const probe = registration({ ...demo, clientId: 'rate-probe' }, 'unused-hash');
    await saveClient(db.db, { ...probe, agreement: { ...probe.agreement, rateLimitPerMinute: 3 } });
    const headers = { authorization: `Bearer ${await access.token('rate-probe')}` };
    // The limit counts per clock minute: start early in one, so the four requests share it (on
    // a busy CI machine four first requests of a new client once took more than 5 s).
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 40_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ me { clientId } }' }),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      ((await last!.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!
        .extensions.code,
    ).toBe('RATE_LIMITED');
    const { rows } = await db.pool.query(
      "SELECT client_id, error_code FROM audit_event WHERE error_code = 'RATE_LIMITED'",
    );
    expect(rows).toContainEqual({ client_id: 'rate-probe', error_code: 'RATE_LIMITED' });
    // The counts reach the shared table for the other gateway processes (flushed every 200 ms;
    // allow for a busy machine).
    let shared = 0;
    for (let wait = 0; wait < 30 && shared < 3; wait++) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await db.pool.query<{ n: number | null }>(
        "SELECT sum(requests)::int AS n FROM rate_window WHERE client_id = 'rate-probe'",
      );
      shared = rows[0]!.n ?? 0;
    }
    expect(shared).toBe(3);
  });

  it('refuses checks past the daily quota of distinct NIKs; repeated NIKs count once', async () => {
    await db.pool.query("DELETE FROM daily_subject WHERE agreement_id = 'kemensos-bansos-pks'");
    await db.pool.query("DELETE FROM daily_usage WHERE agreement_id = 'kemensos-bansos-pks'");
    await setLimits('daily_quota', 2);
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const batch = (niks: string[]) =>
      graphql(
        gateway,
        'query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: BPNT) { reason } }',
        { variables: { n: niks }, headers },
      );
    expect((await batch([BUDI, DEWI, BUDI])).body.errors).toBeUndefined();
    expect((await batch([DEWI, BUDI])).body.errors).toBeUndefined(); // the same two: still within 2
    const over = await batch([UNKNOWN]);
    expect(over.status).toBe(429);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(over.body.data ?? null).toBeNull();
    await setLimits('daily_quota', 1_000_000);
  });
});
