/**
 * The breach impact report (issue #17, part 4: "it runs within minutes at 10 M audit events").
 * On a database of its own (`dtks_breach` on the bench cluster, so that the other benchmarks'
 * audit chains are untouched): a seeded snapshot of N persons and an audit log of 10,000,000
 * events written straight into the table (90 days, ten clients; the breached client's 1% name
 * persons of the snapshot by their real keyed hashes, the others random subjects). Then
 * `dtks-gateway audit breach-report` is run as an operator runs it (the compiled CLI, with
 * --subjects and --json), for the client (index on client and time) and for a purpose (no index:
 * a scan of the whole window), and in the same run the baselines doing the same work bare:
 *   - the distinct subjects of the window by one SQL statement (the floor of the audit part);
 *   - reading every NIK of the snapshot and hashing it with HMAC-SHA-256 in a bare loop (the
 *     floor of naming the persons).
 * Writes bench/results/breach-report-<size>.json and renders bench/results/breach-report.md.
 * Usage: npm run bench:breach [-- --persons 1000000 --events 10000000]
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { BreachReport } from '../src/audit/breach-report.js';
import { loadOrCreateSubjectKey, subjectHash } from '../src/audit/subject-hash.js';
import { benchDatabase, ensureSnapshot, runGateway, runStamp, WORK } from './support/bench-env.js';
import { measureSizes, personsArgument } from './support/bench-results.js';

const EVENTS = Number(argument('--events') ?? 10_000_000);
const CLIENTS = 10;
const BREACHED = 'bench-client-0';
const BREACHED_PURPOSE = 'PURPOSE_0';
/** Persons of the snapshot the breached client's events name. */
const NAMED = 20_000;
const DAY = 86_400_000;
/** The incident window: the last 7 of the 90 days. */
const WINDOW_DAYS = 7;

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Result {
  persons: number;
  events: number;
  date: string;
  commit: string;
  machine: string;
  setupSeconds: number;
  windowEvents: number;
  subjects: number;
  resolved: number;
  byClient: { seconds: number[]; bareSubjectsSeconds: number };
  byPurpose: { seconds: number[]; bareSubjectsSeconds: number };
  bareHashSeconds: number;
}

async function databaseFor(clusterUrl: string): Promise<string> {
  const admin = new pg.Pool({ connectionString: clusterUrl, max: 1 });
  try {
    const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'dtks_breach'");
    if (rows.length === 0) await admin.query('CREATE DATABASE dtks_breach');
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = '/dtks_breach';
  return url.toString();
}

/** Writes the audit log of EVENTS events (once; kept between runs). */
async function ensureAuditLog(pool: pg.Pool, key: Buffer, now: Date): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_event');
  if (Number(rows[0]!.n) === EVENTS) return 0;
  const started = Date.now();
  console.log(`writing ${EVENTS.toLocaleString('en')} audit events`);
  await pool.query('TRUNCATE audit_event');
  const { rows: sample } = await pool.query<{ nik: string }>(
    `SELECT nik FROM member ORDER BY md5(nik) LIMIT ${NAMED}`,
  );
  const named = sample.map((r) => subjectHash(key, r.nik));
  // Bulk load without the GIN index on subjects, built once at the end (as a restore would).
  await pool.query('DROP INDEX IF EXISTS audit_event_subjects_idx');
  const chunk = 1_000_000;
  for (let first = 1; first <= EVENTS; first += chunk) {
    const last = Math.min(EVENTS, first + chunk - 1);
    // Every 100th event is the breached client's and names 1–3 of the sampled persons; the
    // others name one random subject. Times spread over 90 days before `now`.
    await pool.query(
      `INSERT INTO audit_event (id, at, request_id, client_id, agency_id, purpose, operation,
                                outcome, fields, subjects, decision_ids, prev_hash, hash)
       SELECT i, $3::timestamptz - (i % 7776000) * interval '1 second',
              md5(i::text), 'bench-client-' || (i % ${CLIENTS}), 'bench-agency-' || (i % ${CLIENTS}),
              'PURPOSE_' || (i % ${CLIENTS}),
              CASE WHEN i % 3 = 0 THEN 'query:eligibilityBatch' ELSE 'query:person' END,
              'DISCLOSED',
              CASE WHEN i % 3 = 0 THEN '{EligibilityDecision.eligible,EligibilityDecision.reason}'::text[]
                   ELSE '{Person.name,Person.nik}'::text[] END,
              CASE WHEN i % ${CLIENTS} = 0
                   THEN ARRAY(SELECT ($4::text[])[(1 + (i * 7919 + k * 104729) % ${NAMED})::int]
                                FROM generate_series(0, i % 3) k)
                   ELSE ARRAY[md5(i::text) || md5((i + 1)::text)] END,
              CASE WHEN i % 3 = 0 THEN ARRAY[gen_random_uuid()::text] ELSE '{}'::text[] END,
              '\\x00'::bytea, '\\x00'::bytea
         FROM generate_series($1::bigint, $2::bigint) i`,
      [first, last, now.toISOString(), named],
    );
    console.log(`  ${last.toLocaleString('en')} events`);
  }
  console.log('  building the GIN index on subjects');
  await pool.query('CREATE INDEX audit_event_subjects_idx ON audit_event USING gin (subjects)');
  await pool.query('VACUUM (ANALYZE) audit_event');
  return (Date.now() - started) / 1000;
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

async function measure(persons: number): Promise<Result> {
  const cluster = await benchDatabase();
  try {
    const url = await databaseFor(cluster.url);
    await ensureSnapshot(url, persons);
    const dataDir = path.join(WORK, 'breach');
    await mkdir(dataDir, { recursive: true });
    const key = await loadOrCreateSubjectKey(dataDir);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      // The log's times are relative to its newest event, so a kept log still has its window.
      const { rows: kept } = await pool.query<{ n: string; newest: Date | null }>(
        'SELECT count(*) AS n, max(at) AS newest FROM audit_event',
      );
      const now = Number(kept[0]!.n) === EVENTS ? kept[0]!.newest! : new Date();
      const setupSeconds = await ensureAuditLog(pool, key, now);
      const to = new Date(now.getTime() + 1000);
      const from = new Date(to.getTime() - WINDOW_DAYS * DAY);
      const window = ['--from', from.toISOString(), '--to', to.toISOString()];
      const env = { DATABASE_URL: url, DTKS_DATA_DIR: dataDir };

      const run = async (filter: string[]): Promise<{ seconds: number; report: BreachReport }> => {
        const file = path.join(dataDir, 'affected.txt');
        await rm(file, { force: true });
        const { seconds, stdout } = await runGateway(
          ['audit', 'breach-report', ...filter, ...window, '--subjects', file, '--json'],
          env,
        );
        await rm(file, { force: true });
        return { seconds, report: JSON.parse(stdout) as BreachReport };
      };
      const bareSubjects = (column: string, value: string) =>
        timed(() =>
          pool.query<{ n: string }>(
            `SELECT count(DISTINCT s) AS n FROM audit_event e, unnest(e.subjects) s
              WHERE e.${column} = $1 AND e.at >= $2 AND e.at < $3 AND e.outcome = 'DISCLOSED'`,
            [value, from, to],
          ),
        );

      const byClient = [await run(['--client', BREACHED]), await run(['--client', BREACHED])];
      const clientBare = await bareSubjects('client_id', BREACHED);
      const byPurpose = [await run(['--purpose', BREACHED_PURPOSE])];
      const purposeBare = await bareSubjects('purpose', BREACHED_PURPOSE);
      const report = byClient[0]!.report;
      if (String(report.subjects) !== clientBare.value.rows[0]!.n) {
        throw new Error(
          `the report counts ${report.subjects} persons, SQL ${clientBare.value.rows[0]!.n}`,
        );
      }
      if (byPurpose[0]!.report.subjects !== report.subjects) {
        throw new Error('the same events by purpose gave other persons');
      }
      // Bare: every NIK read and hashed, nothing else.
      const bareHash = await timed(async () => {
        let after = '';
        let found = 0;
        const wanted = new Set<string>();
        for (;;) {
          const { rows } = await pool.query<{ nik: string }>(
            'SELECT nik FROM member WHERE nik > $1 ORDER BY nik LIMIT 50000',
            [after],
          );
          for (const { nik } of rows) if (wanted.has(subjectHash(key, nik))) found++;
          if (rows.length < 50_000) break;
          after = rows.at(-1)!.nik;
        }
        return found;
      });
      const { rows: inWindow } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM audit_event WHERE client_id = $1 AND at >= $2 AND at < $3`,
        [BREACHED, from, to],
      );
      return {
        persons,
        events: EVENTS,
        ...runStamp(),
        setupSeconds,
        windowEvents: Number(inWindow[0]!.n),
        subjects: report.subjects,
        resolved: report.resolvedSubjects,
        byClient: {
          seconds: byClient.map((r) => round(r.seconds)),
          bareSubjectsSeconds: round(clientBare.seconds),
        },
        byPurpose: {
          seconds: byPurpose.map((r) => round(r.seconds)),
          bareSubjectsSeconds: round(purposeBare.seconds),
        },
        bareHashSeconds: round(bareHash.seconds),
      };
    } finally {
      await pool.end();
    }
  } finally {
    await cluster.stop();
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}

function render(results: Result[]): string {
  const rows = results.map((r) => {
    const client = Math.min(...r.byClient.seconds);
    const floor = r.byClient.bareSubjectsSeconds + r.bareHashSeconds;
    return `| ${r.persons.toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${r.windowEvents.toLocaleString('en')} | ${r.subjects.toLocaleString('en')} (${r.resolved.toLocaleString('en')} named) | ${r.byClient.seconds.join(' / ')} s | ${r.byPurpose.seconds.join(' / ')} s | ${r.byClient.bareSubjectsSeconds} s / ${r.byPurpose.bareSubjectsSeconds} s | ${r.bareHashSeconds} s | ${(client / floor).toFixed(2)}× | ${r.date}, ${r.commit} |`;
  });
  const machine = results.at(-1)?.machine ?? '';
  return `# Breach impact report

\`dtks-gateway audit breach-report\` (issue #17, part 4) over an audit log of 10 million events
written straight into the table (90 days, ten clients; the breached client's events, 1% of the
log, name persons of the snapshot by their keyed hashes). Timed as an operator runs it: the
compiled CLI, process start included, with \`--subjects FILE --json\`, for the client (index on
client and time) and for a purpose (no index: the window's events are scanned). Baselines in the
same run: the distinct subjects of the window by one SQL statement (client / purpose), and
reading and hashing every NIK of the snapshot in a bare loop. The ratio is the report by client
over the sum of the two floors (subjects by client + hashing).

Machine: ${machine}. Reproduce: \`npm run bench:breach -- --persons 1000000\`.

| persons | audit events | events of the client in the 7-day window | persons affected | report by client (runs) | report by purpose | bare SQL subjects (client / purpose) | bare hash of every NIK | report / floors | measured |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

The audit log is written once and kept: the 10-million-person row read the log written for the
1-million-person snapshot, some of whose persons the larger generated snapshot does not hold;
the report counts them apart, as it does for persons no longer registered.

The time is the pass over the snapshot's NIKs (one HMAC each) plus reading the window's events;
the audit log's size matters only through the events in the window. A national snapshot
(289 million persons) takes about 29 times the 10-million-person pass.
`;
}

await measureSizes('breach-report', personsArgument([1_000_000]), measure, render);
