import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../src/audit/subject-hash.js';
import { changeEventView } from '../../src/changes/change-feed-service.js';
import { webhookBody } from '../../src/changes/webhook-body.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import { changeFeedStore } from '../../src/db/scoped/change-feed-store.js';
import { webhookStore, type DeliveryForAttempt } from '../../src/db/scoped/webhook-store.js';
import { sealSubject } from '../../src/db/subject-seal.js';
import { DEMO_CLIENTS } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/*
 * A webhook body is joined from event JSON that PostgreSQL builds (webhookStore.eventsAsJson),
 * not from the view the pull API shows. This holds the two together: for events of every kind,
 * with arbitrary text in every field the payload carries, the body's events are the views as
 * JSON.stringify writes them (CONTRACT §11), the NIK shown exactly where the policy shows it,
 * and the audit input (subject hashes, decision or event ids) is the same.
 */
const AGREEMENT = 'kemensos-bansos-pks';
const sealKey = randomBytes(32);
const subjectKey = randomBytes(32);
let db: TestDatabase;
let delivery: DeliveryForAttempt;

beforeAll(async () => {
  db = await createTestDatabase();
  await saveClient(
    db.db,
    registration(
      DEMO_CLIENTS.find((c) => c.clientId === 'kemensos-bansos')!,
      'unused',
    ),
  );
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO webhook_delivery (agreement_id, message_id, first_event_id, last_event_id, events)
     VALUES ($1, 'msg_test', 1, 1, 1) RETURNING id::text`,
    [AGREEMENT],
  );
  delivery = (await webhookStore.forAttempt(db.db, rows[0]!.id))!;
});

afterAll(async () => {
  await db?.close();
});

// Text PostgreSQL stores as given (no NUL, no lone surrogate): quotes, backslashes, any script.
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
const nik = fc.stringMatching(/^[0-9]{16}$/);
const decision = fc.record({
  eligible: fc.boolean(),
  reason: text,
  ruleVersion: fc.integer({ min: 1, max: 1000 }),
  dataAsOf: fc.constantFrom('2026-06-30', '2026-09-30'),
});
const event = fc.oneof(
  fc.record({
    kind: fc.constant('ELIGIBILITY_CHANGED'),
    program: fc.constantFrom('PKH', 'BPNT', null),
    subjectRef: fc.option(text, { nil: null }),
    nik: fc.option(nik, { nil: null }),
    payload: fc.record({ decisionId: fc.uuid(), previous: decision, current: decision }),
  }),
  fc.record({
    kind: fc.constant('HOUSEHOLD_CHANGED'),
    members: fc.array(nik, { maxLength: 4 }),
    payload: fc.record({
      householdId: text,
      change: fc.constantFrom('ADDED', 'REMOVED', 'CHANGED'),
      regionCode: text,
      fields: fc.array(text, { maxLength: 4 }),
    }),
  }),
  fc.record({
    kind: fc.constant('VERIFICATION_STATUS_CHANGED'),
    payload: fc.record({
      submissionId: text,
      submissionKind: text,
      householdId: fc.option(text, { nil: null }),
      previousStatus: text,
      status: text,
    }),
  }),
);

describe('webhook bodies', () => {
  it('carry the events exactly as the pull API views them, for every kind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (events, showNik) => {
          await db.pool.query('TRUNCATE change_event');
          for (const e of events) {
            await db.pool.query(
              `INSERT INTO change_event (agreement_id, kind, program, subject_ref, nik_sealed,
                                       subjects_sealed, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [
                AGREEMENT,
                e.kind,
                'program' in e ? e.program : null,
                'subjectRef' in e ? e.subjectRef : null,
                'nik' in e && e.nik !== null ? sealSubject(sealKey, e.nik) : null,
                'members' in e ? sealSubject(sealKey, e.members.join(',')) : null,
                JSON.stringify(e.payload),
              ],
            );
          }
          const { rows } = await db.pool.query<{ first: string; last: string }>(
            'SELECT min(id)::text AS first, max(id)::text AS last FROM change_event',
          );
          const d = { ...delivery, firstEventId: rows[0]!.first, lastEventId: rows[0]!.last };

          const now = new Date();
          const built = webhookBody(
            await webhookStore.eventsAsJson(db.db, d),
            { showNik, sealKey, subjectKey },
            now,
          );
          const views = (await changeFeedStore.events(db.db, AGREEMENT, d.programs, '0', 1000)).map(
            (row) => changeEventView(row, showNik, sealKey),
          );
          const expected = JSON.stringify({
            type: 'dtks.changes',
            timestamp: now.toISOString(),
            data: {
              events: views.map(({ view }) => {
                const { position, ...rest } = view;
                return { sequence: Number(position), ...rest };
              }),
            },
          });
          // Equal as JSON, and keys in the same order.
          expect(JSON.stringify(JSON.parse(built.body))).toBe(expected);
          expect(built.auditIds).toEqual(views.map((v) => v.auditId));
          expect(new Set(built.subjects)).toEqual(
            new Set(views.flatMap((v) => v.subjects.map((n) => subjectHash(subjectKey, n)))),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves out the events of programs the agreement no longer covers', async () => {
    await db.pool.query('TRUNCATE change_event');
    await db.pool.query(
      `INSERT INTO change_event (agreement_id, kind, program, payload)
       SELECT $1, 'ELIGIBILITY_CHANGED', p,
              jsonb_build_object('decisionId', gen_random_uuid(), 'previous', '{}'::jsonb,
                                 'current', '{}'::jsonb)
         FROM unnest(ARRAY['PKH', 'PBI_JK', 'BPNT']) AS p`,
      [AGREEMENT],
    );
    const { rows } = await db.pool.query<{ first: string; last: string }>(
      'SELECT min(id)::text AS first, max(id)::text AS last FROM change_event',
    );
    const d = { ...delivery, firstEventId: rows[0]!.first, lastEventId: rows[0]!.last };
    const events = await webhookStore.eventsAsJson(db.db, d);
    const programs = events.map((e) => (JSON.parse(`${e.head}}`) as { program: string }).program);
    expect(programs).toEqual(['PKH', 'BPNT']);
  });
});
