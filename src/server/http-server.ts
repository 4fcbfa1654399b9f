import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { Logger } from '../logger.js';
import { errorAnswer } from '../dci/dci-envelope.js';
import { readBody, sendJson, type RouteHandler } from '../http/json-http.js';
import { AuditWriteError } from '../audit/audit-writer.js';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { withTimeout } from '../db/with-timeout.js';
import { GatewayError, HTTP_STATUS, retryAfterOf } from '../errors/gateway-errors.js';
import type { RequestContext } from '../resolvers/request-context.js';
import { endRequestSpan, inSpan, requestSpan } from './request-spans.js';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export interface HttpServerDeps {
  apollo: ApolloServer<RequestContext>;
  /**
   * The primary and where reads go now: `/readyz` needs both to answer (a replica that is down or
   * behind is not where reads go, so it does not make the gateway unready).
   */
  db: Kysely<Database>;
  readDb: () => Kysely<Database>;
  logger: Logger;
  /**
   * Authenticates the request and builds its context; throws a {@link GatewayError}
   * (UNAUTHENTICATED, AGREEMENT_EXPIRED, BAD_USER_INPUT) to refuse it before GraphQL runs.
   */
  createContext(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<RequestContext>;
  /**
   * Records a request refused before GraphQL ran (audit of refused attempts); rejects with an
   * AuditWriteError when it cannot, and the request then answers 503, not its refusal.
   */
  onRefused(req: IncomingMessage, requestId: string, error: GatewayError): Promise<void>;
  /**
   * Puts the text of a persisted document the request names in place of its id, or throws a
   * {@link GatewayError} to refuse it before GraphQL runs (src/server/persisted-documents.ts).
   */
  resolveDocument(
    request: HTTPGraphQLRequest,
    context: RequestContext,
  ): Promise<HTTPGraphQLRequest>;
  /** More routes by exact path (`/oauth/token`, `/.well-known/jwks.json`). */
  routes: Record<string, RouteHandler>;
  /** The dashboard page: `/dashboard` and what is under it, and `/` (a redirect to it). */
  dashboard?: RouteHandler;
  /** Told of every answer (route, status, seconds), for `/metrics`. */
  onAnswered?: (path: string, status: number, seconds: number) => void;
}

/**
 * The gateway's HTTP front: `/graphql` (POST, and GET for queries), `/healthz` (process up),
 * `/readyz` (database reachable). Plain `node:http`: the fewest layers between the socket and
 * the GraphQL executor.
 */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  const { logger } = deps;
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const supplied = req.headers['x-request-id'];
    const requestId =
      typeof supplied === 'string' && REQUEST_ID_RE.test(supplied) ? supplied : randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '').split('?')[0]!;
    // The request's trace span (tracing on: src/monitoring/tracing.ts), in the caller's trace
    // when it sent `traceparent`; named by the route, never the URL (a query string may hold data).
    const span = requestSpan(req, path, requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.onAnswered?.(path, res.statusCode, ms / 1000);
      logger.info({ requestId, method: req.method, path, status: res.statusCode, ms }, 'request');
    });
    res.on('close', () => endRequestSpan(span, res));
    const handled = context.with(trace.setSpan(context.active(), span), () =>
      route(req, res, requestId, deps),
    );
    handled.catch((error: unknown) => {
      // A refusal whose audit event could not be written is not answered as a refusal either.
      if (isDatabaseUnavailable(error) || error instanceof AuditWriteError) {
        const reason = (error as Error).message;
        logger.warn({ requestId, reason }, 'database unreachable: answered 503');
        if (res.headersSent) res.destroy();
        else sendUnavailable(res, req.url ?? '');
        return;
      }
      logger.error({ err: error, requestId }, 'unhandled error in HTTP handler');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error', requestId });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  return server;
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  deps: HttpServerDeps,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/graphql':
      return handleGraphQL(req, res, url, requestId, deps);
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      return handleReady(res, deps);
    default: {
      const handler = deps.routes[url.pathname];
      if (handler) return handler(req, res);
      if (deps.dashboard && (url.pathname === '/' || url.pathname.startsWith('/dashboard'))) {
        return deps.dashboard(req, res);
      }
      return sendJson(res, 404, { error: 'not found' });
    }
  }
}

async function handleReady(res: ServerResponse, deps: HttpServerDeps): Promise<void> {
  try {
    await withTimeout(
      Promise.all([sql`SELECT 1`.execute(deps.db), sql`SELECT 1`.execute(deps.readDb())]),
      2_000,
    );
    sendJson(res, 200, { status: 'ready' });
  } catch {
    sendJson(res, 503, { status: 'database unreachable' });
  }
}

async function handleGraphQL(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
  deps: HttpServerDeps,
): Promise<void> {
  // Answers may carry personal data: no cache keeps any, error answers included.
  res.setHeader('cache-control', 'no-store');
  if (req.method !== 'POST' && req.method !== 'GET') {
    res.setHeader('allow', 'GET, POST');
    return sendJson(res, 405, { error: 'use GET or POST' });
  }
  let body: unknown = undefined;
  if (req.method === 'POST') {
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null)
      return sendJson(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes` });
    if (raw.length > 0 && (req.headers['content-type'] ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, {
          errors: [
            { message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
          ],
        });
      }
    } else {
      body = raw.toString('utf8');
    }
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let context: RequestContext;
  let request: HTTPGraphQLRequest = { method: req.method, headers, search: url.search, body };
  try {
    context = await deps.createContext(req, res, requestId);
    request = await deps.resolveDocument(request, context);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error; // a lost database: 503 above
    // Refused by policy: audited. Unavailable (no database to audit in): not a refusal.
    if (error.code !== 'SERVICE_UNAVAILABLE') await deps.onRefused(req, requestId, error);
    const status = HTTP_STATUS[error.code] ?? (error.code === 'BAD_USER_INPUT' ? 400 : 403);
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
    return sendJson(res, status, {
      errors: [{ message: error.message, extensions: { code: error.code } }],
    });
  }
  const response = await inSpan('graphql', () =>
    deps.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: async () => context,
    }),
  );
  res.statusCode = response.status ?? 200;
  for (const [key, value] of response.headers) {
    if (key !== 'cache-control') res.setHeader(key, value); // no-store, whatever Apollo says
  }
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * 503 while the database is out of reach, with `Retry-After`: a GraphQL error for `/graphql`, a
 * DCI `ERR` answer under `/dci/`, an OAuth-style error elsewhere. The gateway recovers by itself
 * when the database returns.
 */
function sendUnavailable(res: ServerResponse, path: string): void {
  res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
  sendJson(
    res,
    503,
    path.startsWith('/graphql')
      ? { errors: [{ message: UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }] }
      : path.startsWith('/dci/')
        ? errorAnswer('err.service.unavailable', UNAVAILABLE_MESSAGE)
        : { error: 'temporarily_unavailable', error_description: UNAVAILABLE_MESSAGE },
  );
}

const RETRY_AFTER_SECONDS = 2;
const UNAVAILABLE_MESSAGE = 'the service is temporarily unavailable; try again';
