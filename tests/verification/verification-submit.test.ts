import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/verification/input-checks.js';
import {
  codes,
  daysAgo,
  H1_KK,
  H1_VERIFIED,
  key,
  NEW_NIK,
  NIK,
  proposal,
  PROPOSE,
  SUBMIT,
  TODAY,
  updateH1,
  useVerificationGateway,
  type VerificationFixture,
} from '../support/verification-fixture.js';
import { graphql } from '../support/test-gateway.js';

let f: VerificationFixture;
useVerificationGateway((fixture) => (f = fixture));

async function rowCount(): Promise<number> {
  const { rows } = await f.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM verification_submission',
  );
  return rows[0]!.n;
}

/** The one error of a refused submission (its message, code and path). */
async function refusal(
  clientId: string,
  input: Record<string, unknown>,
  mutation = SUBMIT,
): Promise<{ message: string; code: unknown; path?: unknown }> {
  const r = await f.as(clientId, mutation, { input });
  expect(r.body.errors, JSON.stringify(r.body)).toHaveLength(1);
  const e = r.body.errors![0]!;
  return { message: e.message, code: e.extensions?.code, path: e.path };
}

describe('submitVerification', () => {
  it('stores a valid submission as SUBMITTED and leaves the served snapshot unchanged', async () => {
    const household = '{ household(id: "H1") { address verifiedAt members { name status } } }';
    const before = await f.as('pemda-3201', household);
    const r = await f.as('pemda-3201', SUBMIT, {
      input: updateH1({
        memberChanges: [
          ...(updateH1().memberChanges as unknown[]),
          { action: 'MOVED', nik: NIK.AHMAD },
          { action: 'CORRECT', nik: NIK.SITI, name: 'Siti Aminah Santoso' },
        ],
      }),
    });
    expect(r.body.errors).toBeUndefined();
    const s = (r.body.data as { submitVerification: Record<string, unknown> }).submitVerification;
    expect(s).toMatchObject({
      kind: 'SUBMISSION',
      status: 'SUBMITTED',
      outcome: 'UPDATED',
      visitedAt: daysAgo(2),
      officerId: 'officer-of-pemda-3201',
      submittedBy: 'pemda-3201',
      household: { id: 'H1' },
      changeSummary: 'address, floorType; members: 1 ADD, 1 MOVED, 1 CORRECT',
    });
    expect(s.id).toMatch(/^vs_[A-Za-z0-9_-]{16}$/);
    expect(new Date(s.submittedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await f.as('pemda-3201', household)).body.data).toEqual(before.body.data);
  });

  it('accepts every outcome in its proper form', async () => {
    const ok = [
      { outcome: 'CONFIRMED', changes: null, memberChanges: null },
      { outcome: 'MOVED', changes: null, memberChanges: null },
      { outcome: 'NOT_FOUND', changes: null, memberChanges: [] },
      { outcome: 'DECEASED', changes: {}, memberChanges: null },
      { outcome: 'DUPLICATE', changes: null, memberChanges: null, note: 'sama dengan H3' },
      {
        outcome: 'UPDATED',
        changes: {
          floorAreaM2: 42.25,
          wallType: 'WOOD',
          roofType: 'ZINC',
          waterSource: 'PROTECTED_WELL',
          sanitation: 'SHARED_TOILET',
          lighting: 'PLN_UNMETERED',
          cookingFuel: 'FIREWOOD',
        },
        memberChanges: [{ action: 'CORRECT', nik: NIK.BUDI, birthDate: '1980-05-16' }],
      },
    ];
    for (const o of ok) {
      const r = await f.as('pemda-3201', SUBMIT, {
        input: { ...updateH1(), ...o, idempotencyKey: key() },
      });
      expect(r.body.errors, o.outcome).toBeUndefined();
    }
  });

  // Each case: an input change and the one problem it must produce, named by field.
  const INVALID: Array<[string, Record<string, unknown>, string]> = [
    [
      'unknown floor type',
      { changes: { floorType: 'TILE' } },
      'changes.floorType: not a floor_type code (docs/code-lists.md)',
    ],
    [
      'unknown wall type',
      { changes: { wallType: 'GLASS' } },
      'changes.wallType: not a wall_type code',
    ],
    ['unknown roof type', { changes: { roofType: 'x' } }, 'changes.roofType: not a roof_type code'],
    [
      'unknown water source',
      { changes: { waterSource: 'x' } },
      'changes.waterSource: not a water_source code',
    ],
    [
      'unknown sanitation',
      { changes: { sanitation: 'x' } },
      'changes.sanitation: not a sanitation code',
    ],
    ['unknown lighting', { changes: { lighting: 'x' } }, 'changes.lighting: not a lighting code'],
    [
      'unknown cooking fuel',
      { changes: { cookingFuel: 'x' } },
      'changes.cookingFuel: not a cooking_fuel code',
    ],
    [
      'negative floor area',
      { changes: { floorAreaM2: -1 } },
      'changes.floorAreaM2: a number of square metres',
    ],
    [
      'floor area with 3 decimals',
      { changes: { floorAreaM2: 1.234 } },
      'changes.floorAreaM2: a number of square metres',
    ],
    [
      'floor area too large',
      { changes: { floorAreaM2: 1e6 } },
      'changes.floorAreaM2: a number of square metres',
    ],
    ['empty address', { changes: { address: '   ' } }, 'changes.address: empty'],
    [
      'address on two lines',
      { changes: { address: 'a\nb' } },
      'changes.address: one line without control characters',
    ],
    [
      'address too long',
      { changes: { address: 'x'.repeat(LIMITS.address + 1) } },
      'changes.address: at most 500 characters',
    ],
    ['visit in the future', { visitedAt: daysAgo(-1) }, 'visitedAt: in the future'],
    ['visit over a year ago', { visitedAt: daysAgo(400) }, 'visitedAt: more than 366 days ago'],
    [
      'visit on the last verification',
      { visitedAt: H1_VERIFIED },
      'visitedAt: not after the household’s last verification',
    ],
    ['empty idempotency key', { idempotencyKey: '' }, 'idempotencyKey: 1–128 letters, digits'],
    [
      'idempotency key with spaces',
      { idempotencyKey: 'a b' },
      'idempotencyKey: 1–128 letters, digits',
    ],
    ['note too long', { note: 'x'.repeat(LIMITS.note + 1) }, 'note: at most 2000 characters'],
    ['note with control characters', { note: 'a\u0007b' }, 'note: contains control characters'],
    [
      'CONFIRMED with changes',
      { outcome: 'CONFIRMED' },
      'outcome: CONFIRMED means nothing changed',
    ],
    [
      'UPDATED without changes',
      { changes: {}, memberChanges: [] },
      'outcome: UPDATED needs at least one of changes or memberChanges',
    ],
    [
      'MOVED with changes',
      { outcome: 'MOVED' },
      'outcome: MOVED takes no changes or memberChanges',
    ],
    [
      'DUPLICATE without note',
      { outcome: 'DUPLICATE', changes: null, memberChanges: null, note: null },
      'note: required with outcome DUPLICATE',
    ],
    [
      'new member NIK too short',
      { memberChanges: [{ action: 'ADD', nik: '320101', name: 'A', birthDate: '2020-01-01' }] },
      'memberChanges[0].nik: not 16 digits with a known province code',
    ],
    [
      'new member NIK of no province',
      {
        memberChanges: [
          { action: 'ADD', nik: '9901011505800001', name: 'A', birthDate: '2020-01-01' },
        ],
      },
      'memberChanges[0].nik: not 16 digits with a known province code',
    ],
    [
      'new member without name',
      { memberChanges: [{ action: 'ADD', nik: NEW_NIK[1], birthDate: '2020-01-01' }] },
      'memberChanges[0].name: required for a new member',
    ],
    [
      'new member without birth date',
      { memberChanges: [{ action: 'ADD', nik: NEW_NIK[1], name: 'A' }] },
      'memberChanges[0].birthDate: required for a new member',
    ],
    [
      'new member born after the visit',
      { memberChanges: [{ action: 'ADD', nik: NEW_NIK[1], name: 'A', birthDate: daysAgo(1) }] },
      'memberChanges[0].birthDate: after the visit date',
    ],
    [
      'new member of unknown sex',
      {
        memberChanges: [
          { action: 'ADD', nik: NEW_NIK[1], name: 'A', birthDate: '2020-01-01', sex: 'X' },
        ],
      },
      'memberChanges[0].sex: not a sex code',
    ],
    [
      'new member of unknown relationship',
      {
        memberChanges: [
          {
            action: 'ADD',
            nik: NEW_NIK[1],
            name: 'A',
            birthDate: '2020-01-01',
            relationship: 'COUSIN',
          },
        ],
      },
      'memberChanges[0].relationship: not a relationship code',
    ],
    [
      'new member of unknown disability',
      {
        memberChanges: [
          {
            action: 'ADD',
            nik: NEW_NIK[1],
            name: 'A',
            birthDate: '2020-01-01',
            disability: 'SOME',
          },
        ],
      },
      'memberChanges[0].disability: not a disability code',
    ],
    [
      'pregnant man',
      {
        memberChanges: [
          {
            action: 'ADD',
            nik: NEW_NIK[1],
            name: 'A',
            birthDate: '2000-01-01',
            sex: 'M',
            pregnant: true,
          },
        ],
      },
      'memberChanges[0].pregnant: true only with sex F',
    ],
    [
      'name on two lines',
      {
        memberChanges: [{ action: 'ADD', nik: NEW_NIK[1], name: 'A\nB', birthDate: '2020-01-01' }],
      },
      'memberChanges[0].name: one line without control characters',
    ],
    [
      'new member already in the household',
      { memberChanges: [{ action: 'ADD', nik: NIK.SITI, name: 'A', birthDate: '2020-01-01' }] },
      'memberChanges[0].nik: already a member of this household',
    ],
    [
      'new member registered elsewhere in the region',
      { memberChanges: [{ action: 'ADD', nik: NIK.YOHANES, name: 'A', birthDate: '1950-07-07' }] },
      'memberChanges[0].nik: already registered in your region',
    ],
    [
      'the same NIK twice',
      {
        memberChanges: [
          { action: 'MOVED', nik: NIK.AHMAD },
          { action: 'DECEASED', nik: NIK.AHMAD },
        ],
      },
      'memberChanges[1].nik: appears more than once in this submission (first at memberChanges[0])',
    ],
    [
      'deceased who is not a member',
      { memberChanges: [{ action: 'DECEASED', nik: NIK.YOHANES }] },
      'memberChanges[0].nik: not a member of this household',
    ],
    [
      'moved with a name',
      { memberChanges: [{ action: 'MOVED', nik: NIK.AHMAD, name: 'Ahmad' }] },
      'memberChanges[0].name: not used with MOVED',
    ],
    [
      'correction without name or date',
      { memberChanges: [{ action: 'CORRECT', nik: NIK.AHMAD }] },
      'memberChanges[0]: CORRECT needs a name or a birthDate',
    ],
    [
      'correction of sex',
      { memberChanges: [{ action: 'CORRECT', nik: NIK.AHMAD, name: 'Ahmad', sex: 'F' }] },
      'memberChanges[0].sex: not used with CORRECT',
    ],
    [
      'too many member changes',
      {
        memberChanges: Array.from({ length: LIMITS.memberChanges + 1 }, () => ({
          action: 'MOVED',
          nik: NIK.AHMAD,
        })),
      },
      'memberChanges: at most 50 member changes per submission',
    ],
  ];

  it.each(INVALID)(
    'refuses %s, naming the field, and stores nothing',
    async (_label, change, expected) => {
      const stored = await rowCount();
      const { message, code } = await refusal('pemda-3201', updateH1(change));
      expect(code).toBe('BAD_USER_INPUT');
      expect(message).toContain(expected);
      expect(message.startsWith('invalid submission: ')).toBe(true);
      // Never a NIK, a name or an address in the message.
      expect(message).not.toMatch(/\d{12}/);
      for (const secret of ['Putri', 'Melati', 'Siti', 'Ahmad'])
        expect(message).not.toContain(secret);
      expect(await rowCount()).toBe(stored);
    },
  );

  it('refuses a member marked deceased twice', async () => {
    const r = await refusal('pemda-3201', {
      householdId: 'H3',
      outcome: 'UPDATED',
      visitedAt: daysAgo(1),
      idempotencyKey: key(),
      memberChanges: [{ action: 'DECEASED', nik: NIK.YOHANES }],
    });
    expect(r.message).toBe(
      'invalid submission: memberChanges[0].nik: this member is already DECEASED',
    );
  });

  it('names every problem of an input at once', async () => {
    const { message } = await refusal(
      'pemda-3201',
      updateH1({
        visitedAt: daysAgo(-3),
        changes: { floorType: 'TILE', lighting: 'CANDLE' },
        note: 'x'.repeat(3000),
      }),
    );
    expect(
      message.split('; ').map((p) => p.replace('invalid submission: ', '').split(':')[0]),
    ).toEqual(['visitedAt', 'note', 'changes.floorType', 'changes.lighting']);
  });

  it('refuses a malformed date before any work', async () => {
    const r = await f.as('pemda-3201', SUBMIT, { input: updateH1({ visitedAt: '2026-02-30' }) });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors![0]!.message).toContain('Date must be a real date written YYYY-MM-DD');
  });

  it('answers a household outside the region exactly like one that does not exist', async () => {
    const ask = async (clientId: string, householdId: string) =>
      refusal(clientId, updateH1({ householdId, memberChanges: null, idempotencyKey: key() }));
    const stored = await rowCount();
    // pemda-3171 (Jakarta Selatan) asks about H1 (Kabupaten Bogor), and about no household at all.
    const outside = await ask('pemda-3171', 'H1');
    const missing = await ask('pemda-3171', 'H404');
    expect(outside).toEqual(missing);
    expect(outside).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'invalid submission: householdId: no household with this id in your region',
    });
    // And the other way round: pemda-3201 about H2 (Jakarta Selatan).
    expect(await ask('pemda-3201', 'H2')).toEqual(await ask('pemda-3201', 'H404'));
    expect(await rowCount()).toBe(stored);
  });

  it('does not reveal that a new member is registered outside the region', async () => {
    // DEWI is registered in H2 (Jakarta Selatan): for pemda-3201 she is a person not yet known,
    // exactly like an unregistered NIK; the central cycle deduplicates (docs/security.md).
    const add = (nik: string) =>
      f.as('pemda-3201', SUBMIT, {
        input: updateH1({
          changes: null,
          memberChanges: [{ action: 'ADD', nik, name: 'Dewi', birthDate: '1970-02-02' }],
        }),
      });
    const registeredElsewhere = await add(NIK.DEWI);
    const unregistered = await add('3374010202709999');
    expect(registeredElsewhere.body.errors).toBeUndefined();
    expect(unregistered.body.errors).toBeUndefined();
  });

  it('refuses a new member another open submission already adds', async () => {
    const input = () =>
      updateH1({
        changes: null,
        memberChanges: [{ action: 'ADD', nik: NEW_NIK[1], name: 'Bayi', birthDate: daysAgo(5) }],
      });
    expect((await f.as('pemda-3201', SUBMIT, { input: input() })).body.errors).toBeUndefined();
    const { message } = await refusal('pemda-3201', input());
    expect(message).toBe(
      'invalid submission: memberChanges[0].nik: already added by another open submission or proposal in your region',
    );
  });

  it('needs X-Officer-Id, the submit scope and the purpose', async () => {
    const input = updateH1();
    const noOfficer = await f.as('pemda-3201', SUBMIT, { input }, { 'x-officer-id': '' });
    expect(codes(noOfficer)).toEqual(['BAD_USER_INPUT']);
    expect(noOfficer.body.errors![0]!.message).toMatch(/^X-Officer-Id: required/);
    // The reviewing client has no submit scope; a ministry is no local government.
    expect(codes(await f.as('pemda-3201-review', SUBMIT, { input }))).toEqual(['FORBIDDEN']);
    const ministry = await f.access.as('kemenkes-pbi', 'PBI_JK_VERIFICATION');
    expect(
      codes(await graphql(f.gateway, SUBMIT, { variables: { input }, headers: ministry })),
    ).toEqual(['FORBIDDEN']);
    const noPurpose = await f.access.as('pemda-3201');
    expect(
      codes(await graphql(f.gateway, SUBMIT, { variables: { input }, headers: noPurpose })),
    ).toEqual(['PURPOSE_REQUIRED']);
  });
});

describe('idempotency', () => {
  it('answers a retry with the first submission, and a reused key with other input with IDEMPOTENCY_CONFLICT', async () => {
    const input = updateH1({ memberChanges: null });
    const first = await f.as('pemda-3201', SUBMIT, { input });
    // The same input, fields in another order and nulls spelled out: still the same submission.
    const reordered = Object.fromEntries(Object.entries({ ...input, note: input.note }).reverse());
    const again = await f.as('pemda-3201', SUBMIT, {
      input: { ...reordered, memberChanges: null },
    });
    expect(again.body).toEqual(first.body);
    const stored = await rowCount();
    const conflict = await f.as('pemda-3201', SUBMIT, { input: { ...input, note: 'lain' } });
    expect(codes(conflict)).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(conflict.body.errors![0]!.message).toMatch(/^idempotencyKey: already used/);
    // A proposal may not reuse a submission's key either.
    const asProposal = await f.as('pemda-3201', PROPOSE, {
      input: proposal({ idempotencyKey: input.idempotencyKey }),
    });
    expect(codes(asProposal)).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(await rowCount()).toBe(stored);
  });

  it('keys belong to a client: another client may use the same key', async () => {
    const shared = key();
    const a = await f.as('pemda-3201', SUBMIT, { input: updateH1({ idempotencyKey: shared }) });
    const b = await f.as('pemda-3171', SUBMIT, {
      input: {
        householdId: 'H2',
        outcome: 'CONFIRMED',
        visitedAt: daysAgo(1),
        idempotencyKey: shared,
      },
    });
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    const id = (r: typeof a) =>
      (r.body.data as { submitVerification: { id: string } }).submitVerification.id;
    expect(id(a)).not.toBe(id(b));
  });

  it('stores exactly one of ten identical submissions sent at once, and answers all with it', async () => {
    const input = updateH1();
    const stored = await rowCount();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => f.as('pemda-3201', SUBMIT, { input })),
    );
    for (const a of answers) expect(a.body.errors).toBeUndefined();
    const ids = new Set(
      answers.map(
        (a) => (a.body.data as { submitVerification: { id: string } }).submitVerification.id,
      ),
    );
    expect(ids.size).toBe(1);
    expect(await rowCount()).toBe(stored + 1);
    const { rows } = await f.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM verification_submission WHERE client_id = $1 AND idempotency_key = $2',
      ['pemda-3201', input.idempotencyKey],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('sends IDEMPOTENCY_CONFLICT to the losers of a race with different inputs under one key', async () => {
    const shared = key();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        f.as('pemda-3201', SUBMIT, {
          input: updateH1({ idempotencyKey: shared, note: `versi ${i}`, memberChanges: null }),
        }),
      ),
    );
    const outcomes = answers.map((a) =>
      a.body.errors ? a.body.errors[0]!.extensions?.code : 'STORED',
    );
    expect(outcomes.filter((o) => o === 'STORED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'IDEMPOTENCY_CONFLICT')).toHaveLength(5);
  });
});

describe('proposeHousehold', () => {
  it('stores a proposal as SUBMITTED, without a household', async () => {
    const r = await f.as('pemda-3201', PROPOSE, { input: proposal() });
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data as { proposeHousehold: unknown }).proposeHousehold).toMatchObject({
      kind: 'PROPOSAL',
      status: 'SUBMITTED',
      outcome: null,
      regionCode: '3201011001',
      householdId: null,
      household: null,
      changeSummary: 'address, floorType; members: 1 ADD',
    });
  });

  const member = (m: Record<string, unknown> = {}) => ({
    nik: NEW_NIK[1],
    name: 'Anggota',
    birthDate: '2001-01-01',
    relationship: 'HEAD',
    ...m,
  });
  const INVALID: Array<[string, Record<string, unknown>, string]> = [
    [
      'a village outside the region',
      { regionCode: '3171011001' },
      'regionCode: not a village of your region scope',
    ],
    [
      'a village that does not exist',
      { regionCode: '3201019999' },
      'regionCode: not a village of your region scope',
    ],
    ['a regency code', { regionCode: '3201' }, 'regionCode: a village code of 10 digits'],
    [
      'a malformed KK number',
      { kkNumber: '12345' },
      'kkNumber: not 16 digits with a known province code',
    ],
    [
      'a KK number registered in the region',
      { kkNumber: H1_KK },
      'kkNumber: already registered in your region',
    ],
    ['no address', { details: { floorType: 'EARTH' } }, 'details.address: required for a proposal'],
    [
      'an unknown code',
      { details: { address: 'x', roofType: 'GOLD' } },
      'details.roofType: not a roof_type code',
    ],
    ['no members', { members: [] }, 'members: a proposed household needs at least one member'],
    [
      'no head',
      { members: [member({ relationship: 'CHILD' })] },
      'members: exactly one member must have relationship HEAD',
    ],
    [
      'two heads',
      { members: [member(), member({ nik: NEW_NIK[0] })] },
      'members: exactly one member must have relationship HEAD',
    ],
    [
      'a registered member',
      { members: [member({ nik: NIK.BUDI })] },
      'members[0].nik: already registered in your region',
    ],
    [
      'a member twice',
      { members: [member(), member({ relationship: 'CHILD' })] },
      'members[1].nik: appears more than once in this proposal (first at members[0])',
    ],
    [
      'a member with a bad NIK',
      { members: [member({ nik: '0000000000000000' })] },
      'members[0].nik: not 16 digits with a known province code',
    ],
    ['an empty name', { members: [member({ name: ' ' })] }, 'members[0].name: empty'],
    ['a visit tomorrow', { visitedAt: daysAgo(-1) }, 'visitedAt: in the future'],
  ];

  it.each(INVALID)('refuses %s, naming the field', async (_label, change, expected) => {
    const { message, code } = await refusal('pemda-3201', proposal(change), PROPOSE);
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toContain(expected);
    expect(message.startsWith('invalid proposal: ')).toBe(true);
    expect(message).not.toMatch(/\d{12}/);
  });

  it('refuses a KK number an open proposal already proposes', async () => {
    const kkNumber = '3201011212260099';
    expect(
      (
        await f.as('pemda-3201', PROPOSE, {
          input: proposal({ kkNumber, members: [member({ nik: '3201011212260098' })] }),
        })
      ).body.errors,
    ).toBeUndefined();
    const { message } = await refusal(
      'pemda-3201',
      proposal({ kkNumber, members: [member({ nik: '3201011212260097' })] }),
      PROPOSE,
    );
    expect(message).toBe(
      'invalid proposal: kkNumber: already proposed by an open proposal in your region',
    );
  });

  it('is for local governments with the submit scope', async () => {
    expect(codes(await f.as('pemda-3201-review', PROPOSE, { input: proposal() }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(TODAY).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
