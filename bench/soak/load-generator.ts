/**
 * The soak's load generator, in its own process (soak.bench.ts forks it, so that the bench
 * process stays free to sample the gateway's memory and the load's own CPU time is counted apart):
 * one autocannon instance per workload of the plan, all started together, their connections
 * summing to the plan's total, for the plan's duration. Every request carries its own
 * `x-request-id` (`soak.<run>.<workload>.<n>`, which the gateway takes as its request id and
 * writes into the audit event); every answer is read: its status, the GraphQL error codes inside a
 * 200 answer, a DCI answer's rejections, and its latency. Each answer's id, whether it must have
 * an audit event and what it was are written to a file, one a line; the counts to the result file.
 * Progress goes to the parent every 30 s.
 *
 * With `openRate` in the plan the load is an open loop instead: requests are sent at a fixed
 * arrival rate (the workloads' shares of it by their connections) whatever the answers do, on
 * keep-alive connections (node:http agents, at most the workload's connections each), and each
 * latency runs from the moment the request was due, so that a queue in front of the gateway
 * counts (no coordinated omission).
 * Usage: node --import tsx bench/soak/load-generator.ts <plan.json> <result.json>
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import autocannon from 'autocannon';
import {
  addTally,
  CLIENT_KINDS,
  emptyTally,
  LIMIT_CODES,
  REFUSAL_CODES,
  Samples,
  type LoadOutcome,
  type MinuteResult,
  type Progress,
  type SoakPlan,
  type Tally,
  type WorkloadPlan,
  type WorkloadResult,
} from './plan.js';

const [planFile, resultFile] = process.argv.slice(2);
if (!planFile || !resultFile) throw new Error('usage: load-generator.ts <plan.json> <result.json>');
const plan = JSON.parse(await readFile(planFile, 'utf8')) as SoakPlan;

/** Every answer's request id, whether it must have an audit event, and what it was. */
const answers = createWriteStream(plan.answersFile);
/** When the load began (after an open loop's connections were opened): minute 1 starts here. */
let started = performance.now();
const cpuStarted = process.cpuUsage();

interface Row {
  tally: Tally;
  /** Latencies of every answer, and of the answers with data only. */
  samples: Samples;
  dataSamples: Samples;
}
const newRow = (): Row => ({
  tally: emptyTally(),
  samples: new Samples(),
  dataSamples: new Samples(),
});

/**
 * One row per label of the workload's bodies. A row's latency lists start at 16 kB, and a workload
 * has up to 20,000 bodies (one per sampled NIK) under a few labels: making a row per body, as this
 * once did, held the load generator's event loop for 1.3 s just as the load began, so that the
 * open loop's first requests left up to 0.9 s late, all at once, and their wait was counted as
 * the gateway's.
 */
function rowsOf(w: WorkloadPlan): Map<string, Row> {
  return new Map([...new Set(w.bodies.map((b) => b.label))].map((label) => [label, newRow()]));
}

interface Minute {
  answers: number;
  data: number;
  limits: number;
  errors: number;
  samples: Samples;
}
const minutes: Minute[] = [];
const minuteAt = (ms: number): Minute => {
  const m = Math.floor((ms - started) / 60_000);
  while (minutes.length <= m) {
    minutes.push({ answers: 0, data: 0, limits: 0, errors: 0, samples: new Samples() });
  }
  return minutes[m]!;
};
let progressWindow = new Samples();

/** What one answer was. */
type Verdict = 'data' | 'limit' | 'error';

function countCode(into: Record<string, number>, code: string): void {
  into[code] = (into[code] ?? 0) + 1;
}

/** A DCI search message for one NIK, fresh each time (id and timestamp). */
let dciSequence = 0;
function dciMessage(run: string, nik: string): string {
  dciSequence += 1;
  const now = new Date().toISOString();
  return JSON.stringify({
    header: {
      version: '1.0.0',
      message_id: `soak-${run}-${dciSequence}-${randomBytes(4).toString('hex')}`,
      message_ts: now,
      action: 'search',
      sender_id: 'soak-sp-mis',
      total_count: 1,
    },
    message: {
      transaction_id: `soak-txn-${run}-${dciSequence}`,
      search_request: [
        {
          reference_id: 'r0',
          timestamp: now,
          search_criteria: { query_type: 'idtype-value', query: { type: 'NIN', value: nik } },
        },
      ],
    },
  });
}

/** Reads one answer: counts it in `row` and says what it was. */
function classify(
  w: WorkloadPlan,
  row: Row,
  status: number,
  body: string,
): { verdict: Verdict; refusal: boolean } {
  const t = row.tally;
  t.answers++;
  const fail = (code: string): { verdict: Verdict; refusal: boolean } => {
    countCode(t.errorCodes, code);
    t.firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
    return { verdict: 'error', refusal: REFUSAL_CODES.has(code) };
  };
  if (status === 429) {
    t.status429++;
    return { verdict: 'limit', refusal: true };
  }
  if (status >= 500) t.status5xx++;
  else if (status >= 400) t.status4xx++;
  else if (status >= 200 && status < 300) t.status2xx++;
  if (status !== 200) return fail(errorCodeOf(body) ?? `HTTP_${status}`);
  if (w.path.startsWith('/dci/')) {
    // A DCI answer is 200 with a status per search: "succ", or "rjct" with a reason code.
    if (!body.includes('"rjct"')) {
      t.data++;
      return { verdict: 'data', refusal: false };
    }
    const reason = /"status_reason_code":"([^"]+)"/.exec(body)?.[1] ?? 'rjct';
    return fail(`DCI ${reason}`);
  }
  if (!body.includes('"errors"')) {
    t.data++;
    return { verdict: 'data', refusal: false };
  }
  const codes = graphqlCodes(body);
  if (codes.length > 0 && codes.every((c) => LIMIT_CODES.has(c))) {
    for (const c of codes) countCode(t.limitCodes, c);
    return { verdict: 'limit', refusal: true };
  }
  const unexpected = codes.find((c) => !LIMIT_CODES.has(c)) ?? 'UNREADABLE';
  return fail(unexpected);
}

function graphqlCodes(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return (parsed.errors ?? []).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
  } catch {
    return [];
  }
}

function errorCodeOf(body: string): string | null {
  const codes = graphqlCodes(body);
  if (codes.length > 0) return codes[0]!;
  return /"status_reason_code":"([^"]+)"/.exec(body)?.[1] ?? null;
}

interface Running {
  plan: WorkloadPlan;
  done: Promise<{ timeouts: number; errors: number }>;
  rows: Map<string, Row>;
  /** The labels whose answer with data is audited. */
  audited: Set<string>;
  /** The most requests outstanding at once (open loop; closed: the connections). */
  maxOutstanding: number;
  /** Open loop: settles when every connection of the workload is open. */
  opened?: Promise<void>;
  /** Open loop: the connections open now (busy or idle). */
  connectionsOpen?: () => number;
}

/** Set when the first open loop ends: its connections close, and are no longer counted. */
let loadEnding = false;
/** Resolved when every open loop's connections are open: their clocks start together. */
let letGo: () => void = () => {};
const go = new Promise<void>((resolve) => (letGo = resolve));

/** One GET /healthz on a connection of `agent` (a new one while none is free). */
function healthz(agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: plan.port, path: '/healthz', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

function socketCount(sockets: NodeJS.Dict<unknown[]>): number {
  return Object.values(sockets).reduce((a, list) => a + (list?.length ?? 0), 0);
}

/**
 * Counts one answer with its latency, and writes its id, whether it must have an audit event and
 * what it was to the answers file.
 */
function record(
  r: Running,
  answer: { label: string; status: number; body: string; requestId: string | undefined },
  ms: number,
): void {
  const row = r.rows.get(answer.label)!;
  const { verdict, refusal } = classify(r.plan, row, answer.status, answer.body);
  // What must be audited: any refusal (429, or a refusal code in the answer), and an answer of an
  // operation that discloses data which carries data (a 503 may carry partial data; one whose
  // audit write failed carries none). A DCI answer carries data when it is 200.
  const withData = r.plan.path.startsWith('/dci/')
    ? answer.status === 200
    : answer.body.includes('"data":{');
  const mustAudit = answer.status === 429 || refusal || (r.audited.has(answer.label) && withData);
  const kind = verdict === 'error' ? `error ${answer.status}` : verdict;
  if (answer.requestId) answers.write(`${answer.requestId}\t${mustAudit ? 1 : 0}\t${kind}\n`);
  const minute = minuteAt(performance.now());
  minute.answers++;
  minute[verdict === 'data' ? 'data' : verdict === 'limit' ? 'limits' : 'errors']++;
  minute.samples.push(ms);
  progressWindow.push(ms);
  row.samples.push(ms);
  if (verdict === 'data') row.dataSamples.push(ms);
}

/** The next body of a workload, with its request id. */
function nextBody(w: WorkloadPlan, index: number, counter: { n: number }) {
  const body = w.bodies[counter.n % w.bodies.length]!;
  const requestId = `soak.${plan.run}.${index}.${counter.n++}`;
  return {
    label: body.label,
    requestId,
    payload: body.dciNik !== undefined ? dciMessage(plan.run, body.dciNik) : body.json!,
  };
}

/** A closed loop: autocannon, each connection sending its next request when the answer comes. */
function startClosed(w: WorkloadPlan, index: number): Running {
  const counter = { n: 0 };
  /** The answer just read, until its latency comes with autocannon's `response` event. */
  let pending: Parameters<typeof record>[1] | null = null;
  let finish: (result: { timeouts: number; errors: number }) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const running: Running = {
    plan: w,
    done: new Promise((resolve, reject) => {
      finish = resolve;
      fail = reject;
    }),
    rows: rowsOf(w),
    audited: new Set(w.bodies.filter((b) => b.audited).map((b) => b.label)),
    maxOutstanding: w.connections,
  };
  const options: autocannon.Options = {
    url: `http://127.0.0.1:${plan.port}`,
    connections: w.connections,
    ...(w.rate === null ? {} : { overallRate: w.rate }),
    duration: plan.seconds,
    timeout: plan.timeoutSeconds,
    requests: [
      {
        method: 'POST',
        path: w.path,
        setupRequest: (req, context: object) => {
          const next = nextBody(w, index, counter);
          (context as Record<string, unknown>).label = next.label;
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              ...w.headers,
              'x-request-id': next.requestId,
            },
            body: next.payload,
          };
        },
        onResponse: (status, body, context: object, headers) => {
          pending = {
            label: String((context as Record<string, unknown>).label),
            status,
            body,
            requestId: (headers as Record<string, string | undefined>)['x-request-id'],
          };
        },
      },
    ],
  };
  const instance = autocannon(options, (error: unknown, result: autocannon.Result) =>
    error ? fail(error) : finish({ timeouts: result.timeouts, errors: result.errors }),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (pending) record(running, pending, ms);
    pending = null;
  });
  instance.on('reqError', () => {
    minuteAt(performance.now()).errors++;
  });
  return running;
}

/** An open loop at `rate` requests a second on at most the workload's connections. */
function startOpen(w: WorkloadPlan, index: number, rate: number): Running {
  const counter = { n: 0 };
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: w.connections,
    maxFreeSockets: w.connections,
    // Round the idle connections, so that none sits idle past the server's keep-alive timeout.
    scheduling: 'fifo',
  });
  const counts = { timeouts: 0, errors: 0 };
  let outstanding = 0;
  let stopped = false;
  const running: Running = {
    plan: w,
    done: Promise.resolve(counts),
    rows: rowsOf(w),
    audited: new Set(w.bodies.filter((b) => b.audited).map((b) => b.label)),
    maxOutstanding: 0,
    // Every connection is opened before the load (all at once, one GET /healthz each) and, with
    // the agent's FIFO turns, each is used every few seconds after it: the loop holds the
    // workload's connections for the whole run, as that many concurrent clients would, rather
    // than opening only as many as its requests need at a time.
    opened: Promise.all(Array.from({ length: w.connections }, () => healthz(agent))).then(() => {}),
    connectionsOpen: () => socketCount(agent.sockets) + socketCount(agent.freeSockets),
  };
  const send = (due: number) => {
    const next = nextBody(w, index, counter);
    outstanding++;
    running.maxOutstanding = Math.max(running.maxOutstanding, outstanding);
    const request = http.request(
      {
        host: '127.0.0.1',
        port: plan.port,
        path: w.path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(next.payload),
          ...w.headers,
          'x-request-id': next.requestId,
        },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          outstanding--;
          if (stopped) return;
          const id = response.headers['x-request-id'];
          record(
            running,
            {
              label: next.label,
              status: response.statusCode ?? 0,
              body,
              requestId: typeof id === 'string' ? id : undefined,
            },
            performance.now() - due,
          );
        });
      },
    );
    request.setTimeout(plan.timeoutSeconds * 1000, () => {
      if (!stopped) counts.timeouts++;
      request.destroy(new Error('timed out'));
    });
    request.on('error', () => {
      outstanding--;
      if (stopped) return;
      counts.errors++;
      minuteAt(performance.now()).errors++;
    });
    request.end(next.payload);
  };
  running.done = go.then(
    () =>
      new Promise((resolve) => {
        // The clock starts once every workload is set up and its connections are open (`go`):
        // what is due is due from when this process can send it (a request due while it could
        // not is not the gateway's wait).
        const begun = performance.now();
        const end = begun + plan.seconds * 1000;
        let issued = 0;
        // With a ramp the rate rises linearly to `rate` over `ramp` s: by t s, rate·t²/(2·ramp)
        // requests are due (rate·(t − ramp/2) after it); `dueAt` inverts that.
        const ramp = plan.rampSeconds;
        const dueBy = (t: number) =>
          t < ramp ? (rate * t * t) / (2 * ramp) : rate * (t - ramp / 2);
        const dueAt = (k: number) =>
          k < (rate * ramp) / 2 ? Math.sqrt((2 * ramp * k) / rate) : k / rate + ramp / 2;
        const timer = setInterval(() => {
          const now = Math.min(performance.now(), end);
          // Every request due by now, each timed from when it was due.
          while (issued < dueBy((now - begun) / 1000)) send(begun + dueAt(issued++) * 1000);
          if (now >= end) {
            clearInterval(timer);
            // As autocannon does at the end of a run: what is still in flight is dropped.
            stopped = true;
            loadEnding = true;
            agent.destroy();
            resolve(counts);
          }
        }, 2);
      }),
  );
  return running;
}

const totalConnections = plan.workloads.reduce((a, w) => a + w.connections, 0);
const start = (w: WorkloadPlan, index: number): Running =>
  plan.openRate === null
    ? startClosed(w, index)
    : startOpen(w, index, (plan.openRate * w.connections) / totalConnections);
const running = plan.workloads.map(start);
// Open loops: every workload's connections are open before any clock starts.
await Promise.all(running.map((r) => r.opened));
started = performance.now();
letGo();
/** Open loops: the fewest and most connections open at once, sampled every second of the load. */
const connectionsOpen = { min: Infinity, max: 0 };
const connectionSampler = setInterval(() => {
  if (loadEnding) return;
  const open = running.reduce((a, r) => a + (r.connectionsOpen?.() ?? 0), 0);
  connectionsOpen.min = Math.min(connectionsOpen.min, open);
  connectionsOpen.max = Math.max(connectionsOpen.max, open);
}, 1_000);

let last = { at: started, answers: 0 };
const progress = setInterval(() => {
  const now = performance.now();
  const total = emptyTally();
  for (const r of running) for (const row of r.rows.values()) addTally(total, row.tally);
  const errors = minutes.reduce((a, m) => a + m.errors, 0);
  const limits = minutes.reduce((a, m) => a + m.limits, 0);
  const message: Progress = {
    type: 'progress',
    elapsed: Math.round((now - started) / 1000),
    answers: total.answers,
    data: total.data,
    limits,
    errors,
    windowRps: Math.round(((total.answers - last.answers) / (now - last.at)) * 1000),
    windowP99: progressWindow.summary().p99,
  };
  last = { at: now, answers: total.answers };
  progressWindow = new Samples();
  process.send?.(message);
}, 30_000);

const finished = await Promise.all(running.map((r) => r.done));
clearInterval(progress);
clearInterval(connectionSampler);
await new Promise<void>((resolve, reject) =>
  answers.end((error?: Error | null) => (error ? reject(error) : resolve())),
);
const seconds = (performance.now() - started) / 1000;

const workloads: WorkloadResult[] = running.map((r, i) => {
  const result = finished[i]!;
  const tally = emptyTally();
  const samples = new Samples();
  const dataSamples = new Samples();
  const labels = [...r.rows].map(([label, row]) => {
    addTally(tally, row.tally);
    samples.append(row.samples);
    dataSamples.append(row.dataSamples);
    return {
      label,
      ...row.tally,
      latency: row.samples.summary(),
      dataLatency: row.dataSamples.summary(),
    };
  });
  return {
    key: r.plan.key,
    ...tally,
    latency: samples.summary(),
    dataLatency: dataSamples.summary(),
    timeouts: result.timeouts,
    errors: result.errors,
    maxOutstanding: r.maxOutstanding,
    labels,
  };
});
const kinds = CLIENT_KINDS.flatMap((kind) => {
  const mine = running.flatMap((r, i) => (r.plan.kind === kind ? [{ r, w: workloads[i]! }] : []));
  if (mine.length === 0) return [];
  const tally = emptyTally();
  const samples = new Samples();
  const dataSamples = new Samples();
  for (const { r } of mine) {
    for (const row of r.rows.values()) {
      addTally(tally, row.tally);
      samples.append(row.samples);
      dataSamples.append(row.dataSamples);
    }
  }
  return [
    {
      kind,
      ...tally,
      latency: samples.summary(),
      dataLatency: dataSamples.summary(),
      timeouts: mine.reduce((a, { w }) => a + w.timeouts, 0),
      errors: mine.reduce((a, { w }) => a + w.errors, 0),
    },
  ];
});
const overallTally = emptyTally();
const overallSamples = new Samples();
const dataSamples = new Samples();
for (const r of running) {
  for (const row of r.rows.values()) {
    addTally(overallTally, row.tally);
    overallSamples.append(row.samples);
    dataSamples.append(row.dataSamples);
  }
}
const minuteResults: MinuteResult[] = minutes.map((m, minute) => ({
  minute: minute + 1,
  answers: m.answers,
  data: m.data,
  limits: m.limits,
  errors: m.errors,
  latency: m.samples.summary(),
}));
const cpu = process.cpuUsage(cpuStarted);
const outcome: LoadOutcome = {
  seconds,
  workloads,
  kinds,
  overall: {
    ...overallTally,
    latency: overallSamples.summary(),
    dataLatency: dataSamples.summary(),
    timeouts: workloads.reduce((a, w) => a + w.timeouts, 0),
    errors: workloads.reduce((a, w) => a + w.errors, 0),
  },
  minutes: minuteResults,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  ...(plan.openRate === null || connectionsOpen.max === 0 ? {} : { connectionsOpen }),
};
await writeFile(resultFile, JSON.stringify(outcome));
process.exit(0);
