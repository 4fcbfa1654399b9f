import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/snapshot/snapshot-importer.js';
import {
  OPS_DASHBOARD,
  OPS_NO_SCOPE,
  registerOperationsClients,
} from '../support/monitoring-fixture.js';
import { importText, validSnapshot, withLine } from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * `snapshotHistory` (issue #13) against what the imports reported: two snapshots, the second with
 * a data-quality warning more, newest first.
 */
let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;
const imports: ImportSummary[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  imports.push(await importText(db, validSnapshot(), '2026-03-31'));
  const second = validSnapshot();
  // Budi's NIK says 15 May 1980; a birth date a year off is loaded with a warning.
  second.members = withLine(
    second.members,
    2,
    '3201011505809001,H1,Budi Santoso,M,1981-05-15,HEAD,false,NONE,false,ACTIVE',
  );
  imports.push(await importText(db, second, '2026-06-30'));
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  await registerOperationsClients(db);
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

const HISTORY = `query History($first: Int) {
  snapshotHistory(first: $first) {
    id asOf loadedAt served households persons programRecipients
    dataQualityWarnings { code count } dataQualityWarningTotal importSeconds rollupSeconds
  }
}`;

async function history(first?: number, clientId = OPS_DASHBOARD, purpose = 'MONITORING') {
  return graphql(gateway, HISTORY, {
    variables: first === undefined ? {} : { first },
    headers: await access.as(clientId, purpose),
  });
}

describe('snapshotHistory', () => {
  it('lists the snapshots loaded, newest first, as the imports reported them', async () => {
    const r = await history();
    expect(r.body.errors).toBeUndefined();
    const list = (r.body.data as { snapshotHistory: Array<Record<string, unknown>> })
      .snapshotHistory;
    expect(list.map((s) => [s.id, s.asOf, s.served])).toEqual([
      [2, '2026-06-30', true],
      [1, '2026-03-31', false],
    ]);
    // The fixture's files: 3 households, 5 members, 2 recipients; Dewi's NIK disagrees with her
    // birth date in both, Budi's in the second.
    expect(imports.map((i) => [i.households, i.persons, i.recipients])).toEqual([
      [3, 5, 2],
      [3, 5, 2],
    ]);
    expect(imports.map((i) => i.warnings.nikBirthDateMismatch)).toEqual([1, 2]);
    for (const [i, summary] of [imports[1]!, imports[0]!].entries()) {
      const s = list[i]!;
      expect(s).toMatchObject({
        households: summary.households,
        persons: summary.persons,
        programRecipients: summary.recipients,
        dataQualityWarningTotal: summary.warnings.nikBirthDateMismatch,
        dataQualityWarnings: [
          { code: 'NIK_BIRTH_DATE_MISMATCH', count: summary.warnings.nikBirthDateMismatch },
        ],
      });
      expect(typeof s.importSeconds).toBe('number');
      expect(Date.parse(s.loadedAt as string)).not.toBeNaN();
    }
    expect(list[0]!.dataQualityWarningTotal).toBe((list[1]!.dataQualityWarningTotal as number) + 1);
  });

  it('lists at most `first`, and refuses a first outside 1–200', async () => {
    const one = await history(1);
    expect((one.body.data as { snapshotHistory: unknown[] }).snapshotHistory).toHaveLength(1);
    for (const first of [0, 201]) {
      expect((await history(first)).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('is for internal dashboards and the administrator with operations:read', async () => {
    const admin = await history(5, 'gateway-admin', 'OVERSIGHT');
    expect(admin.body.errors).toBeUndefined();
    for (const [clientId, purpose] of [
      [OPS_NO_SCOPE, 'MONITORING'],
      ['bps-researcher', 'RESEARCH'],
      ['kemenkes-pbi', 'PBI_JK_VERIFICATION'],
    ] as const) {
      const r = await history(5, clientId, purpose);
      expect(
        r.body.errors?.map((e) => e.extensions?.code),
        clientId,
      ).toEqual(['FORBIDDEN']);
    }
  });
});
