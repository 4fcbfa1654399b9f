/**
 * Starts one server variant for a benchmark, in its own process, and prints `{"port": N}`:
 *   full — the gateway as deployed (token, gate, field policy, purpose, audit);
 *   full-webhooks — the same, also pushing change events to webhooks as `serve` does;
 *   off  — the same gateway with security switched off (bench-only switch);
 *   bare — a plain node:http + pg handler doing the same person lookup;
 *   bare-eligibility — a plain node:http + pg handler deciding one NIK for BENCH_PROGRAM.
 * Usage: tsx bench/support/serve-variant.ts <variant>   (env DATABASE_URL, BENCH_DATA_DIR)
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import v8 from 'node:v8';
import '../../src/production-mode.js';
import 'reflect-metadata';
import { loadOrCreateKeyFile } from '../../src/auth/secret-key-file.js';
import { connect, openRuntimeDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';
import { bareEligibilityStatements, startBareEligibilityServer } from './bare-eligibility.js';
import { startBarePersonServer } from './bare-person-server.js';

const variant = process.argv[2];
const url = process.env.DATABASE_URL!;
const dataDir = process.env.BENCH_DATA_DIR!;
const database = connect(url, { max: 20 });
let port: number;
if (variant === 'bare') {
  port = await startBarePersonServer(database.pool);
} else if (variant === 'bare-eligibility') {
  const statements = await bareEligibilityStatements(
    database.pool,
    process.env.BENCH_PROGRAM ?? 'PBI_JK',
  );
  port = await startBareEligibilityServer(database.pool, statements);
} else {
  // As deployed: the gateway serves as the least-privilege runtime role, not the owner.
  const runtime = await openRuntimeDatabase(
    { databaseRuntimeUrl: undefined, databaseReadUrl: undefined },
    database,
    {
      password: async () =>
        (await loadOrCreateKeyFile(dataDir, 'pg-runtime-password')).toString('base64url'),
      maxConnections: 20,
    },
  );
  const gateway = await startGateway({
    database: runtime,
    // BENCH_LOG_LEVEL: what the log costs (`info` writes a line per request, as deployed).
    logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn'),
    config: {
      dataDir,
      tokens: { issuer: 'dtks-gateway', audience: 'dtks-gateway', external: null },
      development: false,
    },
    port: 0,
    host: '127.0.0.1',
    security: variant === 'off' ? 'off' : 'on',
    // BENCH_ADMISSION: e.g. {"concurrency":24} to try other turns than the defaults.
    admission: JSON.parse(process.env.BENCH_ADMISSION ?? '{}'),
    // full-webhooks: also pushes change events, as `serve` does.
    ...(variant === 'full-webhooks'
      ? { webhooks: JSON.parse(process.env.BENCH_WEBHOOK_OPTIONS ?? '{}') }
      : {}),
  });
  port = gateway.port;
}
process.stdout.write(JSON.stringify({ port }) + '\n');
// BENCH_MEMORY_FILE: where the process's memory goes, every second, as JSON lines (RSS, V8's heap
// spaces, buffers outside the heap), to tell a leak of objects from a heap or allocator that grows.
if (process.env.BENCH_MEMORY_FILE) {
  const file = process.env.BENCH_MEMORY_FILE;
  setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((x) => [x.space_name, Math.round(x.space_size / 1e5) / 10]),
    );
    const mb = (x: number) => Math.round(x / 1e5) / 10;
    appendFileSync(
      file,
      JSON.stringify({
        at: Date.now(),
        rss: mb(m.rss),
        heapTotal: mb(m.heapTotal),
        heapUsed: mb(m.heapUsed),
        external: mb(m.external),
        arrayBuffers: mb(m.arrayBuffers),
        spaces,
      }) + '\n',
    );
  }, 1_000).unref();
}
// BENCH_CPU_PROFILE: a CPU profile of the process from here to its stop, written to this file
// (--cpu-prof is not allowed in NODE_OPTIONS, which is how the soak passes flags to this process).
let stopProfile = async () => {};
if (process.env.BENCH_CPU_PROFILE) {
  const file = process.env.BENCH_CPU_PROFILE;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  stopProfile = async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
  };
}
// Exit normally on a signal so that --cpu-prof and friends can write their output.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopProfile().finally(() => process.exit(0)));
}
