import type pg from 'pg';
import { sampleNiks } from '../support/nik-samples.js';
import type { GraphQLRequest } from './load.js';
import type { Contender, ServerKind } from './servers.js';

/**
 * The workloads and their exact requests. Each contender answers the same work its own way:
 *   - bare: node:http + pg, one handler per workload (bench/support/bare-*.ts), the body's
 *     `variables` read and the `query` ignored;
 *   - PostGraphile 4: its generated schema, no security, NIK unmasked;
 *   - gateway: the full gateway (token, gate, purpose, rate limit, field policy, audit).
 */
export const REGENCY = '3201';
export const NOT_VERIFIED_SINCE = '2025-07-01';
export const PAGE = 50;
export const PROGRAM = 'PBI_JK';

export const QUERIES = {
  gatewayPerson: 'query($nik: NIK!) { person(nik: $nik) { nik name birthDate } }',
  postgraphilePerson: 'query($nik: String!) { memberByNik(nik: $nik) { nik name birthDate } }',
  gatewayEligibility: `query($nik: NIK!) { eligibility(nik: $nik, program: ${PROGRAM}) { eligible reason decisionId dataAsOf subjectRef } }`,
  gatewayBatch: `query($n: [NIK!]!) { eligibilityBatch(niks: $n, program: ${PROGRAM}) { eligible reason decisionId dataAsOf subjectRef } }`,
  gatewayWorkList: `query WorkList($filter: HouseholdFilterInput!) {
  households(first: ${PAGE}, filter: $filter, orderBy: LAST_VERIFIED) {
    totalCount
    edges { node { id address decile members { nik name programs } } }
  }
}`,
  postgraphileWorkList: `query WorkList($district: String!, $notVerifiedSince: Date!) {
  allHouseholds(
    first: ${PAGE}
    filter: {
      regionCode: { startsWith: $district }
      or: [{ verifiedAt: { isNull: true } }, { verifiedAt: { lessThan: $notVerifiedSince } }]
    }
    orderBy: [VERIFIED_AT_ASC, HOUSEHOLD_ID_ASC]
  ) {
    totalCount
    nodes {
      householdId address decile
      membersByHouseholdId { nodes { nik name programRecipientsByNik { nodes { program } } } }
    }
  }
}`,
} as const;

/** What the runs draw on: real NIKs and districts of the served snapshot. */
export interface Samples {
  /** NIKs of households in the regency (pemda-3201's scope), in a fixed random order. */
  regencyNiks: string[];
  /** The regency's ten largest districts, which the work-list pages take in turn. */
  districts: string[];
  /** A random sample of registered NIKs, shuffled; and valid NIKs that are not registered. */
  registered: string[];
  unregistered: string[];
}

const REGENCY_NIKS = 5_000;
const SAMPLE = 60_000;

export async function drawSamples(pool: pg.Pool, persons: number): Promise<Samples> {
  const { rows: regency } = await pool.query<{ nik: string }>(
    `SELECT m.nik FROM member m JOIN household h ON h.household_id = m.household_id
      WHERE h.region_code LIKE $1 ORDER BY md5(m.nik) LIMIT ${REGENCY_NIKS}`,
    [`${REGENCY}%`],
  );
  const { rows: districts } = await pool.query<{ district: string }>(
    `SELECT left(region_code, 6) AS district FROM household
      WHERE region_code LIKE $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 10`,
    [`${REGENCY}%`],
  );
  if (regency.length === 0 || districts.length === 0) {
    throw new Error(`no households in ${REGENCY}: seed more persons`);
  }
  const { registered, unregistered } = await sampleNiks(pool, persons, SAMPLE);
  return {
    regencyNiks: regency.map((r) => r.nik),
    districts: districts.map((d) => d.district),
    registered,
    unregistered,
  };
}

/** Batches of `size` NIKs, one in twenty unregistered (as bench/eligibility.bench.ts builds them). */
export function batchesOf(samples: Samples, size: number): string[][] {
  const { registered, unregistered } = samples;
  return Array.from({ length: Math.max(1, Math.floor(registered.length / size)) }, (_, b) =>
    registered
      .slice(b * size, (b + 1) * size)
      .map((nik, i) =>
        i % 20 === 0 ? unregistered[(b * 500 + i / 20) % unregistered.length]! : nik,
      ),
  );
}

/** One workload: its connection counts, the server of each contender and its requests. */
export interface Workload {
  key: 'person' | 'eligibility' | 'worklist';
  title: string;
  connections: number[];
  servers: Partial<Record<Contender, ServerKind>>;
  requests: Partial<Record<Contender, GraphQLRequest>>;
}

export interface GatewayHeaders {
  /** pemda-3201 (Kabupaten Bogor, VERIVALI): person lookups and work lists. */
  localGovernment: Record<string, string>;
  /** kemenkes-pbi (PBI_JK_VERIFICATION): eligibility. */
  ministry: Record<string, string>;
}

export function workloads(samples: Samples, headers: GatewayHeaders): Workload[] {
  const nik = (niks: string[]) => (i: number) => ({ nik: niks[i % niks.length] });
  const district = (i: number) => samples.districts[i % samples.districts.length]!;
  return [
    {
      key: 'person',
      title: '`person(nik)`',
      connections: [50],
      servers: {
        bare: { variant: 'bare' },
        postgraphile: { script: 'postgraphile-server.ts' },
        gateway: { variant: 'full' },
      },
      requests: {
        bare: { query: QUERIES.gatewayPerson, variables: nik(samples.regencyNiks), headers: {} },
        postgraphile: {
          query: QUERIES.postgraphilePerson,
          variables: nik(samples.regencyNiks),
          headers: {},
        },
        gateway: {
          query: QUERIES.gatewayPerson,
          variables: nik(samples.regencyNiks),
          headers: headers.localGovernment,
        },
      },
    },
    {
      key: 'eligibility',
      title: `\`eligibility(nik, ${PROGRAM})\``,
      connections: [50],
      servers: { bare: { variant: 'bare-eligibility' }, gateway: { variant: 'full' } },
      requests: {
        bare: {
          query: QUERIES.gatewayEligibility,
          variables: nik(samples.registered),
          headers: {},
        },
        gateway: {
          query: QUERIES.gatewayEligibility,
          variables: nik(samples.registered),
          headers: headers.ministry,
        },
      },
    },
    {
      key: 'worklist',
      title: `work-list page of ${PAGE} households`,
      connections: [1, 10, 50],
      servers: {
        bare: { script: 'bare-worklist-server.ts' },
        postgraphile: { script: 'postgraphile-server.ts' },
        gateway: { variant: 'full' },
      },
      requests: {
        bare: {
          query: QUERIES.gatewayWorkList,
          variables: (i) => ({
            district: district(i),
            notVerifiedSince: NOT_VERIFIED_SINCE,
            first: PAGE,
          }),
          headers: {},
        },
        postgraphile: {
          query: QUERIES.postgraphileWorkList,
          variables: (i) => ({ district: district(i), notVerifiedSince: NOT_VERIFIED_SINCE }),
          headers: {},
        },
        gateway: {
          query: QUERIES.gatewayWorkList,
          variables: (i) => ({
            filter: { regionCode: district(i), notVerifiedSince: NOT_VERIFIED_SINCE },
          }),
          headers: headers.localGovernment,
        },
      },
    },
  ];
}
