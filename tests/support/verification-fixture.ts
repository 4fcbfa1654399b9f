import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/db/database-types.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { todayInJakarta } from '../../src/domain/dates.js';
import { importText, validSnapshot, type SnapshotText } from './snapshot-fixture.js';
import { demoAccess, type DemoAccess } from './test-clients.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { graphql, startTestGateway, type GraphQLResult, type TestGateway } from './test-gateway.js';

/** Today in Jakarta, and the date `n` days before it. */
export const TODAY = todayInJakarta();
export function daysAgo(n: number): string {
  return new Date(Date.parse(`${TODAY}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

/** Fixture NIKs (tests/support/snapshot-fixture.ts): H1 and H3 in 3201, H2 in 3171. */
export const NIK = {
  BUDI: '3201011505809001', // H1, head
  SITI: '3201015508829002', // H1, spouse
  AHMAD: '3201010101159003', // H1, child
  DEWI: '3374010202709004', // H2 (region 3171)
  YOHANES: '3201010707509005', // H3, DECEASED
};
/** NIKs that are in no household of the fixture (and that `freshNik` never gives). */
export const NEW_NIK = ['3201014103260001', '3201010203260002', '3201015504260003'];
export const H1_KK = '3201010101109001';

/** The H1 verification date of the fixture as these tests load it: 30 days ago. */
export const H1_VERIFIED = daysAgo(30);

/**
 * The fixture snapshot with recent verification dates (visits must come after them and be
 * within a year), loaded as of today.
 */
export function recentSnapshot(): SnapshotText {
  const s = validSnapshot();
  return {
    ...s,
    households: s.households
      .replace(',VERIFIED,2026-01-15,', `,VERIFIED,${H1_VERIFIED},`)
      .replace(',REJECTED,2025-12-01,', `,REJECTED,${daysAgo(60)},`),
  };
}

export interface VerificationFixture {
  db: TestDatabase;
  gateway: TestGateway;
  access: DemoAccess;
  /** SQL text of every statement the gateway ran on the primary (`db`), in order. */
  statements: string[];
  /** Sends an operation as a client with purpose VERIVALI (and its officer header). */
  as(
    clientId: string,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResult>;
}

/**
 * A fresh database with the recent fixture, a gateway, the demo clients, and one more client:
 * `pemda-3201-both`, of the same agency as `pemda-3201`, holding both submit and review scopes
 * (to show that the two-person rule is about agencies, not scopes).
 */
export function useVerificationGateway(ready: (fixture: VerificationFixture) => void): void {
  let fixture: VerificationFixture | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase();
    await importText(db, recentSnapshot(), TODAY);
    // The gateway's primary logs its statements (submissions are read and written there).
    const statements: string[] = [];
    const logged = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: db.runtime.pool }),
      log: (event) => void statements.push(event.query.sql),
    });
    const gateway = await startTestGateway({ ...db, runtime: { ...db.runtime, db: logged } });
    const access = await demoAccess(db, gateway);
    const pemda = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!;
    await saveClient(
      db.db,
      registration(
        {
          ...pemda,
          clientId: 'pemda-3201-both',
          scopes: ['records:read', 'verification:submit', 'verification:review'],
        },
        'not-used',
      ),
    );
    fixture = {
      db,
      gateway,
      access,
      statements,
      async as(clientId, query, variables, headers) {
        return graphql(gateway, query, {
          variables,
          headers: { ...(await access.as(clientId, 'VERIVALI')), ...headers },
        });
      },
    };
    ready(fixture);
  });
  afterAll(async () => {
    await fixture?.gateway.close();
    await fixture?.db.close();
  });
}

export const SUBMIT = `mutation Submit($input: VerificationInput!) {
  submitVerification(input: $input) {
    id kind status outcome visitedAt officerId submittedBy submittedAt changeSummary
    household { id }
  }
}`;

export const PROPOSE = `mutation Propose($input: HouseholdProposalInput!) {
  proposeHousehold(input: $input) {
    id kind status outcome regionCode householdId household { id } changeSummary
  }
}`;

export const REVIEW = `mutation Review($id: ID!, $decision: ReviewDecision!, $note: String) {
  reviewVerification(id: $id, decision: $decision, note: $note) {
    id status reviewedBy reviewedByAgency reviewerOfficerId reviewedAt reviewNote
  }
}`;

let keys = 0;
/** A fresh idempotency key. */
export function key(): string {
  keys += 1;
  return `test-${process.pid}-${Date.now()}-${keys}`;
}

let niks = 0;
/** A NIK (or KK number) of Kabupaten Bogor that no fixture household and no earlier call has. */
export function freshNik(): string {
  niks += 1;
  return `3201014103${String(niks).padStart(6, '0')}`;
}

/** A valid UPDATED submission for H1: a new address and a newborn. */
export function updateH1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    householdId: 'H1',
    outcome: 'UPDATED',
    visitedAt: daysAgo(2),
    idempotencyKey: key(),
    changes: { address: 'Jl. Melati No. 3, RT 001/RW 002', floorType: 'CEMENT_BRICK' },
    memberChanges: [
      {
        action: 'ADD',
        nik: freshNik(),
        name: 'Putri Santoso',
        sex: 'F',
        birthDate: daysAgo(20),
        relationship: 'CHILD',
      },
    ],
    note: 'kunjungan rutin',
    ...overrides,
  };
}

/** A valid proposal in village 3201011001 with one member, the head. */
export function proposal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    idempotencyKey: key(),
    regionCode: '3201011001',
    kkNumber: freshNik(),
    visitedAt: daysAgo(3),
    details: { address: 'Kp. Baru RT 003/RW 004', floorType: 'EARTH' },
    members: [
      {
        nik: freshNik(),
        name: 'Rahmat Hidayat',
        birthDate: '1990-03-15',
        sex: 'M',
        relationship: 'HEAD',
      },
    ],
    ...overrides,
  };
}

/** The codes of a result's errors. */
export function codes(r: GraphQLResult): unknown[] {
  return (r.body.errors ?? []).map((e) => e.extensions?.code);
}
