/**
 * The soak's mix: every kind of client of the demo agreements (src/demo/demo-agreements.ts), each
 * asking what README.md shows it asking, with a share of the 1,000 connections. Real NIKs from the
 * served snapshot rotate, so consecutive requests read other rows.
 */
import { readFile } from 'node:fs/promises';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type pg from 'pg';
import { ROOT_FIELD_POLICY } from '../../src/auth/operation-policy.js';
import { DASHBOARD_MANIFEST } from '../../src/demo/demo-documents.js';
import { benchToken } from '../support/bench-results.js';
import type { BodyPlan, ClientKind, WorkloadPlan } from './plan.js';

/** Connections per workload; they sum to 1,000. */
export const CONNECTIONS = {
  pemdaPerson: 220,
  pemdaWorkList: 40,
  bansosSingle: 170,
  pbiSingle: 150,
  pbiBatch: 20,
  pipSingle: 120,
  researcher: 20,
  dashboard: 100,
  dci: 50,
  subject: 30,
  admin: 80,
} as const;

/**
 * The clients whose rate limit and daily quota are lifted (liftUsageLimits: the limiter still runs
 * on every request): the heavy users, whose limits must not be what is measured. Every other
 * client keeps the demo agreement's limits (6,000 requests a minute, 1,000,000 subjects a day,
 * batches of 10,000; the researcher's agency ε 3.0 a period).
 */
export const LIFTED_CLIENTS = [
  'pemda-3201',
  'kemensos-bansos',
  'kemenkes-pbi',
  'pusdatin-dashboard',
];

const SAMPLE = 20_000;
const BATCH = 100;
const REGENCY = '3201';
const NOT_VERIFIED_SINCE = '2025-07-01';

const PERSON = `query Person($nik: NIK!) { person(nik: $nik) {
  nik name sex birthDate relationship status programs household { id regionCode address decile } } }`;
const WORK_LIST = `query WorkList($filter: HouseholdFilterInput!) {
  households(first: 50, filter: $filter, orderBy: LAST_VERIFIED) {
    totalCount
    edges { node { id address decile verificationStatus verifiedAt
                   members { nik name birthDate relationship status programs } } }
    pageInfo { hasNextPage endCursor } } }`;
const decision = 'eligible reason decisionId dataAsOf subjectRef';
const single = (program: string) =>
  `query Check($nik: NIK!) { eligibility(nik: $nik, program: ${program}) { ${decision} } }`;
const BATCH_QUERY = `query Batch($niks: [NIK!]!) { eligibilityBatch(niks: $niks, program: PBI_JK) { ${decision} } }`;
const STATISTICS = `query Table($q: StatisticsQuery!) { statistics(query: $q) {
  table { dimensions { dimension codes } values } method epsilonSpent budgetRemaining dataAsOf cached } }`;
const MY_RECORD = `query MyRecord($nik: NIK!) { myRecord(nik: $nik) {
  registered person { nik name birthDate status programs }
  household { id decile members { nik name relationship } }
  decisions { program eligible reason ruleVersion decisionId }
  accessHistory(first: 20) { edges { node { at agencyName purpose operation fields subjectRequest } } } } }`;
const ME = 'query Me { me { clientId agencyName kind purposes privacyBudgetRemaining } }';

/** Whether an operation's plain answer is audited: it names a root field that discloses data. */
export function auditedOperation(document: string): boolean {
  const operation = parse(document).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return (operation?.selectionSet.selections ?? []).some(
    (s) => s.kind === Kind.FIELD && ROOT_FIELD_POLICY[s.name.value]?.personal === true,
  );
}

function shuffle<T>(xs: T[]): T[] {
  // Deterministic (a fixed LCG), so that reruns ask in the same order.
  let seed = 12345;
  for (let i = xs.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

async function sampleNiks(pool: pg.Pool, persons: number, region: string | null) {
  const percent = Math.min(100, ((SAMPLE * (region ? 40 : 1.3)) / persons) * 100);
  const { rows } = await pool.query<{ nik: string }>(
    `SELECT m.nik FROM member m TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (3)
      ${region ? `JOIN household h USING (household_id) WHERE h.region_code LIKE '${region}%'` : ''}
      LIMIT ${SAMPLE}`,
  );
  if (rows.length < 1_000) throw new Error(`only ${rows.length} NIKs sampled: seed more persons`);
  return shuffle(rows.map((r) => r.nik));
}

/** The researcher's questions: 2 measures × 21 groupings × 5 filters, ε 0.1 each. */
function researcherQuestions(): Array<Record<string, unknown>> {
  const dimensions = ['PROVINCE', 'REGENCY', 'DECILE', 'PROGRAM', 'SEX', 'AGE_BAND'];
  const groupings: string[][] = [[]];
  for (let i = 0; i < dimensions.length; i++) {
    groupings.push([dimensions[i]!]);
    for (let j = i + 1; j < dimensions.length; j++) {
      if (i === 0 && j === 1) continue; // one region level per table
      groupings.push([dimensions[i]!, dimensions[j]!]);
    }
  }
  const filters = [
    null,
    { programs: ['PKH'] },
    { deciles: [1, 2, 3, 4] },
    { regionCode: '32' },
    { regionCode: REGENCY },
  ];
  const questions: Array<Record<string, unknown>> = [];
  for (const filter of filters) {
    for (const measure of ['HOUSEHOLDS', 'PERSONS']) {
      for (const groupBy of groupings) {
        questions.push({ q: { measure, groupBy, ...(filter ? { filter } : {}), epsilon: 0.1 } });
      }
    }
  }
  return questions;
}

/** The requests the dashboard's views send (dashboard/src/views/*.ts), by document name. */
function dashboardRequests(today: Date): Array<[string, Record<string, unknown>]> {
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(d);
  const yearAgo = `${today.getFullYear() - 1}-${String(today.getMonth() + 1).padStart(2, '0')}-01`;
  const targeting = (program: string, province: string | null) => {
    const level = province ? 'REGENCY' : 'PROVINCE';
    return [
      ...['RECIPIENTS', 'ELIGIBLE_NON_RECIPIENTS', 'RECIPIENTS_NOT_ELIGIBLE'].map(
        (measure) =>
          ['TargetingByDecile', { measure, program, regionCode: province }] as [
            string,
            Record<string, unknown>,
          ],
      ),
      ...['ELIGIBLE_NON_RECIPIENTS', 'RECIPIENTS_NOT_ELIGIBLE'].map(
        (measure) =>
          ['TargetingByRegion', { measure, program, level, regionCode: province }] as [
            string,
            Record<string, unknown>,
          ],
      ),
      ['PoorestPersonsByRegion', { level, regionCode: province }],
      ['RegionPopulation', { level: 'REGENCY', parentCode: province }],
      ['Provinces', {}],
    ] as Array<[string, Record<string, unknown>]>;
  };
  return [
    // sign-in, then the national overview
    ['DashboardMe', {}],
    ['SnapshotTotals', {}],
    ['RegionHouseholds', { level: 'PROVINCE', regionCode: null }],
    ['DecilePersons', { regionCode: null }],
    // province 32, regency 3201
    ['RegionHouseholds', { level: 'REGENCY', regionCode: '32' }],
    ['DecilePersons', { regionCode: '32' }],
    ['RegionHouseholds', { level: 'DISTRICT', regionCode: REGENCY }],
    ['DecilePersons', { regionCode: REGENCY }],
    // targeting, PKH national and PBI_JK in Jawa Barat
    ...targeting('PKH', null),
    ...targeting('PBI_JK', '32'),
    // verivali, national and Jawa Barat
    ['VerificationProgress', { regionCode: null, notVerifiedSince: yearAgo }],
    ['Provinces', {}],
    ['VerificationProgress', { regionCode: '32', notVerifiedSince: yearAgo }],
    // snapshot history, gateway use over 30 days
    ['SnapshotHistory', { first: 40 }],
    ['GatewayUse', { from: day(new Date(today.getTime() - 29 * 86_400_000)), to: day(today) }],
  ];
}

/** The dashboard's published documents by operation name, from the manifest `npm run codegen` writes. */
async function dashboardDocuments(): Promise<Map<string, { id: string; text: string }>> {
  const manifest = JSON.parse(await readFile(DASHBOARD_MANIFEST, 'utf8')) as Record<string, string>;
  const byName = new Map<string, { id: string; text: string }>();
  for (const [id, text] of Object.entries(manifest)) {
    const name = /^\s*query\s+(\w+)/.exec(text)?.[1];
    if (name) byName.set(name, { id, text });
  }
  return byName;
}

export interface Mix {
  workloads: WorkloadPlan[];
  /** What the samples were, for the results. */
  samples: { nationalNiks: number; regencyNiks: number; districts: string[]; questions: number };
}

/** Builds every workload of the mix against the served snapshot, with fresh tokens. */
export async function buildMix(pool: pg.Pool, dataDir: string, persons: number): Promise<Mix> {
  const national = await sampleNiks(pool, persons, null);
  const bogor = await sampleNiks(pool, persons, REGENCY);
  const { rows: districts } = await pool.query<{ district: string }>(
    `SELECT left(region_code, 6) AS district FROM household WHERE region_code LIKE $1
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 10`,
    [`${REGENCY}%`],
  );
  const token = async (client: string) => `Bearer ${await benchToken(dataDir, client)}`;
  const audited = new Map<string, boolean>();
  const graphql = (label: string, query: string, variables: Record<string, unknown>): BodyPlan => {
    if (!audited.has(query)) audited.set(query, auditedOperation(query));
    return { label, json: JSON.stringify({ query, variables }), audited: audited.get(query)! };
  };
  const workload = async (
    key: string,
    kind: ClientKind,
    client: string,
    operation: string,
    connections: number,
    headers: Record<string, string>,
    bodies: BodyPlan[],
    options: { rate?: number; path?: string } = {},
  ): Promise<WorkloadPlan> => ({
    key,
    kind,
    client,
    operation,
    connections,
    rate: options.rate ?? null,
    path: options.path ?? '/graphql',
    headers: { authorization: await token(client), ...headers },
    bodies,
  });
  const verivali = { 'x-purpose': 'VERIVALI', 'x-officer-id': 'soak-officer' };
  const niksAt = (offset: number) => [...national.slice(offset), ...national.slice(0, offset)];

  const questions = researcherQuestions();
  const documents = await dashboardDocuments();
  const dashboard = dashboardRequests(new Date()).map(([name, variables]): BodyPlan => {
    const document = documents.get(name);
    if (!document) throw new Error(`the dashboard has no document ${name}: run npm run codegen`);
    return {
      label: name,
      json: JSON.stringify({ documentId: document.id, variables }),
      audited: auditedOperation(document.text),
    };
  });

  const workloads = [
    await workload(
      'pemda-person',
      'local government',
      'pemda-3201',
      '`person(nik)`, a NIK of Kab. Bogor, NIK masked',
      CONNECTIONS.pemdaPerson,
      verivali,
      bogor.map((nik) => graphql('person(nik)', PERSON, { nik })),
    ),
    await workload(
      'pemda-worklist',
      'local government',
      'pemda-3201',
      `work-list page \`households(first: 50, filter: {regionCode: <district>, notVerifiedSince}, orderBy: LAST_VERIFIED)\` with members, the ${districts.length} largest districts of ${REGENCY} in turn`,
      CONNECTIONS.pemdaWorkList,
      verivali,
      districts.map((d) =>
        graphql('households(first: 50)', WORK_LIST, {
          filter: { regionCode: d.district, notVerifiedSince: NOT_VERIFIED_SINCE },
        }),
      ),
    ),
    await workload(
      'bansos-single',
      'ministry',
      'kemensos-bansos',
      '`eligibility(nik, PKH)`, a national NIK',
      CONNECTIONS.bansosSingle,
      { 'x-purpose': 'BANSOS_DISTRIBUTION', 'x-officer-id': 'soak-officer' },
      niksAt(0).map((nik) => graphql('eligibility(PKH)', single('PKH'), { nik })),
    ),
    await workload(
      'pbi-single',
      'ministry',
      'kemenkes-pbi',
      '`eligibility(nik, PBI_JK)`, a national NIK',
      CONNECTIONS.pbiSingle,
      { 'x-purpose': 'PBI_JK_VERIFICATION', 'x-officer-id': 'soak-officer' },
      niksAt(5_000).map((nik) => graphql('eligibility(PBI_JK)', single('PBI_JK'), { nik })),
    ),
    await workload(
      'pbi-batch',
      'ministry',
      'kemenkes-pbi',
      `\`eligibilityBatch(niks, PBI_JK)\` of ${BATCH} national NIKs`,
      CONNECTIONS.pbiBatch,
      { 'x-purpose': 'PBI_JK_VERIFICATION', 'x-officer-id': 'soak-officer' },
      Array.from({ length: Math.floor(national.length / BATCH) }, (_, b) =>
        graphql(`eligibilityBatch(${BATCH})`, BATCH_QUERY, {
          niks: national.slice(b * BATCH, (b + 1) * BATCH),
        }),
      ),
    ),
    await workload(
      'pip-single',
      'ministry',
      'kemendikdasmen-pip',
      '`eligibility(nik, PIP)`, a national NIK (no detailed reasons); **demo limits**',
      CONNECTIONS.pipSingle,
      { 'x-purpose': 'PIP_TARGETING', 'x-officer-id': 'soak-officer' },
      niksAt(10_000).map((nik) => graphql('eligibility(PIP)', single('PIP'), { nik })),
    ),
    await workload(
      'researcher',
      'researcher',
      'bps-researcher',
      `\`statistics\` with ε 0.1, ${questions.length} questions in turn (2 measures × 21 groupings × 5 filters); **demo limits**, agency budget ε 3.0`,
      CONNECTIONS.researcher,
      { 'x-purpose': 'RESEARCH' },
      questions.map((q) => graphql('statistics (ε 0.1)', STATISTICS, q)),
    ),
    await workload(
      'dashboard',
      'dashboard',
      'pusdatin-dashboard',
      `the dashboard's published documents (trusted documents only) as its views send them: ${dashboard.length} requests in turn`,
      CONNECTIONS.dashboard,
      { 'x-purpose': 'MONITORING' },
      dashboard,
    ),
    await workload(
      'dci',
      'DCI (ministry)',
      'kemensos-bansos',
      'DCI `POST /dci/registry/sync/search`, one NIK (PKH and BPNT decisions), a fresh unsigned message each',
      CONNECTIONS.dci,
      { 'x-purpose': 'BANSOS_DISTRIBUTION', 'x-officer-id': 'soak-officer' },
      // The door runs eligibilityBatch for the decisions: audited.
      niksAt(15_000).map((nik) => ({ label: 'DCI sync search', dciNik: nik, audited: true })),
      { path: '/dci/registry/sync/search' },
    ),
    await workload(
      'subject',
      'subject service',
      'cekbansos-subject',
      '`myRecord(nik)` (record, household, decisions, the last 20 accesses); **demo limits**',
      CONNECTIONS.subject,
      { 'x-purpose': 'SUBJECT_REQUEST' },
      niksAt(2_500).map((nik) => graphql('myRecord(nik)', MY_RECORD, { nik })),
    ),
    await workload(
      'admin',
      'administrator',
      'gateway-admin',
      '`me` (not audited: it discloses nothing about a person); **demo limits**',
      CONNECTIONS.admin,
      { 'x-purpose': 'OVERSIGHT' },
      [graphql('me', ME, {})],
    ),
  ];
  return {
    workloads,
    samples: {
      nationalNiks: national.length,
      regencyNiks: bogor.length,
      districts: districts.map((d) => d.district),
      questions: questions.length,
    },
  };
}
