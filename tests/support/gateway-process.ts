/**
 * A gateway in a process of its own, as `serve` runs it (the runtime role, its own pools,
 * limiter, policy listener and audit writer), for tests that run several against one database or
 * kill one mid-delivery. Environment: RUNTIME_URL (the runtime role's database URL), DTKS_DATA_DIR
 * (keys shared with the test), WEBHOOK_OPTIONS (JSON: push change events to webhooks with this
 * pacing; unset: not). Prints `{"ready": true, "port": N}` when serving; stops on SIGTERM.
 */
import 'reflect-metadata';
import { connect } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';

const database = connect(process.env.RUNTIME_URL!, { max: 5 });
const gateway = await startGateway({
  database,
  logger: createLogger('silent'),
  config: {
    dataDir: process.env.DTKS_DATA_DIR!,
    tokens: { issuer: 'dtks-gateway', audience: 'dtks-gateway', external: null },
    development: false,
  },
  port: 0,
  host: '127.0.0.1',
  ...(process.env.WEBHOOK_OPTIONS
    ? { webhooks: JSON.parse(process.env.WEBHOOK_OPTIONS) as Record<string, number> }
    : {}),
});
process.stdout.write(JSON.stringify({ ready: true, port: gateway.port }) + '\n');
process.once('SIGTERM', () => {
  void gateway
    .close(1_000)
    .then(() => database.close())
    .finally(() => process.exit(0));
});
