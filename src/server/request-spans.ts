import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { routeOf } from '../monitoring/gateway-metrics.js';

const tracer = () => trace.getTracer('dtks-gateway');

/**
 * The trace span of one HTTP request, a child of the caller's span when it sent W3C
 * `traceparent`. It carries the method, the route (from the closed list the metrics use, never
 * the URL: a query string may hold data) and the request id, which the audit log and the logs
 * carry too.
 */
export function requestSpan(req: IncomingMessage, path: string, requestId: string): Span {
  const route = routeOf(path);
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  return tracer().startSpan(
    `${req.method ?? 'HTTP'} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method ?? '',
        'http.route': route,
        'dtks.request_id': requestId,
      },
    },
    parent,
  );
}

/** Ends the request's span with the status sent (or as cut short when the client hung up). */
export function endRequestSpan(span: Span, res: ServerResponse): void {
  if (res.writableFinished) {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the answer' });
  }
  span.end();
}

/** Runs `work` in a child span of the active one (the request's). */
export async function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name);
  try {
    return await context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
