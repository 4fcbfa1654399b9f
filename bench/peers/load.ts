import autocannon from 'autocannon';
import type { LoadResult } from '../support/http-load.js';

export interface GraphQLRequest {
  query: string;
  variables: (i: number) => Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * POSTs a GraphQL operation at `connections` connections for `seconds` after `warmup` seconds,
 * one variable set per request, as bench/support/http-load.ts does — and also reads every body:
 * a peer answers a failed GraphQL operation with HTTP 200 and `errors`, which must fail the
 * benchmark as a refused request does.
 */
export async function loadGraphQL(
  name: string,
  port: number,
  request: GraphQLRequest,
  options: { connections: number; seconds: number; warmup: number },
): Promise<LoadResult> {
  let i = 0;
  let graphqlErrors = 0;
  let firstError = '';
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: options.connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', ...request.headers },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ query: request.query, variables: request.variables(i++) }),
          }),
          onResponse: (status, body) => {
            if (status === 200 && body.includes('"errors"')) {
              graphqlErrors++;
              firstError ||= body.slice(0, 300);
            }
          },
        },
      ],
    });
  await run(options.warmup);
  const r = await run(options.seconds);
  const failures = r.non2xx + r.errors + r.timeouts + graphqlErrors;
  if (failures > 0) {
    throw new Error(
      `${name}: ${failures} requests failed (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}, GraphQL errors ${graphqlErrors} ${firstError}); fix the setup first`,
    );
  }
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failures };
}

/** One request, timed (ms); throws on any HTTP or GraphQL error. */
export async function timedRequest<T>(
  port: number,
  body: { query: string; variables: Record<string, unknown> },
  headers: Record<string, string>,
): Promise<{ ms: number; data: T }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const parsed = (
    response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}
  ) as {
    data?: T;
    errors?: unknown[];
  };
  if (response.status !== 200 || parsed.errors || !parsed.data) {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  return { ms, data: parsed.data };
}
