import { afterAll, beforeAll } from 'vitest';
import { importText, validSnapshot } from './snapshot-fixture.js';
import { demoAccess, type DemoAccess } from './test-clients.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

export interface FixtureGateway {
  db: TestDatabase;
  gateway: TestGateway;
  access: DemoAccess;
}

/**
 * Registers the hooks most API tests share: a fresh database with the small fixture snapshot, a
 * gateway over it and the demo clients; `ready` receives them before the first test, and
 * everything is closed after the last.
 */
export function useFixtureGateway(
  ready: (fixture: FixtureGateway) => void,
  options: Parameters<typeof startTestGateway>[1] = {},
): void {
  let fixture: FixtureGateway | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase();
    await importText(db, validSnapshot());
    const gateway = await startTestGateway(db, options);
    fixture = { db, gateway, access: await demoAccess(db, gateway) };
    ready(fixture);
  });
  afterAll(async () => {
    await fixture?.gateway.close();
    await fixture?.db.close();
  });
}
