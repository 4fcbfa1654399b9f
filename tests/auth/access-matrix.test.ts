import { describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { useFixtureGateway } from '../support/fixture-gateway.js';
import type { DemoAccess } from '../support/test-clients.js';
import type { TestDatabase } from '../support/test-database.js';
import { graphql, type TestGateway } from '../support/test-gateway.js';
import { graphqlDocument } from '../support/trusted-documents.js';

/**
 * Every demo client × every root field, against CONTRACT §6–7 written out by hand (not derived
 * from the policy tables, so that a change to the tables that breaks the contract fails here).
 * Each field is tried plainly, under an alias, in a named fragment and in an inline fragment.
 */
const LOCAL_GOVS = ['pemda-3201', 'pemda-3201-review', 'pemda-3171'];
const CONTRACT: Record<string, string[] | 'all'> = {
  me: 'all',
  snapshot: 'all',
  person: LOCAL_GOVS,
  household: LOCAL_GOVS,
  households: LOCAL_GOVS,
  accessLog: ['gateway-admin'],
  programs: 'all',
  eligibility: ['kemenkes-pbi', 'kemendikdasmen-pip', 'kemensos-bansos'],
  eligibilityBatch: ['kemenkes-pbi', 'kemensos-bansos'],
  statistics: ['bps-researcher', 'pusdatin-dashboard', 'gateway-admin'],
  // Operational figures (issue #13): internal dashboards and the administrator.
  verificationProgress: ['pusdatin-dashboard', 'gateway-admin'],
  snapshotHistory: ['pusdatin-dashboard', 'gateway-admin'],
  gatewayUse: ['pusdatin-dashboard', 'gateway-admin'],
  regions: 'all',
  // Data subjects (issue #17): a data subjects' service whose agreement verifies identity.
  myRecord: ['cekbansos-subject'],
};
/** Each ministry asks about a program of its own agreement. */
const PROGRAM_OF: Record<string, string> = {
  'kemenkes-pbi': 'PBI_JK',
  'kemendikdasmen-pip': 'PIP',
  'kemensos-bansos': 'PKH',
};
const SELECTIONS: Record<string, string> = {
  me: 'me { clientId }',
  snapshot: 'snapshot { persons }',
  person: 'person(nik: "3201011505809001") { name }',
  household: 'household(id: "H1") { id }',
  households: 'households(first: 1) { edges { node { id } } }',
  accessLog: 'accessLog(nik: "3201011505809001") { edges { node { purpose } } }',
  programs: 'programs { code ruleVersion }',
  eligibility: 'eligibility(nik: "3201011505809001", program: PROGRAM) { eligible }',
  eligibilityBatch: 'eligibilityBatch(niks: ["3201011505809001"], program: PROGRAM) { eligible }',
  statistics:
    'statistics(query: { measure: HOUSEHOLDS, groupBy: [DECILE] }) { method cells { value } }',
  verificationProgress:
    'verificationProgress(filter: { regionCode: "32" }) { regencies { households { value } submissions { total } } }',
  snapshotHistory: 'snapshotHistory(first: 2) { asOf households dataQualityWarnings { code } }',
  gatewayUse:
    'gatewayUse(from: "2026-01-01", to: "2026-01-31") { requests { count } refusals { errorCode } quotaUse { share } }',
  regions: 'regions(parentCode: "32") { code name population { total } }',
  myRecord: 'myRecord(nik: "3201011505809001") { registered decisions { reason } }',
};
const SHAPES: Record<string, (selection: string) => string> = {
  plain: (s) => `{ ${s} }`,
  alias: (s) => `{ probe: ${s} }`,
  fragment: (s) => `query { ...F } fragment F on Query { ${s} }`,
  inline: (s) => `{ ... on Query { ${s} } }`,
};

let gateway: TestGateway;
let access: DemoAccess;
let db: TestDatabase;
useFixtureGateway((fixture) => ({ gateway, access, db } = fixture));

describe('access matrix: demo clients × root fields', () => {
  for (const client of DEMO_CLIENTS) {
    it(`${client.clientId} reaches exactly the root fields of its kind`, async () => {
      const headers = await access.as(client.clientId, client.purposes[0]);
      for (const [field, allowed] of Object.entries(CONTRACT)) {
        const may = allowed === 'all' || allowed.includes(client.clientId);
        for (const [shape, build] of Object.entries(SHAPES)) {
          const selection = SELECTIONS[field]!.replace(
            'PROGRAM',
            PROGRAM_OF[client.clientId] ?? 'PKH',
          );
          // A trusted-documents-only client (the dashboard) sends no text: published documents.
          const r = client.trustedDocumentsOnly
            ? await graphqlDocument(gateway, db, build(selection), { headers })
            : await graphql(gateway, build(selection), { headers });
          const codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
          const label = `${client.clientId} ${field} (${shape})`;
          if (may) {
            expect(codes, label).toEqual([]);
          } else {
            expect(codes, label).toEqual(['FORBIDDEN']);
            const data = r.body.data as Record<string, unknown> | null | undefined;
            expect(data?.[shape === 'alias' ? 'probe' : field] ?? null, label).toBeNull();
          }
        }
      }
    });
  }

  it('denies introspection to everyone but the administrator', async () => {
    const q = '{ __schema { queryType { name } } }';
    const partner = await graphql(gateway, q, { headers: await access.as('kemenkes-pbi') });
    expect(partner.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await graphql(gateway, q, { headers: await access.as('gateway-admin') });
    expect(admin.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
