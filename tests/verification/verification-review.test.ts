import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSubjectKey, subjectHash } from '../../src/audit/subject-hash.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { graphql } from '../support/test-gateway.js';
import { graphqlDocument } from '../support/trusted-documents.js';
import {
  codes,
  daysAgo,
  freshNik,
  key,
  NIK,
  proposal,
  PROPOSE,
  REVIEW,
  SUBMIT,
  updateH1,
  useVerificationGateway,
  type VerificationFixture,
} from '../support/verification-fixture.js';

let f: VerificationFixture;
useVerificationGateway((fixture) => (f = fixture));

type Data<K extends string> = Record<K, Record<string, unknown>>;
const idOf = (r: { body: { data?: unknown } }, field: string) =>
  (r.body.data as Data<string>)[field]!.id as string;

/** s1: pemda-3201 about H1 (with a newborn); s2: pemda-3171 about H2; p1: a proposal in 3201;
 * own: pemda-3201-both about H3. */
let s1: string;
let s1Newborn: string;
let s2: string;
let p1: string;
let p1Member: string;
let own: string;
beforeAll(async () => {
  const input = updateH1();
  s1Newborn = (input.memberChanges as Array<{ nik: string }>)[0]!.nik;
  s1 = idOf(await f.as('pemda-3201', SUBMIT, { input }), 'submitVerification');
  s2 = idOf(
    await f.as('pemda-3171', SUBMIT, {
      input: {
        householdId: 'H2',
        outcome: 'CONFIRMED',
        visitedAt: daysAgo(1),
        idempotencyKey: key(),
      },
    }),
    'submitVerification',
  );
  const proposed = proposal();
  p1Member = (proposed.members as Array<{ nik: string }>)[0]!.nik;
  p1 = idOf(await f.as('pemda-3201', PROPOSE, { input: proposed }), 'proposeHousehold');
  own = idOf(
    await f.as('pemda-3201-both', SUBMIT, {
      input: {
        householdId: 'H3',
        outcome: 'NOT_FOUND',
        visitedAt: daysAgo(1),
        idempotencyKey: key(),
      },
    }),
    'submitVerification',
  );
});

async function statusOf(id: string): Promise<string> {
  const { rows } = await f.db.pool.query<{ status: string }>(
    'SELECT status FROM verification_submission WHERE public_id = $1',
    [id],
  );
  return rows[0]!.status;
}

describe('reviewVerification', () => {
  it('enforces the two-person rule: never the submitting client, nor its agency', async () => {
    // pemda-3201 has no review scope at all.
    expect(codes(await f.as('pemda-3201', REVIEW, { id: s1, decision: 'APPROVED' }))).toEqual([
      'FORBIDDEN',
    ]);
    // pemda-3201-both holds the review scope, but sent `own` and shares pemda-3201's agency.
    for (const id of [own, s1]) {
      const r = await f.as('pemda-3201-both', REVIEW, { id, decision: 'APPROVED' });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.body.errors![0]!.message).toBe(
        'two-person rule: a submission is reviewed by another agency than the one that sent it',
      );
    }
    expect(await statusOf(s1)).toBe('SUBMITTED');
    expect(await statusOf(own)).toBe('SUBMITTED');

    const r = await f.as('pemda-3201-review', REVIEW, { id: s1, decision: 'APPROVED', note: 'ok' });
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as Data<'reviewVerification'>).reviewVerification).toMatchObject({
      id: s1,
      status: 'APPROVED',
      reviewedBy: 'pemda-3201-review',
      reviewedByAgency: 'dinsos-bogor',
      reviewerOfficerId: 'officer-of-pemda-3201-review',
      reviewNote: 'ok',
    });
  });

  it('reviews only SUBMITTED submissions', async () => {
    const r = await f.as('pemda-3201-review', REVIEW, { id: s1, decision: 'REJECTED', note: 'x' });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors![0]!.message).toBe(
      'id: this submission is APPROVED; only SUBMITTED submissions can be reviewed',
    );
  });

  it('needs a note to reject', async () => {
    const noNote = await f.as('pemda-3201-review', REVIEW, { id: own, decision: 'REJECTED' });
    expect(codes(noNote)).toEqual(['BAD_USER_INPUT']);
    expect(noNote.body.errors![0]!.message).toBe(
      'invalid review: note: required when rejecting: say what the officer should correct',
    );
    const r = await f.as('pemda-3201-review', REVIEW, {
      id: own,
      decision: 'REJECTED',
      note: 'rumah ditemukan; kirim ulang',
    });
    expect((r.body.data as Data<'reviewVerification'>).reviewVerification).toMatchObject({
      status: 'REJECTED',
      reviewNote: 'rumah ditemukan; kirim ulang',
    });
  });

  it('answers a submission of another region exactly like an id that does not exist', async () => {
    const outside = await f.as('pemda-3201-review', REVIEW, { id: s2, decision: 'APPROVED' });
    const missing = await f.as('pemda-3201-review', REVIEW, {
      id: 'vs_AAAAAAAAAAAAAAAA',
      decision: 'APPROVED',
    });
    expect(outside.body).toEqual(missing.body);
    expect(outside.body.errors![0]).toMatchObject({
      message: 'id: no submission with this id in your region',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await statusOf(s2)).toBe('SUBMITTED');
  });

  it('lets exactly one of two concurrent reviews decide', async () => {
    const id = idOf(
      await f.as('pemda-3201', SUBMIT, {
        input: {
          householdId: 'H1',
          outcome: 'CONFIRMED',
          visitedAt: daysAgo(1),
          idempotencyKey: key(),
        },
      }),
      'submitVerification',
    );
    const [a, b] = await Promise.all([
      f.as('pemda-3201-review', REVIEW, { id, decision: 'APPROVED' }),
      f.as('pemda-3201-review', REVIEW, { id, decision: 'REJECTED', note: 'tidak' }),
    ]);
    expect([codes(a), codes(b)].sort()).toEqual([[], ['BAD_USER_INPUT']]);
  });

  it('reviews proposals the same way', async () => {
    const r = await f.as('pemda-3201-review', REVIEW, { id: p1, decision: 'APPROVED' });
    expect((r.body.data as Data<'reviewVerification'>).reviewVerification).toMatchObject({
      status: 'APPROVED',
    });
  });
});

const LIST = `query List($filter: VerificationSubmissionFilter, $first: Int, $after: String) {
  verificationSubmissions(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id kind status regionCode householdId submittedBy changeSummary } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Page = {
  verificationSubmissions: {
    edges: Array<{
      cursor: string;
      node: { id: string; regionCode: string; status: string; kind: string };
    }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};
const ids = (r: { body: { data?: unknown } }) =>
  (r.body.data as Page).verificationSubmissions.edges.map((e) => e.node.id);

describe('verificationSubmissions', () => {
  it('lists the submissions of the region scope only, oldest first; the administrator sees all', async () => {
    const bogor = await f.as('pemda-3201', LIST, { first: 500 });
    expect(bogor.body.errors).toBeUndefined();
    const nodes = (bogor.body.data as Page).verificationSubmissions.edges.map((e) => e.node);
    expect(nodes.every((n) => n.regionCode.startsWith('3201'))).toBe(true);
    expect(ids(bogor)).toEqual(expect.arrayContaining([s1, p1, own]));
    expect(ids(bogor)).not.toContain(s2);
    // The reviewer of the same region sees the same list.
    expect(ids(await f.as('pemda-3201-review', LIST, { first: 500 }))).toEqual(ids(bogor));
    expect(ids(await f.as('pemda-3171', LIST, { first: 500 }))).toEqual([s2]);

    const admin = await graphql(
      f.gateway,
      LIST.replace('changeSummary', 'changeSummary officerId'),
      {
        variables: { first: 500 },
        headers: await f.access.as('gateway-admin', 'OVERSIGHT'),
      },
    );
    expect(admin.body.errors).toBeUndefined();
    // All regions, in submission order.
    expect(ids(admin).filter((id) => [s1, s2, p1, own].includes(id))).toEqual([s1, s2, p1, own]);
  });

  it('pages with cursors bound to the client and the filter', async () => {
    const all = ids(await f.as('pemda-3201', LIST, { first: 500 }));
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await f.as('pemda-3201', LIST, { first: 2, after });
      const page = (r.body.data as Page).verificationSubmissions;
      walked.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(all);
    const first = (await f.as('pemda-3201', LIST, { first: 1 })).body.data as Page;
    const cursor = first.verificationSubmissions.pageInfo.endCursor;
    const foreign = await f.as('pemda-3201-review', LIST, { first: 1, after: cursor });
    expect(codes(foreign)).toEqual(['BAD_USER_INPUT']);
    const otherFilter = await f.as('pemda-3201', LIST, {
      first: 1,
      after: cursor,
      filter: { kind: 'PROPOSAL' },
    });
    expect(codes(otherFilter)).toEqual(['BAD_USER_INPUT']);
    for (const size of [0, 501])
      expect(codes(await f.as('pemda-3201', LIST, { first: size }))).toEqual(['BAD_USER_INPUT']);
  });

  it('filters by status, kind, region and household', async () => {
    const list = async (filter: Record<string, unknown>) =>
      (
        (await f.as('pemda-3201', LIST, { first: 500, filter })).body.data as Page
      ).verificationSubmissions.edges.map((e) => e.node);
    expect((await list({ kind: 'PROPOSAL' })).map((n) => n.id)).toEqual([p1]);
    const rejected = await list({ status: 'REJECTED' });
    expect(rejected.map((n) => n.id)).toContain(own);
    expect(rejected.every((n) => n.status === 'REJECTED')).toBe(true);
    expect((await list({ householdId: 'H3' })).map((n) => n.id)).toEqual([own]);
    expect((await list({ regionCode: '3201011002' })).map((n) => n.id)).toEqual([own]);
    expect(await list({ regionCode: '3171' })).toEqual([]);
  });

  it('shows the changes to local governments under their field policy, never to the administrator', async () => {
    const query = `{ verificationSubmissions(first: 20) { edges { node { id changes {
      address floorType kkNumber members { action nik name birthDate relationship } } } } } }`;
    const r = await f.as('pemda-3201-review', query);
    expect(r.body.errors).toBeUndefined();
    const edges = (
      r.body.data as {
        verificationSubmissions: {
          edges: Array<{ node: { id: string; changes: Record<string, unknown> } }>;
        };
      }
    ).verificationSubmissions.edges;
    const i = edges.findIndex((e) => e.node.id === s1);
    expect(edges[i]!.node.changes).toEqual({
      address: 'Jl. Melati No. 3, RT 001/RW 002',
      floorType: 'CEMENT_BRICK',
      kkNumber: null,
      members: [
        {
          action: 'ADD',
          nik: `${s1Newborn.slice(0, 6)}******${s1Newborn.slice(-4)}`,
          name: 'Putri Santoso',
          birthDate: daysAgo(20),
          relationship: 'CHILD',
        },
      ],
    });
    expect(r.body.extensions?.disclosure).toContainEqual({
      path: `verificationSubmissions.edges.${i}.node.changes.members.0.nik`,
      rule: 'MASKED',
      mask: 'FIRST6_LAST4',
    });
    expect(JSON.stringify(r.body)).not.toContain(s1Newborn);
    const admin = await graphql(f.gateway, query, {
      headers: await f.access.as('gateway-admin', 'OVERSIGHT'),
    });
    expect(codes(admin)).toContain('FORBIDDEN');
    expect(JSON.stringify(admin.body)).not.toContain('Putri');
  });

  it('is for local governments with a verification scope and the administrator', async () => {
    const ministry = await graphql(f.gateway, LIST, {
      variables: { first: 1 },
      headers: await f.access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION'),
    });
    expect(codes(ministry)).toEqual(['FORBIDDEN']);
  });
});

describe('access: demo clients × verification fields (CONTRACT §9, written out by hand)', () => {
  const CONTRACT: Record<string, string[]> = {
    submitVerification: ['pemda-3201', 'pemda-3171'],
    proposeHousehold: ['pemda-3201', 'pemda-3171'],
    reviewVerification: ['pemda-3201-review'],
    verificationSubmissions: ['pemda-3201', 'pemda-3201-review', 'pemda-3171', 'gateway-admin'],
  };
  const OPERATIONS: Record<string, string> = {
    submitVerification: `mutation { submitVerification(input: { householdId: "H404", outcome: CONFIRMED, visitedAt: "${daysAgo(1)}", idempotencyKey: "matrix" }) { id } }`,
    proposeHousehold: `mutation { proposeHousehold(input: { idempotencyKey: "matrix", regionCode: "1", kkNumber: "1", visitedAt: "${daysAgo(1)}", details: {}, members: [] }) { id } }`,
    reviewVerification: 'mutation { reviewVerification(id: "vs_none", decision: APPROVED) { id } }',
    verificationSubmissions: '{ verificationSubmissions(first: 1) { edges { node { id } } } }',
  };

  for (const client of DEMO_CLIENTS) {
    it(`${client.clientId} reaches exactly the verification fields of its agreement`, async () => {
      const headers = await f.access.as(client.clientId, client.purposes[0]);
      for (const [field, allowed] of Object.entries(CONTRACT)) {
        // A trusted-documents-only client (the dashboard) sends published documents, not text.
        const r = client.trustedDocumentsOnly
          ? await graphqlDocument(f.gateway, f.db, OPERATIONS[field]!, { headers })
          : await graphql(f.gateway, OPERATIONS[field]!, { headers });
        const label = `${client.clientId} ${field}`;
        if (allowed.includes(client.clientId)) expect(codes(r), label).not.toContain('FORBIDDEN');
        else expect(codes(r), label).toEqual(['FORBIDDEN']);
      }
    });
  }
});

describe('Household.history', () => {
  it('lists the verification events of that household only, oldest first', async () => {
    const r = await f.as(
      'pemda-3201',
      '{ household(id: "H1") { history { type submissionId kind outcome clientId agencyId officerId note } } }',
    );
    const history = (r.body.data as { household: { history: Array<Record<string, unknown>> } })
      .household.history;
    const ofS1 = history.filter((e) => e.submissionId === s1);
    expect(ofS1).toEqual([
      {
        type: 'SUBMITTED',
        submissionId: s1,
        kind: 'SUBMISSION',
        outcome: 'UPDATED',
        clientId: 'pemda-3201',
        agencyId: 'pemkab-bogor',
        officerId: 'officer-of-pemda-3201',
        note: 'kunjungan rutin',
      },
      {
        type: 'APPROVED',
        submissionId: s1,
        kind: 'SUBMISSION',
        outcome: 'UPDATED',
        clientId: 'pemda-3201-review',
        agencyId: 'dinsos-bogor',
        officerId: 'officer-of-pemda-3201-review',
        note: 'ok',
      },
    ]);
    expect(history.map((e) => e.submissionId)).not.toContain(own);
    const h2 = await f.as(
      'pemda-3171',
      '{ household(id: "H2") { history { submissionId type } } }',
    );
    expect(h2.body.data).toEqual({
      household: { history: [{ submissionId: s2, type: 'SUBMITTED' }] },
    });
  });

  it('reads the history of a whole page of households in one statement', async () => {
    f.statements.splice(0);
    const r = await f.as(
      'pemda-3201',
      '{ households(first: 10) { edges { node { id history { type } } } } }',
    );
    expect(r.body.errors).toBeUndefined();
    const nodes = (
      r.body.data as { households: { edges: Array<{ node: { id: string; history: unknown[] } }> } }
    ).households.edges.map((e) => e.node);
    expect(nodes.map((n) => n.id)).toEqual(['H1', 'H3']);
    expect(nodes[1]!.history).toEqual([{ type: 'SUBMITTED' }, { type: 'REJECTED' }]);
    expect(f.statements.filter((s) => s.includes('verification_submission'))).toHaveLength(1);
  });
});

describe('audit', () => {
  async function eventOf(requestId: string) {
    const { rows } = await f.db.pool.query<{
      client_id: string;
      officer_id: string;
      purpose: string;
      operation: string;
      outcome: string;
      error_code: string | null;
      subjects: string[];
    }>(
      'SELECT client_id, officer_id, purpose, operation, outcome, error_code, subjects FROM audit_event WHERE request_id = $1',
      [requestId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  it('records every submission, proposal and review with the persons concerned', async () => {
    const subjectKey = await loadOrCreateSubjectKey(f.gateway.dataDir);
    const hash = (nik: string) => subjectHash(subjectKey, nik);

    const input = updateH1({
      memberChanges: [
        { action: 'DECEASED', nik: NIK.AHMAD },
        { action: 'ADD', nik: freshNik(), name: 'Bayi', birthDate: daysAgo(9) },
      ],
    });
    const added = (input.memberChanges as Array<{ nik: string }>)[1]!.nik;
    const submitted = await f.as(
      'pemda-3201',
      SUBMIT,
      { input },
      { 'x-request-id': 'audit-submit' },
    );
    const submit = await eventOf('audit-submit');
    expect(submit).toMatchObject({
      client_id: 'pemda-3201',
      officer_id: 'officer-of-pemda-3201',
      purpose: 'VERIVALI',
      operation: 'mutation:submitVerification',
      outcome: 'DISCLOSED',
      error_code: null,
    });
    expect([...submit.subjects].sort()).toEqual(
      [NIK.BUDI, NIK.SITI, NIK.AHMAD, added].map(hash).sort(),
    );

    const proposed = proposal();
    const member = (proposed.members as Array<{ nik: string }>)[0]!.nik;
    await f.as('pemda-3201', PROPOSE, { input: proposed }, { 'x-request-id': 'audit-propose' });
    expect(await eventOf('audit-propose')).toMatchObject({
      operation: 'mutation:proposeHousehold',
      outcome: 'DISCLOSED',
      subjects: [hash(member)],
    });

    const id = idOf(submitted, 'submitVerification');
    await f.as(
      'pemda-3201-review',
      REVIEW,
      { id, decision: 'APPROVED' },
      { 'x-request-id': 'audit-review' },
    );
    const review = await eventOf('audit-review');
    expect(review).toMatchObject({
      client_id: 'pemda-3201-review',
      operation: 'mutation:reviewVerification',
      outcome: 'DISCLOSED',
    });
    expect([...review.subjects].sort()).toEqual(submit.subjects.sort());

    // A refused review (two-person rule) is recorded as refused, about nobody.
    await f.as(
      'pemda-3201-both',
      REVIEW,
      { id: p1, decision: 'APPROVED' },
      { 'x-request-id': 'audit-refused' },
    );
    expect(await eventOf('audit-refused')).toMatchObject({
      operation: 'mutation:reviewVerification',
      outcome: 'REFUSED',
      error_code: 'FORBIDDEN',
      subjects: [],
    });
    // The proposal's member stays in the audit log only as a keyed hash.
    const { rows } = await f.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE array_to_string(subjects, ',') LIKE '%' || $1 || '%'",
      [p1Member],
    );
    expect(rows[0]!.n).toBe(0);
  });
});
