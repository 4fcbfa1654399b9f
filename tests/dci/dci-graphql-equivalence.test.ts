import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * Property (issue #15, point 5): for any request of searches by NIK or household, from any demo
 * client that may read records or decisions, the DCI door answers exactly what GraphQL answers
 * the same client — the same masking, the same region scope (out of region ≡ not found), the
 * same refusals — and audits the same subjects.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const NIKS = [
  '3201011505809001',
  '3201015508829002',
  '3201010101159003',
  '3374010202709004',
  '3201010707509005',
  '3201019999999999', // not registered
];
const HOUSEHOLDS = ['H1', 'H2', 'H3', 'H9'];
const RECORD_CLIENTS: Array<[string, string]> = [
  ['pemda-3201', 'VERIVALI'],
  ['pemda-3201-review', 'VERIVALI'],
  ['pemda-3171', 'VERIVALI'],
];
const MINISTRIES: Array<[string, string]> = [
  ['kemensos-bansos', 'BANSOS_DISTRIBUTION'],
  ['kemenkes-pbi', 'PBI_JK_VERIFICATION'],
];

let n = 0;
function envelope(queries: Array<{ type: string; value: string }>) {
  n += 1;
  const now = new Date().toISOString();
  return {
    header: {
      version: '1.0.0',
      message_id: `eq-${Date.now()}-${n}`,
      message_ts: now,
      action: 'search',
      sender_id: 'sp-mis-test',
      total_count: queries.length,
    },
    message: {
      transaction_id: `txn-eq-${n}`,
      search_request: queries.map((query, i) => ({
        reference_id: `ref-${i}`,
        timestamp: now,
        search_criteria: { query_type: 'idtype-value', query },
      })),
    },
  };
}

async function dci(body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}/dci/registry/sync/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return (await response.json()) as {
    message: {
      search_response: Array<{
        status: string;
        data?: { reg_records: Array<Record<string, unknown>> };
      }>;
    };
  };
}

async function auditedSubjects(clientId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ subjects: string[] }>(
    `SELECT subjects FROM audit_event WHERE client_id = $1 ORDER BY id DESC LIMIT 1`,
    [clientId],
  );
  return [...(rows[0]?.subjects ?? [])].sort();
}

const PERSON =
  'nik name sex birthDate relationship status programs dataAsOf household { id regionCode }';
const HOUSEHOLD =
  'id kkNumber address regionCode decile verificationStatus verifiedAt dataAsOf ' +
  'members { nik name sex birthDate relationship status }';

describe('the DCI door answers as GraphQL does', () => {
  it('records for local governments: masking, region scope and audit alike', async () => {
    const query = fc.record({
      client: fc.constantFrom(...RECORD_CLIENTS),
      searches: fc.array(
        fc.oneof(
          fc.constantFrom(...NIKS).map((value) => ({ type: 'NIN', value })),
          fc.constantFrom(...HOUSEHOLDS).map((value) => ({ type: 'HOUSEHOLD_ID', value })),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(query, async ({ client: [client, purpose], searches }) => {
        const headers = await access.as(client, purpose);
        const answer = await dci(envelope(searches), headers);
        const dciSubjects = await auditedSubjects(client);
        const fields = searches.map((s, i) =>
          s.type === 'NIN'
            ? `r${i}: person(nik: "${s.value}") { ${PERSON} }`
            : `r${i}: household(id: "${s.value}") { ${HOUSEHOLD} }`,
        );
        const gql = await graphql(gateway, `{ ${fields.join(' ')} }`, { headers });
        expect(gql.body.errors).toBeUndefined();
        const data = gql.body.data as Record<string, Record<string, unknown> | null>;
        searches.forEach((s, i) => {
          const item = answer.message.search_response[i]!;
          expect(item.status).toBe('succ');
          const found = data[`r${i}`];
          const records = item.data!.reg_records;
          if (found === null || found === undefined) {
            expect(records).toEqual([]);
            return;
          }
          expect(records).toHaveLength(1);
          const r = records[0]!;
          if (s.type === 'NIN') {
            expect(r).toMatchObject({
              identifier: { identifier_type: 'NIN', identifier_value: found.nik },
              name: found.name,
              sex: found.sex,
              birth_date: found.birthDate,
              relationship: found.relationship,
              status: found.status,
              programs: found.programs,
            });
          } else {
            const members = (found.members as Array<Record<string, unknown>> | null) ?? null;
            expect(r).toMatchObject({
              identifier: { identifier_type: 'HOUSEHOLD_ID', identifier_value: found.id },
              kk_number: found.kkNumber,
              address_text: found.address,
              decile: found.decile,
            });
            expect((r.members as unknown[] | null)?.length ?? null).toBe(members?.length ?? null);
          }
        });
        // The GraphQL operation audits the same subjects as the DCI request did.
        expect(await auditedSubjects(client)).toEqual(dciSubjects);
      }),
      { numRuns: 25 },
    );
  });

  it('decisions for ministries: the eligibilityBatch answer of each program', async () => {
    const query = fc.record({
      client: fc.constantFrom(...MINISTRIES),
      niks: fc.uniqueArray(fc.constantFrom(...NIKS), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(query, async ({ client: [client, purpose], niks }) => {
        const headers = await access.as(client, purpose);
        const answer = await dci(envelope(niks.map((value) => ({ type: 'UIN', value }))), headers);
        const me = await graphql(gateway, '{ me { programs } }', { headers });
        const programs = (me.body.data as { me: { programs: string[] } }).me.programs;
        const fields = programs.map(
          (p, i) =>
            `d${i}: eligibilityBatch(niks: $n, program: ${p}) { subjectRef program eligible reason ruleVersion dataAsOf }`,
        );
        const gql = await graphql(gateway, `query($n: [NIK!]!) { ${fields.join(' ')} }`, {
          variables: { n: niks },
          headers,
        });
        const data = gql.body.data as Record<string, Array<Record<string, unknown>>>;
        niks.forEach((_, i) => {
          const records = answer.message.search_response[i]!.data!.reg_records;
          expect(records.map(({ decision_id: _id, ...rest }) => rest)).toEqual(
            programs.map((_p, k) => {
              const d = data[`d${k}`]![i]!;
              return {
                subject_ref: d.subjectRef,
                program: d.program,
                eligible: d.eligible,
                reason: d.reason,
                rule_version: d.ruleVersion,
                data_as_of: d.dataAsOf,
              };
            }),
          );
        });
      }),
      { numRuns: 15 },
    );
  });
});
