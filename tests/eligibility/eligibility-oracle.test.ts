import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ministryPrincipal } from '../support/test-principal.js';
import { currentRules, type CurrentRule } from '../../src/db/queries/eligibility-rule-queries.js';
import { readPopulation, readRegions } from '../../src/domain/region-reference.js';
import { evaluateEligibility } from '../../src/db/scoped/eligibility-evaluator.js';
import { generateSnapshotText, parseCsvRows } from '../support/generated-snapshot.js';
import { importText } from '../support/snapshot-fixture.js';
import { oracle, type Row } from '../support/eligibility-oracle.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * An independent oracle: the contract's rules (CONTRACT §5) written again in plain TypeScript over
 * the CSV text of a generated snapshot. It shares no code with the gateway's SQL; every NIK of the
 * snapshot, and some unregistered ones, must get the same reason and decile from both.
 */
const AS_OF = '2026-06-30';

let db: TestDatabase;
let texts: { households: string; members: string; recipients: string };
let rules: CurrentRule[];
beforeAll(async () => {
  db = await createTestDatabase();
  texts = await generateSnapshotText({
    persons: 6000,
    seed: 'oracle',
    asOf: AS_OF,
    regions: await readRegions(),
    population: await readPopulation(),
  });
  await importText(db, texts, AS_OF);
  rules = await currentRules(db.db);
});
afterAll(async () => {
  await db.close();
});

const everywhere = ministryPrincipal({ regionScope: ['*'] });

describe('eligibility decisions against an independent oracle', () => {
  it('agree for every NIK of a generated snapshot, for every program, in input order', async () => {
    const households = new Map(parseCsvRows(texts.households).map((h) => [h.household_id!, h]));
    const memberRows = parseCsvRows(texts.members);
    const members = new Map(memberRows.map((m) => [m.nik!, m]));
    const byHousehold = new Map<string, Row[]>();
    for (const m of memberRows)
      byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
    const niks = [...members.keys(), '3201019999999999', '3171019999999998', memberRows[0]!.nik!];
    expect(rules.map((r) => r.program)).toEqual(['BPNT', 'PBI_JK', 'PIP', 'PKH']);
    for (const rule of rules) {
      const { asOf, facts } = await evaluateEligibility(db.db, everywhere, niks, rule);
      expect(asOf).toBe(AS_OF);
      expect(facts).toHaveLength(niks.length);
      const mismatches = niks.flatMap((nik, i) => {
        const expected = oracle(rule.program, nik, members, byHousehold, households);
        const m = members.get(nik);
        const decile =
          m && households.get(m.household_id!)!.decile
            ? Number(households.get(m.household_id!)!.decile)
            : null;
        const got = facts[i]!;
        return got.reason === expected && got.decile === decile
          ? []
          : [`${rule.program} #${i}: ${got.reason}/${got.decile} vs ${expected}/${decile}`];
      });
      expect(mismatches.slice(0, 10)).toEqual([]);
      // The snapshot exercises every reason the program can give.
      const seen = new Set(facts.map((f) => f.reason));
      for (const reason of [
        'NOT_REGISTERED',
        'INACTIVE',
        'HOUSEHOLD_REJECTED',
        'NOT_RANKED',
        'ABOVE_DECILE_THRESHOLD',
        'ELIGIBLE',
      ]) {
        expect(seen, `${rule.program} ${reason}`).toContain(reason);
      }
    }
  });

  it('treats a person outside the region scope exactly as an unregistered NIK', async () => {
    const memberRows = parseCsvRows(texts.members);
    const households = new Map(parseCsvRows(texts.households).map((h) => [h.household_id!, h]));
    const outside = memberRows.find(
      (m) => !households.get(m.household_id!)!.region_code!.startsWith('3201'),
    )!;
    const bogorOnly = ministryPrincipal({ regionScope: ['3201'] });
    const {
      facts: [fact],
    } = await evaluateEligibility(db.db, bogorOnly, [outside.nik!], rules[0]!);
    expect(fact).toEqual({ reason: 'NOT_REGISTERED', decile: null });
  });
});
