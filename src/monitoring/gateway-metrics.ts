import type pg from 'pg';
import client from 'prom-client';
import { ROOT_FIELD_POLICY } from '../auth/operation-policy.js';
import type { ReplicaState } from '../db/read-router.js';
import { CLIENT_CODES, REFUSAL_CODES } from '../errors/gateway-errors.js';

/**
 * The gateway's Prometheus metrics (`GET /metrics`, CONTRACT §14; every metric and the alert
 * rules to start from are in docs/operations.md). One registry per gateway, so several gateways
 * in one process (tests) do not mix their counts.
 *
 * Labels take values from closed sets only: root fields the schema has, client kinds, error codes
 * the gateway defines, a fixed list of routes. Anything else is counted as `other`. No NIK, id,
 * name, query text, officer or purpose a client typed ever becomes a label.
 */
export class GatewayMetrics {
  readonly registry = new client.Registry();

  private readonly fieldRequests = new client.Counter({
    name: 'dtks_graphql_field_requests_total',
    help: 'GraphQL operations per root field they selected, client kind and outcome code (OK or the first error code).',
    labelNames: ['field', 'client_kind', 'code'] as const,
    registers: [this.registry],
  });
  private readonly fieldSeconds = new client.Histogram({
    name: 'dtks_graphql_field_request_duration_seconds',
    help: 'Time from the start of a GraphQL operation to its answer, per root field and client kind.',
    labelNames: ['field', 'client_kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly httpRequests = new client.Counter({
    name: 'dtks_http_requests_total',
    help: 'HTTP requests per route and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpSeconds = new client.Histogram({
    name: 'dtks_http_request_duration_seconds',
    help: 'Time from a request to the end of its answer, per route.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly refusals = new client.Counter({
    name: 'dtks_refusals_total',
    help: 'Requests refused by a limit or the policy, per code (RATE_LIMITED: rate limit or daily quota; BUDGET_EXHAUSTED, BATCH_TOO_LARGE, FORBIDDEN, UNAUTHENTICATED, …) and client kind.',
    labelNames: ['code', 'client_kind'] as const,
    registers: [this.registry],
  });
  private readonly auditCommitSeconds = new client.Histogram({
    name: 'dtks_audit_commit_duration_seconds',
    help: 'Time to commit one batch of audit events (connection wait included).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly auditEvents = new client.Counter({
    name: 'dtks_audit_events_total',
    help: 'Audit events committed (ok) or rejected with their batch (failed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly admissionWait = new client.Histogram({
    name: 'dtks_admission_wait_seconds',
    help: 'Time a request waited for its turn (DTKS_MAX_CONCURRENT_REQUESTS).',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly epsilonSpent = new client.Counter({
    name: 'dtks_privacy_epsilon_spent_total',
    help: 'Privacy budget (ε) researchers spent through this process, per agency.',
    labelNames: ['agency'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    const pools = Object.entries(sources.pools).filter(
      (entry): entry is [string, pg.Pool] => entry[1] !== undefined,
    );
    new client.Gauge({
      name: 'dtks_db_pool_connections',
      help: 'Database connections of the gateway pools: open (total), idle, and requests waiting for one.',
      labelNames: ['pool', 'state'] as const,
      registers: [this.registry],
      collect() {
        for (const [name, pool] of pools) {
          this.set({ pool: name, state: 'total' }, pool.totalCount);
          this.set({ pool: name, state: 'idle' }, pool.idleCount);
          this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
        }
      },
    });
    new client.Gauge({
      name: 'dtks_admission_requests',
      help: 'Requests being worked on (running) and waiting for their turn (waiting).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const load = sources.admission();
        this.set({ state: 'running' }, load.running);
        this.set({ state: 'waiting' }, load.waiting);
      },
    });
    new client.Gauge({
      name: 'dtks_audit_queue_depth',
      help: 'Audit events waiting to be taken into a batch.',
      registers: [this.registry],
      collect() {
        this.set(sources.auditQueue());
      },
    });
    if (sources.snapshot) {
      const snapshot = oneAtATime(sources.snapshot);
      new client.Gauge({
        name: 'dtks_snapshot_import_seconds',
        help: 'Import phases of the snapshot served: load (staging, checks and swap), rollups, and publish (the largest statistics tables; absent while not published).',
        labelNames: ['phase'] as const,
        registers: [this.registry],
        async collect() {
          const s = await snapshot();
          if (!s) return;
          this.set({ phase: 'load' }, s.loadSeconds);
          if (s.rollupSeconds !== null) this.set({ phase: 'rollups' }, s.rollupSeconds);
          if (s.publishedSeconds !== null) this.set({ phase: 'publish' }, s.publishedSeconds);
        },
      });
      new client.Gauge({
        name: 'dtks_snapshot_loaded_timestamp_seconds',
        help: 'When the snapshot served was loaded (Unix time).',
        registers: [this.registry],
        async collect() {
          const s = await snapshot();
          if (s) this.set(s.loadedAt.getTime() / 1000);
        },
      });
    }
    if (sources.replica) {
      const replica = sources.replica;
      new client.Gauge({
        name: 'dtks_read_replica_in_use',
        help: 'Whether the reads of new requests go to the read replica (1) or to the primary (0).',
        registers: [this.registry],
        collect() {
          this.set(replica().inUse ? 1 : 0);
        },
      });
      new client.Gauge({
        name: 'dtks_read_replica_lag_seconds',
        help: "How far the read replica's replay is behind the primary, as last checked (absent while it is unreachable).",
        registers: [this.registry],
        collect() {
          const lag = replica().lagSeconds;
          if (lag === null) this.reset();
          else this.set(lag);
        },
      });
    }
    if (sources.webhooks) {
      const webhooks = oneAtATime(sources.webhooks);
      new client.Gauge({
        name: 'dtks_webhook_delivery_lag_seconds',
        help: 'Age of the oldest webhook delivery of change events not yet accepted by its receiver (0: none waiting).',
        registers: [this.registry],
        async collect() {
          this.set((await webhooks()).oldestPendingSeconds);
        },
      });
      new client.Gauge({
        name: 'dtks_webhook_deliveries_undelivered',
        help: 'Webhook deliveries not accepted: pending (being retried) and dead (given up after the retries).',
        labelNames: ['state'] as const,
        registers: [this.registry],
        async collect() {
          const w = await webhooks();
          this.set({ state: 'pending' }, w.pending);
          this.set({ state: 'dead' }, w.dead);
        },
      });
    }
  }

  /** A GraphQL operation answered: one count per root field it selected. */
  operationAnswered(
    fields: Iterable<string>,
    clientKind: string | null,
    codes: string[],
    seconds: number,
  ): void {
    const kind = clientKind ?? 'unauthenticated';
    const code = codes.length === 0 ? 'OK' : knownCode(codes[0]!);
    let any = false;
    for (const f of fields) {
      any = true;
      const field = knownField(f);
      this.fieldRequests.inc({ field, client_kind: kind, code });
      this.fieldSeconds.observe({ field, client_kind: kind }, seconds);
    }
    if (!any) this.fieldRequests.inc({ field: 'none', client_kind: kind, code });
    for (const c of codes) if (REFUSED.has(c)) this.refusals.inc({ code: c, client_kind: kind });
  }

  /** A request refused before GraphQL ran (token, agreement, rate limit). */
  refusedBeforeExecution(code: string, clientKind: string | null): void {
    if (code === 'SERVICE_UNAVAILABLE') return;
    this.refusals.inc({ code: knownCode(code), client_kind: clientKind ?? 'unauthenticated' });
  }

  httpAnswered(path: string, status: number, seconds: number): void {
    const route = routeOf(path);
    this.httpRequests.inc({ route, status: String(status) });
    this.httpSeconds.observe({ route }, seconds);
  }

  auditBatch(events: number, seconds: number, ok: boolean): void {
    this.auditCommitSeconds.observe(seconds);
    this.auditEvents.inc({ result: ok ? 'ok' : 'failed' }, events);
  }

  admitted(waitSeconds: number): void {
    this.admissionWait.observe(waitSeconds);
  }

  epsilon(agencyId: string, epsilon: number): void {
    this.epsilonSpent.inc({ agency: agencyId }, epsilon);
  }

  /** The metrics in Prometheus' text format, the process's own (Node's) included. */
  async text(): Promise<{ contentType: string; body: string }> {
    const both = client.Registry.merge([processMetrics(), this.registry]);
    return { contentType: this.registry.contentType, body: await both.metrics() };
  }
}

/**
 * A read that callers running at the same time share: a scrape collects every metric at once, so
 * the two gauges fed by one query run it once.
 */
function oneAtATime<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () =>
    (running ??= read().finally(() => {
      running = null;
    }));
}

let processRegistry: client.Registry | undefined;

/**
 * Node's own metrics (CPU, memory, event-loop lag, GC), once per process: they observe the
 * process, not a gateway, and their observers would pile up with every gateway a process starts.
 */
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry, prefix: 'dtks_' });
  }
  return processRegistry;
}

export interface MetricSources {
  pools: Record<string, pg.Pool | undefined>;
  admission(): { running: number; waiting: number };
  auditQueue(): number;
  snapshot?(): Promise<{
    loadSeconds: number;
    rollupSeconds: number | null;
    publishedSeconds: number | null;
    loadedAt: Date;
  } | null>;
  webhooks?(): Promise<{ pending: number; dead: number; oldestPendingSeconds: number }>;
  /** The read replica as the read router sees it (absent: no DATABASE_READ_URL). */
  replica?(): ReplicaState;
}

/** Refusals counted: the audited ones, and a token that was not accepted. */
const REFUSED: ReadonlySet<string> = new Set([...REFUSAL_CODES, 'UNAUTHENTICATED']);

/** What a code label may be: a code a client may see, or the internal error. */
const KNOWN_CODES: ReadonlySet<string> = new Set([...CLIENT_CODES, 'INTERNAL_SERVER_ERROR']);

/** A code as a label: one the gateway or GraphQL defines, else `other`. */
export function knownCode(code: string): string {
  return KNOWN_CODES.has(code) ? code : 'other';
}

/** A root field as a label: one the schema has (or `introspection`), else `other`. */
export function knownField(field: string): string {
  if (field === '__schema' || field === '__type' || field === '__typename') return 'introspection';
  return Object.hasOwn(ROOT_FIELD_POLICY, field) ? field : 'other';
}

const EXACT_ROUTES = new Set([
  '/graphql',
  '/healthz',
  '/readyz',
  '/metrics',
  '/oauth/token',
  '/oauth2/client/token',
  '/subject/report',
  '/.well-known/jwks.json',
  '/.well-known/webhooks.json',
  '/dci/registry/sync/search',
  '/dci/registry/sync/txn/status',
  '/dci/registry/search',
  '/dci/registry/subscribe',
  '/dci/registry/unsubscribe',
  '/dci/registry/txn/status',
]);

/** The route of a path, from a fixed list (`other` for anything else): a bounded label. */
export function routeOf(path: string): string {
  if (EXACT_ROUTES.has(path)) return path;
  if (path === '/' || path.startsWith('/dashboard')) return '/dashboard';
  return 'other';
}
