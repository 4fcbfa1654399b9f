import { describe, expect, it } from 'vitest';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { oracle, type Row } from '../support/eligibility-oracle.js';
import { auditSubjectHasher } from '../support/audit-subject.js';
import { useFixtureGateway, type FixtureGateway } from '../support/fixture-gateway.js';
import { parseCsvRows } from '../support/generated-snapshot.js';
import { validSnapshot } from '../support/snapshot-fixture.js';
import { graphql } from '../support/test-gateway.js';

/*
 * Data subjects' services (issue #17, CONTRACT §13): `myRecord` and its download, through the API,
 * checked against the fixture's CSV, an independent eligibility oracle and the audit table read
 * directly (the subject hash computed here from the key file, not by the gateway's code).
 */

let f: FixtureGateway;
useFixtureGateway((fixture) => (f = fixture));

const BUDI = '3201011505809001';
const UNREGISTERED = '3201019999999999';
const SERVICE = 'cekbansos-subject';
const PURPOSE = 'SUBJECT_REQUEST';

const REPORT = `query R($nik: NIK!, $first: Int) {
  myRecord(nik: $nik) {
    nik registered generatedAt
    person { nik name sex birthDate relationship status programs dataAsOf }
    household {
      id kkNumber regionCode address decile verificationStatus verifiedAt
      members { nik name sex birthDate relationship status programs }
    }
    decisions {
      program programName eligible reason decisionId dataAsOf ruleVersion ruleDescription
      explanation { id en }
    }
    accessHistory(first: $first) {
      edges { cursor node { at agencyId agencyName officerId purpose operation outcome fields subjectRequest } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface Report {
  nik: string;
  registered: boolean;
  person: Record<string, unknown> | null;
  household: (Record<string, unknown> & { members: Array<Record<string, unknown>> }) | null;
  decisions: Array<{
    program: string;
    eligible: boolean;
    reason: string;
    decisionId: string;
    ruleVersion: number;
    explanation: { id: string; en: string };
  }>;
  accessHistory: {
    edges: Array<{ cursor: string; node: Record<string, unknown> }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

async function report(nik: string, client = SERVICE, first = 100) {
  const r = await graphql(f.gateway, REPORT, {
    variables: { nik, first },
    headers: await f.access.as(client, PURPOSE),
  });
  return { ...r, report: (r.body.data as { myRecord: Report } | null)?.myRecord ?? null };
}

/** The audit log's subject hash, computed here from the gateway's key file. */
async function subjectOf(nik: string): Promise<string> {
  return (await auditSubjectHasher(f.gateway.dataDir))(nik);
}

function fixtureRows() {
  const text = validSnapshot();
  const households = new Map(parseCsvRows(text.households).map((h) => [h.household_id!, h]));
  const memberRows = parseCsvRows(text.members);
  const members = new Map(memberRows.map((m) => [m.nik!, m]));
  const byHousehold = new Map<string, Row[]>();
  for (const m of memberRows) {
    byHousehold.set(m.household_id!, [...(byHousehold.get(m.household_id!) ?? []), m]);
  }
  return { households, members, byHousehold };
}

describe('myRecord', () => {
  it('shows the person their own record in clear and the rest of the household as the agreement says', async () => {
    const { body, report: r } = await report(BUDI);
    expect(body.errors).toBeUndefined();
    const rows = fixtureRows();
    const me = rows.members.get(BUDI)!;
    const home = rows.households.get(me.household_id!)!;
    expect(r!.registered).toBe(true);
    expect(r!.person).toEqual({
      nik: BUDI,
      name: me.name,
      sex: me.sex,
      birthDate: me.birth_date,
      relationship: me.relationship,
      status: me.status,
      programs: ['PKH'],
      dataAsOf: '2026-06-30',
    });
    // Their own household in clear: the family card number is theirs.
    expect(r!.household).toMatchObject({
      id: home.household_id,
      kkNumber: home.kk_number,
      regionCode: home.region_code,
      address: home.address,
      decile: Number(home.decile),
      verificationStatus: home.verification_status,
      verifiedAt: home.verified_at,
    });
    // The other members under the service's policy: NIK masked, name shown, the rest withheld.
    const others = rows.byHousehold
      .get(me.household_id!)!
      .filter((m) => m.nik !== BUDI)
      .sort((a, b) => (a.nik! < b.nik! ? -1 : 1));
    expect(r!.household!.members).toEqual(
      others.map((m) => ({
        nik: `${m.nik!.slice(0, 6)}******${m.nik!.slice(-4)}`,
        name: m.name,
        sex: m.sex,
        birthDate: null,
        relationship: m.relationship,
        status: m.status,
        programs: null,
      })),
    );
    const notes = body.extensions?.disclosure ?? [];
    expect(notes).toContainEqual({
      path: 'myRecord.household.members.0.nik',
      rule: 'MASKED',
      mask: 'FIRST6_LAST4',
    });
    expect(notes).toContainEqual({
      path: 'myRecord.household.members.1.birthDate',
      rule: 'WITHHELD',
    });
    // Nothing of the person's own record is listed as masked or withheld.
    expect(notes.filter((n) => !n.path.startsWith('myRecord.household.members.'))).toEqual([]);
  });

  it('explains each program’s current decision, as the rules decide it', async () => {
    const { report: r } = await report(BUDI);
    const rows = fixtureRows();
    const programs = await f.db.pool.query<{ program: string; version: number }>(
      'SELECT DISTINCT ON (program) program, version FROM eligibility_rule ORDER BY program, version DESC',
    );
    expect(r!.decisions.map((d) => d.program).sort()).toEqual(['BPNT', 'PBI_JK', 'PIP', 'PKH']);
    for (const d of r!.decisions) {
      const expected = oracle(d.program, BUDI, rows.members, rows.byHousehold, rows.households);
      expect(d.reason, d.program).toBe(expected);
      expect(d.eligible).toBe(expected === 'ELIGIBLE');
      expect(d.ruleVersion).toBe(programs.rows.find((p) => p.program === d.program)!.version);
      // Both languages name the rule version and the decision to quote in a grievance.
      for (const text of [d.explanation.id, d.explanation.en]) {
        expect(text).toContain(`${d.ruleVersion}`);
        expect(text).toContain(d.decisionId);
      }
    }
    const pip = r!.decisions.find((d) => d.program === 'PIP')!;
    expect(pip.reason).toBe('NOT_IN_TARGET_GROUP');
    expect(pip.explanation.id).toContain('bersekolah');
    expect(pip.explanation.en).toContain('in school');
    // Every decision is in the audit log, with the person as its subject.
    const subject = await subjectOf(BUDI);
    const { rows: events } = await f.db.pool.query<{ decision_ids: string[] }>(
      `SELECT decision_ids FROM audit_event
        WHERE operation = 'query:myRecord' AND $1 = ANY(subjects) ORDER BY id DESC LIMIT 1`,
      [subject],
    );
    expect(events[0]!.decision_ids.sort()).toEqual(r!.decisions.map((d) => d.decisionId).sort());
  });

  it('answers an unregistered NIK with no record and NOT_REGISTERED decisions', async () => {
    const { body, report: r } = await report(UNREGISTERED);
    expect(body.errors).toBeUndefined();
    expect(r).toMatchObject({
      nik: UNREGISTERED,
      registered: false,
      person: null,
      household: null,
    });
    expect(r!.decisions.map((d) => d.reason)).toEqual(Array(4).fill('NOT_REGISTERED'));
  });

  it('gives the access history exactly as the audit table has it, officers withheld', async () => {
    // Accesses by others: a local government reads the record, a ministry checks eligibility.
    await graphql(f.gateway, `{ person(nik: "${BUDI}") { name } }`, {
      headers: await f.access.as('pemda-3201', 'VERIVALI'),
    });
    await graphql(f.gateway, `{ eligibility(nik: "${BUDI}", program: PKH) { eligible } }`, {
      headers: await f.access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION'),
    });
    await report(BUDI); // the person's own earlier request
    const { report: r } = await report(BUDI, SERVICE, 1000);
    const { rows } = await f.db.pool.query<{
      at: Date;
      agency_id: string | null;
      name: string | null;
      kind: string | null;
      purpose: string | null;
      operation: string;
      outcome: string;
      fields: string[];
    }>(
      `SELECT e.at, e.agency_id, g.name, g.kind, e.purpose, e.operation, e.outcome, e.fields
         FROM audit_event e LEFT JOIN agency g ON g.id = e.agency_id
        WHERE $1 = ANY(e.subjects) ORDER BY e.id DESC`,
      [await subjectOf(BUDI)],
    );
    // This request's own event is written after its answer: the history ends just before it.
    expect(r!.accessHistory.edges.map((e) => e.node)).toEqual(
      rows.slice(1).map((e) => ({
        at: e.at.toISOString(),
        agencyId: e.agency_id,
        agencyName: e.name,
        officerId: null,
        purpose: e.purpose,
        operation: e.operation,
        outcome: e.outcome,
        fields: e.fields,
        subjectRequest: e.kind === 'SUBJECT_SERVICE',
      })),
    );
    const nodes = r!.accessHistory.edges.map((e) => e.node);
    const pemda = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!.agency;
    expect(nodes).toContainEqual(
      expect.objectContaining({
        agencyId: pemda.id,
        agencyName: pemda.name,
        operation: 'query:person',
      }),
    );
    expect(nodes).toContainEqual(
      expect.objectContaining({ operation: 'query:eligibility', purpose: 'BANSOS_DISTRIBUTION' }),
    );
    // The person's own requests are audited as theirs, with what they were shown.
    const own = nodes.find((n) => n.operation === 'query:myRecord')!;
    expect(own).toMatchObject({ subjectRequest: true, purpose: PURPOSE, outcome: 'DISCLOSED' });
    expect(own.fields).toEqual(
      expect.arrayContaining(['SubjectPerson.name', 'SubjectDecision.reason']),
    );
  });

  it('pages the access history with signed cursors', async () => {
    const first = await report(BUDI, SERVICE, 1);
    const page = first.report!.accessHistory;
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await graphql(
      f.gateway,
      `
        query N($nik: NIK!, $after: String) {
          myRecord(nik: $nik) {
            accessHistory(first: 1, after: $after) {
              edges {
                node {
                  at
                }
              }
            }
          }
        }
      `,
      {
        variables: { nik: BUDI, after: page.pageInfo.endCursor },
        headers: await f.access.as(SERVICE, PURPOSE),
      },
    );
    expect(next.body.errors).toBeUndefined();
    // A cursor of another person's history is refused.
    const other = await graphql(
      f.gateway,
      `
        query N($after: String) {
          myRecord(nik: "3201015508829002") {
            accessHistory(first: 1, after: $after) {
              edges {
                node {
                  at
                }
              }
            }
          }
        }
      `,
      {
        variables: { after: page.pageInfo.endCursor },
        headers: await f.access.as(SERVICE, PURPOSE),
      },
    );
    expect(other.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  // Regression: a page of 1,000 (the largest) read 1,001 rows to tell whether more exist, which
  // the audit query refused, so `accessLog(first: 1000)` failed.
  it('answers the largest page, for the person and for the administrator', async () => {
    const own = await report(BUDI, SERVICE, 1000);
    expect(own.body.errors).toBeUndefined();
    const admin = await graphql(
      f.gateway,
      `{ accessLog(nik: "${BUDI}", first: 1000) { pageInfo { hasNextPage } } }`,
      { headers: await f.access.as('gateway-admin', 'OVERSIGHT') },
    );
    expect(admin.body.errors).toBeUndefined();
    expect(admin.body.data).toEqual({ accessLog: { pageInfo: { hasNextPage: false } } });
  });

  it('shows officers only where the service’s agreement shows them', async () => {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === SERVICE)!;
    await saveClient(
      f.db.db,
      registration(
        {
          ...demo,
          clientId: 'subject-with-officers',
          fieldPolicy: { ...demo.fieldPolicy, SubjectAccess: { officerId: 'show' } },
        },
        'unused-hash',
      ),
    );
    const { report: r } = await report(BUDI, 'subject-with-officers');
    expect(r!.accessHistory.edges.map((e) => e.node.officerId)).toContain('officer-of-pemda-3201');
  });

  it('is refused to every other kind, and to a subjects’ service that does not verify identity', async () => {
    for (const [client, purpose] of [
      ['pemda-3201', 'VERIVALI'],
      ['kemensos-bansos', 'BANSOS_DISTRIBUTION'],
      ['gateway-admin', 'OVERSIGHT'],
    ] as const) {
      const r = await graphql(f.gateway, `{ myRecord(nik: "${BUDI}") { registered } }`, {
        headers: await f.access.as(client, purpose),
      });
      expect(r.body.errors?.[0]?.extensions?.code, client).toBe('FORBIDDEN');
      expect(JSON.stringify(r.body)).not.toContain('Budi');
    }
    const demo = DEMO_CLIENTS.find((c) => c.clientId === SERVICE)!;
    await saveClient(
      f.db.db,
      registration(
        { ...demo, clientId: 'subject-unverified', verifiesSubjectIdentity: false },
        'unused-hash',
      ),
    );
    const unverified = await report(BUDI, 'subject-unverified');
    expect(unverified.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(unverified.body)).not.toContain('Budi');
  });
});

describe('POST /subject/report', () => {
  const post = async (body: unknown, headers: Record<string, string>) =>
    fetch(`${f.gateway.url}/subject/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('downloads the report as JSON, the same as myRecord', async () => {
    const response = await post({ nik: BUDI, format: 'json' }, await f.access.as(SERVICE, PURPOSE));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="laporan-data-pribadi-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { report: r, disclosure } = (await response.json()) as {
      report: Report;
      disclosure: unknown[];
    };
    expect(r.person).toMatchObject({ nik: BUDI, name: 'Budi Santoso' });
    expect(r.decisions).toHaveLength(4);
    expect(disclosure).toContainEqual(expect.objectContaining({ rule: 'MASKED' }));
    const { rows } = await f.db.pool.query(
      `SELECT 1 FROM audit_event WHERE operation = 'query:myRecord' AND decision_ids @> $1::text[]`,
      [[r.decisions[0]!.decisionId]],
    );
    expect(rows).toHaveLength(1);
  });

  it('renders a printable page with every value escaped and nothing that runs', async () => {
    const response = await post(
      { nik: BUDI },
      {
        ...(await f.access.as(SERVICE, PURPOSE)),
        accept: 'text/html',
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    const page = await response.text();
    expect(page).toContain('Budi Santoso');
    expect(page).toContain('Jl. Melati No. 1, RT 001/RW 002');
    expect(page).toContain('320101******9002'); // a member, masked
    expect(page).not.toMatch(/<script/i);
    // An address with quotes and a line break (household H2 of the fixture) comes out escaped.
    const dewi = await post(
      { nik: '3374010202709004', format: 'html' },
      await f.access.as(SERVICE, PURPOSE),
    );
    const escaped = await dewi.text();
    expect(escaped).toContain('Gang &quot;Mawar&quot; 7');
    expect(escaped).not.toContain('"Mawar"');
  });

  it('refuses what GraphQL refuses, with the same codes, and never puts the NIK in the URL', async () => {
    const anonymous = await post({ nik: BUDI }, {});
    expect(anonymous.status).toBe(401);
    const ministry = await post(
      { nik: BUDI },
      await f.access.as('kemensos-bansos', 'BANSOS_DISTRIBUTION'),
    );
    expect(ministry.status).toBe(403);
    expect(await ministry.text()).not.toContain('Budi');
    const bad = await post({ nik: '123' }, await f.access.as(SERVICE, PURPOSE));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    const get = await fetch(`${f.gateway.url}/subject/report`, {
      headers: await f.access.as(SERVICE, PURPOSE),
    });
    expect(get.status).toBe(405);
    const noPurpose = await post({ nik: BUDI }, await f.access.as(SERVICE));
    expect(((await noPurpose.json()) as { error: { code: string } }).error.code).toBe(
      'PURPOSE_REQUIRED',
    );
  });
});
