import type { Command } from 'commander';
import { runCommand, type CommandEnv } from '../cli/command-runner.js';
import { createProgress } from '../cli/progress.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { currentSnapshot } from '../db/queries/snapshot-query.js';
import { demoSecretsPath, ensureDemoClients } from '../auth/demo-clients.js';
import { seedSyntheticSnapshot } from '../db/synthetic-seed.js';
import { todayInJakarta } from '../domain/dates.js';
import { startGateway, type Gateway } from '../server/gateway.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the GraphQL API (migrates first)')
    .option(
      '--demo',
      'also load a synthetic demo snapshot when none was ever loaded, and ensure the demo clients',
    )
    .action((options: { demo?: boolean }) =>
      runCommand('serve', (env) => serve(env, options.demo === true)),
    );
}

async function serve(env: CommandEnv, demo: boolean): Promise<void> {
  const { config, logger } = env;
  const database = await openDatabase(config, { logger, command: 'serve', exclusive: true });
  try {
    await migrateToLatest(database.db);
    if (demo) {
      await ensureDemoSnapshot(env, database);
      await ensureDemoClients(database.db, config.dataDir);
    }
    const gateway = await startGateway({ database, logger, config, port: config.port });
    printBanner(gateway, demo, config.dataDir);
    logger.info({ url: gateway.url }, 'serving');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // A second signal means "now".
    const force = () => process.exit(130);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await gateway.close();
  } finally {
    await database.close();
  }
}

async function ensureDemoSnapshot(env: CommandEnv, database: DatabaseHandle): Promise<void> {
  if (await currentSnapshot(database.db)) return;
  const persons = env.config.demoPersons;
  env.logger.info({ persons }, 'no snapshot loaded yet: generating the demo snapshot');
  const progress = createProgress('demo snapshot', { total: persons, unit: 'persons' });
  const summary = await seedSyntheticSnapshot(database, {
    persons,
    seed: 'demo',
    asOf: todayInJakarta(),
    onProgress: (n) => progress.update(n),
  });
  progress.finish();
  env.logger.info(
    { households: summary.households, persons: summary.persons, seconds: summary.seconds },
    'demo snapshot loaded',
  );
}

/**
 * The start banner: the address and port the server actually bound (0.0.0.0: every interface, so
 * the gateway is reachable from the network, not only from this machine), then URLs to use on
 * this machine.
 */
function printBanner(gateway: Gateway, demo: boolean, dataDir: string): void {
  const url = `http://localhost:${gateway.port}`;
  const everywhere = gateway.host === '0.0.0.0' || gateway.host === '::';
  const lines = [
    '',
    `dtks-gateway is listening on ${gateway.host.includes(':') ? `[${gateway.host}]` : gateway.host}:${gateway.port}` +
      (everywhere ? ' (every network interface of this machine)' : ''),
    `  GraphQL: ${url}/graphql`,
    `  health: ${url}/healthz   readiness: ${url}/readyz   keys: ${url}/.well-known/jwks.json`,
  ];
  if (demo) {
    lines.push(
      '  demo snapshot: synthetic data (seed "demo"); no real person is in it',
      `  demo client secrets: ${demoSecretsPath(dataDir)}`,
      '  ids to try (NIKs, household ids) per demo client: ./bin/dtks-gateway demo samples',
      '',
      'Try (in another terminal, in this folder):',
      '  TOKEN=$(./bin/dtks-gateway token --client pemda-3201)',
      `  curl -s ${url}/graphql -H "authorization: Bearer $TOKEN" -H 'x-purpose: VERIVALI' \\`,
      `    -H 'content-type: application/json' \\`,
      `    -d '{"query":"{ me { agencyName } households(first: 2) { edges { node { id kkNumber address members { nik name } } } } }"}'`,
    );
  } else {
    lines.push('', 'Register clients with `dtks-gateway clients create`; see README.md.');
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}
