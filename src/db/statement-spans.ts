import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { LogEvent } from 'kysely';

/** Longest SQL text a span carries (the rest is cut). */
const MAX_TEXT = 2_000;

/**
 * A trace span for one statement run through kysely (its `log` hook, called when the statement
 * has answered, in the caller's context, so the span hangs under the request's). The text is
 * the SQL with every string and number literal replaced by `?`: values are bound as parameters,
 * but a literal written into the text (a date, a region code) is not shown either. A no-op
 * unless tracing is on (src/monitoring/tracing.ts).
 */
export function statementSpan(event: LogEvent): void {
  const tracer = trace.getTracer('dtks-gateway');
  const text = event.query.sql;
  const operation = operationOf(text);
  const span = tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    startTime: Date.now() - event.queryDurationMillis,
  });
  if (!span.isRecording()) return;
  span.setAttributes({
    'db.system.name': 'postgresql',
    'db.operation.name': operation,
    'db.query.text': withoutLiterals(text).slice(0, MAX_TEXT),
  });
  if (event.level === 'error') {
    const code = (event.error as { code?: unknown } | undefined)?.code;
    span.setStatus({ code: SpanStatusCode.ERROR });
    if (typeof code === 'string') span.setAttribute('db.response.status_code', code);
  }
  span.end();
}

/** The statement's first keyword after any comments (SELECT, WITH, INSERT …). */
function operationOf(text: string): string {
  const keyword = /^(?:\s|\/\*.*?\*\/)*([A-Za-z]+)/s.exec(text)?.[1];
  return keyword ? keyword.toUpperCase() : 'SQL';
}

/** `'…'` strings and standalone numbers as `?` (placeholders such as `$1` stay). */
export function withoutLiterals(text: string): string {
  return text
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.])\d+(?:\.\d+)?(?![\w.])/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}
