/**
 * What the soak's bench process (soak.bench.ts) hands its load generator (load-generator.ts),
 * and what comes back: plain data, written to files, so that the load runs in its own process.
 */
import { REFUSAL_CODES as AUDITED_REFUSALS } from '../../src/errors/gateway-errors.js';

/** The kinds of client the mix is made of, as the issue names them. */
export type ClientKind =
  | 'local government'
  | 'ministry'
  | 'researcher'
  | 'dashboard'
  | 'DCI (ministry)'
  | 'subject service'
  | 'administrator';

export const CLIENT_KINDS: readonly ClientKind[] = [
  'local government',
  'ministry',
  'researcher',
  'dashboard',
  'DCI (ministry)',
  'subject service',
  'administrator',
];

/** One request body to rotate through. */
export interface BodyPlan {
  /** The row it is counted in (an operation, or a dashboard document). */
  label: string;
  /** JSON body text; for the DCI door the NIK only (each message is made fresh when sent). */
  json?: string;
  dciNik?: string;
  /** Whether its answer with data is audited (a refusal always is). */
  audited: boolean;
}

export interface WorkloadPlan {
  /** Short id: in request ids (`soak.<run>.<key>.<n>`) and in the results. */
  key: string;
  kind: ClientKind;
  client: string;
  /** What it asks, for the results table. */
  operation: string;
  connections: number;
  /**
   * Requests per second for the whole workload (autocannon `overallRate`; at least one per
   * connection), or null: a closed loop, each connection sending its next request at once.
   */
  rate: number | null;
  path: string;
  headers: Record<string, string>;
  bodies: BodyPlan[];
}

export interface SoakPlan {
  port: number;
  seconds: number;
  /** autocannon's per-request timeout. */
  timeoutSeconds: number;
  run: string;
  /** An open loop at this many requests a second in all; null: closed loops. */
  openRate: number | null;
  /**
   * Open loop only: the rate rises linearly from 0 to `openRate` over these seconds, as a load
   * balancer's slow start gives a new process its share (0: the full rate at once).
   */
  rampSeconds: number;
  workloads: WorkloadPlan[];
  /**
   * Where the generator writes every answer: `<request id>\t<1: must have an audit event>\t<data,
   * limit or error <status>>`, one a line.
   */
  answersFile: string;
}

/** The refusals that are expected where a limit applies (HTTP 429 is the other). */
export const LIMIT_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'BUDGET_EXHAUSTED']);

/** Error codes the gateway audits as refused attempts: the gateway's own list. */
export const REFUSAL_CODES: ReadonlySet<string> = AUDITED_REFUSALS;

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Counts of one row (a workload's label, a workload, a kind, the whole run). */
export interface Tally {
  /** Answers received (timeouts and connection errors are not answers). */
  answers: number;
  /** 2xx with data and no error. */
  data: number;
  status2xx: number;
  status429: number;
  /** 4xx other than 429. */
  status4xx: number;
  status5xx: number;
  /** Error codes inside 200 answers that are expected limits (RATE_LIMITED, BUDGET_EXHAUSTED). */
  limitCodes: Record<string, number>;
  /** Any other error: GraphQL codes in 200 answers, codes of 4xx/5xx, DCI rejections. */
  errorCodes: Record<string, number>;
  /** The first unexpected answer, shortened, to show what went wrong. */
  firstError: string | null;
}

export interface RowResult extends Tally {
  /** Every answer (refusals included). */
  latency: LatencySummary;
  /** Answers with data only. */
  dataLatency: LatencySummary;
}

export interface WorkloadResult extends RowResult {
  key: string;
  timeouts: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** The most requests outstanding at once (closed loop: its connections). */
  maxOutstanding: number;
  labels: Array<RowResult & { label: string }>;
}

export interface MinuteResult {
  minute: number;
  answers: number;
  data: number;
  limits: number;
  errors: number;
  latency: LatencySummary;
}

export interface LoadOutcome {
  seconds: number;
  workloads: WorkloadResult[];
  /** The workloads of each kind together. */
  kinds: Array<RowResult & { kind: ClientKind; timeouts: number; errors: number }>;
  /** The whole run, every answer. */
  overall: RowResult & { timeouts: number; errors: number };
  minutes: MinuteResult[];
  /** CPU seconds the load generator used. */
  cpuSeconds: number;
  /**
   * Open loop: the fewest and most connections open at once (each opened before the load),
   * sampled every second; absent in results from before they were opened ahead.
   */
  connectionsOpen?: { min: number; max: number };
}

/** Progress sent to the bench process every 30 s. */
export interface Progress {
  type: 'progress';
  elapsed: number;
  answers: number;
  data: number;
  limits: number;
  errors: number;
  windowRps: number;
  windowP99: number;
}

export function emptyTally(): Tally {
  return {
    answers: 0,
    data: 0,
    status2xx: 0,
    status429: 0,
    status4xx: 0,
    status5xx: 0,
    limitCodes: {},
    errorCodes: {},
    firstError: null,
  };
}

/** Adds `b` into `a`. */
export function addTally(a: Tally, b: Tally): Tally {
  const add = (x: Record<string, number>, y: Record<string, number>) => {
    for (const [k, v] of Object.entries(y)) x[k] = (x[k] ?? 0) + v;
  };
  a.answers += b.answers;
  a.data += b.data;
  a.status2xx += b.status2xx;
  a.status429 += b.status429;
  a.status4xx += b.status4xx;
  a.status5xx += b.status5xx;
  add(a.limitCodes, b.limitCodes);
  add(a.errorCodes, b.errorCodes);
  a.firstError ??= b.firstError;
  return a;
}

/** Refusals where a limit applies: HTTP 429 and the limit codes inside 200 answers. */
export function limitRefusals(t: Tally): number {
  return t.status429 + Object.values(t.limitCodes).reduce((a, b) => a + b, 0);
}

/** Answers that are neither data nor an expected limit. */
export function unexpectedAnswers(t: Tally): number {
  return t.answers - t.data - limitRefusals(t);
}

/** A growable list of latencies in ms. */
export class Samples {
  private values = new Float64Array(1024);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }

  append(other: Samples): void {
    for (let i = 0; i < other.length; i++) this.push(other.values[i]!);
  }

  /** Nearest-rank percentiles, max and mean, to 0.1 ms. */
  summary(): LatencySummary {
    if (this.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    const sorted = this.values.slice(0, this.length).sort();
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    const round = (x: number) => Math.round(x * 10) / 10;
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(sorted[sorted.length - 1]!),
      mean: round(sum / sorted.length),
    };
  }
}
