/**
 * A gateway in a process of its own, pushing webhooks, for tests that kill it mid-delivery
 * (tests/changes/webhooks.test.ts). Environment: RUNTIME_URL (the runtime role's database URL),
 * DTKS_DATA_DIR (keys shared with the test), WEBHOOK_OPTIONS (JSON). Prints `ready` when serving.
 */
import { connect } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';

const database = connect(process.env.RUNTIME_URL!, { max: 5 });
await startGateway({
  database,
  logger: createLogger('silent'),
  config: {
    dataDir: process.env.DTKS_DATA_DIR!,
    tokens: { issuer: 'dtks-gateway', audience: 'dtks-gateway', external: null },
    development: false,
  },
  port: 0,
  host: '127.0.0.1',
  webhooks: JSON.parse(process.env.WEBHOOK_OPTIONS ?? '{}') as Record<string, number>,
});
process.stdout.write('ready\n');
