import {
  getNamedType,
  GraphQLError,
  isAbstractType,
  isLeafType,
  isObjectType,
  type GraphQLFieldMap,
  type GraphQLSchema,
} from 'graphql';
import { and, deny, rule, shield, type IRules } from 'graphql-shield';
import {
  middleware,
  type IMiddlewareFieldMap,
  type IMiddlewareGenerator,
} from 'graphql-middleware';

import { isDatabaseUnavailable } from '../db/database-errors.js';
import { forbidden, GatewayError, serviceUnavailable } from '../errors/gateway-errors.js';
import type { Logger } from '../logger.js';
import type { ClientKind } from './agreement.js';
import { ROOT_FIELD_POLICY, type RootFieldPolicy } from './operation-policy.js';
import { hasScope, type Principal } from './principal.js';
import { TYPE_POLICY } from './type-policy.js';

type ShieldRule = ReturnType<ReturnType<typeof rule>>;

/** What the gate reads of a request's context (the server's RequestContext has it). */
export interface GateContext {
  principal: Principal;
  requestId: string;
  logger: Logger;
}

/**
 * The gate: a graphql-shield rule tree generated from the policy tables, failing closed
 * (`fallbackRule: deny`): a root field (query or mutation) or type missing from the tables is
 * refused.
 *
 * A type's rule is checked on every edge into it: a root field, or a field of another type
 * returning it, must pass its own rule (the root field's, or its parent type's) and the rule of
 * the type it returns. An object can only be reached through such an edge, so its leaf fields
 * (scalars and enums) carry no rule of their own: a batch of 10,000 decisions then costs one check
 * per edge, not five per decision. Rules read only the principal, so each is evaluated once per
 * request (`contextual` cache, one distinct name per rule). Row and field decisions are not made
 * here but in SQL (scoped registry).
 *
 * An edge from a type to one that admits every kind of client the parent admits needs no check
 * either: the parent's rule passed when the parent was reached, and it implies the child's (rules
 * read only the principal's kind). So the households, members and cells of one answer are not
 * each a promise of a rule check. An edge into a narrower type (or one missing from the tables)
 * keeps its rule. An object type narrower than an interface or union it belongs to keeps a rule
 * on every field, leaves included (the edge into the abstract type admits the widest of them).
 */
export function createGate<C extends GateContext = GateContext>(
  tables: { root: typeof ROOT_FIELD_POLICY; types: typeof TYPE_POLICY } = {
    root: ROOT_FIELD_POLICY,
    types: TYPE_POLICY,
  },
): IMiddlewareGenerator<unknown, C, unknown> {
  const typeRule = (type: string, kinds: readonly ClientKind[] | 'any') =>
    rule(`type:${type}`, { cache: 'contextual' })((_parent, _args, ctx: GateContext) =>
      kindAllowed(ctx.principal, kinds),
    );
  const rootRule = (field: string) => {
    const policy = tables.root[field]!;
    return rule(`root:${field}`, { cache: 'contextual' })(
      (_parent, _args, ctx: GateContext) =>
        kindAllowed(ctx.principal, policy.kinds) && scopeAllowed(ctx.principal, policy.scope),
    );
  };
  return middleware((schema: GraphQLSchema) => {
    const types = withAbstractTypes(schema, tables.types);
    const guarded = guardedByAbstractTypes(schema, types);
    const typeRules = new Map<string, ShieldRule>(
      Object.entries(types).map(([type, kinds]) => [type, typeRule(type, kinds)]),
    );
    // Root types (Query, and Mutation once there are mutations): each field by its own rule.
    const roots = [schema.getQueryType(), schema.getMutationType()].filter(
      (t): t is NonNullable<typeof t> => t !== null && t !== undefined,
    );
    const tree: Record<string, unknown> = {};
    for (const root of roots) {
      const fields = root.getFields();
      const rules: Record<string, unknown> = { '*': deny };
      for (const field of Object.keys(tables.root)) {
        if (!fields[field]) continue;
        rules[field] = withTypeRule(rootRule(field), fields[field].type, typeRules);
      }
      tree[root.name] = rules;
    }
    for (const [type, typeRule] of typeRules) {
      const object = schema.getType(type);
      if (!isObjectType(object)) continue;
      tree[type] = guarded.has(type)
        ? { '*': typeRule, ...edgeRules(object.getFields(), typeRule, typeRules) }
        : edgeRules(object.getFields(), typeRule, typeRules);
    }
    const generated = shield(tree as IRules, {
      fallbackRule: deny,
      allowExternalErrors: false,
      fallbackError,
    }).generate(schema) as Record<string, IMiddlewareFieldMap>;
    // Leaf fields of reached objects need no rule of their own, nor do edges whose rule is
    // implied by the parent's (see above).
    for (const [typeName, fields] of Object.entries(generated)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type) || roots.includes(type) || guarded.has(typeName)) continue;
      const defined = type.getFields();
      for (const field of Object.keys(fields)) {
        const returns = defined[field] && getNamedType(defined[field].type);
        if (!returns) continue;
        if (isLeafType(returns) || edgeImplied(types, typeName, returns.name)) {
          delete fields[field];
        }
      }
    }
    return generated;
  });
}

/**
 * The type table with a rule for every interface and union of the schema: the kinds of client
 * that at least one of its object types admits (an object type missing from the table admits
 * none). An edge into an abstract type is so as wide as the widest type it may turn out to be;
 * the object types narrower than an abstract type they belong to are then checked themselves,
 * on every field ({@link guardedByAbstractTypes}), once the value's type is known.
 */
export function withAbstractTypes(
  schema: GraphQLSchema,
  types: Readonly<Record<string, readonly ClientKind[] | 'any'>>,
): Record<string, readonly ClientKind[] | 'any'> {
  const all: Record<string, readonly ClientKind[] | 'any'> = { ...types };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith('__')) continue;
    let kinds: readonly ClientKind[] | 'any' = [];
    for (const object of schema.getPossibleTypes(type)) {
      const admitted = types[object.name] ?? [];
      if (admitted === 'any' || kinds === 'any') kinds = 'any';
      else kinds = [...kinds, ...admitted.filter((k) => !kinds.includes(k))];
    }
    all[type.name] = kinds;
  }
  return all;
}

/**
 * The object types that admit fewer kinds of client than an interface or union they belong to:
 * reached through that abstract type's wider edge, they keep a rule on each of their fields.
 */
export function guardedByAbstractTypes(
  schema: GraphQLSchema,
  types: Readonly<Record<string, readonly ClientKind[] | 'any'>>,
): Set<string> {
  const guarded = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith('__')) continue;
    for (const object of schema.getPossibleTypes(type)) {
      if (!edgeImplied(types, type.name, object.name)) guarded.add(object.name);
    }
  }
  return guarded;
}

/** The parent's rule for every field of a type that returns an object, plus that object's rule. */
function edgeRules(
  fields: GraphQLFieldMap<unknown, unknown>,
  parentRule: ShieldRule,
  typeRules: ReadonlyMap<string, ShieldRule>,
): Record<string, unknown> {
  const rules: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (isLeafType(getNamedType(field.type))) continue;
    rules[name] = withTypeRule(parentRule, field.type, typeRules);
  }
  return rules;
}

/** `own` and, when the field returns an object type, that type's rule (deny when it has none). */
function withTypeRule(
  own: ShieldRule,
  returns: Parameters<typeof getNamedType>[0],
  typeRules: ReadonlyMap<string, ShieldRule>,
): unknown {
  const named = getNamedType(returns);
  if (!named || isLeafType(named)) return own;
  return and(own, typeRules.get(named.name) ?? deny);
}

// Called for denials (error null) and for errors thrown by rules or resolvers: the gateway's own
// client errors pass, a lost database is SERVICE_UNAVAILABLE (HTTP 503), anything else becomes a
// generic error after being logged.
function fallbackError(error: unknown, _parent: object, _args: object, shieldCtx: object) {
  const ctx = shieldCtx as GateContext;
  if (error === null || error === undefined) return forbidden();
  if (error instanceof GatewayError) return error;
  if (isDatabaseUnavailable(error)) {
    ctx.logger.warn(
      { requestId: ctx.requestId, reason: (error as Error).message },
      'database unreachable',
    );
    return serviceUnavailable();
  }
  ctx.logger.error({ err: error, requestId: ctx.requestId }, 'internal error while resolving');
  return new GraphQLError('Internal server error', {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

/**
 * Whether a client admitted to `parent` is always admitted to `child` (both types in `types`),
 * so that the edge from one to the other needs no rule.
 */
export function edgeImplied(
  types: Readonly<Record<string, readonly ClientKind[] | 'any'>>,
  parent: string,
  child: string,
): boolean {
  const parentKinds = types[parent];
  const childKinds = types[child];
  if (parentKinds === undefined || childKinds === undefined) return false;
  if (childKinds === 'any') return true;
  return parentKinds !== 'any' && parentKinds.every((kind) => childKinds.includes(kind));
}

/** No scope needed, the scope, or (for a list) any one of them. */
function scopeAllowed(principal: Principal, scope: RootFieldPolicy['scope']): boolean {
  if (scope === null) return true;
  if (typeof scope === 'string') return hasScope(principal, scope);
  return scope.some((s) => hasScope(principal, s));
}

function kindAllowed(principal: Principal, kinds: readonly ClientKind[] | 'any'): boolean {
  return kinds === 'any' || kinds.includes(principal.kind);
}
