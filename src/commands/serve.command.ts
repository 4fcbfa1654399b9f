import type { Command } from 'commander';
import { runCommand, type CommandEnv } from '../cli/command-runner.js';
import { createProgress } from '../cli/progress.js';
import { InterruptedError, ShutdownSignals } from '../cli/shutdown-signals.js';
import { loadOrCreateKeyFile } from '../auth/secret-key-file.js';
import { openDatabase, openRuntimeDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { demoSecretsPath, ensureDemoClients } from '../demo/demo-clients.js';
import { publishDashboardDocuments } from '../demo/demo-documents.js';
import { ensureDemoSnapshot } from '../demo/demo-snapshot.js';
import type { Tracing } from '../monitoring/tracing.js';
import type { Gateway } from '../server/gateway.js';

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

/**
 * Serves until SIGINT or SIGTERM, then lets in-flight requests finish and stops the embedded
 * PostgreSQL it started. A signal during start-up (migration, the demo snapshot) stops at once,
 * with the same cleanup; a second signal closes everything without waiting and exits 130.
 */
async function serve(env: CommandEnv, demo: boolean): Promise<void> {
  const { config, logger } = env;
  let owner: DatabaseHandle | undefined;
  let runtime: DatabaseHandle | undefined;
  let gateway: Gateway | undefined;
  let tracing: Tracing | undefined;
  const signals = new ShutdownSignals((signal) => {
    logger.warn({ signal }, 'second signal: stopping now');
    process.exitCode = 130;
    void Promise.allSettled([gateway?.close(0), runtime?.close(), owner?.close()]).then(() =>
      process.exit(130),
    );
  });
  try {
    // Steps that open something are awaited to the end (else it would outlive the cleanup);
    // the long ones are abandoned at a signal, and fail as the database closes under them.
    owner = await openDatabase(config, { logger, command: 'serve', exclusive: true });
    signals.throwIfInterrupted();
    const ownerDb = owner;
    await signals.unlessInterrupted(migrateToLatest(ownerDb));
    if (demo) {
      const progress = createProgress('demo snapshot', {
        total: config.demoPersons,
        unit: 'persons',
      });
      await signals.unlessInterrupted(
        ensureDemoSnapshot(ownerDb, {
          persons: config.demoPersons,
          logger,
          onProgress: (n) => progress.update(n),
        }),
      );
      progress.finish();
      await signals.unlessInterrupted(ensureDemoClients(ownerDb.db, config.dataDir));
      // The dashboard's trusted documents, which the demo pusdatin-dashboard runs (CONTRACT §10).
      const documents = await signals.unlessInterrupted(publishDashboardDocuments(ownerDb.db));
      logger.info(documents, 'dashboard documents published');
    }
    runtime = await openRuntimeDatabase(config, ownerDb, {
      password: async () =>
        (await loadOrCreateKeyFile(config.dataDir, 'pg-runtime-password')).toString('base64url'),
      onConnectionError: (error) =>
        logger.warn({ reason: error.message }, 'a database connection was lost; reconnecting'),
    });
    signals.throwIfInterrupted();
    // Loaded only here: every other command starts without the GraphQL server and the
    // OpenTelemetry SDK, which were half of a command's start-up.
    const { startGateway } = await import('../server/gateway.js');
    if (config.tracing) {
      const { startTracing } = await import('../monitoring/tracing.js');
      tracing = startTracing(config.tracing);
      logger.info({ endpoint: config.tracing.endpoint }, 'exporting traces (OTLP)');
    }
    gateway = await startGateway({
      database: runtime,
      logger,
      config,
      port: config.port,
      webhooks: {},
      dciCallbacks: {},
      admission: config.admission,
      metrics: config.metrics,
      readReplica: { maxLagMs: config.readMaxLagMs },
    });
    signals.throwIfInterrupted();
    printBanner(gateway, demo, config.dataDir);
    logger.info({ url: gateway.url }, 'serving');
    const signal = await signals.requested;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await gateway.close();
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    logger.info({ signal: error.signal }, 'interrupted during start-up: stopping');
    await gateway?.close(0);
  } finally {
    await tracing?.shutdown().catch(() => {});
    await runtime?.close();
    await owner?.close();
    signals.dispose();
  }
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
    `  GraphQL: ${url}/graphql   dashboard: ${url}/dashboard`,
    `  health: ${url}/healthz   readiness: ${url}/readyz   keys: ${url}/.well-known/jwks.json`,
  ];
  if (demo) {
    lines.push(
      '  demo snapshot: synthetic data (seed "demo"); no real person is in it',
      `  demo client secrets: ${demoSecretsPath(dataDir)}`,
      '  ids to try (NIKs, household ids) per demo client: ./bin/dtks-gateway demo samples',
      `  dashboard: sign in as pusdatin-dashboard with its secret from ${demoSecretsPath(dataDir)}`,
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
