import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Database } from './database-types.js';
import { withTimeout } from './with-timeout.js';

/** What the router knows of the replica (for the metrics and the logs). */
export interface ReplicaState {
  /** Reads of new requests go to the replica (false: to the primary). */
  inUse: boolean;
  /** The replica answered its last check. */
  reachable: boolean;
  /** How far its replay is behind the primary, in seconds (null: not measured, it is down). */
  lagSeconds: number | null;
}

export interface ReadRouterOptions {
  primary: Kysely<Database>;
  primaryPool: pg.Pool;
  replica: Kysely<Database>;
  /** The replica's URL: the checks use a connection of their own, never one of the read pool. */
  replicaUrl: string;
  /** Leave the replica when its replay is this far behind; come back at half of it. */
  maxLagMs: number;
  /** How often the replica is checked (default 1 s). */
  checkEveryMs?: number;
  logger: Logger;
}

/** One check may take this long before the replica counts as unreachable. */
const CHECK_TIMEOUT_MS = 2_000;
/** Positions of the primary kept to date the replica's replay (one per check). */
const MAX_SAMPLES = 4_000;

/**
 * Chooses where the reads of a new request go: the read replica (`DATABASE_READ_URL`) while it is
 * reachable and its replay is at most `maxLagMs` behind the primary, otherwise the primary; back to
 * the replica once it answers again and has caught up to half the bound (so a lag hovering at the
 * bound does not flap). A request asks once, when it starts, and keeps that source to its end, so
 * its statements never read two servers, which may serve two snapshots while the replica replays
 * a swap. Writes and the audit always go to the primary; they never ask.
 *
 * Lag is measured in time without writing anything: each check notes the primary's WAL position
 * and the time, and the replica's lag is the age of the oldest noted position it has not replayed
 * yet (0 when it has replayed everything noted). An idle primary therefore never makes a replica
 * look late, and a replica whose replay is paused or stuck falls behind by one second per second.
 * Until the replica has once replayed a position noted here its lag is unknown, so a gateway that
 * starts beside a replica hours behind does not read from it (a replica that keeps up is taken
 * at the first or second check). A server at `DATABASE_READ_URL` that is not in recovery (a
 * promoted replica, or the primary itself) counts as current.
 */
export class ReadRouter {
  private inUse = false;
  private reachable = false;
  private lagMs: number | null = null;
  private readonly samples: { at: number; lsn: bigint }[] = [];
  /** The replica has replayed at least one position noted here. */
  private caughtUp = false;
  private checker: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: ReadRouterOptions) {}

  /** The database the reads of a request starting now use. */
  current(): Kysely<Database> {
    return this.inUse ? this.options.replica : this.options.primary;
  }

  get state(): ReplicaState {
    return {
      inUse: this.inUse,
      reachable: this.reachable,
      lagSeconds: this.lagMs === null ? null : this.lagMs / 1000,
    };
  }

  /** Checks once now (reads stay on the primary until a check passes), then every interval. */
  async start(): Promise<void> {
    await this.check();
    const every = this.options.checkEveryMs ?? 1_000;
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.check().finally(tick);
      }, every);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await this.dropChecker();
  }

  private async check(): Promise<void> {
    let now: number;
    try {
      const { rows } = await this.options.primaryPool.query<{ lsn: string }>(
        'SELECT pg_current_wal_lsn()::text AS lsn',
      );
      now = Date.now();
      this.samples.push({ at: now, lsn: parseLsn(rows[0]!.lsn) });
      if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    } catch {
      return; // the primary unreachable says nothing of the replica: keep the last decision
    }
    let replayed: bigint | 'current';
    try {
      replayed = await this.replayedPosition();
    } catch (error) {
      await this.dropChecker();
      this.decide(null, error);
      return;
    }
    this.decide(replayed === 'current' ? 0 : this.lagBehind(replayed, now));
  }

  /** The replica's replay position, or 'current' when it is not a standby. */
  private async replayedPosition(): Promise<bigint | 'current'> {
    this.checker ??= await this.connectChecker();
    const checker = this.checker;
    const { rows } = await withTimeout(
      checker.query<{ recovering: boolean; lsn: string | null }>(
        'SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn',
      ),
      CHECK_TIMEOUT_MS,
    );
    const row = rows[0]!;
    return !row.recovering || row.lsn === null ? 'current' : parseLsn(row.lsn);
  }

  private async connectChecker(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.replicaUrl,
      connectionTimeoutMillis: CHECK_TIMEOUT_MS,
      keepAlive: true,
    });
    // A dropped connection must not end the process (docs/PITFALLS: pg's unhandled 'error').
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  private async dropChecker(): Promise<void> {
    const client = this.checker;
    this.checker = null;
    await client?.end().catch(() => {});
  }

  /**
   * Age of the oldest noted primary position beyond `replayed`; older notes are let go. Until the
   * replica has once replayed a position noted here, its lag is unknown (it may be hours behind
   * what was noted first, at start-up): infinite, so reads stay on the primary.
   */
  private lagBehind(replayed: bigint, now: number): number {
    const first = this.samples.findIndex((s) => s.lsn > replayed);
    if (first !== 0) this.caughtUp = true;
    if (first === -1) {
      this.samples.splice(0, this.samples.length - 1);
      return 0;
    }
    if (!this.caughtUp) return Number.POSITIVE_INFINITY;
    this.samples.splice(0, first);
    return now - this.samples[0]!.at;
  }

  private decide(lagMs: number | null, error?: unknown): void {
    const was = this.inUse;
    this.reachable = lagMs !== null;
    this.lagMs = lagMs;
    if (lagMs === null) this.inUse = false;
    else if (lagMs > this.options.maxLagMs) this.inUse = false;
    else if (lagMs <= this.options.maxLagMs / 2) this.inUse = true;
    if (was === this.inUse) return;
    const { logger } = this.options;
    if (this.inUse) logger.info({ lagMs }, 'reads go to the read replica');
    else if (lagMs === null)
      logger.warn({ err: error }, 'read replica unreachable: reads go to the primary');
    else logger.warn({ lagMs }, 'read replica lags too far behind: reads go to the primary');
  }
}

/** `X/Y` (two hexadecimal halves) as one number. */
function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}
