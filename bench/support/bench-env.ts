import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedCluster } from '../../src/db/embedded/embedded-cluster.js';
import { createLogger } from '../../src/logger.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where benchmarks keep their database and keys: `BENCH_WORK_DIR`, or bench/.work. */
export const WORK = process.env.BENCH_WORK_DIR
  ? path.resolve(process.env.BENCH_WORK_DIR)
  : path.join(ROOT, 'bench/.work');

/** A PostgreSQL for the benchmark: DATABASE_URL, or an embedded server under bench/.work. */
export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const cluster = await startEmbeddedCluster(path.join(WORK, 'data'), {
    exclusive: true,
    command: 'bench',
    logger: createLogger('warn'),
  });
  return cluster;
}

/** Runs the compiled dtks-gateway command; returns wall seconds and output. */
export function runGateway(
  args: string[],
  env: Record<string, string>,
): Promise<{ seconds: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/dtks-gateway'), ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds, stdout, stderr });
      else reject(new Error(`dtks-gateway ${args[0]} exited ${code}: ${stderr}`));
    });
  });
}

/** One line about the machine, for the results file. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const memory = Math.round(os.totalmem() / 2 ** 30);
  return `${os.cpus().length} × ${cpu}, ${memory} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Makes sure the served snapshot has `persons` persons (seeding one, as of 2026-06-30, when not)
 * and the schema is current.
 */
export async function ensureSnapshot(url: string, persons: number): Promise<void> {
  const env = { DATABASE_URL: url };
  await runGateway(['migrate'], env);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ persons: string }>(
      'SELECT persons FROM snapshot ORDER BY id DESC LIMIT 1',
    );
    if (rows[0] && Number(rows[0].persons) === persons) return;
  } finally {
    await pool.end();
  }
  console.log(`seeding ${persons.toLocaleString('en')} persons`);
  await runGateway(['seed', '--persons', String(persons), '--as-of', '2026-06-30'], env);
  // Vacuum now, so that autovacuum does not wake up on the fresh tables in the middle of a run.
  const vacuum = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await vacuum.query('VACUUM (ANALYZE) household, member, program_recipient');
  } finally {
    await vacuum.end();
  }
}

/**
 * Lifts the rate limit and daily quota of these clients' agreements out of the way: the limiter
 * and the quota still run on every request, but their limits must not be what is measured.
 */
export async function liftUsageLimits(pool: pg.Pool, clientIds: readonly string[]): Promise<void> {
  await pool.query(
    `UPDATE agreement SET rate_limit_per_minute = 1000000000, daily_quota = 1000000000
      WHERE id IN (SELECT agreement_id FROM client WHERE id = ANY($1::text[]))`,
    [clientIds],
  );
}

/** When, at which commit and on what machine a benchmark result was measured. */
export function runStamp(): { date: string; commit: string; machine: string } {
  return {
    date: new Date().toISOString().slice(0, 10),
    commit: gitCommit(),
    machine: machineLine(),
  };
}
