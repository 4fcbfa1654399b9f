import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connect, withCredentials, type DatabaseHandle } from '../../src/db/database.js';
import { withDatabase } from './global-setup.js';

/** A test database: the owner's handle (migrations, imports, fixtures) and the runtime role's. */
export interface TestDatabase extends DatabaseHandle {
  name: string;
  /** As the least-privilege role gateways serve as (what `serve` uses); closed with the database. */
  runtime: DatabaseHandle;
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template. Closing it drops
 * it. Files run in parallel, each on its own database.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `dtks_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = connect(url, { max: 10 });
  const runtime = connect(withCredentials(url, inject('runtimeLogin'), inject('runtimePassword')), {
    max: 10,
  });
  return {
    ...handle,
    name,
    runtime,
    async close() {
      await runtime.close();
      await handle.close();
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
