import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readEnvelope,
  readSearchItem,
  requestEnvelopeSchema,
  searchItemSchema,
} from '../../src/dci/dci-envelope.js';

/* The hand-checked common shapes of a search and an envelope read exactly what the schemas read. */
describe('DCI requests read by hand', () => {
  it('read search items as the schema does, valid or not', () => {
    const timestamp = fc.oneof(
      fc.constant('2026-12-05T10:00:00Z'),
      fc.constant('2026-12-05T10:00:00.123+07:00'),
      fc.constant('2026-12-05 10:00'),
      fc.constant('2026-13-45T10:00:00Z'),
      fc.string(),
    );
    const item = fc.record(
      {
        reference_id: fc.oneof(fc.string({ minLength: 0, maxLength: 120 }), fc.integer()),
        timestamp,
        search_criteria: fc.oneof(
          fc.record(
            {
              query_type: fc.constantFrom('idtype-value', 'expression', 'predicate', 'graphql', ''),
              query: fc.jsonValue(),
              pagination: fc.record({ page_size: fc.integer({ min: -1, max: 600 }) }),
            },
            { requiredKeys: ['query_type'] },
          ),
          fc.constant(null),
          fc.string(),
        ),
        locale: fc.constantFrom('eng', 'EN', 'ind'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(item, fc.jsonValue()), (raw) => {
        const fast = readSearchItem(raw);
        const schema = searchItemSchema.safeParse(raw);
        expect(fast.success).toBe(schema.success);
        if (fast.success && schema.success) expect(fast.data).toEqual(schema.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('read envelopes as the schema does, valid or not', () => {
    // Mostly valid envelopes, with values at and beyond each limit, and now and then a field the
    // fast path leaves to the schema (sender_uri, meta, an unknown key).
    const text = (max: number) =>
      fc.oneof(
        { arbitrary: fc.string({ minLength: 1, maxLength: max }), weight: 6 },
        fc.constantFrom('', 'x'.repeat(max), 'x'.repeat(max + 1)),
        fc.integer(),
      );
    const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.option(arbitrary, { freq: 4, nil: undefined });
    const header = fc.record(
      {
        version: sometimes(text(20)),
        message_id: text(99),
        message_ts: fc.constantFrom(
          '2026-12-05T10:00:00Z',
          '2026-12-05T10:00:00.123+07:00',
          '2026-12-05 10:00',
          '2026-13-45T10:00:00Z',
          '',
        ),
        action: text(40),
        sender_id: text(99),
        receiver_id: sometimes(text(99)),
        total_count: fc.oneof(
          { arbitrary: fc.integer({ min: -2, max: 10_000 }), weight: 6 },
          fc.constantFrom(0.5, Number.MAX_SAFE_INTEGER + 2, '1', null),
        ),
        is_msg_encrypted: sometimes(fc.oneof(fc.boolean(), fc.constant('false'))),
      },
      { requiredKeys: [] },
    );
    const extras = fc.record(
      {
        sender_uri: fc.constantFrom('https://sp-mis.example/cb', 'not a url'),
        meta: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.constant(null)),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const envelope = fc.record(
      {
        signature: sometimes(fc.oneof(text(8192), fc.constant(null))),
        header: fc.oneof(
          { arbitrary: header, weight: 6 },
          fc.tuple(header, extras).map(([h, e]) => ({ ...h, ...e })),
          fc.jsonValue(),
        ),
        message: fc.oneof(
          { arbitrary: fc.dictionary(fc.string(), fc.jsonValue()), weight: 6 },
          // JSON.parse makes "__proto__" an own key; a schema's copy does not.
          fc.constant(JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as unknown),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: ['header', 'message'] },
    );
    fc.assert(
      fc.property(fc.oneof({ arbitrary: envelope, weight: 6 }, fc.jsonValue()), (raw) => {
        // A key fast-check leaves undefined is absent, as in parsed JSON.
        const json = JSON.parse(JSON.stringify(raw) ?? 'null') as unknown;
        const fast = readEnvelope(json);
        const schema = requestEnvelopeSchema.safeParse(json);
        expect(fast.success).toBe(schema.success);
        if (fast.success && schema.success) expect(fast.data).toEqual(schema.data);
      }),
      { numRuns: 3000 },
    );
  });
});
