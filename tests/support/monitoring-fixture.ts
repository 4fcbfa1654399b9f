import { DEMO_CLIENTS, type DemoClient } from '../../src/demo/demo-agreements.js';
import { registration } from '../../src/demo/demo-clients.js';
import { saveClient } from '../../src/db/queries/client-queries.js';
import type { TestDatabase } from './test-database.js';

/**
 * Internal dashboards as the operational-figures tests need them (issue #13), registered beside
 * the demo clients:
 * - `ops-dashboard`: the demo `pusdatin-dashboard`'s agreement (INTERNAL, MONITORING, with
 *   `operations:read`) that may send query text, so tests can ask anything;
 * - `ops-no-scope`: the same without `operations:read` (the refused twin of the scope).
 */
export const OPS_DASHBOARD = 'ops-dashboard';
export const OPS_NO_SCOPE = 'ops-no-scope';

export async function registerOperationsClients(db: TestDatabase): Promise<void> {
  const pusdatin = DEMO_CLIENTS.find((c) => c.clientId === 'pusdatin-dashboard')!;
  const text: DemoClient = {
    ...pusdatin,
    clientId: OPS_DASHBOARD,
    trustedDocumentsOnly: false,
    documentApps: [],
  };
  await saveClient(db.db, registration(text, 'not-used'));
  await saveClient(
    db.db,
    registration(
      {
        ...text,
        clientId: OPS_NO_SCOPE,
        scopes: pusdatin.scopes.filter((s) => s !== 'operations:read'),
      },
      'not-used',
    ),
  );
}
