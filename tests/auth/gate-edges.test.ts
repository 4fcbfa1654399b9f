import {
  execute,
  getNamedType,
  isLeafType,
  isObjectType,
  parse,
  type GraphQLSchema,
} from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createGate,
  edgeImplied,
  guardedByAbstractTypes,
  withAbstractTypes,
} from '../../src/auth/gate.js';
import { ROOT_FIELD_POLICY } from '../../src/auth/operation-policy.js';
import { TYPE_POLICY } from '../../src/auth/type-policy.js';
import { createLogger } from '../../src/logger.js';
import { buildGatewaySchema } from '../../src/resolvers/build-schema.js';

// The gate checks a type's rule on every edge into it (root fields and object-returning fields)
// that the parent's rule does not already imply, not on each leaf field. These tests run the gate alone over the real schema with a stand-in
// registry: what is under test is which rule runs where, not the data layer.

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const registryCalls: string[] = [];
function context(kind: 'LOCAL_GOV' | 'MINISTRY') {
  return {
    requestId: 'test',
    logger: createLogger('silent'),
    principal: {
      clientId: 'probe',
      agencyId: 'probe',
      kind,
      agreement: { scopes: ['records:read', 'eligibility:check'] },
    },
    registry: {
      householdById: (id: string) => {
        registryCalls.push(`householdById:${id}`);
        return Promise.resolve({ id, _key: id, _niks: [] });
      },
      membersOf: () => {
        registryCalls.push('membersOf');
        return Promise.resolve([{ nik: '320101******9001' }]);
      },
      fieldRule: () => ({ rule: 'show' }),
    },
  };
}

async function run(types: typeof TYPE_POLICY, kind: 'LOCAL_GOV' | 'MINISTRY', query: string) {
  registryCalls.splice(0);
  const gated = applyMiddleware(schema, createGate({ root: ROOT_FIELD_POLICY, types }));
  const result = await execute({
    schema: gated,
    document: parse(query),
    contextValue: context(kind),
  });
  return {
    data: result.data as Record<string, unknown> | null | undefined,
    errors: (result.errors ?? []).map((e) => ({
      path: e.path?.join('.'),
      code: e.extensions?.code,
    })),
  };
}

const HOUSEHOLD_WITH_MEMBERS = '{ household(id: "H1") { id members { nik } } }';

describe('the gate on edges', () => {
  it('puts a rule on every root field and every edge into a narrower type, and none on leaves', () => {
    const generated = createGate().generate(schema) as Record<string, Record<string, unknown>>;
    // Interfaces admit the kinds some of their object types admit; those types narrower than
    // the interface keep a rule on every field, leaves too.
    const types = withAbstractTypes(schema, TYPE_POLICY);
    expect(types.ChangeEvent).toEqual(['MINISTRY', 'LOCAL_GOV']);
    expect(
      withAbstractTypes(schema, {
        ...TYPE_POLICY,
        EligibilityChange: [],
        HouseholdChange: [],
        VerificationStatusChange: [],
        GrievanceStatusChange: [],
      }).ChangeEvent,
    ).toEqual([]);
    const guarded = guardedByAbstractTypes(schema, types);
    expect([...guarded].sort()).toEqual([
      'EligibilityChange',
      'GrievanceStatusChange',
      'HouseholdChange',
      'VerificationStatusChange',
    ]);
    let edges = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const root = type === schema.getQueryType() || type === schema.getMutationType();
      for (const [name, field] of Object.entries(type.getFields())) {
        const returns = getNamedType(field.type);
        const leaf = isLeafType(returns);
        const implied = !leaf && edgeImplied(types, type.name, returns.name);
        const gated = generated[type.name]?.[name] !== undefined;
        expect(gated, `${type.name}.${name}`).toBe(
          root || guarded.has(type.name) || (!leaf && !implied),
        );
        if (!root && gated) edges++;
      }
    }
    // A work-list page and a statistics table have no rule check per household, member or cell.
    for (const edge of ['HouseholdConnection.edges', 'HouseholdEdge.node', 'Household.members']) {
      const [type, field] = edge.split('.') as [string, string];
      expect(generated[type]?.[field], edge).toBeUndefined();
    }
    expect(generated.StatisticsResult?.cells).toBeUndefined();
    expect(generated.StatisticsCell?.key).toBeUndefined();
    // Nor the regencies, counts and request rows of the operational figures.
    for (const edge of [
      'VerificationProgress.regencies',
      'RegencyVerificationProgress.households',
      'GatewayUse.requests',
      'SnapshotHistoryEntry.dataQualityWarnings',
      'Region.population',
    ]) {
      const [type, field] = edge.split('.') as [string, string];
      expect(generated[type]?.[field], edge).toBeUndefined();
    }
    expect(edges).toBeGreaterThan(0); // e.g. Me into narrower types keeps its checks
  });

  it("drops an edge check only when the parent's kinds imply the child's", () => {
    const types = {
      Open: 'any',
      Wide: ['LOCAL_GOV', 'ADMIN'],
      Narrow: ['LOCAL_GOV'],
      Other: ['MINISTRY'],
    } as const;
    expect(edgeImplied(types, 'Narrow', 'Wide')).toBe(true);
    expect(edgeImplied(types, 'Narrow', 'Narrow')).toBe(true);
    expect(edgeImplied(types, 'Wide', 'Open')).toBe(true);
    expect(edgeImplied(types, 'Open', 'Open')).toBe(true);
    expect(edgeImplied(types, 'Wide', 'Narrow')).toBe(false);
    expect(edgeImplied(types, 'Open', 'Wide')).toBe(false);
    expect(edgeImplied(types, 'Narrow', 'Other')).toBe(false);
    expect(edgeImplied(types, 'Narrow', 'Missing')).toBe(false);
    expect(edgeImplied(types, 'Missing', 'Open')).toBe(false);
  });

  it('lets the allowed kind through with the tables as they are', async () => {
    const r = await run(TYPE_POLICY, 'LOCAL_GOV', HOUSEHOLD_WITH_MEMBERS);
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ household: { id: 'H1', members: [{ nik: '320101******9001' }] } });
  });

  it('refuses an edge into a type the kind may not see, even when its parent is allowed', async () => {
    const r = await run({ ...TYPE_POLICY, Person: ['ADMIN'] }, 'LOCAL_GOV', HOUSEHOLD_WITH_MEMBERS);
    expect(r.errors).toEqual([{ path: 'household.members', code: 'FORBIDDEN' }]);
    expect(r.data).toEqual({ household: { id: 'H1', members: null } });
    expect(registryCalls).toEqual(['householdById:H1']); // the members were never read
  });

  it('refuses a root field whose type the kind may not see before any read', async () => {
    const r = await run(
      { ...TYPE_POLICY, Household: ['ADMIN'] },
      'LOCAL_GOV',
      '{ household(id: "H1") { id } }',
    );
    expect(r.errors).toEqual([{ path: 'household', code: 'FORBIDDEN' }]);
    expect(registryCalls).toEqual([]);
  });

  it('refuses a root field the kind may not use', async () => {
    const r = await run(TYPE_POLICY, 'MINISTRY', '{ household(id: "H1") { id } }');
    expect(r.errors).toEqual([{ path: 'household', code: 'FORBIDDEN' }]);
    expect(registryCalls).toEqual([]);
  });
});
