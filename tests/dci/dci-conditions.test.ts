import { describe, expect, it } from 'vitest';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * DCI searches by conditions (`expression`, `predicate`; issue #15): a local government's work
 * list through the DCI door — the same households, count, region scope and audit as
 * `households(filter: …)` in GraphQL, pages by number — and clear refusals for what cannot map.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

let n = 0;
function search(
  queryType: 'expression' | 'predicate',
  query: unknown,
  extra: Record<string, unknown> = {},
) {
  n += 1;
  const now = new Date().toISOString();
  return {
    header: {
      version: '1.0.0',
      message_id: `cond-${Date.now()}-${n}`,
      message_ts: now,
      action: 'search',
      sender_id: 'sp-mis-test',
      total_count: 1,
    },
    message: {
      transaction_id: `txn-cond-${n}`,
      search_request: [
        {
          reference_id: 'ref-1',
          timestamp: now,
          search_criteria: { query_type: queryType, query, ...extra },
        },
      ],
    },
  };
}

interface Item {
  status: string;
  status_reason_code?: string;
  status_reason_message?: string;
  data?: {
    reg_record_type: string;
    reg_records: Array<{ identifier: { identifier_value: string }; members: unknown[] }>;
  };
  pagination?: { page_size: number; page_number: number; total_count: number };
}

async function dci(body: unknown, client = 'pemda-3201', purpose = 'VERIVALI') {
  const response = await fetch(`${gateway.url}/dci/registry/sync/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await access.as(client, purpose)) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { message: { search_response: Item[] } };
  return { status: response.status, item: answer.message.search_response?.[0] };
}

async function workList(filter: Record<string, unknown>, first = 500, after?: string) {
  const r = await graphql(
    gateway,
    `
      query ($f: HouseholdFilterInput, $first: Int!, $after: String) {
        households(filter: $f, first: $first, after: $after) {
          totalCount
          edges {
            node {
              id
              members {
                nik
                name
              }
            }
          }
          pageInfo {
            endCursor
          }
        }
      }
    `,
    { variables: { f: filter, first, after }, headers: await access.as('pemda-3201', 'VERIVALI') },
  );
  return (
    r.body.data as {
      households: {
        totalCount: number;
        edges: Array<{ node: { id: string; members: unknown[] } }>;
        pageInfo: { endCursor: string | null };
      };
    }
  ).households;
}

describe('DCI searches by conditions', () => {
  it('an expression answers the households the work list gives for the same filter', async () => {
    const expected = await workList({ decileMax: 9, regionCode: '3201' });
    expect(expected.totalCount).toBeGreaterThan(1);
    const { status, item } = await dci(
      search(
        'expression',
        {
          collection: 'Group',
          query: { $and: [{ decile: { $lte: 9 } }, { region_code: { $eq: '3201' } }] },
        },
        { pagination: { page_size: 500 } },
      ),
    );
    expect(status).toBe(200);
    expect(item!.status).toBe('succ');
    expect(item!.data!.reg_record_type).toBe('Group');
    expect(item!.data!.reg_records.map((r) => r.identifier.identifier_value)).toEqual(
      expected.edges.map((e) => e.node.id),
    );
    // Members masked as in GraphQL.
    expect(item!.data!.reg_records.map((r) => r.members)).toEqual(
      expected.edges.map((e) =>
        (e.node.members as Array<{ nik: string; name: string }>).map(
          (m) =>
            expect.objectContaining({
              member_identifier: { identifier_type: 'NIN', identifier_value: m.nik },
              name: m.name,
            }) as unknown,
        ),
      ),
    );
    expect(item!.pagination).toEqual({
      page_size: 500,
      page_number: 1,
      total_count: expected.totalCount,
    });
  });

  it('a predicate pages by number: page 2 of size 1 is the work list second household', async () => {
    const first = await workList({ decileMin: 1 }, 1);
    const second = await workList({ decileMin: 1 }, 1, first.pageInfo.endCursor!);
    const predicate = [
      {
        seq_num: 1,
        expression1: { attribute_name: 'decile', operator: 'ge', attribute_value: '1' },
      },
    ];
    const before = await auditSubjects();
    const { item } = await dci(
      search('predicate', predicate, { pagination: { page_size: 1, page_number: 2 } }),
    );
    expect(item!.data!.reg_records.map((r) => r.identifier.identifier_value)).toEqual([
      second.edges[0]!.node.id,
    ]);
    expect(item!.pagination).toEqual({
      page_size: 1,
      page_number: 2,
      total_count: first.totalCount,
    });
    // Only the page given is disclosed: its members, not the first page's.
    const audited = (await auditSubjects()) - before;
    expect(audited).toBe(second.edges[0]!.node.members.length);

    const beyond = await dci(
      search('predicate', predicate, { pagination: { page_size: 1, page_number: 100_000 } }),
    );
    expect(beyond.item!.data!.reg_records).toEqual([]);
    expect(beyond.item!.pagination!.total_count).toBe(first.totalCount);
  });

  it('never reaches outside the region: another region matches nothing', async () => {
    const { item } = await dci(search('expression', { query: { region_code: '3374' } }));
    expect(item!.status).toBe('succ');
    expect(item!.data!.reg_records).toEqual([]);
    expect(item!.pagination!.total_count).toBe(0);
  });

  it('refuses what cannot map, naming the attribute or operator and never the value', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        search('expression', { query: { $or: [{ decile: 1 }, { decile: 2 }] } }),
        'rjct.search_criteria.invalid',
        /\$or cannot be mapped/,
      ],
      [
        search('predicate', [
          {
            seq_num: 1,
            expression1: { attribute_name: 'age', operator: 'lt', attribute_value: 'SECRET-25' },
          },
        ]),
        'rjct.search_criteria.invalid',
        /the attribute age cannot be mapped/,
      ],
      [
        search('predicate', [
          {
            seq_num: 1,
            expression1: { attribute_name: 'decile', operator: 'lt', attribute_value: '3' },
            condition: 'or',
            expression2: { attribute_name: 'program', operator: 'eq', attribute_value: 'PKH' },
          },
        ]),
        'rjct.search_criteria.invalid',
        /only the condition "and"/,
      ],
      [
        search(
          'expression',
          { query: { decile: { $lt: 3 } } },
          {
            sort: [{ attribute_name: 'decile', sort_order: 'asc' }],
          },
        ),
        'rjct.sort.invalid',
        /sort/,
      ],
      [
        search('expression', { query: { decile: { $lt: 3 } } }, { pagination: { page_size: 501 } }),
        'rjct.pagination.invalid',
        /at most 500/,
      ],
    ];
    for (const [body, code, message] of cases) {
      const { status, item } = await dci(body);
      expect(status).toBe(200);
      expect(item).toMatchObject({ status: 'rjct', status_reason_code: code });
      expect(item!.status_reason_message).toMatch(message);
      expect(item!.status_reason_message).not.toContain('SECRET');
    }
    const ministry = await dci(
      search('expression', { query: { decile: { $lt: 3 } } }),
      'kemensos-bansos',
      'BANSOS_DISTRIBUTION',
    );
    expect(ministry.item).toMatchObject({
      status: 'rjct',
      status_reason_code: 'rjct.search_criteria.invalid',
    });
  });
});

async function auditSubjects(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT coalesce(sum(cardinality(subjects)), 0)::int AS n FROM audit_event WHERE client_id = 'pemda-3201'`,
  );
  return rows[0]!.n;
}
