import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';

/**
 * `regions` (issue #13): the public region reference with the reference population, for every
 * client and without a purpose, checked against data/wilayah/population.csv read here.
 */
let gateway: TestGateway;
let access: DemoAccess;
useFixtureGateway((fixture) => ({ gateway, access } = fixture));

const REGIONS = `query Regions($parentCode: RegionCode, $level: RegionLevel) {
  regions(parentCode: $parentCode, level: $level) {
    code name level parentCode population { male female total }
  }
}`;

interface Region {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  population: { male: number; female: number; total: number } | null;
}

async function populationCsv(): Promise<Map<string, [number, number, number]>> {
  const text = await readFile(path.resolve('data/wilayah/population.csv'), 'utf8');
  const rows = text.trim().split('\n').slice(1);
  return new Map(
    rows.map((line) => {
      const cells = line.split(',');
      const [male, female, total] = cells.slice(-3).map(Number) as [number, number, number];
      return [cells[0]!, [male, female, total]];
    }),
  );
}

async function regions(
  clientId: string,
  variables: Record<string, unknown> = {},
): Promise<{ regions?: Region[]; codes: unknown[] }> {
  // No X-Purpose: the reference is public.
  const headers = await access.as(clientId);
  const r = await graphql(gateway, REGIONS, { variables, headers });
  return {
    regions: (r.body.data as { regions?: Region[] } | null)?.regions,
    codes: (r.body.errors ?? []).map((e) => e.extensions?.code),
  };
}

describe('regions', () => {
  it('answers every client without a purpose', async () => {
    // The demo dashboard runs published documents only; every other client sends this text.
    for (const client of DEMO_CLIENTS.filter((c) => !c.trustedDocumentsOnly)) {
      const r = await regions(client.clientId);
      expect(r.codes, client.clientId).toEqual([]);
      expect(r.regions, client.clientId).toHaveLength(38);
    }
  });

  it('gives the regencies of a province with their reference population', async () => {
    const population = await populationCsv();
    const { regions: jabar } = await regions('kemenkes-pbi', { parentCode: '32' });
    expect(jabar).toHaveLength(27);
    for (const r of jabar!) {
      expect(r.level).toBe('REGENCY');
      expect(r.parentCode).toBe('32');
      const [male, female, total] = population.get(r.code)!;
      expect(r.population, r.code).toEqual({ male, female, total });
    }
    expect(jabar!.find((r) => r.code === '3201')?.name).toBe('Kabupaten Bogor');
  });

  it('lists districts and villages under a regency, without population', async () => {
    const { regions: districts } = await regions('pemda-3171', { parentCode: '3201' });
    expect(districts!.length).toBeGreaterThan(30);
    expect(districts!.every((d) => d.level === 'DISTRICT' && d.population === null)).toBe(true);
    const { regions: villages } = await regions('pemda-3171', {
      parentCode: '3201',
      level: 'VILLAGE',
    });
    expect(villages!.every((v) => v.code.startsWith('3201') && v.code.length === 10)).toBe(true);
    expect(villages!.length).toBeGreaterThan(districts!.length);
  });

  it('refuses the whole country’s villages and a level above the parent', async () => {
    expect((await regions('bps-researcher', { level: 'VILLAGE' })).codes).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      (await regions('bps-researcher', { parentCode: '3201', level: 'PROVINCE' })).codes,
    ).toEqual(['BAD_USER_INPUT']);
    expect((await regions('bps-researcher', { parentCode: '32x' })).codes).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});
