import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSearchItem, searchItemSchema } from '../../src/dci/dci-envelope.js';

/* The hand-checked common shape of a search reads exactly what the schema reads. */
describe('DCI search items', () => {
  it('are read by the fast path as by the schema, valid or not', () => {
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
});
