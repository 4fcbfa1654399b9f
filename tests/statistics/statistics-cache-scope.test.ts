import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import {
  canonicalQueryKey,
  effectiveRegionScope,
  normalizeStatisticsQuery,
} from '../../src/statistics/privacy/canonical-query.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import {
  HOUSEHOLDS_HEADER,
  importText,
  MEMBERS_HEADER,
  RECIPIENTS_HEADER,
} from '../support/snapshot-fixture.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * Issue 11, item 7: a researcher's answer is cached per question, snapshot and effective region
 * scope. A researcher scoped to 3201 never receives the national researcher's cached table of
 * province 32, and a national researcher never receives the scoped one, in either order.
 */

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ db, gateway, access } = fixture));

const NATIONAL = 'researcher-national';
const SCOPED = 'researcher-3201';

/** Households (one active member each) in three regencies of province 32 and one of 31. */
const VILLAGES: Record<string, { village: string; households: number }> = {
  '3201': { village: '3201011001', households: 40 },
  '3202': { village: '3202011001', households: 40 },
  '3273': { village: '3273011001', households: 30 },
  '3171': { village: '3171011001', households: 20 },
};

let prepared: Promise<string[]> | undefined;
/** Loads the snapshot and registers both researchers once; the regencies of province 32. */
function prepare(): Promise<string[]> {
  prepared ??= (async () => {
    const households = [HOUSEHOLDS_HEADER];
    const members = [MEMBERS_HEADER];
    let n = 0;
    for (const { village, households: count } of Object.values(VILLAGES)) {
      for (let i = 0; i < count; i++, n++) {
        const id = `S${n}`;
        const kk = `${village.slice(0, 6)}0101${String(9000 + n).padStart(6, '0')}`;
        households.push(
          [
            id,
            kk,
            village,
            '',
            String((n % 10) + 1),
            ...Array(8).fill(''),
            'VERIFIED',
            '',
            'BPS',
          ].join(','),
        );
        const nik = `${village.slice(0, 6)}010180${String(n).padStart(4, '0')}`;
        members.push(`${nik},${id},Person ${n},M,1980-01-01,HEAD,false,NONE,false,ACTIVE`);
      }
    }
    await importText(db, {
      households: households.join('\n'),
      members: members.join('\n'),
      recipients: RECIPIENTS_HEADER,
    });
    const demo = DEMO_CLIENTS.find((c) => c.clientId === 'bps-researcher')!;
    await saveClient(db.db, registration({ ...demo, clientId: NATIONAL }, 'unused-hash'));
    await saveClient(
      db.db,
      registration(
        {
          ...demo,
          clientId: SCOPED,
          agency: { id: 'bps-3201', name: 'BPS Kabupaten Bogor', kind: 'RESEARCHER' },
          regionScope: ['3201'],
        },
        'unused-hash',
      ),
    );
    const { rows } = await db.pool.query<{ code: string }>(
      "SELECT code FROM region WHERE level = 2 AND code LIKE '32%' ORDER BY code",
    );
    return rows.map((r) => r.code);
  })();
  return prepared;
}

interface Answer {
  cells: { key: { dimension: string; code: string }[]; value: number | null }[];
  method: string;
  epsilonSpent: number;
  cached: boolean;
}

let requests = 0;
async function ask(
  clientId: string,
  q: Record<string, unknown>,
): Promise<Answer & { regions: string[]; auditKey: string }> {
  const requestId = `cache-scope-${++requests}`;
  const r = await graphql(
    gateway,
    `
      query S($q: StatisticsQuery!) {
        statistics(query: $q) {
          cells {
            key {
              dimension
              code
            }
            value
          }
          method
          epsilonSpent
          cached
        }
      }
    `,
    {
      variables: { q },
      headers: { ...(await access.as(clientId, 'RESEARCH')), 'x-request-id': requestId },
    },
  );
  expect(r.body.errors).toBeUndefined();
  const answer = (r.body.data as { statistics: Answer }).statistics;
  expect(answer.method).toBe('DIFFERENTIAL_PRIVACY');
  const { rows } = await db.pool.query<{ decision_ids: string[] }>(
    'SELECT decision_ids FROM audit_event WHERE request_id = $1',
    [requestId],
  );
  return {
    ...answer,
    regions: answer.cells.map((c) => c.key.find((k) => k.dimension === 'REGENCY')!.code),
    auditKey: rows[0]!.decision_ids[0]!,
  };
}

const query = (epsilon: number, regionCode = '32') => ({
  measure: 'HOUSEHOLDS',
  groupBy: ['REGENCY'],
  filter: { regionCode },
  epsilon,
});

const valueOf = (a: Answer, regency: string) =>
  a.cells.find((c) => c.key[0]!.code === regency)?.value;

function expectNational(a: Awaited<ReturnType<typeof ask>>, regencies: string[]) {
  expect(a.regions).toEqual(regencies);
  // The regencies with data are counted (ε = 1 or 0.9: noise of a few households at most).
  for (const regency of ['3201', '3202', '3273']) {
    expect(valueOf(a, regency)).toBeGreaterThanOrEqual(VILLAGES[regency]!.households - 15);
  }
}

function expectScoped(a: Awaited<ReturnType<typeof ask>>) {
  expect(a.regions).toEqual(['3201']);
  expect(valueOf(a, '3201')).toBeGreaterThanOrEqual(VILLAGES['3201']!.households - 15);
}

describe('the statistics answer cache keeps region scopes apart', () => {
  it('national first, then scoped: the scoped researcher gets only 3201', async () => {
    const regencies = await prepare();
    expect(regencies.length).toBeGreaterThan(3);
    const national = await ask(NATIONAL, query(1));
    expect(national.cached).toBe(false);
    expectNational(national, regencies);

    const scoped = await ask(SCOPED, query(1));
    expectScoped(scoped);
    expect(scoped.cached).toBe(false);
    expect(scoped.epsilonSpent).toBe(1);
    expect(scoped.auditKey).not.toBe(national.auditKey);

    // The same question in the same scope: the stored answer, nothing spent.
    const again = await ask(NATIONAL, query(1));
    expect(again).toMatchObject({ cached: true, epsilonSpent: 0, cells: national.cells });
    expect(again.auditKey).toBe(national.auditKey);
    const scopedAgain = await ask(SCOPED, query(1));
    expect(scopedAgain).toMatchObject({ cached: true, epsilonSpent: 0, cells: scoped.cells });
  });

  it('scoped first, then national: the national answer is not poisoned', async () => {
    const regencies = await prepare();
    const scoped = await ask(SCOPED, query(0.9));
    expect(scoped.cached).toBe(false);
    expectScoped(scoped);

    const national = await ask(NATIONAL, query(0.9));
    expect(national.cached).toBe(false);
    expectNational(national, regencies);
    expect(national.auditKey).not.toBe(scoped.auditKey);
  });

  it('shares the answer when the filter lies within the scope (same effective scope)', async () => {
    await prepare();
    const scoped = await ask(SCOPED, query(0.5, '3201'));
    expect(scoped.cached).toBe(false);
    expectScoped(scoped);
    const national = await ask(NATIONAL, query(0.5, '3201'));
    expect(national).toMatchObject({ cached: true, epsilonSpent: 0, cells: scoped.cells });
    expect(national.auditKey).toBe(scoped.auditKey);
  });
});

describe('the cache key names the effective region scope', () => {
  const q = (regionCode: string | null) =>
    normalizeStatisticsQuery({
      measure: 'HOUSEHOLDS',
      groupBy: ['REGENCY'],
      filter: { regionCode },
      epsilonMilli: 100,
    });

  it('normalizes the scope: order, repetition, nested prefixes and * anywhere', () => {
    expect(effectiveRegionScope(q('32'), ['3201', '3171', '3201'])).toEqual(['3171', '3201']);
    expect(effectiveRegionScope(q(null), ['320101', '32', '3171'])).toEqual(['3171', '32']);
    expect(effectiveRegionScope(q('31'), ['320101', '32'])).toEqual(['32']);
    expect(effectiveRegionScope(q(null), ['3201', '*'])).toEqual(['*']);
    expect(effectiveRegionScope(q(null), [])).toEqual([]);
    expect(canonicalQueryKey(q('32'), ['3201', '3171'])).toBe(
      canonicalQueryKey(q('32'), ['3171', '3201', '3171']),
    );
    expect(canonicalQueryKey(q(null), ['*', '3201'])).toBe(canonicalQueryKey(q(null), ['*']));
  });

  it('gives different scopes different keys, unless the filter lies within the scope', () => {
    const national = canonicalQueryKey(q('32'), ['*']);
    expect(canonicalQueryKey(q('32'), ['3201'])).not.toBe(national);
    expect(canonicalQueryKey(q('32'), ['3171'])).not.toBe(canonicalQueryKey(q('32'), ['3201']));
    expect(canonicalQueryKey(q('32'), [])).not.toBe(national);
    expect(canonicalQueryKey(q('3201'), ['3201'])).toBe(canonicalQueryKey(q('3201'), ['*']));
    expect(canonicalQueryKey(q('3201'), ['32', '3171'])).toBe(canonicalQueryKey(q('3201'), ['*']));
    expect(national).toMatch(/^sq2:[0-9a-f]{64}$/);
  });
});
