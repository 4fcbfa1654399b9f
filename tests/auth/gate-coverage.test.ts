import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ROOT_FIELD_POLICY } from '../../src/auth/operation-policy.js';
import { TYPE_POLICY } from '../../src/auth/type-policy.js';
import { buildGatewaySchema } from '../../src/resolvers/build-schema.js';

/**
 * The gate fails closed, so a field or type without a rule is refused at run time; these tests
 * make the omission fail in CI instead, with the name of what needs a rule.
 */
describe('gate coverage', () => {
  it('has a rule for every root field and only for root fields that exist', async () => {
    const schema = await buildGatewaySchema();
    // Queries and mutations share one table (their field names are distinct).
    const rootFields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ].sort();
    expect(Object.keys(ROOT_FIELD_POLICY).sort()).toEqual(rootFields);
  });

  it('has a rule for every object type of the schema and for no type that does not exist', async () => {
    const schema = await buildGatewaySchema();
    const types = Object.values(schema.getTypeMap())
      .filter(
        (t) =>
          isObjectType(t) &&
          !t.name.startsWith('__') &&
          t.name !== 'Query' &&
          t.name !== 'Mutation',
      )
      .map((t) => t.name)
      .sort();
    expect(Object.keys(TYPE_POLICY).sort()).toEqual(types);
  });
});
