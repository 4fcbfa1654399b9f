/**
 * Soak (issue #18, item 6): 1,000 concurrent HTTP connections for `--minutes` (default 10) with a
 * mix of every kind of client (bench/soak/mix.ts), against the full gateway in its own process
 * (token, gate, purpose, rate limit, daily quota, field policy, privacy budget, audit) on the
 * bench snapshot. The load runs in a child process (load-generator.ts: one autocannon instance
 * per workload, closed loops unless a workload has a rate). Meanwhile the gateway's RSS is
 * sampled every 5 s and the CPU time of gateway, load generator and PostgreSQL counted. After
 * the run every answer that must be audited is looked up by its request id among the audit
 * events, and the audit chain is verified.
 * Writes bench/results/soak-<size>.json and renders bench/results/soak.md.
 * With `--open-rate R`, an open loop instead: requests at a fixed R a second in all, each
 * workload its share by connections, on the same 1,000 connections, opened before the load.
 * BENCH_SOAK_IDLE_SECONDS=S leaves the started gateway idle for S seconds before the load.
 * `--ramp-seconds S` with it raises the rate linearly over the first S seconds (a slow start).
 * Usage: npm run bench:soak [-- --persons 1000000 --minutes 10 [--open-rate 400 [--ramp-seconds 30]]]
 */
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { connect } from '../../src/db/database.js';
import { ensureDemoClients } from '../../src/demo/demo-clients.js';
import { publishDashboardDocuments } from '../../src/demo/demo-documents.js';
import {
  benchDatabase,
  ensureSnapshot,
  liftUsageLimits,
  ROOT,
  runStamp,
  WORK,
} from '../support/bench-env.js';
import { benchToken, personsArgument, sizeLabel } from '../support/bench-results.js';
import { checkAudit, lastAuditId } from './audit-check.js';
import { startGatewayProcess, type LogCount } from './gateway-process.js';
import { summarizeHeap } from './heap-sampler.js';
import { buildMix, CONNECTIONS, LIFTED_CLIENTS } from './mix.js';
import { LIMIT_CODES, type LoadOutcome, type Progress, type SoakPlan } from './plan.js';
import {
  countCpu,
  rssMb,
  sampleRss,
  slope,
  type CpuUse,
  type RssSample,
} from './process-sampler.js';
import { sampleActivity, type ActivitySummary } from './pg-activity.js';
import { render } from './render.js';
import type { AgreementLimits, RssSummary, SizeResult } from './result.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SIZES = personsArgument([1_000_000]);
/** A number after `--name` on the command line, or null. */
function option(name: string): number | null {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? NaN : Number(process.argv[at + 1]);
  return Number.isFinite(value) && value > 0 ? value : null;
}
const MINUTES = option('minutes') ?? 10;
const IDLE_SECONDS = Number(process.env.BENCH_SOAK_IDLE_SECONDS ?? 0);
/** `--open-rate R`: an open loop at R requests a second in all instead of closed loops. */
const OPEN_RATE = option('open-rate');
/** `--ramp-seconds S` (open loop): the rate rises to `--open-rate` over S s, a slow start. */
const RAMP_SECONDS = option('ramp-seconds') ?? 0;
const RESULTS = path.join(ROOT, 'bench/results');
const TIMEOUT_SECONDS = 30;
const RSS_EVERY_MS = 5_000;
/** RSS is flat when it grows after minute 1 by at most this (MB), or 2 % of the 1-minute value. */
const FLAT_MB = 5;
const FLAT_SHARE = 0.02;

function commitWithDirty(): string {
  const commit = runStamp().commit;
  try {
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
    })
      .toString()
      .trim();
    return status === '' ? commit : `${commit}-dirty`;
  } catch {
    return commit;
  }
}

async function agreementLimits(pool: pg.Pool, clients: string[]): Promise<AgreementLimits[]> {
  const { rows } = await pool.query<{
    id: string;
    rate_limit_per_minute: number;
    daily_quota: number;
    batch_limit: number;
    privacy_budget: number | null;
  }>(
    `SELECT c.id, a.rate_limit_per_minute, a.daily_quota, a.batch_limit, a.privacy_budget
       FROM client c JOIN agreement a ON a.id = c.agreement_id WHERE c.id = ANY($1::text[])
      ORDER BY c.id`,
    [clients],
  );
  return rows.map((r) => ({
    client: r.id,
    ratePerMinute: Number(r.rate_limit_per_minute),
    dailyQuota: Number(r.daily_quota),
    batchLimit: Number(r.batch_limit),
    privacyBudget: r.privacy_budget === null ? null : Number(r.privacy_budget),
    lifted: LIFTED_CLIENTS.includes(r.id),
  }));
}

/** The researcher's agency's ε left (`me { privacyBudgetRemaining }`). */
async function researcherBudget(port: number, dataDir: string): Promise<number | null> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await benchToken(dataDir, 'bps-researcher')}`,
      'x-purpose': 'RESEARCH',
    },
    body: JSON.stringify({ query: '{ me { privacyBudgetRemaining } }' }),
  });
  const body = (await response.json()) as { data?: { me: { privacyBudgetRemaining: number } } };
  return body.data?.me.privacyBudgetRemaining ?? null;
}

/**
 * One request of each workload before the load, so that a setup mistake fails in seconds, not
 * after ten minutes: each must be answered with data or an expected limit.
 */
async function preflight(plan: SoakPlan): Promise<void> {
  for (const w of plan.workloads) {
    const body = w.bodies[0]!;
    const response = await fetch(`http://127.0.0.1:${plan.port}${w.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...w.headers },
      body:
        body.dciNik !== undefined
          ? JSON.stringify({
              header: {
                version: '1.0.0',
                message_id: `soak-preflight-${randomBytes(4).toString('hex')}`,
                message_ts: new Date().toISOString(),
                action: 'search',
                sender_id: 'soak-sp-mis',
                total_count: 1,
              },
              message: {
                transaction_id: `soak-preflight-${randomBytes(4).toString('hex')}`,
                search_request: [
                  {
                    reference_id: 'r0',
                    timestamp: new Date().toISOString(),
                    search_criteria: {
                      query_type: 'idtype-value',
                      query: { type: 'NIN', value: body.dciNik },
                    },
                  },
                ],
              },
            })
          : body.json!,
    });
    const text = await response.text();
    const codes = [...text.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]!);
    const ok =
      response.status === 429 ||
      (response.status === 200 &&
        !text.includes('"rjct"') &&
        codes.every((c) => LIMIT_CODES.has(c)));
    if (!ok) {
      throw new Error(`${w.key}: HTTP ${response.status} ${text.slice(0, 400)}; fix the setup`);
    }
  }
}

function summarizeRss(samples: RssSample[], seconds: number): RssSummary {
  const nearest = (t: number) =>
    samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best)).mb;
  const after = samples.filter((s) => s.t >= 60).map((s) => ({ t: s.t / 60, y: s.mb }));
  const perMinute: RssSummary['perMinute'] = [];
  for (let m = 1; (m - 1) * 60 < seconds; m++) {
    const inMinute = samples.filter((s) => s.t >= (m - 1) * 60 && s.t < m * 60).map((s) => s.mb);
    if (inMinute.length === 0) continue;
    perMinute.push({
      minute: m,
      mean: Math.round((inMinute.reduce((a, b) => a + b, 0) / inMinute.length) * 10) / 10,
      max: Math.max(...inMinute),
      last: inMinute[inMinute.length - 1]!,
    });
  }
  const atOneMinute = nearest(60);
  const slopeMbPerMinute = slope(after);
  const growth = slopeMbPerMinute * Math.max(0, seconds / 60 - 1);
  const thresholdMb = Math.max(FLAT_MB, FLAT_SHARE * atOneMinute);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    samples,
    atStart: samples[0]!.mb,
    atOneMinute,
    atEnd: samples[samples.length - 1]!.mb,
    max: Math.max(...samples.map((s) => s.mb)),
    slopeMbPerMinute: round(slopeMbPerMinute),
    growthAfterMinuteOne: round(growth),
    thresholdMb: round(thresholdMb),
    flat: after.length >= 2 && growth <= thresholdMb,
    perMinute,
  };
}

/** Runs the load generator in its own process; prints its progress with the gateway's RSS. */
async function runLoad(
  planFile: string,
  resultFile: string,
  gatewayPid: number,
): Promise<LoadOutcome> {
  const child = fork(path.join(HERE, 'load-generator.ts'), [planFile, resultFile], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const n = (x: number) => x.toLocaleString('en');
  child.on('message', (m: Progress) => {
    let rss = NaN;
    try {
      rss = rssMb(gatewayPid);
    } catch {
      // the gateway is gone: the run fails below
    }
    console.log(
      `soak ${Math.floor(m.elapsed / 60)}m${String(m.elapsed % 60).padStart(2, '0')}s: ${n(m.answers)} answers (data ${n(m.data)}, limits ${n(m.limits)}, errors ${n(m.errors)}); last 30 s ${n(m.windowRps)} req/s, p99 ${n(m.windowP99)} ms; gateway RSS ${rss} MB`,
    );
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the load generator exited ${code}`);
  return JSON.parse(await readFile(resultFile, 'utf8')) as LoadOutcome;
}

async function measureSize(persons: number): Promise<SizeResult> {
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = { DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir };
  try {
    await ensureSnapshot(database.url, persons);
    const handle = connect(database.url, { max: 4 });
    try {
      // Every demo client as the demo defines it (limits included), then the heavy users lifted.
      await ensureDemoClients(handle.db, dataDir);
      await publishDashboardDocuments(handle.db);
      await liftUsageLimits(handle.pool, LIFTED_CLIENTS);
      const mix = await buildMix(handle.pool, dataDir, persons);
      const clients = [...new Set(mix.workloads.map((w) => w.client))];
      const limits = await agreementLimits(handle.pool, clients);
      const run = randomBytes(4).toString('hex');
      const seconds = Math.round(MINUTES * 60);
      const planFile = path.join(WORK, `soak-plan-${run}.json`);
      const resultFile = path.join(WORK, `soak-load-${run}.json`);
      const idsFile = path.join(WORK, `soak-answers-${run}.tsv`);

      const memoryFile = path.join(WORK, `soak-memory-${run}.jsonl`);
      const server = await startGatewayProcess({ ...env, BENCH_MEMORY_FILE: memoryFile });
      const pid = server.pid;
      const rss = sampleRss(pid, RSS_EVERY_MS);
      let load: LoadOutcome;
      let cpu: CpuUse;
      let afterId: number;
      const budget = { before: null as number | null, after: null as number | null };
      let peakRssMb = 0;
      const loadWindow = { from: 0, to: 0 };
      let gatewayLog: LogCount[] = [];
      let pgActivity: ActivitySummary;
      try {
        const plan: SoakPlan = {
          port: server.port,
          seconds,
          timeoutSeconds: TIMEOUT_SECONDS,
          run,
          openRate: OPEN_RATE,
          rampSeconds: OPEN_RATE === null ? 0 : RAMP_SECONDS,
          workloads: mix.workloads,
          answersFile: idsFile,
        };
        await writeFile(planFile, JSON.stringify(plan));
        await preflight(plan);
        // BENCH_SOAK_IDLE_SECONDS: the gateway left idle this long before the load (start-up work
        // apart from warming up under load).
        await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
        budget.before = await researcherBudget(server.port, dataDir);
        afterId = await lastAuditId(handle.pool);
        console.log(
          `${sizeLabel(persons)}: ${mix.workloads.reduce((a, w) => a + w.connections, 0)} connections for ${MINUTES} min, ${OPEN_RATE === null ? 'closed loops' : `open loop at ${OPEN_RATE} req/s${RAMP_SECONDS > 0 ? ` after a ${RAMP_SECONDS} s ramp` : ''}`} (run ${run}); gateway pid ${pid}, RSS ${rssMb(pid)} MB`,
        );
        server.resetLog();
        rss.restart();
        const counting = countCpu(pid, os.cpus().length);
        const activity = sampleActivity(handle.pool, 1_000);
        loadWindow.from = Date.now();
        load = await runLoad(planFile, resultFile, pid);
        loadWindow.to = Date.now();
        cpu = counting.stop(load.cpuSeconds);
        rss.stop();
        pgActivity = await activity.stop();
        gatewayLog = server.log();
        budget.after = await researcherBudget(server.port, dataDir);
      } finally {
        rss.stop();
        try {
          peakRssMb = server.peakRssMb();
        } catch {
          // the gateway died: the run has failed already
        }
        await server.stop();
      }
      console.log('checking the audit log');
      const audit = await checkAudit(handle.pool, {
        run,
        afterId,
        idsFile,
        workloadKeys: mix.workloads.map((w) => w.key),
        dataDir,
      });
      console.log(
        `audit: ${audit.expected} expected, ${audit.missing} missing, ${audit.unexpected} unexpected; chain ${audit.verify.message}`,
      );
      const heap = await summarizeHeap(
        memoryFile,
        loadWindow.from,
        loadWindow.to,
        process.env.BENCH_GATEWAY_NODE_OPTIONS ?? null,
      );
      for (const file of [planFile, resultFile, idsFile, memoryFile]) {
        await rm(file, { force: true });
      }
      return {
        persons,
        ...runStamp(),
        commit: commitWithDirty(),
        minutes: MINUTES,
        openRate: OPEN_RATE,
        rampSeconds: OPEN_RATE === null ? 0 : RAMP_SECONDS,
        connections: mix.workloads.reduce((a, w) => a + w.connections, 0),
        timeoutSeconds: TIMEOUT_SECONDS,
        mix: mix.workloads.map((w) => ({
          key: w.key,
          kind: w.kind,
          client: w.client,
          operation: w.operation,
          connections: w.connections,
          rate: w.rate,
          documents: w.bodies.length,
        })),
        limits,
        samples: mix.samples,
        load,
        rss: summarizeRss(rss.samples, load.seconds),
        heap,
        cpu,
        researcherBudget: budget,
        audit,
        peakRssMb,
        gatewayLog,
        pgActivity,
      };
    } finally {
      await handle.close();
    }
  } finally {
    await database.stop();
  }
}

/**
 * Measures each size and keeps it as bench/results/soak-<size>.json (an open loop:
 * soak-open-<size>.json), then renders bench/results/soak.md from every result on file.
 * BENCH_ONLY: print the result, write nothing; BENCH_RENDER_ONLY: render only.
 */
async function main(): Promise<void> {
  if (Object.values(CONNECTIONS).reduce((a, b) => a + b, 0) !== 1_000) {
    throw new Error('the connections of the mix must sum to 1,000');
  }
  await mkdir(RESULTS, { recursive: true });
  for (const persons of process.env.BENCH_RENDER_ONLY ? [] : SIZES) {
    const result = await measureSize(persons);
    if (process.env.BENCH_ONLY) {
      console.log(
        JSON.stringify({ ...result, rss: { ...result.rss, samples: undefined } }, null, 2),
      );
      continue;
    }
    const kind = OPEN_RATE === null ? '' : RAMP_SECONDS > 0 ? `open-ramp${RAMP_SECONDS}-` : 'open-';
    const name = `soak-${kind}${sizeLabel(persons)}.json`;
    await writeFile(path.join(RESULTS, name), JSON.stringify(result, null, 2) + '\n');
  }
  const results: SizeResult[] = [];
  for (const file of (await readdir(RESULTS)).filter((f) => /^soak-.*\.json$/.test(f))) {
    results.push(JSON.parse(await readFile(path.join(RESULTS, file), 'utf8')) as SizeResult);
  }
  results.sort(
    (a, b) =>
      a.persons - b.persons ||
      (a.openRate ?? 0) - (b.openRate ?? 0) ||
      (a.rampSeconds ?? 0) - (b.rampSeconds ?? 0),
  );
  const page = render(results);
  await writeFile(path.join(RESULTS, 'soak.md'), page);
  console.log(page);
}

await main();
