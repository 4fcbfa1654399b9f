import { beforeAll, describe, expect, it } from 'vitest';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { SUBJECT_SEAL_KEY } from '../../src/db/subject-seal.js';
import { auditSubjectHasher } from '../support/audit-subject.js';
import { useFixtureGateway, type FixtureGateway } from '../support/fixture-gateway.js';
import { importText, validSnapshot } from '../support/snapshot-fixture.js';
import { graphql } from '../support/test-gateway.js';

/*
 * Restrictions of processing and legal bases (issue #17, part 2), through the API: a restricted
 * record disappears for the restricted purpose — looking exactly like a record that does not
 * exist — and only there; a purpose resting on a public task goes on and the restriction says
 * so; lifting brings the record back; who may do what; and every call is audited with the NIK as
 * its subject (the hash computed here from the key file).
 */

let f: FixtureGateway;
useFixtureGateway((fixture) => (f = fixture));

const BUDI = '3201011505809001';
const SITI = '3201015508829002';
const UNREGISTERED = '3201019999999999';
const SERVICE = 'cekbansos-subject';
const ADMIN = 'gateway-admin';
/** Purposes added to demo agreements here, resting on consent (no basis recorded). */
const SURVEY = 'HOUSING_SURVEY';
const OUTREACH = 'PROGRAM_OUTREACH';
const PEMDA_AGENCY = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!.agency.id;
const BANSOS_AGENCY = DEMO_CLIENTS.find((c) => c.clientId === 'kemensos-bansos')!.agency.id;

const RESTRICTION = `id purposes agencyIds reason requestedBy restrictedAt active liftedAt liftReason
  notStoppedFor { agencyId agencyName purpose basis }`;
const RESTRICT = `mutation R($input: RestrictProcessingInput!) {
  restrictProcessing(input: $input) { ${RESTRICTION} } }`;
const LIFT = `mutation L($nik: NIK!, $id: ID!, $reason: String!) {
  liftProcessingRestriction(nik: $nik, id: $id, reason: $reason) { ${RESTRICTION} } }`;
const PERSON = `query P($nik: NIK!) { person(nik: $nik) { nik name } }`;
const HOUSEHOLD = `query H($id: ID!) { household(id: $id) { id members { nik name } } }`;
const ELIGIBILITY = `query E($nik: NIK!) { eligibility(nik: $nik, program: PKH) { reason eligible } }`;

interface Restriction {
  id: string;
  purposes: string[];
  agencyIds: string[];
  reason: string;
  requestedBy: string;
  active: boolean;
  liftedAt: string | null;
  liftReason: string | null;
  notStoppedFor: Array<{ agencyId: string; purpose: string; basis: string }>;
}

async function ask(client: string, purpose: string, query: string, variables = {}) {
  return graphql(f.gateway, query, { variables, headers: await f.access.as(client, purpose) });
}

async function restrict(client: string, purpose: string, input: Record<string, unknown>) {
  const r = await ask(client, purpose, RESTRICT, { input });
  return {
    ...r,
    restriction: (r.body.data as { restrictProcessing: Restriction } | null)?.restrictProcessing,
  };
}

/** The audit log's subject hash, computed here from the gateway's key file. */
async function subjectOf(nik: string): Promise<string> {
  return (await auditSubjectHasher(f.gateway.dataDir))(nik);
}

beforeAll(async () => {
  // A local government and a ministry with a second purpose each, resting on consent.
  for (const [demoId, clientId, purpose] of [
    ['pemda-3201', 'pemda-3201-survey', SURVEY],
    ['kemensos-bansos', 'kemensos-outreach', OUTREACH],
  ] as const) {
    const demo = DEMO_CLIENTS.find((c) => c.clientId === demoId)!;
    await saveClient(
      f.db.db,
      registration({ ...demo, clientId, purposes: [...demo.purposes, purpose] }, 'unused-hash'),
    );
  }
});

describe('legal bases', () => {
  it('are stated per purpose in me', async () => {
    const me = `{ me { purposes legalBases { purpose basis } } }`;
    const pemda = await ask('pemda-3201-survey', 'VERIVALI', me);
    expect(pemda.body.data).toEqual({
      me: {
        purposes: ['VERIVALI', SURVEY],
        legalBases: [
          { purpose: 'VERIVALI', basis: 'PUBLIC_TASK' },
          { purpose: SURVEY, basis: 'CONSENT' },
        ],
      },
    });
    const bps = await ask('bps-researcher', 'RESEARCH', me);
    expect(bps.body.data).toMatchObject({
      me: { legalBases: [{ purpose: 'RESEARCH', basis: 'LEGITIMATE_INTEREST' }] },
    });
  });
});

describe('restrictions of processing', () => {
  let restriction: Restriction;

  it('disappear a record for the restricted purposes, exactly like a missing one, and only there', async () => {
    const person = (client: string, purpose: string, nik = BUDI) =>
      ask(client, purpose, PERSON, { nik });
    const members = async (client: string, purpose: string) => {
      const r = await ask(client, purpose, HOUSEHOLD, { id: 'H1' });
      expect(r.body.errors).toBeUndefined();
      return (r.body.data as { household: { members: Array<{ name: string }> } }).household.members
        .map((m) => m.name)
        .sort();
    };
    const decision = async (client: string, purpose: string, nik = BUDI) =>
      (await ask(client, purpose, ELIGIBILITY, { nik })).body.data;

    const before = {
      survey: await person('pemda-3201-survey', SURVEY),
      outreach: await decision('kemensos-outreach', OUTREACH),
      siti: await decision('kemensos-outreach', OUTREACH, SITI),
    };
    expect(before.survey.body.data).toEqual({
      person: { nik: '320101******9001', name: 'Budi Santoso' },
    });
    expect(before.outreach).toMatchObject({
      eligibility: { reason: expect.not.stringMatching(/NOT_REGISTERED/) },
    });

    const made = await restrict(SERVICE, 'SUBJECT_REQUEST', {
      nik: BUDI,
      purposes: [SURVEY, OUTREACH],
      reason: 'Saya tidak setuju data saya dipakai untuk survei.',
    });
    expect(made.body.errors).toBeUndefined();
    restriction = made.restriction!;
    expect(restriction).toMatchObject({
      purposes: [SURVEY, OUTREACH],
      agencyIds: [],
      requestedBy: 'SUBJECT',
      active: true,
      liftedAt: null,
      // Both purposes rest on consent: the restriction stops them everywhere.
      notStoppedFor: [],
    });

    // Restricted: the same answer as a NIK that is not in the registry.
    const missing = await person('pemda-3201-survey', SURVEY, UNREGISTERED);
    const restricted = await person('pemda-3201-survey', SURVEY);
    expect(restricted.status).toBe(missing.status);
    expect(restricted.body).toEqual(missing.body);
    expect(restricted.body).toEqual({ data: { person: null } });
    expect(await members('pemda-3201-survey', SURVEY)).toEqual(['Ahmad', 'Siti Aminah']);
    expect(await decision('kemensos-outreach', OUTREACH)).toEqual(
      await decision('kemensos-outreach', OUTREACH, UNREGISTERED),
    );
    expect(await decision('kemensos-outreach', OUTREACH)).toEqual({
      eligibility: { reason: 'NOT_REGISTERED', eligible: false },
    });
    // Another member of the household is not touched.
    expect(await decision('kemensos-outreach', OUTREACH, SITI)).toEqual(before.siti);

    // Only there: the same agencies for their public-task purposes, and other clients.
    expect((await person('pemda-3201-survey', 'VERIVALI')).body).toEqual(before.survey.body);
    expect((await person('pemda-3201', 'VERIVALI')).body).toEqual(before.survey.body);
    expect(await members('pemda-3201-survey', 'VERIVALI')).toEqual([
      'Ahmad',
      'Budi Santoso',
      'Siti Aminah',
    ]);
    expect(await decision('kemensos-outreach', 'BANSOS_DISTRIBUTION')).toEqual(before.outreach);
    expect(await decision('kemensos-bansos', 'BANSOS_DISTRIBUTION')).toEqual(before.outreach);
  });

  it('keep a work-list filter from reading a restricted member', async () => {
    const list = `query W($f: HouseholdFilterInput) { households(filter: $f, first: 50) { edges { node { id } } } }`;
    const ids = async (purpose: string) => {
      const r = await ask('pemda-3201-survey', purpose, list, {
        f: { regionCode: '3201', program: 'PKH' },
      });
      expect(r.body.errors).toBeUndefined();
      return (
        r.body.data as { households: { edges: Array<{ node: { id: string } }> } }
      ).households.edges.map((e) => e.node.id);
    };
    // In H1 only Budi receives PKH (the fixture): the filter sees it only where he is visible.
    expect(await ids('VERIVALI')).toContain('H1');
    expect(await ids(SURVEY)).not.toContain('H1');
  });

  it('leave every member of a listed household a subject of the audit, members read with the page or not', async () => {
    // The page alone, with its members, and with the same household read by another field.
    const variants = ['page', 'members', 'members and household'] as const;
    const page = (variant: (typeof variants)[number]) => `query W($f: HouseholdFilterInput) {
      households(filter: $f, first: 50) { edges { node { id ${variant === 'page' ? '' : 'members { name }'} } } }
      ${variant === 'members and household' ? 'one: household(id: "H1") { members { name } }' : ''} }`;
    for (const purpose of ['VERIVALI', SURVEY]) {
      for (const variant of variants) {
        const withMembers = variant !== 'page';
        const requestId = `restriction-subjects-${purpose}-${variant.replaceAll(' ', '-')}`;
        const r = await graphql(f.gateway, page(variant), {
          variables: { f: { regionCode: '320101' } },
          headers: {
            ...(await f.access.as('pemda-3201-survey', purpose)),
            'x-request-id': requestId,
          },
        });
        expect(r.body.errors).toBeUndefined();
        const nodes = (
          r.body.data as {
            households: {
              edges: Array<{ node: { id: string; members?: Array<{ name: string }> } }>;
            };
          }
        ).households.edges.map((e) => e.node);
        expect(nodes.map((n) => n.id)).toContain('H1');
        if (withMembers) {
          const h1 = nodes
            .find((n) => n.id === 'H1')!
            .members!.map((m) => m.name)
            .sort();
          // Budi is restricted for the survey only.
          expect(h1).toEqual(
            purpose === SURVEY
              ? ['Ahmad', 'Siti Aminah']
              : ['Ahmad', 'Budi Santoso', 'Siti Aminah'],
          );
        }
        if (variant === 'members and household') {
          // The same household through another field of the same operation: the same members.
          const one = (r.body.data as { one: { members: Array<{ name: string }> } }).one;
          expect(one.members.map((m) => m.name).sort()).toEqual(
            purpose === SURVEY
              ? ['Ahmad', 'Siti Aminah']
              : ['Ahmad', 'Budi Santoso', 'Siti Aminah'],
          );
        }
        const { rows: members } = await f.db.pool.query<{ nik: string }>(
          'SELECT nik FROM member WHERE household_id = ANY($1)',
          [nodes.map((n) => n.id)],
        );
        const { rows: events } = await f.db.pool.query<{ subjects: string[] }>(
          'SELECT subjects FROM audit_event WHERE request_id = $1',
          [requestId],
        );
        expect(events).toHaveLength(1);
        const expected = await Promise.all(members.map((m) => subjectOf(m.nik)));
        expect([...events[0]!.subjects].sort(), `${purpose}, ${variant}`).toEqual(
          [...new Set(expected)].sort(),
        );
      }
    }
  });

  it('are recorded but do not stop a purpose resting on a public task, and say so', async () => {
    const all = await restrict(ADMIN, 'OVERSIGHT', {
      nik: BUDI,
      agencyIds: [PEMDA_AGENCY, BANSOS_AGENCY],
      reason: 'Perintah pengadilan',
    });
    expect(all.body.errors).toBeUndefined();
    expect(all.restriction).toMatchObject({ requestedBy: 'ADMINISTRATOR', purposes: [] });
    expect(all.restriction!.notStoppedFor).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          agencyId: PEMDA_AGENCY,
          purpose: 'VERIVALI',
          basis: 'PUBLIC_TASK',
        }),
        expect.objectContaining({
          agencyId: BANSOS_AGENCY,
          purpose: 'BANSOS_DISTRIBUTION',
          basis: 'PUBLIC_TASK',
        }),
      ]),
    );
    // Only the two agencies' public-task purposes: consent purposes and other agencies are not listed.
    expect(
      all.restriction!.notStoppedFor.every(
        (e) => [PEMDA_AGENCY, BANSOS_AGENCY].includes(e.agencyId) && e.basis === 'PUBLIC_TASK',
      ),
    ).toBe(true);
    const verivali = await ask('pemda-3201', 'VERIVALI', PERSON, { nik: BUDI });
    expect(verivali.body.data).toEqual({
      person: { nik: '320101******9001', name: 'Budi Santoso' },
    });

    // The person's report lists both, newest first.
    const report = await ask(
      SERVICE,
      'SUBJECT_REQUEST',
      `query($nik: NIK!) { myRecord(nik: $nik) { restrictions { id requestedBy active notStoppedFor { purpose } } } }`,
      { nik: BUDI },
    );
    expect(report.body.errors).toBeUndefined();
    const listed = (report.body.data as { myRecord: { restrictions: Restriction[] } }).myRecord
      .restrictions;
    expect(listed.map((r) => [r.id, r.requestedBy, r.active])).toEqual([
      [all.restriction!.id, 'ADMINISTRATOR', true],
      [restriction.id, 'SUBJECT', true],
    ]);

    // A service does not lift what the administrator made.
    const refused = await ask(SERVICE, 'SUBJECT_REQUEST', LIFT, {
      nik: BUDI,
      id: all.restriction!.id,
      reason: 'cabut',
    });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const lifted = await ask(ADMIN, 'OVERSIGHT', LIFT, {
      nik: BUDI,
      id: all.restriction!.id,
      reason: 'Putusan dicabut',
    });
    expect(lifted.body.errors).toBeUndefined();
  });

  it('are lifted with who, when and why kept, and the record comes back', async () => {
    // An id of another NIK looks like an unknown id.
    const otherNik = await ask(SERVICE, 'SUBJECT_REQUEST', LIFT, {
      nik: SITI,
      id: restriction.id,
      reason: 'cabut',
    });
    const unknown = await ask(SERVICE, 'SUBJECT_REQUEST', LIFT, {
      nik: BUDI,
      id: '999999',
      reason: 'cabut',
    });
    expect(otherNik.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(otherNik.body.errors?.[0]?.message).toBe(unknown.body.errors?.[0]?.message);

    const lifted = await ask(SERVICE, 'SUBJECT_REQUEST', LIFT, {
      nik: BUDI,
      id: restriction.id,
      reason: 'Saya setuju lagi.',
    });
    expect(lifted.body.errors).toBeUndefined();
    expect(
      (lifted.body.data as { liftProcessingRestriction: Restriction }).liftProcessingRestriction,
    ).toMatchObject({
      id: restriction.id,
      active: false,
      liftReason: 'Saya setuju lagi.',
      notStoppedFor: [],
    });
    const again = await ask(SERVICE, 'SUBJECT_REQUEST', LIFT, {
      nik: BUDI,
      id: restriction.id,
      reason: 'lagi',
    });
    expect(again.body.errors?.[0]?.message).toMatch(/already lifted/);

    const back = await ask('pemda-3201-survey', SURVEY, PERSON, { nik: BUDI });
    expect(back.body.data).toEqual({ person: { nik: '320101******9001', name: 'Budi Santoso' } });

    const { rows } = await f.db.pool.query(
      `SELECT requested_by_kind, requested_by_client, lifted_by_client, lift_reason,
              lifted_at >= restricted_at AS ordered
         FROM processing_restriction WHERE id = $1`,
      [restriction.id],
    );
    expect(rows[0]).toEqual({
      requested_by_kind: 'SUBJECT_SERVICE',
      requested_by_client: SERVICE,
      lifted_by_client: SERVICE,
      lift_reason: 'Saya setuju lagi.',
      ordered: true,
    });
    const history = await ask(
      ADMIN,
      'OVERSIGHT',
      `query($nik: NIK!) { processingRestrictions(nik: $nik) { id active liftReason } }`,
      { nik: BUDI },
    );
    expect(history.body.data).toEqual({
      processingRestrictions: [
        expect.objectContaining({ active: false, liftReason: 'Putusan dicabut' }),
        { id: restriction.id, active: false, liftReason: 'Saya setuju lagi.' },
      ],
    });
  });

  it('are refused to other kinds, and bad input is refused without echoing the reason', async () => {
    const input = { nik: BUDI, reason: 'rahasia pribadi Budi' };
    for (const [client, purpose] of [
      ['pemda-3201', 'VERIVALI'],
      ['kemensos-bansos', 'BANSOS_DISTRIBUTION'],
      ['bps-researcher', 'RESEARCH'],
    ] as const) {
      const r = await restrict(client, purpose, input);
      expect(r.body.errors?.[0]?.extensions?.code, client).toBe('FORBIDDEN');
    }
    const demo = DEMO_CLIENTS.find((c) => c.clientId === SERVICE)!;
    await saveClient(
      f.db.db,
      registration(
        { ...demo, clientId: 'subject-unverified-r', verifiesSubjectIdentity: false },
        'unused-hash',
      ),
    );
    const unverified = await restrict('subject-unverified-r', 'SUBJECT_REQUEST', input);
    expect(unverified.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    for (const bad of [
      { ...input, reason: '   ' },
      { ...input, reason: 'x'.repeat(1001) },
      { ...input, purposes: ['not a purpose'] },
      { ...input, agencyIds: ['no-such-agency'] },
    ]) {
      const r = await restrict(SERVICE, 'SUBJECT_REQUEST', bad);
      expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(bad).slice(0, 80)).toBe(
        'BAD_USER_INPUT',
      );
      expect(JSON.stringify(r.body)).not.toContain('rahasia');
      expect(JSON.stringify(r.body)).not.toContain(BUDI);
    }
    const { rows } = await f.db.pool.query(
      `SELECT count(*)::int AS n FROM processing_restriction WHERE reason LIKE 'rahasia%'`,
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('are audited with the NIK as subject, never with the reason', async () => {
    const { rows } = await f.db.pool.query<{
      operation: string;
      client_id: string;
      outcome: string;
    }>(
      `SELECT operation, client_id, outcome FROM audit_event
        WHERE $1 = ANY(subjects) AND operation LIKE 'mutation:%' ORDER BY id`,
      [await subjectOf(BUDI)],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'mutation:restrictProcessing', client_id: SERVICE }),
        expect.objectContaining({ operation: 'mutation:restrictProcessing', client_id: ADMIN }),
        expect.objectContaining({
          operation: 'mutation:liftProcessingRestriction',
          client_id: ADMIN,
        }),
        expect.objectContaining({
          operation: 'mutation:liftProcessingRestriction',
          client_id: SERVICE,
        }),
      ]),
    );
    const { rows: leaks } = await f.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_event e
        WHERE strpos(row_to_json(e)::text, 'Saya tidak setuju') > 0
           OR strpos(row_to_json(e)::text, $1) > 0`,
      [BUDI],
    );
    expect(leaks[0]).toEqual({ n: 0 });
  });

  it('reach a followed subject’s change events at the next import, for the purposes they stop', async () => {
    const follow = `mutation($n: [NIK!]!) { subscribeSubjects(program: PKH, niks: $n) { subscribed } }`;
    const followed = await ask('kemensos-outreach', OUTREACH, follow, { n: [SITI] });
    expect(followed.body.errors).toBeUndefined();
    // kemensos-outreach's agreement has a consent purpose: a restriction of it stops the events'
    // decisions; kemensos-bansos (public task only) follows the same person unaffected.
    expect(
      (await ask('kemensos-bansos', 'BANSOS_DISTRIBUTION', follow, { n: [SITI] })).body.errors,
    ).toBeUndefined();
    const made = await restrict(ADMIN, 'OVERSIGHT', {
      nik: SITI,
      purposes: [OUTREACH],
      reason: 'Keberatan atas penjangkauan',
    });
    expect(made.body.errors).toBeUndefined();
    const key = await loadOrCreateKeyFile(f.gateway.dataDir, SUBJECT_SEAL_KEY);
    await importText(f.db, validSnapshot(), '2026-07-31', key);
    const events = async (client: string, purpose: string) => {
      const r = await ask(
        client,
        purpose,
        `{ changes(first: 100) { edges { node { kind ... on EligibilityChange { program current { reason } } } } } }`,
      );
      expect(r.body.errors).toBeUndefined();
      return (
        r.body.data as {
          changes: { edges: Array<{ node: { kind: string; current?: { reason: string } } }> };
        }
      ).changes.edges
        .map((e) => e.node)
        .filter((n) => n.kind === 'ELIGIBILITY_CHANGED');
    };
    expect((await events('kemensos-outreach', OUTREACH)).map((e) => e.current?.reason)).toEqual([
      'NOT_REGISTERED',
    ]);
    expect(await events('kemensos-bansos', 'BANSOS_DISTRIBUTION')).toEqual([]);
  });
});
