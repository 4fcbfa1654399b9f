import { GraphQLError } from 'graphql';
import { deny, rule, shield, type IRules } from 'graphql-shield';

import { forbidden, GatewayError } from '../errors/gateway-errors.js';
import type { RequestContext } from '../server/request-context.js';
import type { ClientKind } from './agreement.js';
import { ROOT_FIELD_POLICY } from './operation-policy.js';
import { hasScope, type Principal } from './principal.js';
import { TYPE_POLICY } from './type-policy.js';

/**
 * The gate: a graphql-shield rule tree generated from the policy tables, failing closed
 * (`fallbackRule: deny`): a root field or type missing from the tables is refused.
 *
 * Rules read only the principal, so each is evaluated once per request (`contextual` cache, one
 * distinct name per rule). Row and field decisions are not made here but in SQL (scoped registry).
 */
export function createGate() {
  const query: Record<string, unknown> = { '*': deny };
  for (const [field, policy] of Object.entries(ROOT_FIELD_POLICY)) {
    query[field] = rule(`root:${field}`, { cache: 'contextual' })(
      (_parent, _args, ctx: RequestContext) =>
        kindAllowed(ctx.principal, policy.kinds) &&
        (policy.scope === null || hasScope(ctx.principal, policy.scope)),
    );
  }
  const tree: Record<string, unknown> = { Query: query };
  for (const [type, kinds] of Object.entries(TYPE_POLICY)) {
    tree[type] = rule(`type:${type}`, { cache: 'contextual' })(
      (_parent, _args, ctx: RequestContext) => kindAllowed(ctx.principal, kinds),
    );
  }
  return shield(tree as IRules, {
    fallbackRule: deny,
    allowExternalErrors: false,
    // Called for denials (error null) and for errors thrown by rules or resolvers: the gateway's
    // own client errors pass, anything else becomes a generic error after being logged.
    fallbackError: (error: unknown, _parent: object, _args: object, shieldCtx: object) => {
      const ctx = shieldCtx as RequestContext;
      if (error === null || error === undefined) return forbidden();
      if (error instanceof GatewayError) return error;
      ctx.logger.error({ err: error, requestId: ctx.requestId }, 'internal error while resolving');
      return new GraphQLError('Internal server error', {
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    },
  });
}

function kindAllowed(principal: Principal, kinds: readonly ClientKind[] | 'any'): boolean {
  return kinds === 'any' || kinds.includes(principal.kind);
}
