import type { Command } from 'commander';
import { DEMO_CLIENTS, type DemoClient } from '../demo/demo-agreements.js';
import { CommandError, runCommand, withDatabase, type CommandEnv } from '../cli/command-runner.js';
import type { DatabaseHandle } from '../db/database.js';
import {
  eligibilitySamples,
  isSyntheticSnapshot,
  regionSamples,
  type EligibilitySamples,
  type RegionSamples,
} from '../db/scoped/demo-samples.js';
import { demoPrincipal } from '../demo/demo-principal.js';
import { currentSnapshot } from '../db/queries/snapshot-query.js';
import { todayInJakarta } from '../domain/dates.js';

/**
 * `dtks-gateway demo samples`: real ids of the served demo snapshot for each demo client
 * (CONTRACT §7), so that the README's examples run as written. Reads the database as an operator
 * tool (like `token`), prints to stdout only, and refuses a snapshot that is not synthetic.
 */
export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('helpers for the demo of `serve --demo`');
  demo
    .command('samples')
    .description(
      'print NIKs and household ids of the served demo snapshot that each demo client can use ' +
        '(synthetic data only)',
    )
    .option('--client <id>', 'only this demo client')
    .option(
      '--json',
      "print JSON: with --client, that client's samples as GraphQL variables (nik, householdId, …); " +
        'without, an object of them per client',
    )
    .action((options: { client?: string; json?: boolean }) =>
      runCommand('demo samples', (env) => printSamples(env, options)),
    );
}

/** The local government whose examples the README's access-log example looks at. */
const PEMDA_3201 = DEMO_CLIENTS.find((c) => c.clientId === 'pemda-3201')!;

/** One client's samples, as GraphQL variables and as lines for people. */
export interface ClientSamples {
  client: DemoClient;
  variables: Record<string, string | string[]>;
  lines: Array<[name: string, value: string, note: string]>;
}

async function printSamples(
  env: CommandEnv,
  options: { client?: string; json?: boolean },
): Promise<void> {
  const wanted =
    options.client === undefined
      ? DEMO_CLIENTS
      : DEMO_CLIENTS.filter((c) => c.clientId === options.client);
  if (wanted.length === 0) {
    throw new CommandError(
      `--client is not a demo client; the demo clients are ${DEMO_CLIENTS.map((c) => c.clientId).join(', ')}`,
    );
  }
  const { asOf, samples } = await withDatabase(env, 'demo samples', async (database) => {
    const snapshot = await currentSnapshot(database.db);
    if (!snapshot) {
      throw new CommandError('no snapshot is loaded yet; start the demo first (npm start)');
    }
    if (!isSyntheticSnapshot(snapshot.source)) {
      throw new CommandError(
        'the served snapshot is not synthetic; demo samples reads only the demo snapshot of ' +
          '`serve --demo` (or `seed`), never real registry data',
      );
    }
    return { asOf: snapshot.as_of, samples: await collectSamples(database, wanted) };
  });
  if (options.json) {
    const out =
      options.client === undefined
        ? Object.fromEntries(samples.map((s) => [s.client.clientId, s.variables]))
        : samples[0]!.variables;
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write(humanReadable(asOf, samples));
}

/** The samples of these demo clients in the served snapshot (the caller checks it is synthetic). */
export async function collectSamples(
  database: DatabaseHandle,
  clients: readonly DemoClient[] = DEMO_CLIENTS,
): Promise<ClientSamples[]> {
  const db = database.db;
  // pemda-3201 and pemda-3201-review share a region scope: read its samples once.
  const regions = new Map<string, RegionSamples | null>();
  const regionOf = async (demo: DemoClient) => {
    const key = demo.regionScope.join(',');
    if (!regions.has(key)) regions.set(key, await regionSamples(db, demoPrincipal(demo)));
    return regions.get(key)!;
  };
  const samples: ClientSamples[] = [];
  for (const client of clients) {
    const kind = client.agency.kind;
    if (kind === 'LOCAL_GOV') {
      samples.push(localGovernment(client, await regionOf(client)));
    } else if (kind === 'MINISTRY') {
      samples.push(ministry(client, await eligibilitySamples(db, demoPrincipal(client))));
    } else if (kind === 'ADMIN') {
      // The person the pemda-3201 examples read: its access log lists their reads.
      samples.push(admin(client, await regionOf(PEMDA_3201)));
    } else if (kind === 'SUBJECT_SERVICE') {
      // The same person: their report lists the local government's reads among its accesses.
      samples.push(subjectService(client, await regionOf(PEMDA_3201)));
    } else {
      samples.push({ client, variables: {}, lines: [] });
    }
  }
  return samples;
}

function localGovernment(client: DemoClient, r: RegionSamples | null): ClientSamples {
  if (!r) return { client, variables: {}, lines: [['-', '-', 'no household in this region']] };
  const variables: Record<string, string | string[]> = {
    nik: r.nik,
    householdId: r.householdId,
    regionCode: r.districts[0]!.code,
  };
  const lines: ClientSamples['lines'] = [
    ['nik', r.nik, `the head of household ${r.householdId} (village ${r.villageCode})`],
    [
      'householdId',
      r.householdId,
      `${r.activeMembers} active members${client.scopes.includes('verification:submit') ? '; visit it with submitVerification' : ''}`,
    ],
    ['householdIds', r.householdIds.join(', '), 'more households of the region'],
    [
      'regionCode',
      r.districts[0]!.code,
      `the district with the most households (${r.districts.map((d) => `${d.code}: ${d.households}`).join(', ')})`,
    ],
  ];
  if (client.scopes.includes('verification:submit')) {
    const today = todayInJakarta();
    Object.assign(variables, { memberNik: r.memberNik, visitedAt: today });
    lines.push(
      ['memberNik', r.memberNik, `an active member of ${r.householdId}, not the head`],
      ['visitedAt', today, 'today in Jakarta, a visit date submitVerification accepts'],
    );
  }
  return { client, variables, lines };
}

function ministry(client: DemoClient, e: EligibilitySamples | null): ClientSamples {
  if (!e) return { client, variables: {}, lines: [['-', '-', 'no sample found']] };
  const programs = e.programs.join(', ');
  return {
    client,
    variables: { nik: e.nik, notEligibleNik: e.notEligibleNik, niks: e.niks },
    lines: [
      ['nik', e.nik, `ELIGIBLE for ${programs}`],
      [
        'notEligibleNik',
        e.notEligibleNik,
        `not eligible for ${programs} (${[...new Set(e.notEligibleReasons)].join(', ')})`,
      ],
      ['niks', e.niks.join(', '), 'for a batch: eligible, not eligible, eligible'],
    ],
  };
}

function admin(client: DemoClient, r: RegionSamples | null): ClientSamples {
  if (!r) return { client, variables: {}, lines: [] };
  return {
    client,
    variables: { nik: r.nik },
    lines: [['nik', r.nik, "the person pemda-3201's examples read (accessLog lists their reads)"]],
  };
}

function subjectService(client: DemoClient, r: RegionSamples | null): ClientSamples {
  if (!r) return { client, variables: {}, lines: [] };
  return {
    client,
    variables: { nik: r.nik },
    lines: [
      ['nik', r.nik, "a person who asks for their own report (pemda-3201's examples read them)"],
    ],
  };
}

function humanReadable(asOf: string, samples: ClientSamples[]): string {
  const out = [
    `Sample ids of the served demo snapshot (synthetic, as of ${asOf}); no real person is in it.`,
    'Household ids are the same in every demo; NIKs embed a birth date, so they change with the',
    'as-of date. `demo samples --client ID --json` prints one client’s as GraphQL variables.',
  ];
  const noIds: string[] = [];
  for (const s of samples) {
    const c = s.client;
    if (s.lines.length === 0) {
      noIds.push(c.clientId);
      continue;
    }
    const region = c.regionScope.includes('*')
      ? 'all regions'
      : `region ${c.regionScope.join(', ')}`;
    const programs = c.programs.length > 0 ? `; programs ${c.programs.join(', ')}` : '';
    out.push('', `${c.clientId} (X-Purpose: ${c.purposes.join(', ')}; ${region}${programs})`);
    const width = Math.max(...s.lines.map(([name]) => name.length));
    const valueWidth = Math.max(...s.lines.map(([, value]) => Math.min(value.length, 16)));
    for (const [name, value, note] of s.lines) {
      out.push(`  ${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${note}`.trimEnd());
    }
  }
  if (noIds.length > 0) out.push('', `${noIds.join(', ')}: statistics, no ids needed`);
  return out.join('\n') + '\n';
}
