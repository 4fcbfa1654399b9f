import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/database.js';
import {
  startEmbeddedCluster,
  type EmbeddedCluster,
} from '../../src/db/embedded/embedded-cluster.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { ensureRuntimeLogin } from '../../src/db/runtime-role.js';
import { createLogger } from '../../src/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL of the test server's maintenance database (for CREATE DATABASE). */
    adminUrl: string;
    /** The migrated database every test file clones. */
    templateDb: string;
    /** The least-privilege login role gateways under test serve as (src/db/runtime-role.ts). */
    runtimeLogin: string;
    runtimePassword: string;
  }
}

/**
 * Starts PostgreSQL once per test run: the embedded server in a fresh temporary folder, or the
 * server of `DATABASE_URL` when set. Migrates a template database that each test file clones
 * (CREATE DATABASE … TEMPLATE is a file copy, far faster than migrating per file).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger('silent');
  let cluster: EmbeddedCluster | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dtks-test-'));
    cluster = await startEmbeddedCluster(dataDir, { exclusive: true, command: 'vitest', logger });
    adminUrl = cluster.url;
  }
  const templateDb = `dtks_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
  await admin.query(`CREATE DATABASE ${templateDb}`);
  const template = connect(withDatabase(adminUrl, templateDb), { max: 2 });
  await migrateToLatest(template);
  // A login role of this run's own: roles belong to the whole server, and another run (or a real
  // gateway on an external test server) may use the default name.
  const runtimeLogin = `dtks_gateway_test_${process.pid}`;
  const runtimePassword = randomBytes(18).toString('base64url');
  await ensureRuntimeLogin(template.db, runtimeLogin, runtimePassword);
  await template.close();
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  project.provide('runtimeLogin', runtimeLogin);
  project.provide('runtimePassword', runtimePassword);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'dtks_test_%' OR datname = $1`,
      [templateDb],
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${runtimeLogin}`).catch(() => {});
    await admin.end();
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
