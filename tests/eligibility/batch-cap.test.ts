import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { findClientPolicy, saveClient } from '../../src/db/queries/client-queries.js';
import { EligibilityBatcher } from '../../src/db/scoped/eligibility-batcher.js';
import { EligibilityService } from '../../src/eligibility/eligibility-service.js';
import { RuleCache } from '../../src/eligibility/rule-cache.js';
import type { DisclosureRecord } from '../../src/audit/disclosure-record.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * Issue 11, item 4: the batch limit counts the NIKs execution will check, after variable
 * coercion (default values, a single value coerced to a list), through fragments, inline
 * fragments and aliases; and the eligibility service enforces the limit again on its own.
 */

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const LIMIT = 10;
const CLIENT = 'batch-cap-10';
const PURPOSE = 'PBI_JK_VERIFICATION';
const BUDI = '3201011505809001';

/** `n` distinct unregistered NIKs (province 32), from `offset`. */
const niks = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => `32010199${String(offset + i).padStart(8, '0')}`);
const list = (values: string[]) => `[${values.map((v) => `"${v}"`).join(', ')}]`;

let registered = false;
async function headers(requestId: string): Promise<Record<string, string>> {
  if (!registered) {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'kemenkes-pbi')!;
    const reg = registration({ ...demo, clientId: CLIENT }, 'unused-hash');
    await saveClient(db.db, { ...reg, agreement: { ...reg.agreement, batchLimit: LIMIT } });
    registered = true;
  }
  return { ...(await access.as(CLIENT, PURPOSE)), 'x-request-id': requestId };
}

let requests = 0;
async function send(query: string, variables?: Record<string, unknown>) {
  const requestId = `batch-cap-${++requests}`;
  const r = await graphql(gateway, query, {
    ...(variables ? { variables } : {}),
    headers: await headers(requestId),
  });
  return { ...r, requestId };
}

/** Every decision in the answer, under any alias. */
function decisionsOf(data: unknown): unknown[] {
  if (data === null || data === undefined) return [];
  return Object.values(data as Record<string, unknown>).flatMap((v) =>
    Array.isArray(v) ? v : [v],
  );
}

async function expectAdmitted(r: Awaited<ReturnType<typeof send>>, decisions: number) {
  expect(r.body.errors).toBeUndefined();
  expect(r.status).toBe(200);
  expect(decisionsOf(r.body.data)).toHaveLength(decisions);
}

async function expectRefused(r: Awaited<ReturnType<typeof send>>) {
  expect(r.status).toBe(400);
  expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['BATCH_TOO_LARGE']);
  expect(r.body.data).toBeUndefined();
  const { rows } = await db.pool.query(
    'SELECT outcome, error_code, cardinality(decision_ids) AS decisions, cardinality(subjects) AS subjects FROM audit_event WHERE request_id = $1',
    [r.requestId],
  );
  expect(rows).toEqual([
    { outcome: 'REFUSED', error_code: 'BATCH_TOO_LARGE', decisions: 0, subjects: 0 },
  ]);
}

const FIELDS = 'reason decisionId';

describe('the batch limit counts after variable coercion', () => {
  it('counts a variable’s default value (30 NIKs against a limit of 10)', async () => {
    const query = (defaults: string[]) =>
      `query($n: [NIK!]! = ${list(defaults)}) { eligibilityBatch(niks: $n, program: PBI_JK) { ${FIELDS} } }`;
    await expectRefused(await send(query(niks(30))));
    await expectRefused(await send(query(niks(LIMIT + 1))));
    await expectAdmitted(await send(query(niks(LIMIT))), LIMIT);
    // A value sent for the variable replaces its default, and is what counts.
    await expectAdmitted(await send(query(niks(30)), { n: niks(3) }), 3);
  });

  it('counts $a sent and $b left to its default together', async () => {
    const query = (defaults: string[]) =>
      `query($a: [NIK!]!, $b: [NIK!]! = ${list(defaults)}) {
        a: eligibilityBatch(niks: $a, program: PBI_JK) { ${FIELDS} }
        b: eligibilityBatch(niks: $b, program: PBI_JK) { ${FIELDS} }
      }`;
    await expectRefused(await send(query(niks(4, 100)), { a: niks(10) }));
    await expectRefused(await send(query(niks(4, 100)), { a: niks(7) }));
    await expectAdmitted(await send(query(niks(4, 100)), { a: niks(6) }), LIMIT);
    await expectAdmitted(await send(query(niks(4, 100)), { a: niks(9), b: niks(1, 100) }), LIMIT);
  });

  it('counts through fragments, inline fragments and aliases together', async () => {
    const query = (defaults: string[]) =>
      `query($d: [NIK!]! = ${list(defaults)}) {
        ...F
        ... on Query { y: eligibilityBatch(niks: $d, program: PBI_JK) { ${FIELDS} } }
        z: eligibility(nik: "${BUDI}", program: PBI_JK) { ${FIELDS} }
      }
      fragment F on Query {
        x: eligibilityBatch(niks: $d, program: PBI_JK) { ${FIELDS} }
        w: eligibilityBatch(niks: $d, program: PBI_JK) { ${FIELDS} }
      }`;
    await expectRefused(await send(query(niks(4)))); // 3 × 4 + 1 = 13
    await expectAdmitted(await send(query(niks(3))), LIMIT); // 3 × 3 + 1 = 10
    // A field @skip leaves out checks nothing and counts nothing; one response key runs once.
    const skipped = `query($d: [NIK!]! = ${list(niks(8))}, $no: Boolean! = true) {
      a: eligibilityBatch(niks: $d, program: PBI_JK) { ${FIELDS} }
      ... on Query @skip(if: $no) { b: eligibilityBatch(niks: $d, program: PBI_JK) { ${FIELDS} } }
      ...G ...G
    }
    fragment G on Query { c: eligibilityBatch(niks: ["${BUDI}", "${BUDI}"], program: PBI_JK) { reason } }`;
    await expectAdmitted(await send(skipped), LIMIT);
    await expectRefused(await send(skipped, { no: false }));
  });

  it('counts literal lists, alone and with a defaulted variable', async () => {
    await expectRefused(
      await send(
        `{ eligibilityBatch(niks: ${list(niks(LIMIT + 1))}, program: PBI_JK) { ${FIELDS} } }`,
      ),
    );
    const query = (literal: string[]) =>
      `query($pad: [NIK!]! = ${list(niks(5, 200))}) {
        a: eligibilityBatch(niks: ${list(literal)}, program: PBI_JK) { ${FIELDS} }
        b: eligibilityBatch(niks: $pad, program: PBI_JK) { ${FIELDS} }
      }`;
    await expectRefused(await send(query(niks(6))));
    await expectAdmitted(await send(query(niks(5))), LIMIT);
  });

  it('counts a single NIK coerced to a list, from a default, a literal or a sent value', async () => {
    const query = (fromDefault: number, fromLiteral: number) =>
      `query($one: [NIK!]! = "${BUDI}") {
        ${Array.from({ length: fromDefault }, (_, i) => `d${i}: eligibilityBatch(niks: $one, program: PBI_JK) { ${FIELDS} }`).join('\n')}
        ${Array.from({ length: fromLiteral }, (_, i) => `l${i}: eligibilityBatch(niks: "${BUDI}", program: PBI_JK) { ${FIELDS} }`).join('\n')}
      }`;
    await expectRefused(await send(query(LIMIT + 1, 0)));
    await expectRefused(await send(query(6, 5)));
    await expectAdmitted(await send(query(5, 5)), LIMIT);
    await expectRefused(await send(query(LIMIT + 1, 0), { one: niks(1)[0] }));
  });

  it('refuses 10,000 NIKs sent plus one by default under the default limit of 10,000', async () => {
    const r = await graphql(
      gateway,
      `query($a: [NIK!]!, $b: [NIK!]! = ["${BUDI}"]) {
        a: eligibilityBatch(niks: $a, program: PBI_JK) { reason }
        b: eligibilityBatch(niks: $b, program: PBI_JK) { reason }
      }`,
      {
        variables: { a: niks(10_000) },
        headers: await access.as('kemenkes-pbi', PURPOSE),
      },
    );
    expect(r.status).toBe(400);
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['BATCH_TOO_LARGE']);
    expect(r.body.data).toBeUndefined();
  });
});

describe('the eligibility service enforces the limit on its own', () => {
  async function service(): Promise<{ eligibility: EligibilityService; d: DisclosureRecord }> {
    await headers('register'); // the client with the limit of 10
    const policy = (await findClientPolicy(db.db, CLIENT))!;
    const principal: Principal = {
      clientId: policy.clientId,
      agencyId: policy.agency.id,
      agencyName: policy.agency.name,
      kind: policy.agency.kind,
      agreement: policy.agreement,
      officerId: null,
      purpose: PURPOSE,
    };
    expect(principal.agreement.batchLimit).toBe(LIMIT);
    const d: DisclosureRecord = {
      fields: new Set(),
      subjects: new Set(),
      subjectHashes: new Map(),
      decisionIds: [],
      aggregates: [],
      notes: [],
    };
    // As src/server/gateway.ts builds it for one request (no usage limiter here).
    const eligibility = new EligibilityService(
      new EligibilityBatcher().on(db.readDb),
      principal,
      new RuleCache(() => db.readDb),
      randomBytes(32),
      (nik) => `h:${nik}`,
      d,
      null,
    );
    return { eligibility, d };
  }
  /** Calls a resolver's service method as graphql-js does: a throw becomes a rejection. */
  const call = <T>(f: () => Promise<T>) => Promise.resolve().then(f);
  const codeOf = (settled: PromiseSettledResult<unknown>) =>
    settled.status === 'rejected'
      ? (settled.reason as { extensions?: { code?: string } }).extensions?.code
      : 'DECIDED';

  it('refuses a batch over the limit', async () => {
    const { eligibility, d } = await service();
    await expect(call(() => eligibility.decideBatch(niks(LIMIT + 1), 'PBI_JK'))).rejects.toThrow(
      expect.objectContaining({ extensions: { code: 'BATCH_TOO_LARGE' } }),
    );
    expect(d.decisionIds).toEqual([]);
  });

  it('counts single and batch checks across the fields of one request, and answers none past the limit', async () => {
    const over = await service();
    const settled = await Promise.allSettled([
      call(() => over.eligibility.decideBatch(niks(8), 'PBI_JK')),
      call(() => over.eligibility.decide(BUDI, 'PBI_JK')),
      call(() => over.eligibility.decide(niks(1, 50)[0]!, 'PBI_JK')),
      call(() => over.eligibility.decide(niks(1, 51)[0]!, 'PBI_JK')),
    ]);
    expect(settled.map(codeOf)).toEqual(Array(4).fill('BATCH_TOO_LARGE'));
    expect(over.d.decisionIds).toEqual([]);
    expect(over.d.subjects.size).toBe(0);

    const within = await service();
    const decided = await Promise.all([
      call(() => within.eligibility.decideBatch(niks(7), 'PBI_JK')),
      call(() => within.eligibility.decide(BUDI, 'PBI_JK')),
      call(() => within.eligibility.decide(niks(1, 50)[0]!, 'PBI_JK')),
      call(() => within.eligibility.decide(niks(1, 51)[0]!, 'PBI_JK')),
    ]);
    expect(decided.flat()).toHaveLength(LIMIT);
    expect(within.d.decisionIds).toHaveLength(LIMIT);
  });
});
