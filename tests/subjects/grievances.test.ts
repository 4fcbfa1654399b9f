import { beforeAll, describe, expect, it } from 'vitest';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { auditSubjectHasher } from '../support/audit-subject.js';
import { useFixtureGateway, type FixtureGateway } from '../support/fixture-gateway.js';
import { graphql } from '../support/test-gateway.js';
import { daysAgo } from '../support/verification-fixture.js';

/*
 * Grievances (sanggah, issue #17 part 3), through the API: opened by a data subjects' service or
 * a ministry citing a decision, routed to the region of the person's household, invisible to
 * other regions exactly like a missing one, handled OPEN → IN_REVIEW → RESOLVED (with a
 * verification) or DISMISSED (with a reason), escalated to the province past the due date, and
 * followed by the opener (pull, and change events for a ministry). Audited; texts never echoed.
 */

let f: FixtureGateway;
useFixtureGateway((fixture) => (f = fixture));

const BUDI = '3201011505809001';
const SITI = '3201015508829002';
const DEWI = '3374010202709004';
const UNREGISTERED = '3201019999999999';
const SERVICE = 'cekbansos-subject';
const TEXT = 'Keluarga kami miskin tetapi tidak menerima PKH sejak 2025.';

const GRIEVANCE = `id status program decisionId text openedBy openedAt dueAt escalated reviewedAt
  closedAt submissionId dismissalReason regionCode`;
const OPEN = `mutation O($input: OpenGrievanceInput!) { openGrievance(input: $input) { ${GRIEVANCE} } }`;
const LIST = `query L($filter: GrievanceFilterInput) {
  grievances(filter: $filter, first: 100) { edges { node { ${GRIEVANCE} } } pageInfo { hasNextPage } } }`;
const ONE = `query G($id: ID!) { grievance(id: $id) { ${GRIEVANCE} } }`;
const WITH_HOUSEHOLD = `query G($id: ID!) { grievance(id: $id) { id household { id kkNumber members { name } } } }`;

type Grievance = Record<string, unknown> & { id: string; status: string };

async function ask(client: string, purpose: string, query: string, variables = {}) {
  return graphql(f.gateway, query, { variables, headers: await f.access.as(client, purpose) });
}

const SERVICE_PURPOSE = 'SUBJECT_REQUEST';
const PEMDA = ['pemda-3201', 'VERIVALI'] as const;

async function open(client: string, purpose: string, input: Record<string, unknown>) {
  const r = await ask(client, purpose, OPEN, { input });
  return { ...r, grievance: (r.body.data as { openGrievance: Grievance } | null)?.openGrievance };
}

async function list(client: string, purpose: string, filter = {}) {
  const r = await ask(client, purpose, LIST, { filter });
  expect(r.body.errors, client).toBeUndefined();
  return (
    r.body.data as { grievances: { edges: Array<{ node: Grievance }> } }
  ).grievances.edges.map((e) => e.node);
}

/** A decision about `nik` as the data subjects' service's report gives it. */
async function reportDecision(nik: string, program = 'PKH'): Promise<string> {
  const r = await ask(
    SERVICE,
    SERVICE_PURPOSE,
    `query($nik: NIK!) { myRecord(nik: $nik) { decisions { program decisionId } } }`,
    { nik },
  );
  const decisions = (
    r.body.data as { myRecord: { decisions: Array<{ program: string; decisionId: string }> } }
  ).myRecord.decisions;
  return decisions.find((d) => d.program === program)!.decisionId;
}

async function subjectOf(nik: string): Promise<string> {
  return (await auditSubjectHasher(f.gateway.dataDir))(nik);
}

beforeAll(async () => {
  // The local government of Kota Semarang (where Dewi's NIK was issued), and a province.
  const pemda = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3171')!;
  for (const [clientId, region, name] of [
    ['pemda-3374', '3374', 'Pemerintah Kota Semarang'],
    ['pemprov-32', '32', 'Pemerintah Provinsi Jawa Barat'],
  ] as const) {
    await saveClient(
      f.db.db,
      registration(
        {
          ...pemda,
          clientId,
          agency: { ...pemda.agency, id: clientId, name },
          regionScope: [region],
        },
        'unused-hash',
      ),
    );
  }
});

describe('grievances', () => {
  let budi: Grievance;

  it('are opened by a data subjects’ service citing a decision about the person', async () => {
    const decisionId = await reportDecision(BUDI);
    const before = Date.now();
    const r = await open(SERVICE, SERVICE_PURPOSE, {
      nik: BUDI,
      decisionId,
      program: 'PKH',
      regionCode: '3201',
      text: TEXT,
    });
    expect(r.body.errors).toBeUndefined();
    budi = r.grievance!;
    expect(budi).toMatchObject({
      status: 'OPEN',
      program: 'PKH',
      decisionId,
      text: TEXT,
      openedBy: 'Kemensos, layanan Cek Bansos',
      escalated: false,
      reviewedAt: null,
      closedAt: null,
      // The opener is not told where the person's household is.
      regionCode: null,
    });
    const due = Date.parse(budi.dueAt as string) - before;
    expect(due).toBeGreaterThan(29.9 * 86_400_000);
    expect(due).toBeLessThan(30.1 * 86_400_000);
    // The opener follows it by pull query.
    expect((await list(SERVICE, SERVICE_PURPOSE, { nik: BUDI })).map((g) => g.id)).toEqual([
      budi.id,
    ]);
  });

  it('go to the region of the household and are invisible to other regions, exactly like a missing one', async () => {
    const [mine] = await list(...PEMDA);
    expect(mine).toMatchObject({ id: budi.id, text: TEXT, regionCode: '3201011001' });
    const withHousehold = await ask(...PEMDA, WITH_HOUSEHOLD, { id: budi.id });
    expect(withHousehold.body.data).toEqual({
      grievance: {
        id: budi.id,
        household: {
          id: 'H1',
          kkNumber: '320101******9001',
          members: [{ name: 'Ahmad' }, { name: 'Budi Santoso' }, { name: 'Siti Aminah' }],
        },
      },
    });

    expect(await list('pemda-3171', 'VERIVALI')).toEqual([]);
    const elsewhere = await ask('pemda-3171', 'VERIVALI', ONE, { id: budi.id });
    const missing = await ask('pemda-3171', 'VERIVALI', ONE, { id: 'gr_doesnotexist000000000' });
    expect(elsewhere.body).toEqual(missing.body);
    expect(elsewhere.body).toEqual({ data: { grievance: null } });
    for (const mutation of [
      `mutation($id: ID!) { reviewGrievance(id: $id) { id } }`,
      `mutation($id: ID!) { dismissGrievance(id: $id, reason: "bukan wilayah kami") { id } }`,
    ]) {
      const a = await ask('pemda-3171', 'VERIVALI', mutation, { id: budi.id });
      const b = await ask('pemda-3171', 'VERIVALI', mutation, { id: 'gr_doesnotexist000000000' });
      expect(a.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(a.body).toEqual(b.body);
    }
    // A province sees it only once escalated.
    expect(await list('pemprov-32', 'VERIVALI')).toEqual([]);
    // Another opener does not see it.
    expect(await list('kemensos-bansos', 'BANSOS_DISTRIBUTION')).toEqual([]);
  });

  it('refuse a decision the opener may not cite, with one message, never echoing the text', async () => {
    const decisionId = await reportDecision(BUDI);
    const cases = [
      // A ministry cites only decisions it was given.
      ['kemensos-bansos', 'BANSOS_DISTRIBUTION', { nik: BUDI, decisionId }],
      // A decision about someone else.
      [SERVICE, SERVICE_PURPOSE, { nik: SITI, decisionId }],
      // No such decision.
      [SERVICE, SERVICE_PURPOSE, { nik: BUDI, decisionId: '00000000-0000-4000-8000-000000000000' }],
      [SERVICE, SERVICE_PURPOSE, { nik: BUDI, decisionId: 'not-a-decision' }],
    ] as const;
    for (const [client, purpose, input] of cases) {
      const r = await open(client, purpose, {
        ...input,
        program: 'PKH',
        regionCode: '3201',
        text: TEXT,
      });
      expect(r.body.errors?.[0]?.extensions?.code, client).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0]?.message).toBe('decisionId: no such decision about this NIK');
      expect(JSON.stringify(r.body)).not.toContain('miskin');
      expect(JSON.stringify(r.body)).not.toContain(input.nik);
    }
    for (const bad of [
      { text: '  ' },
      { text: 'x'.repeat(2001) },
      { regionCode: '9999' },
      { regionCode: 'Bogor' },
    ]) {
      const r = await open(SERVICE, SERVICE_PURPOSE, {
        nik: BUDI,
        decisionId,
        program: 'PKH',
        regionCode: '3201',
        text: TEXT,
        ...bad,
      });
      expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(bad).slice(0, 40)).toBe(
        'BAD_USER_INPUT',
      );
      expect(JSON.stringify(r.body)).not.toContain('miskin');
    }
    // Who may: not a local government, not a researcher.
    for (const [client, purpose] of [PEMDA, ['bps-researcher', 'RESEARCH']] as const) {
      const r = await open(client, purpose, {
        nik: BUDI,
        decisionId,
        program: 'PKH',
        regionCode: '3201',
        text: TEXT,
      });
      expect(r.body.errors?.[0]?.extensions?.code, client).toBe('FORBIDDEN');
    }
    const researcher = await ask('bps-researcher', 'RESEARCH', LIST, {});
    expect(researcher.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('are taken into review, then resolved with a verification of the household', async () => {
    const reviewed = await ask(
      ...PEMDA,
      `mutation($id: ID!) { reviewGrievance(id: $id) { status reviewedAt } }`,
      {
        id: budi.id,
      },
    );
    expect(reviewed.body.errors).toBeUndefined();
    expect((reviewed.body.data as { reviewGrievance: Grievance }).reviewGrievance.status).toBe(
      'IN_REVIEW',
    );
    const [seen] = await list(SERVICE, SERVICE_PURPOSE, { nik: BUDI });
    expect(seen).toMatchObject({ status: 'IN_REVIEW' });

    const resolve = `mutation($id: ID!, $s: ID!) { resolveGrievance(id: $id, submissionId: $s) { status closedAt submissionId } }`;
    const submit = (householdId: string, key: string) =>
      ask(
        'pemda-3201',
        'VERIVALI',
        `mutation($h: ID!, $v: Date!, $k: String!) { submitVerification(input: { householdId: $h, outcome: CONFIRMED, visitedAt: $v, idempotencyKey: $k }) { id } }`,
        { h: householdId, v: daysAgo(1), k: key },
      ).then((r) => {
        expect(r.body.errors).toBeUndefined();
        return (r.body.data as { submitVerification: { id: string } }).submitVerification.id;
      });
    const { rows } = await f.db.pool.query<{ household_id: string }>(
      `SELECT household_id FROM household WHERE left(region_code, 4) = '3201' AND household_id <> 'H1' LIMIT 1`,
    );
    if (rows[0]) {
      const other = await submit(rows[0].household_id, 'grievance-other-household');
      const wrong = await ask(...PEMDA, resolve, { id: budi.id, s: other });
      expect(wrong.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const wrongId = await ask(...PEMDA, resolve, { id: budi.id, s: 'vs_nosuchsubmission' });
    expect(wrongId.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const visit = await submit('H1', 'grievance-visit-h1');
    const resolved = await ask(...PEMDA, resolve, { id: budi.id, s: visit });
    expect(resolved.body.errors).toBeUndefined();
    expect((resolved.body.data as { resolveGrievance: Grievance }).resolveGrievance).toMatchObject({
      status: 'RESOLVED',
      submissionId: visit,
    });
    const again = await ask(
      ...PEMDA,
      `mutation($id: ID!) { dismissGrievance(id: $id, reason: "terlambat") { id } }`,
      { id: budi.id },
    );
    expect(again.body.errors?.[0]?.message).toBe(
      'this grievance is RESOLVED: it cannot become DISMISSED',
    );
  });

  it('opened by a ministry are dismissed with a reason it reads, and reach its change feed', async () => {
    const decided = await ask(
      'kemensos-bansos',
      'BANSOS_DISTRIBUTION',
      `query($nik: NIK!) { eligibility(nik: $nik, program: PKH) { decisionId } }`,
      { nik: DEWI },
    );
    const decisionId = (decided.body.data as { eligibility: { decisionId: string } }).eligibility
      .decisionId;
    const r = await open('kemensos-bansos', 'BANSOS_DISTRIBUTION', {
      nik: DEWI,
      decisionId,
      program: 'PKH',
      regionCode: '3374',
      text: 'Warga menyampaikan sanggah di loket.',
    });
    expect(r.body.errors).toBeUndefined();
    const dewi = r.grievance!;
    // Dewi's NIK was issued in Semarang and she states Semarang, but her household is in Jakarta
    // Selatan: the household's region decides.
    expect((await list('pemda-3171', 'VERIVALI')).map((g) => g.id)).toEqual([dewi.id]);
    expect(await list('pemda-3374', 'VERIVALI')).toEqual([]);
    expect(await list(...PEMDA, { statuses: ['OPEN', 'IN_REVIEW'] })).toEqual([]);

    const empty = await ask(
      'pemda-3374',
      'VERIVALI',
      `mutation($id: ID!) { dismissGrievance(id: $id, reason: " ") { id } }`,
      {
        id: dewi.id,
      },
    );
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const dismissed = await ask(
      'pemda-3171',
      'VERIVALI',
      `mutation($id: ID!) { dismissGrievance(id: $id, reason: "Desil 8: di atas batas PKH.") { status dismissalReason } }`,
      { id: dewi.id },
    );
    expect(dismissed.body.data).toEqual({
      dismissGrievance: { status: 'DISMISSED', dismissalReason: 'Desil 8: di atas batas PKH.' },
    });
    const mine = await ask('kemensos-bansos', 'BANSOS_DISTRIBUTION', ONE, { id: dewi.id });
    expect(mine.body.data).toMatchObject({
      grievance: {
        status: 'DISMISSED',
        dismissalReason: 'Desil 8: di atas batas PKH.',
        regionCode: null,
      },
    });
    // A ministry never gets the household.
    const household = await ask('kemensos-bansos', 'BANSOS_DISTRIBUTION', WITH_HOUSEHOLD, {
      id: dewi.id,
    });
    expect(household.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const feed = await ask(
      'kemensos-bansos',
      'BANSOS_DISTRIBUTION',
      `{ changes(first: 100) { edges { node { kind ... on GrievanceStatusChange { grievanceId decisionId program previousStatus status } } } } }`,
    );
    expect(feed.body.errors).toBeUndefined();
    const events = (
      feed.body.data as { changes: { edges: Array<{ node: Record<string, unknown> }> } }
    ).changes.edges
      .map((e) => e.node)
      .filter((n) => n.kind === 'GRIEVANCE_STATUS_CHANGED');
    expect(events).toEqual([
      {
        kind: 'GRIEVANCE_STATUS_CHANGED',
        grievanceId: dewi.id,
        decisionId,
        program: 'PKH',
        previousStatus: 'OPEN',
        status: 'DISMISSED',
      },
    ]);
  });

  it('of a person not in the registry go to the region they state, and look the same to the opener', async () => {
    const decisionId = await reportDecision(UNREGISTERED);
    const r = await open(SERVICE, SERVICE_PURPOSE, {
      nik: UNREGISTERED,
      decisionId,
      program: 'PKH',
      regionCode: '3171',
      text: 'Kami belum terdaftar di DTKS.',
    });
    expect(r.body.errors).toBeUndefined();
    expect(Object.keys(r.grievance!).sort()).toEqual(Object.keys(budi).sort());
    expect(r.grievance!.regionCode).toBeNull();
    const routed = (await list('pemda-3171', 'VERIVALI')).find((g) => g.id === r.grievance!.id);
    expect(routed).toMatchObject({ regionCode: '3171', status: 'OPEN' });
    const household = await ask('pemda-3171', 'VERIVALI', WITH_HOUSEHOLD, { id: r.grievance!.id });
    expect(household.body.data).toEqual({ grievance: { id: r.grievance!.id, household: null } });
  });

  it('are escalated to the province when the due date passes while open', async () => {
    const decisionId = await reportDecision(SITI, 'PBI_JK');
    const r = await open(SERVICE, SERVICE_PURPOSE, {
      nik: SITI,
      decisionId,
      program: 'PBI_JK',
      regionCode: '3201',
      text: 'Belum ditanggapi.',
    });
    const id = r.grievance!.id;
    expect(await list('pemprov-32', 'VERIVALI')).toEqual([]);
    expect((await list(...PEMDA, { escalated: true })).map((g) => g.id)).not.toContain(id);
    // The due date passes (a test about time: the row's date is moved, not the clock).
    await f.db.pool.query(
      `UPDATE grievance SET due_at = now() - interval '1 day' WHERE public_id = $1`,
      [id],
    );
    const province = await list('pemprov-32', 'VERIVALI');
    expect(province.map((g) => [g.id, g.escalated])).toEqual([[id, true]]);
    expect((await list(...PEMDA, { escalated: true })).map((g) => g.id)).toEqual([id]);
    // The province may handle it too.
    const dismissed = await ask(
      'pemprov-32',
      'VERIVALI',
      `mutation($id: ID!) { dismissGrievance(id: $id, reason: "Sudah menerima PBI JK.") { status escalated } }`,
      { id },
    );
    expect(dismissed.body.data).toEqual({
      dismissGrievance: { status: 'DISMISSED', escalated: true },
    });
  });

  it('are audited with the person as subject, and their texts are in no audit event', async () => {
    const { rows } = await f.db.pool.query<{ operation: string; client_id: string }>(
      `SELECT operation, client_id FROM audit_event WHERE $1 = ANY(subjects) AND operation LIKE '%rievance%' ORDER BY id`,
      [await subjectOf(BUDI)],
    );
    const operations = rows.map((r) => `${r.client_id} ${r.operation}`);
    expect(operations).toContain(`${SERVICE} mutation:openGrievance`);
    expect(operations).toContain('pemda-3201 mutation:reviewGrievance');
    expect(operations).toContain('pemda-3201 mutation:resolveGrievance');
    expect(operations).toContain('pemda-3201 query:grievances');
    const { rows: leaks } = await f.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_event e
        WHERE strpos(row_to_json(e)::text, 'miskin') > 0 OR strpos(row_to_json(e)::text, 'Desil 8') > 0`,
    );
    expect(leaks[0]).toEqual({ n: 0 });
  });
});
