import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../../resolvers/request-context.js';

/**
 * SERVICE_UNAVAILABLE decides the status of the whole response: HTTP 503 with `Retry-After`, as
 * CONTRACT §6 says, whichever field met it (a database that went away mid-request, a snapshot
 * swapped in under a statistics query). The error itself comes from `formatError`, which turns a
 * lost database connection into SERVICE_UNAVAILABLE.
 */
export function serviceUnavailablePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (!errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', '2');
        },
      };
    },
  };
}
