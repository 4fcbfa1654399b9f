import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_FIELD_POLICY } from '../../auth/operation-policy.js';
import {
  forbidden,
  GatewayError,
  purposeNotAllowed,
  purposeRequired,
} from '../../errors/gateway-errors.js';
import { eligibilityChecks } from './batch-size.js';
import type { RequestContext } from '../../resolvers/request-context.js';
import { rootFieldNames } from './root-fields.js';

/** Set on the context by this plugin: the operation's root fields, for audit. */
export const ROOT_FIELDS = Symbol('rootFields');
export type WithRootFields = RequestContext & { [ROOT_FIELDS]?: Set<string> };

/**
 * Checks an operation as a whole before it runs: the declared purpose (`X-Purpose`) against the
 * agreement (required unless every root field is purpose-free, such as `me` and `snapshot`), and
 * introspection (administrators, or development only).
 */
export function operationPolicyPlugin(options: {
  development: boolean;
}): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, request, schema }) {
          if (!operation) return;
          const fragments = Object.fromEntries(
            document.definitions.flatMap((d) =>
              d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [],
            ),
          );
          const fields = rootFieldNames(operation, fragments);
          (contextValue as WithRootFields)[ROOT_FIELDS] = fields;
          const principal = contextValue.principal;
          const introspects = [...fields].some((f) => f === '__schema' || f === '__type');
          if (introspects && !options.development && principal.kind !== 'ADMIN') {
            throw withStatus(forbidden('introspection is for administrators'), 403);
          }
          // Counted on the coerced values (defaults included), as execution will see them.
          const checks = eligibilityChecks(schema, operation, fragments, request.variables);
          if (checks > principal.agreement.batchLimit) {
            throw withStatus(
              new GatewayError(
                'BATCH_TOO_LARGE',
                `this operation checks ${checks} NIKs; your agreement allows ${principal.agreement.batchLimit} per operation`,
              ),
              400,
            );
          }
          const needsPurpose = [...fields].some((f) => ROOT_FIELD_POLICY[f]?.purpose === true);
          if (principal.purpose === null) {
            if (needsPurpose) throw withStatus(purposeRequired(), 400);
          } else if (!principal.agreement.purposes.includes(principal.purpose)) {
            throw withStatus(purposeNotAllowed(), 403);
          }
        },
      };
    },
  };
}

/** Apollo reads `extensions.http.status` for request-level errors and strips it from the body. */
function withStatus(error: GatewayError, status: number): GatewayError {
  (error.extensions as Record<string, unknown>).http = { status };
  return error;
}
