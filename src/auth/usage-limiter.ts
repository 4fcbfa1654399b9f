import type pg from 'pg';
import { createPool } from '../db/database.js';
import { GatewayError } from '../errors/gateway-errors.js';
import {
  addDailySubjects,
  addRequests,
  pruneUsage,
  recordReservedSubjects,
  reserveDailySubjects,
  type RequestCount,
} from '../db/queries/usage-queries.js';
import type { Principal } from './principal.js';

/** RATE_LIMITED (HTTP 429) with the seconds to wait, sent as `Retry-After`. */
export class RateLimitedError extends GatewayError {
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super('RATE_LIMITED', message);
    (this.extensions as Record<string, unknown>).http = {
      status: 429,
      headers: new Map([['retry-after', String(retryAfter)]]),
    };
  }
}

/** How often a process adds its local request counts to the shared counters. */
const FLUSH_MS = 200;

interface Admission {
  clientId: string;
  subjects: readonly string[];
  quota: number;
  resolve(): void;
  reject(error: unknown): void;
}

interface AdmissionGroup {
  waiting: Admission[];
  running: boolean;
}

/**
 * Groups with at least this many distinct subjects reserve room and record the subjects after the
 * answer; smaller ones (single checks) add them at once, one short transaction, which keeps the
 * day's row free of a second write per group.
 */
const RESERVE_FROM = 1_000;

function quotaUsedUp(quota: number, secondsLeft: number): RateLimitedError {
  return new RateLimitedError(
    `the daily quota of ${quota} distinct NIKs is used up; retry tomorrow`,
    secondsLeft,
  );
}

interface WindowCount {
  /** Start of the minute, epoch ms. */
  window: number;
  /** Total of all processes as of this process's last flush. */
  known: number;
  /** Admitted here since the last flush. */
  pending: number;
  /** Admitted here and being added to the shared counter right now (still counted here). */
  sending: number;
  /**
   * Counted by a quota admission since the last flush (which then has nothing to add for this
   * client, and learnt the total already).
   */
  counted: boolean;
}

/**
 * The agreement's limits on use, shared by every gateway process on the database: requests per
 * minute per client, and distinct NIKs checked per day per agreement (so a client cannot walk the
 * NIK space). Counters live in PostgreSQL on a small pool with asynchronous commit.
 *
 * Requests are decided locally and counted in batches: every 200 ms a process adds what it
 * admitted to the shared counter of the minute and learns the total of all processes. No request
 * waits for the database, and a busy client does not serialise every request on one row lock; the
 * price is that the processes together may overshoot a limit by what they admit in one flush
 * interval. A request that checks NIKs has its count sent along with its quota admission, which
 * goes to the database anyway: the flush then has nothing to do for that client.
 */
export class UsageLimiter {
  private readonly pool: pg.Pool;
  private readonly pruner: NodeJS.Timeout;
  private readonly windows = new Map<string, WindowCount>();
  private readonly admissions = new Map<string, AdmissionGroup>();
  /** Background recordings of reserved subjects, per agreement. */
  private readonly recordings = new Map<string, Set<Promise<void>>>();
  private flushing: NodeJS.Timeout | null = null;

  constructor(url: string) {
    this.pool = createPool(url, { max: 4, options: '-c synchronous_commit=off' });
    this.pruner = setInterval(() => void pruneUsage(this.pool).catch(() => {}), 10 * 60_000);
    this.pruner.unref();
  }

  /** Admits a request or throws RateLimitedError past the agreement's requests per minute. */
  async admitRequest(principal: Principal): Promise<void> {
    const limit = principal.agreement.rateLimitPerMinute;
    const now = Date.now();
    const window = now - (now % 60_000);
    let count = this.windows.get(principal.clientId);
    if (!count || count.window !== window) {
      count = { window, known: 0, pending: 0, sending: 0, counted: false };
      this.windows.set(principal.clientId, count);
    }
    if (count.known + count.sending + count.pending + 1 > limit) {
      const secondsLeft = Math.max(1, Math.ceil((window + 60_000 - now) / 1000));
      throw new RateLimitedError(
        `more than ${limit} requests in a minute; retry later`,
        secondsLeft,
      );
    }
    count.pending++;
    this.flushing ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Adds the pending counts to the shared counters and learns the totals. */
  private async flush(): Promise<void> {
    this.flushing = null;
    const current = Date.now() - (Date.now() % 60_000);
    await Promise.all(
      [...this.windows].map(async ([clientId, count]) => {
        if (count.window < current && count.pending === 0) {
          this.windows.delete(clientId);
          return;
        }
        const counted = count.counted;
        count.counted = false;
        // A quota admission counted them meanwhile, or is counting them now.
        if ((counted || count.sending > 0) && count.pending === 0) return;
        const pending = count.pending;
        count.pending = 0;
        count.sending += pending;
        try {
          const total = await addRequests(this.pool, clientId, count.window, pending);
          count.known = Math.max(count.known, total);
        } catch {
          count.pending += pending; // try again at the next flush
        } finally {
          count.sending -= pending;
        }
      }),
    );
  }

  /**
   * Counts the day's distinct subjects; throws RateLimitedError when they would pass the quota.
   *
   * Admissions of one agreement are grouped like a group commit: while one is out, the requests
   * that arrive wait and then go together, so fifty concurrent single checks cost a few
   * statements, not fifty queued on the day's counter row.
   *
   * A group is admitted in one of two ways. A large one (a batch) far from the quota reserves
   * room for its subjects on the day's row in one short statement and is answered at once; its
   * subjects are recorded (one row each, repeats counted once) just after, and the reservation is
   * given back. A reservation counts every subject as new, so it can only err towards refusing.
   * Otherwise the subjects are added before answering, in one transaction; when that would pass the
   * quota, this process's pending recordings are awaited and it is tried again, and a group that
   * still would pass the quota is decided request by request, so that exactly those that fit are
   * admitted.
   */
  admitSubjects(principal: Principal, subjects: readonly string[]): Promise<void> {
    const agreementId = principal.agreement.id;
    let group = this.admissions.get(agreementId);
    if (!group) {
      group = { waiting: [], running: false };
      this.admissions.set(agreementId, group);
    }
    return new Promise<void>((resolve, reject) => {
      group.waiting.push({
        clientId: principal.clientId,
        subjects,
        quota: principal.agreement.dailyQuota,
        resolve,
        reject,
      });
      if (!group.running) void this.admitGroups(agreementId, group);
    });
  }

  /** Resolves when the subjects admitted so far by reservation are recorded (tests, shutdown). */
  async recorded(agreementId?: string): Promise<void> {
    const pending = agreementId
      ? [...(this.recordings.get(agreementId) ?? [])]
      : [...this.recordings.values()].flatMap((set) => [...set]);
    await Promise.all(pending);
  }

  private async admitGroups(agreementId: string, group: AdmissionGroup): Promise<void> {
    group.running = true;
    try {
      while (group.waiting.length > 0) {
        const batch = group.waiting.splice(0);
        try {
          // Agreements change rarely; within a group the strictest quota seen applies.
          const quota = Math.min(...batch.map((a) => a.quota));
          const distinct = [...new Set(batch.flatMap((a) => a.subjects))];
          if (distinct.length >= RESERVE_FROM) {
            const { day } = await this.counting(batch, (requests) =>
              reserveDailySubjects(this.pool, agreementId, distinct.length, quota, requests),
            );
            if (day !== null) {
              for (const a of batch) a.resolve();
              this.recordLater(agreementId, day, distinct);
              continue;
            }
          }
          const add = (admissions: readonly Admission[], subjects: readonly string[]) =>
            this.counting(admissions, (requests) =>
              addDailySubjects(this.pool, agreementId, subjects, quota, requests),
            );
          let together = await add(batch, distinct);
          if (!together.fits && this.recordings.has(agreementId)) {
            // Reserved room counts every pending subject as new; once they are recorded, repeats
            // count once and the group may fit after all.
            await this.recorded(agreementId);
            together = await add(batch, distinct);
          }
          if (together.fits) {
            for (const a of batch) a.resolve();
            continue;
          }
          for (const a of batch) {
            const alone = batch.length === 1 ? together : await add([a], a.subjects);
            if (alone.fits) a.resolve();
            else a.reject(quotaUsedUp(quota, alone.secondsLeft));
          }
        } catch (error) {
          for (const a of batch) a.reject(error);
        }
      }
    } finally {
      group.running = false;
      if (group.waiting.length === 0) this.admissions.delete(agreementId);
    }
  }

  /**
   * Runs a quota statement with the requests per minute of the admissions' clients that wait for
   * the next flush sent along: one round trip for both. Requests the statement did not count (it
   * failed, or its subjects did not fit) wait for the flush again.
   */
  private async counting<T extends { requests: Map<string, number> }>(
    admissions: readonly Admission[],
    statement: (requests: RequestCount[]) => Promise<T>,
  ): Promise<T> {
    const taken: Array<{ count: WindowCount; request: RequestCount }> = [];
    for (const clientId of new Set(admissions.map((a) => a.clientId))) {
      const count = this.windows.get(clientId);
      if (!count || count.pending === 0) continue;
      taken.push({ count, request: { clientId, windowStart: count.window, count: count.pending } });
      count.sending += count.pending;
      count.pending = 0;
    }
    let counted = new Map<string, number>();
    try {
      const result = await statement(taken.map((t) => t.request));
      counted = result.requests;
      return result;
    } finally {
      for (const { count, request } of taken) {
        count.sending -= request.count;
        const total = counted.get(request.clientId);
        if (total === undefined) {
          count.pending += request.count; // the next flush adds them
          this.flushing ??= setTimeout(() => void this.flush(), FLUSH_MS);
        } else {
          count.known = Math.max(count.known, total);
          count.counted = true;
        }
      }
    }
  }

  /**
   * Records reserved subjects in the background. If that fails the reservation stays: the day's
   * count stays too high, never too low.
   */
  private recordLater(agreementId: string, day: string, subjects: string[]): void {
    let pending = this.recordings.get(agreementId);
    if (!pending) {
      pending = new Set();
      this.recordings.set(agreementId, pending);
    }
    const set = pending;
    const recording: Promise<void> = recordReservedSubjects(
      this.pool,
      agreementId,
      day,
      subjects,
      subjects.length,
    )
      .catch(() => {})
      .finally(() => {
        set.delete(recording);
        if (set.size === 0 && this.recordings.get(agreementId) === set) {
          this.recordings.delete(agreementId);
        }
      });
    set.add(recording);
  }

  async close(): Promise<void> {
    clearInterval(this.pruner);
    if (this.flushing) clearTimeout(this.flushing);
    await this.flush();
    await this.recorded();
    await this.pool.end();
  }
}
