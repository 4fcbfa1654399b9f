import { trace } from '@opentelemetry/api';
import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import { knownCode, knownField, type GatewayMetrics } from '../../monitoring/gateway-metrics.js';
import type { RequestContext } from '../../resolvers/request-context.js';
import { ROOT_FIELDS, type WithRootFields } from './operation-policy.plugin.js';
import { rootFieldNames } from './root-fields.js';

/**
 * Counts each GraphQL operation for `/metrics` when its answer is ready (after the audit event
 * committed, so the time includes it): per root field, client kind and outcome code.
 */
export function metricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operation, document }) {
          if (response.body.kind !== 'single') return;
          const codes = (response.body.singleResult.errors ?? []).map((e) =>
            String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
          );
          // Resolved by the operation-policy plugin; otherwise (security off, or a document that
          // failed validation) the document's only operation, if it has one. Names the schema
          // does not have are counted as `other`.
          let fields = (contextValue as WithRootFields)[ROOT_FIELDS];
          if (!fields && document) {
            const only = document.definitions.filter((d) => d.kind === 'OperationDefinition');
            const named = operation ?? (only.length === 1 ? only[0] : undefined);
            if (named) {
              const fragments = Object.fromEntries(
                document.definitions.flatMap((d) =>
                  d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [],
                ),
              );
              fields = rootFieldNames(named as OperationDefinitionNode, fragments);
            }
          }
          // The same names on the operation's trace span (tracing on): root fields, not the query.
          trace.getActiveSpan()?.setAttributes({
            'graphql.operation.type': operation?.operation ?? '',
            'dtks.graphql.root_fields': [...(fields ?? [])].map(knownField).join(','),
            'dtks.outcome': codes[0] === undefined ? 'OK' : knownCode(codes[0]),
          });
          metrics.operationAnswered(
            fields ?? [],
            contextValue.principal.kind,
            codes,
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}
