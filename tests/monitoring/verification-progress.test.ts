import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import {
  OPS_DASHBOARD,
  OPS_NO_SCOPE,
  registerOperationsClients,
} from '../support/monitoring-fixture.js';
import {
  HOUSEHOLDS_HEADER,
  importText,
  MEMBERS_HEADER,
  RECIPIENTS_HEADER,
} from '../support/snapshot-fixture.js';
import { demoAccess, type DemoAccess } from '../support/test-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { graphql, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { daysAgo, TODAY } from '../support/verification-fixture.js';

/**
 * `verificationProgress` (issue #13) against counts written out from the fixture below: per
 * regency, households, never verified and not verified since a month, under the dashboard rule
 * (docs/privacy.md, "Operational figures"); submissions and proposals by status and the median
 * days to review, exact except in a regency of 1–9 households.
 */

/** One regency of the fixture: a village, and its households' last verification dates. */
interface RegencySpec {
  regency: string;
  village: string;
  /** verified_at of each household (null: never verified). */
  verifiedAt: (string | null)[];
}
const times = (n: number, value: string | null) => Array<string | null>(n).fill(value);
const SPEC: RegencySpec[] = [
  {
    // Ladder: 12 never, then +3 (Jan), +8 (Feb), +5 (Mar), +2 (Apr) = 30. Publishable: 0, 12, 30.
    regency: '3201',
    village: '3201011001',
    verifiedAt: [
      ...times(12, null),
      ...times(3, '2025-01-10'),
      ...times(8, '2025-02-15'),
      ...times(5, '2025-03-20'),
      ...times(2, '2025-04-05'),
    ],
  },
  // The smallest other regency of province 32: hidden to protect 3203.
  { regency: '3202', village: '3202011001', verifiedAt: times(12, '2025-06-01') },
  // 1–9 households: every figure hidden.
  { regency: '3203', village: '3203011006', verifiedAt: [null, null, '2025-06-01', '2025-06-01'] },
  // 15 households, 10 never verified: showing 10 would give away the 5 verified.
  {
    regency: '3171',
    village: '3171011001',
    verifiedAt: [...times(10, null), ...times(5, '2025-05-10')],
  },
];

function fixtureSnapshot(specs: RegencySpec[] = SPEC) {
  const households = [HOUSEHOLDS_HEADER];
  const members = [MEMBERS_HEADER];
  let seq = 0;
  for (const spec of specs) {
    for (const verifiedAt of spec.verifiedAt) {
      seq += 1;
      const id = `H${spec.regency}-${String(seq).padStart(3, '0')}`;
      const district = spec.village.slice(0, 6);
      const status = verifiedAt === null ? 'PENDING' : 'VERIFIED';
      households.push(
        `${id},${district}0101${String(seq).padStart(6, '0')},${spec.village},,3,,,,,,,,,${status},${verifiedAt ?? ''},SIKS_NG`,
      );
      members.push(
        `${district}150580${String(seq).padStart(4, '0')},${id},Kepala ${seq},M,1980-05-15,HEAD,false,NONE,false,ACTIVE`,
      );
    }
  }
  return {
    households: households.join('\n'),
    members: members.join('\n'),
    recipients: RECIPIENTS_HEADER,
  };
}

/** Independent counts of the fixture for a regency: not verified since `date` (null: never). */
function expectedCount(regency: string, date: string | null): number {
  const spec = SPEC.find((s) => s.regency === regency)!;
  return spec.verifiedAt.filter((v) => v === null || (date !== null && v < date)).length;
}

const OFFICER = 'petugas-rahasia-77';
const NOW = Date.now();
const at = (daysBefore: number) => new Date(NOW - daysBefore * 86_400_000).toISOString();

/** Submissions and proposals, as the verification service stores them (owner writes). */
const SUBMISSIONS: Array<{
  regency: string;
  kind: 'SUBMISSION' | 'PROPOSAL';
  status: string;
  /** Days from submission to review; null: not reviewed. */
  review: number | null;
}> = [
  { regency: '3201', kind: 'SUBMISSION', status: 'SUBMITTED', review: null },
  { regency: '3201', kind: 'SUBMISSION', status: 'SUBMITTED', review: null },
  { regency: '3201', kind: 'SUBMISSION', status: 'APPROVED', review: 3 },
  { regency: '3201', kind: 'SUBMISSION', status: 'REJECTED', review: 1 },
  { regency: '3201', kind: 'SUBMISSION', status: 'APPLIED', review: 5 },
  { regency: '3201', kind: 'PROPOSAL', status: 'SUBMITTED', review: null },
  { regency: '3201', kind: 'PROPOSAL', status: 'APPROVED', review: 2 },
  { regency: '3202', kind: 'SUBMISSION', status: 'SUBMITTED', review: null },
  { regency: '3203', kind: 'SUBMISSION', status: 'REJECTED', review: 4 },
];

let db: TestDatabase;
let gateway: TestGateway;
let access: DemoAccess;

beforeAll(async () => {
  db = await createTestDatabase();
  await importText(db, fixtureSnapshot(), TODAY);
  gateway = await startTestGateway(db);
  access = await demoAccess(db, gateway);
  await registerOperationsClients(db);
  let n = 0;
  for (const s of SUBMISSIONS) {
    n += 1;
    const spec = SPEC.find((x) => x.regency === s.regency)!;
    const submitted = s.review === null ? 1 : s.review + 1;
    await db.pool.query(
      `INSERT INTO verification_submission
         (public_id, kind, client_id, agency_id, officer_id, region_code, household_id, kk_number,
          outcome, visited_at, payload, idempotency_key, fingerprint, status, submitted_at,
          reviewer_client_id, reviewer_agency_id, review_decision, reviewed_at)
       VALUES ($1, $2, 'pemda-3201', 'pemkab-bogor', $3, $4, $5, $6, $7, $8, '{}', $1, 'f', $9, $10,
               $11, $12, $13, $14)`,
      [
        `VS-test-${n}`,
        s.kind,
        OFFICER,
        spec.village,
        s.kind === 'SUBMISSION' ? `H${s.regency}-001` : null,
        s.kind === 'PROPOSAL' ? `32010101${String(n).padStart(8, '0')}` : null,
        s.kind === 'SUBMISSION' ? 'CONFIRMED' : null,
        daysAgo(submitted + 1),
        s.status,
        at(submitted),
        s.review === null ? null : 'pemda-3201-review',
        s.review === null ? null : 'dinsos-bogor',
        s.review === null ? null : s.status === 'REJECTED' ? 'REJECTED' : 'APPROVED',
        s.review === null ? null : at(submitted - s.review),
      ],
    );
  }
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
});

const PROGRESS = `query Progress($filter: VerificationProgressFilter) {
  verificationProgress(filter: $filter) {
    dataAsOf notVerifiedSince threshold
    regencies {
      regencyCode regencyName provinceCode suppressed
      households { value suppressed } neverVerified { value suppressed }
      notVerifiedSince { value suppressed }
      submissions { submitted approved rejected applied total }
      proposals { submitted approved rejected applied total }
      reviewed medianDaysToReview
    }
  }
}`;

interface Count {
  value: number | null;
  suppressed: boolean;
}
interface Row {
  regencyCode: string;
  regencyName: string;
  provinceCode: string;
  suppressed: boolean;
  households: Count;
  neverVerified: Count;
  notVerifiedSince: Count | null;
  submissions: Record<string, number> | null;
  proposals: Record<string, number> | null;
  reviewed: number | null;
  medianDaysToReview: number | null;
}
interface Progress {
  dataAsOf: string;
  notVerifiedSince: string | null;
  threshold: number;
  regencies: Row[];
}

async function progress(
  filter: Record<string, unknown> | null,
  clientId = OPS_DASHBOARD,
): Promise<Progress> {
  const r = await graphql(gateway, PROGRESS, {
    variables: { filter },
    headers: await access.as(clientId, 'MONITORING'),
  });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { verificationProgress: Progress }).verificationProgress;
}

const row = (p: Progress, code: string) => p.regencies.find((r) => r.regencyCode === code)!;
const shown = (value: number): Count => ({ value, suppressed: false });
const HIDDEN: Count = { value: null, suppressed: true };

describe('verificationProgress: household figures', () => {
  it('lists every regency of the filter, with the exact counts where they may be shown', async () => {
    const p = await progress({ regionCode: '32', notVerifiedSince: '2025-01-01' });
    expect(p.dataAsOf).toBe(TODAY);
    expect(p.threshold).toBe(10);
    expect(p.notVerifiedSince).toBe('2025-01-01');
    // Jawa Barat has 27 regencies and cities in the reference; the empty ones show 0.
    expect(p.regencies).toHaveLength(27);
    expect(p.regencies.every((r) => r.provinceCode === '32')).toBe(true);
    const bogor = row(p, '3201');
    expect(bogor.regencyName).toBe('Kabupaten Bogor');
    expect(bogor.households).toEqual(shown(30));
    expect(bogor.neverVerified).toEqual(shown(expectedCount('3201', null)));
    expect(bogor.notVerifiedSince).toEqual(shown(expectedCount('3201', '2025-01-01')));
    const empty = row(p, '3204');
    expect(empty.households).toEqual(shown(0));
    expect(empty.neverVerified).toEqual(shown(0));
    expect(empty.submissions).toEqual({
      submitted: 0,
      approved: 0,
      rejected: 0,
      applied: 0,
      total: 0,
    });
  });

  it('hides a regency of 1–9 households whole, and the province’s smallest other regency’s household figures', async () => {
    const p = await progress({ regionCode: '32' });
    const small = row(p, '3203');
    expect(small).toMatchObject({
      suppressed: true,
      households: HIDDEN,
      neverVerified: HIDDEN,
      submissions: null,
      proposals: null,
      reviewed: null,
      medianDaysToReview: null,
    });
    // 3202 (12 households) would give 3203 away: province total − the regencies shown.
    const complement = row(p, '3202');
    expect(complement).toMatchObject({
      suppressed: false,
      households: HIDDEN,
      neverVerified: HIDDEN,
    });
    expect(complement.submissions).toMatchObject({ submitted: 1, total: 1 });
    // The same whatever the filter: asking for 3202 alone hides the same figures.
    expect(row(await progress({ regionCode: '3202' }), '3202').households).toEqual(HIDDEN);
  });

  it('never shows a total beside a part whose complement is 1–9', async () => {
    const p = await progress({ regionCode: '31' });
    const jakarta = row(p, '3171');
    expect(jakarta.households).toEqual(shown(15));
    // 10 never verified is not small, but 15 − 10 = 5 households verified would be.
    expect(expectedCount('3171', null)).toBe(10);
    expect(jakarta.neverVerified).toEqual(HIDDEN);
  });

  it('shows "not verified since" only on the fixed ladder, so no two dates differ by 1–9', async () => {
    const months: string[] = [];
    for (let y = 2024; y <= 2026; y++) {
      for (let m = 1; m <= 12; m++) months.push(`${y}-${String(m).padStart(2, '0')}-01`);
    }
    const values = new Set<number>();
    let hidden = 0;
    for (const month of months) {
      const r = row(await progress({ regionCode: '3201', notVerifiedSince: month }), '3201');
      const truth = expectedCount('3201', month);
      if (r.notVerifiedSince!.suppressed) {
        expect(r.notVerifiedSince!.value).toBeNull();
        hidden += 1;
      } else {
        // Every figure shown is the true count.
        expect(r.notVerifiedSince!.value, month).toBe(truth);
        values.add(truth);
      }
    }
    // February, March and April 2025 (15, 23 and 28: 3 above 12, or 7 and 2 below 30) are hidden.
    expect(hidden).toBe(3);
    const shownValues = [...values, 30, expectedCount('3201', null)];
    for (const a of shownValues) {
      for (const b of shownValues) {
        const d = Math.abs(a - b);
        expect(d === 0 || d >= 10, `${a} and ${b}`).toBe(true);
      }
    }
  });

  it('refuses a date that is not a month’s first day, and a region finer than a regency', async () => {
    for (const filter of [{ notVerifiedSince: '2025-02-15' }, { regionCode: '320101' }]) {
      const r = await graphql(gateway, PROGRESS, {
        variables: { filter },
        headers: await access.as(OPS_DASHBOARD, 'MONITORING'),
      });
      expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('verificationProgress: submissions', () => {
  it('counts submissions and proposals by status, exactly, with the median days to review', async () => {
    const bogor = row(await progress({ regionCode: '3201' }), '3201');
    const mine = SUBMISSIONS.filter((s) => s.regency === '3201');
    const tally = (kind: string) => {
      const of = mine.filter((s) => s.kind === kind);
      const n = (status: string) => of.filter((s) => s.status === status).length;
      return {
        submitted: n('SUBMITTED'),
        approved: n('APPROVED'),
        rejected: n('REJECTED'),
        applied: n('APPLIED'),
        total: of.length,
      };
    };
    expect(bogor.submissions).toEqual(tally('SUBMISSION'));
    expect(bogor.proposals).toEqual(tally('PROPOSAL'));
    const reviews = mine.flatMap((s) => (s.review === null ? [] : [s.review])).sort();
    expect(bogor.reviewed).toBe(reviews.length);
    // 1, 2, 3, 5 days: the median is 2.5.
    expect(bogor.medianDaysToReview).toBe(2.5);
  });

  it('names no officer, household or submission', async () => {
    const text = JSON.stringify(
      await progress({ regionCode: '32', notVerifiedSince: '2025-03-01' }),
    );
    expect(text).not.toContain(OFFICER);
    expect(text).not.toContain('H3201-');
    expect(text).not.toContain('VS-test-');
    expect(text).not.toMatch(/\d{16}/);
  });
});

describe('verificationProgress: who may ask, and the audit', () => {
  it('is refused to every client without operations:read (the gate’s twin)', async () => {
    const clients = [
      ...DEMO_CLIENTS.filter((c) => !['pusdatin-dashboard', 'gateway-admin'].includes(c.clientId)),
      { clientId: OPS_NO_SCOPE, purposes: ['MONITORING'] },
    ];
    for (const client of clients) {
      const r = await graphql(gateway, PROGRESS, {
        headers: await access.as(client.clientId, client.purposes[0]),
      });
      expect(
        r.body.errors?.map((e) => e.extensions?.code),
        client.clientId,
      ).toEqual(['FORBIDDEN']);
      expect(r.body.data).toBeNull();
    }
  });

  it('is answered to the administrator under the same rule, and needs a purpose', async () => {
    const admin = await graphql(gateway, PROGRESS, {
      variables: { filter: { regionCode: '32' } },
      headers: await access.as('gateway-admin', 'OVERSIGHT'),
    });
    const p = (admin.body.data as { verificationProgress: Progress }).verificationProgress;
    expect(row(p, '3203').households).toEqual(HIDDEN);
    const none = await graphql(gateway, PROGRESS, { headers: await access.as(OPS_DASHBOARD) });
    expect(none.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_REQUIRED');
  });

  it('audits every answer as DISCLOSED, naming what was asked and no subject', async () => {
    await progress({ regionCode: '3201', notVerifiedSince: '2025-02-01' });
    const { rows } = await db.pool.query<{
      outcome: string;
      subjects: string[];
      decision_ids: string[];
      client_id: string;
      purpose: string;
    }>(
      `SELECT outcome, subjects, decision_ids, client_id, purpose FROM audit_event
        WHERE operation = 'query:verificationProgress' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({
      outcome: 'DISCLOSED',
      subjects: [],
      decision_ids: ['OPERATIONS:verificationProgress:regionCode=3201;notVerifiedSince=2025-02-01'],
      client_id: OPS_DASHBOARD,
      purpose: 'MONITORING',
    });
  });
});

describe('verificationProgress after a new snapshot', () => {
  it('answers from the new snapshot’s households, never from counts kept for the old one', async () => {
    const before = row(await progress({ regionCode: '3201' }), '3201');
    expect(before.households).toEqual(shown(30));
    const grown = SPEC.map((s) =>
      s.regency === '3201' ? { ...s, verifiedAt: [...s.verifiedAt, ...times(10, null)] } : s,
    );
    await importText(db, fixtureSnapshot(grown), TODAY);
    const after = row(await progress({ regionCode: '3201' }), '3201');
    expect(after.households).toEqual(shown(40));
    expect(after.neverVerified).toEqual(shown(22));
  });
});
