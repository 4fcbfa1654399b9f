import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Where traces go (OTLP over HTTP) and the service name they carry. */
export interface TracingOptions {
  /** The OTLP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string;
  serviceName: string;
}

export interface Tracing {
  /** Sends the spans ended so far. */
  flush(): Promise<void>;
  /** Sends what is left and stops tracing in this process. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry traces of this process, exported to an OTLP collector: the HTTP request
 * (joining the caller's trace when it sends `traceparent`), the GraphQL operation inside it, and
 * each SQL statement and audit append inside that (src/server/http-server.ts,
 * src/db/statement-spans.ts, src/audit/audit-writer.ts). The spans are made by the gateway's own
 * code through `@opentelemetry/api`, not by patching libraries, so what they carry is chosen:
 * routes, root field names, status and error codes, a request id, SQL with every literal
 * replaced by `?` — never a NIK, name, query text, variable or secret. Without this call the API
 * is a no-op and the spans cost next to nothing.
 */
export function startTracing(options: TracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint }))],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
