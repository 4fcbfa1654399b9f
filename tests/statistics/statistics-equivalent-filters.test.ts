import { describe, expect, it } from 'vitest';
import {
  canonicalQueryKey,
  normalizeStatisticsQuery,
} from '../../src/statistics/privacy/canonical-query.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/*
 * Issue #16, point 3: a filter that keeps every value of a grouped dimension is the question
 * without it — the same cells (checked on exact counts), so the same cached answer and no second
 * charge for a researcher. A filter on a dimension that is not grouped is a different question.
 */
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ gateway, access } = fixture));

const ALL_DECILES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const ALL_PROGRAMS = ['PKH', 'BPNT', 'PBI_JK', 'PIP'];
const QUERY = `query($q: StatisticsQuery!) { statistics(query: $q) {
  cells { key { code } value } cached epsilonSpent } }`;

interface Answer {
  cells: Array<{ key: Array<{ code: string }>; value: number | null }>;
  cached: boolean;
  epsilonSpent: number;
}

async function ask(client: string, purpose: string, q: Record<string, unknown>): Promise<Answer> {
  const r = await graphql(gateway, QUERY, {
    variables: { q },
    headers: await access.as(client, purpose),
  });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { statistics: Answer }).statistics;
}

const key = (q: Parameters<typeof normalizeStatisticsQuery>[0]) =>
  canonicalQueryKey(normalizeStatisticsQuery(q), ['*']);

describe('statistics: equivalent filters', () => {
  it('a filter of every value of a grouped dimension has the key of no filter', () => {
    const base = { measure: 'HOUSEHOLDS' as const, epsilonMilli: 100 };
    expect(key({ ...base, groupBy: ['DECILE'], filter: { deciles: ALL_DECILES } })).toBe(
      key({ ...base, groupBy: ['DECILE'] }),
    );
    expect(key({ ...base, groupBy: ['PROGRAM', 'SEX'], filter: { programs: ALL_PROGRAMS } })).toBe(
      key({ ...base, groupBy: ['SEX', 'PROGRAM'] }),
    );
    // Not grouped: a different question.
    expect(key({ ...base, filter: { deciles: ALL_DECILES } })).not.toBe(key(base));
    expect(key({ ...base, groupBy: ['SEX'], filter: { programs: ALL_PROGRAMS } })).not.toBe(
      key({ ...base, groupBy: ['SEX'] }),
    );
    // Some values only: a filter.
    expect(
      key({ ...base, groupBy: ['DECILE'], filter: { deciles: ALL_DECILES.slice(1) } }),
    ).not.toBe(key({ ...base, groupBy: ['DECILE'] }));
  });

  it('and the same exact cells; not grouped, the filter does change the count', async () => {
    const admin = (q: Record<string, unknown>) => ask('gateway-admin', 'OVERSIGHT', q);
    for (const measure of ['HOUSEHOLDS', 'PERSONS']) {
      expect(
        (await admin({ measure, groupBy: ['DECILE'], filter: { deciles: ALL_DECILES } })).cells,
      ).toEqual((await admin({ measure, groupBy: ['DECILE'] })).cells);
      expect(
        (await admin({ measure, groupBy: ['PROGRAM'], filter: { programs: ALL_PROGRAMS } })).cells,
      ).toEqual((await admin({ measure, groupBy: ['PROGRAM'] })).cells);
    }
    // The fixture has an unranked household (H2): deciles 1–10 without grouping leave it out.
    const all = (await admin({ measure: 'HOUSEHOLDS' })).cells[0]!.value!;
    const ranked = (await admin({ measure: 'HOUSEHOLDS', filter: { deciles: ALL_DECILES } }))
      .cells[0]!.value!;
    expect(ranked).toBeLessThan(all);
  });

  it('a researcher asking both gets the stored answer the second time and pays once', async () => {
    const researcher = (q: Record<string, unknown>) => ask('bps-researcher', 'RESEARCH', q);
    const first = await researcher({ measure: 'HOUSEHOLDS', groupBy: ['PROGRAM'] });
    expect(first.cached).toBe(false);
    expect(first.epsilonSpent).toBeGreaterThan(0);
    const same = await researcher({
      measure: 'HOUSEHOLDS',
      groupBy: ['PROGRAM'],
      filter: { programs: ALL_PROGRAMS },
    });
    expect(same.cached).toBe(true);
    expect(same.epsilonSpent).toBe(0);
    expect(same.cells).toEqual(first.cells);
  });
});
