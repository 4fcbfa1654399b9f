import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { gatewayDciKey, signedByGateway } from '../support/dci-gateway-signature.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * The DCI door (issue #15, CONTRACT §12): a sync search answers what the same client would get
 * through GraphQL — decisions for a ministry, masked records for a local government, nothing out
 * of region — audited alike; malformed requests get the spec's codes, never a 500.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const BUDI = '3201011505809001'; // region 3201
const DEWI = '3374010202709004'; // region 3374
const UNKNOWN = '3201019999999999';

function search(
  queries: Array<{ type: string; value: string } | Record<string, unknown>>,
  overrides: { header?: Record<string, unknown>; queryType?: string } = {},
) {
  const now = new Date().toISOString();
  return {
    signature: 'unsigned-stub',
    header: {
      version: '1.0.0',
      message_id: `msg-${Math.random().toString(36).slice(2)}`,
      message_ts: now,
      action: 'search',
      sender_id: 'sp-mis-test',
      receiver_id: 'dtks-gateway',
      total_count: queries.length,
      ...overrides.header,
    },
    message: {
      transaction_id: `txn-${Math.random().toString(36).slice(2)}`,
      search_request: queries.map((query, i) => ({
        reference_id: `ref-${i}`,
        timestamp: now,
        search_criteria: { query_type: overrides.queryType ?? 'idtype-value', query },
      })),
    },
  };
}

interface SearchResponseItem {
  reference_id: string;
  status: string;
  status_reason_code: string;
  data: {
    reg_records: Array<Record<string, unknown> & { identifier: { identifier_value: unknown } }>;
  };
}
interface DciAnswer {
  header: Record<string, unknown> & { meta: { disclosure: unknown[] } };
  message: {
    ack_status: string;
    error: { code: string };
    search_response: SearchResponseItem[];
  };
}
type Decision = Record<string, unknown>;

async function post(body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}/dci/registry/sync/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as DciAnswer, text };
}

async function auditEvents(clientId: string) {
  const { rows } = await db.pool.query<{ operation: string; outcome: string; n: number }>(
    `SELECT operation, outcome, cardinality(subjects)::int AS n FROM audit_event
      WHERE client_id = $1 ORDER BY id`,
    [clientId],
  );
  return rows;
}

describe('DCI sync search', () => {
  it('gives a ministry the decisions GraphQL gives, per program of its agreement, audited', async () => {
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    const before = (await auditEvents('kemensos-bansos')).length;
    const r = await post(
      search([
        { type: 'NIN', value: BUDI },
        { type: 'UIN', value: UNKNOWN },
        { type: 'UIN', value: 'TEST-001' },
        { type: 'HOUSEHOLD_ID', value: 'H-1' },
      ]),
      headers,
    );
    expect(r.status).toBe(200);
    expect(r.body.header).toMatchObject({ action: 'on-search', status: 'succ', total_count: 4 });
    const [budi, unknown, malformed, household] = r.body.message.search_response as [
      SearchResponseItem,
      SearchResponseItem,
      SearchResponseItem,
      SearchResponseItem,
    ];
    expect(household).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.search_criteria.invalid',
    });
    // The answer as sent is the JCS form of what it says (the reference implementation's), so
    // what is signed is what is sent, and the gateway's signature holds over it.
    const { signature, ...signedPart } = r.body as DciAnswer & { signature: string };
    expect(r.text).toBe(
      `{"signature":${JSON.stringify(signature)},${canonicalize(signedPart)!.slice(1)}`,
    );
    expect(signedByGateway(r.body, await gatewayDciKey(gateway.url))).toBe(true);
    expect(budi.status).toBe('succ');
    const gql = await graphql(
      gateway,
      'query($n: [NIK!]!) { pkh: eligibilityBatch(niks: $n, program: PKH) { program eligible reason subjectRef ruleVersion dataAsOf } bpnt: eligibilityBatch(niks: $n, program: BPNT) { program eligible reason subjectRef ruleVersion dataAsOf } }',
      { variables: { n: [BUDI] }, headers },
    );
    const answers = gql.body.data as { pkh: Decision[]; bpnt: Decision[] };
    const expected = [...answers.pkh, ...answers.bpnt].map((d) => ({
      program: d.program,
      eligible: d.eligible,
      reason: d.reason,
      subject_ref: d.subjectRef,
      rule_version: d.ruleVersion,
      data_as_of: d.dataAsOf,
    }));
    expect(budi.data.reg_records.map(({ decision_id: _, ...rest }) => rest)).toEqual(expected);
    // Never registry data for a ministry. (The pseudonyms are random base64url, which can spell
    // "budi" by chance, as a CI run once found: they are left out of the text searched.)
    const withoutPseudonyms = JSON.stringify(budi, (key, value: unknown) =>
      key === 'subject_ref' || key === 'decision_id' ? undefined : value,
    );
    expect(withoutPseudonyms).not.toMatch(/Budi|name|address/i);
    expect(unknown.data.reg_records.map((d) => d.reason)).toEqual([
      'NOT_REGISTERED',
      'NOT_REGISTERED',
    ]);
    expect(malformed).toMatchObject({ status: 'succ', data: { reg_records: [] } });
    // One audit event for the search, as for the same GraphQL operation; then the GraphQL one.
    const events = (await auditEvents('kemensos-bansos')).slice(before);
    expect(events).toEqual([
      { operation: 'query:eligibilityBatch', outcome: 'DISCLOSED', n: 2 },
      { operation: 'query:eligibilityBatch', outcome: 'DISCLOSED', n: 1 },
    ]);
  });

  it('gives a local government the masked person of its region, and nothing out of it', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const r = await post(
      search([
        { type: 'NIN', value: BUDI },
        { type: 'NIN', value: DEWI },
      ]),
      headers,
    );
    expect(r.status).toBe(200);
    const [budi, dewi] = r.body.message.search_response as [SearchResponseItem, SearchResponseItem];
    const gql = await graphql(gateway, 'query($n: NIK!) { person(nik: $n) { nik name sex } }', {
      variables: { n: BUDI },
      headers,
    });
    const person = (gql.body.data as { person: Decision }).person;
    expect(budi.data.reg_records).toHaveLength(1);
    expect(budi.data.reg_records[0]).toMatchObject({
      identifier: { identifier_type: 'NIN', identifier_value: person.nik },
      name: person.name,
      sex: person.sex,
    });
    expect(budi.data.reg_records[0]!.identifier.identifier_value).not.toBe(BUDI); // masked
    // Out of region is not found, exactly like a NIK nobody has.
    expect(dewi).toMatchObject({ status: 'succ', data: { reg_records: [] } });
    const absent = await post(search([{ type: 'NIN', value: UNKNOWN }]), headers);
    expect(absent.body.message.search_response[0]!.data).toEqual(dewi.data);
    // The masking GraphQL lists, listed here too.
    expect(r.body.header.meta.disclosure.length).toBeGreaterThan(0);
  });

  it('takes the purpose of an agreement that has only one when X-Purpose is absent', async () => {
    const headers = await access.as('pemda-3201');
    const r = await post(search([{ type: 'NIN', value: BUDI }]), headers);
    expect(r.status).toBe(200);
    expect(r.body.message.search_response[0]!.data.reg_records).toHaveLength(1);
  });

  it('issues tokens at the DCI token path from the same client credentials', async () => {
    const response = await fetch(`${gateway.url}/oauth2/client/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'pemda-3201',
        client_secret: access.secrets['pemda-3201']!,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const { access_token: token } = (await response.json()) as { access_token: string };
    const r = await post(search([{ type: 'NIN', value: BUDI }]), {
      authorization: `Bearer ${token}`,
    });
    expect(r.body.message.search_response[0]!.data.reg_records).toHaveLength(1);
  });

  it('refuses without a token, and what the gate refuses, with the spec’s error codes', async () => {
    const anonymous = await post(search([{ type: 'NIN', value: BUDI }]), {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toMatchObject({
      ack_status: 'ERR',
      error: { code: 'err.request.unauthorized' },
    });
    const researcher = await post(
      search([{ type: 'NIN', value: BUDI }]),
      await access.as('bps-researcher'),
    );
    expect([400, 403]).toContain(researcher.status);
    expect(researcher.body.message.ack_status).toBe('ERR');
    expect(JSON.stringify(researcher.body)).not.toContain(BUDI);
  });

  it('refuses malformed requests with the spec’s codes and never a 500', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const notJson = await post('{', headers);
    expect(notJson.status).toBe(400);
    expect(notJson.body.message.error.code).toBe('err.request.bad');
    const noHeader = await post({ message: {} }, headers);
    expect(noHeader.status).toBe(400);
    const badTs = await post(
      search([{ type: 'NIN', value: BUDI }], { header: { message_ts: '2026-01-01 10:00' } }),
      headers,
    );
    expect(badTs.status).toBe(400);
    const wrongCount = await post(
      search([{ type: 'NIN', value: BUDI }], { header: { total_count: 2 } }),
      headers,
    );
    expect(wrongCount.body.header).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.total_count.invalid',
    });
    const wrongAction = await post(
      search([{ type: 'NIN', value: BUDI }], { header: { action: 'subscribe' } }),
      headers,
    );
    expect(wrongAction.body.header.status_reason_code).toBe('rjct.action.invalid');
    const unknownType = await post(search([{ type: 'PASSPORT', value: 'X1' }]), headers);
    expect(unknownType.body.message.search_response[0]!).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.search_criteria.invalid',
    });
    const tooMany = await post(
      search(
        Array.from({ length: 10_001 }, (_, i) => ({
          type: 'NIN',
          value: String(3201010000000000 + i),
        })),
      ),
      headers,
    );
    expect(tooMany.body.header.status_reason_code).toBe('rjct.total_count.limit_exceeded');
    // A local government's searches are one GraphQL field each, under GraphQL's alias limit.
    const sixteen = await post(
      search(Array.from({ length: 16 }, () => ({ type: 'NIN', value: BUDI }))),
      headers,
    );
    expect(sixteen.status).toBe(200);
    expect(sixteen.body.header.status_reason_code).toBe('rjct.total_count.limit_exceeded');
    expect(JSON.stringify(sixteen.body)).not.toContain('Budi');
  });

  it('holds the daily quota and the batch limit of the agreement, as GraphQL does', async () => {
    const limit = async (column: 'daily_quota' | 'batch_limit', value: number) => {
      await db.pool.query(`UPDATE agreement SET ${column} = $1 WHERE id = 'kemensos-bansos-pks'`, [
        value,
      ]);
      await db.pool.query("SELECT pg_notify('dtks_policy', 'kemensos-bansos')");
      await new Promise((r) => setTimeout(r, 100));
    };
    await db.pool.query("DELETE FROM daily_subject WHERE agreement_id = 'kemensos-bansos-pks'");
    await db.pool.query("DELETE FROM daily_usage WHERE agreement_id = 'kemensos-bansos-pks'");
    const headers = await access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION');
    try {
      await limit('daily_quota', 2);
      const within = await post(
        search([
          { type: 'NIN', value: BUDI },
          { type: 'NIN', value: DEWI },
          { type: 'NIN', value: BUDI },
        ]),
        headers,
      );
      expect(within.status).toBe(200);
      const over = await post(search([{ type: 'NIN', value: UNKNOWN }]), headers);
      expect(over.status).toBe(429);
      expect(over.body.message).toMatchObject({
        ack_status: 'ERR',
        error: { code: 'err.request.bad' },
      });
      const gql = await graphql(
        gateway,
        'query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: BPNT) { reason } }',
        { variables: { n: [UNKNOWN] }, headers },
      );
      expect(gql.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

      await limit('daily_quota', 1_000_000);
      await limit('batch_limit', 2);
      const tooMany = await post(
        search([
          { type: 'NIN', value: BUDI },
          { type: 'NIN', value: DEWI },
          { type: 'NIN', value: UNKNOWN },
        ]),
        headers,
      );
      expect(tooMany.body.header).toMatchObject({
        status: 'rjct',
        status_reason_code: 'rjct.total_count.limit_exceeded',
      });
    } finally {
      await limit('daily_quota', 1_000_000);
      await limit('batch_limit', 10_000);
    }
  });

  it('holds the purpose as GraphQL does: one not in the agreement is refused', async () => {
    const headers = await access.as('pemda-3201', 'RESEARCH');
    const r = await post(search([{ type: 'NIN', value: BUDI }]), headers);
    expect(r.status).toBe(403);
    expect(r.body.message).toMatchObject({
      ack_status: 'ERR',
      error: { code: 'err.request.forbidden' },
    });
    expect(JSON.stringify(r.body)).not.toContain(BUDI);
  });
});

async function txnStatus(
  attribute: { type: string; value: string | string[] },
  headers: Record<string, string>,
  action = 'txn-status',
) {
  const now = new Date().toISOString();
  const response = await fetch(`${gateway.url}/dci/registry/sync/txn/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      header: {
        version: '1.0.0',
        message_id: `msg-${Math.random().toString(36).slice(2)}`,
        message_ts: now,
        action,
        sender_id: 'sp-mis-test',
        total_count: 1,
      },
      message: {
        transaction_id: `txn-${Math.random().toString(36).slice(2)}`,
        txnstatus_request: {
          reference_id: 'ref-status',
          txn_type: 'search',
          attribute_type: attribute.type,
          attribute_value: attribute.value,
        },
      },
    }),
  });
  return {
    status: response.status,
    text: await response.clone().text(),
    body: (await response.json()) as {
      header: Record<string, unknown>;
      message: {
        txnstatus_response: {
          txn_status: { transaction_id: string; search_response: SearchResponseItem[] };
        };
      };
    },
  };
}

describe('DCI sync transaction status', () => {
  it('tells a client how its own searches ended, without their records, and nobody else', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const request = search([
      { type: 'NIN', value: BUDI },
      { type: 'PASSPORT', value: 'X1' },
    ]);
    const searched = await post(request, headers);
    const transactionId = request.message.transaction_id;
    const correlationId = (searched.body.message as unknown as { correlation_id: string })
      .correlation_id;

    const byId = await txnStatus({ type: 'transaction_id', value: transactionId }, headers);
    expect(byId.status).toBe(200);
    expect(byId.body.header).toMatchObject({ action: 'txn-on-status', status: 'succ' });
    const statusOf = byId.body.message.txnstatus_response.txn_status;
    expect(statusOf.transaction_id).toBe(transactionId);
    expect(
      statusOf.search_response.map((r) => [r.reference_id, r.status, r.status_reason_code]),
    ).toEqual([
      ['ref-0', 'succ', undefined],
      ['ref-1', 'rjct', 'rjct.search_criteria.invalid'],
    ]);
    // Statuses only: nothing of the person found.
    expect(byId.text).not.toMatch(/reg_records|Budi/);
    expect(byId.text).not.toContain(BUDI);

    const byCorrelation = await txnStatus(
      { type: 'correlation_id', value: correlationId },
      headers,
    );
    expect(byCorrelation.body.message.txnstatus_response.txn_status).toEqual(statusOf);
    const byReference = await txnStatus({ type: 'reference_id_list', value: ['ref-1'] }, headers);
    expect(
      byReference.body.message.txnstatus_response.txn_status.search_response.map(
        (r) => r.reference_id,
      ),
    ).toEqual(['ref-1']);

    // Another client asking for it learns as much as about a transaction nobody sent.
    const other = await txnStatus(
      { type: 'transaction_id', value: transactionId },
      await access.as('pemda-3171', 'VERIVALI'),
    );
    const never = await txnStatus({ type: 'transaction_id', value: 'txn-never-sent' }, headers);
    expect(other.status).toBe(200);
    expect(other.body.message.txnstatus_response.txn_status.search_response).toEqual([]);
    expect(never.body.message.txnstatus_response.txn_status.search_response).toEqual([]);
  });

  it('refuses a wrong action and a malformed request with the spec’s codes', async () => {
    const headers = await access.as('pemda-3201', 'VERIVALI');
    const wrongAction = await txnStatus({ type: 'transaction_id', value: 't' }, headers, 'search');
    expect(wrongAction.body.header).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.action.invalid',
    });
    const mismatched = await txnStatus({ type: 'reference_id_list', value: 'not-a-list' }, headers);
    expect(mismatched.status).toBe(400);
    const anonymous = await fetch(`${gateway.url}/dci/registry/sync/txn/status`, {
      method: 'POST',
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
  });
});
