import pg from 'pg';
import { GatewayError } from '../errors/gateway-errors.js';
import { addDailySubjects, countRequest, pruneUsage } from '../db/queries/usage-queries.js';
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

/**
 * The agreement's limits on use, shared by every gateway process on the database: requests per
 * minute per client, and distinct NIKs checked per day per agreement (so a client cannot walk the
 * NIK space). Counters live in PostgreSQL on a small pool with asynchronous commit.
 */
export class UsageLimiter {
  private readonly pool: pg.Pool;
  private readonly pruner: NodeJS.Timeout;

  constructor(url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 4,
      options: '-c synchronous_commit=off',
    });
    this.pool.on('error', () => {});
    this.pruner = setInterval(() => void pruneUsage(this.pool).catch(() => {}), 10 * 60_000);
    this.pruner.unref();
  }

  /** Counts a request; throws RateLimitedError past the agreement's requests per minute. */
  async admitRequest(principal: Principal): Promise<void> {
    const limit = principal.agreement.rateLimitPerMinute;
    const { requests, secondsLeft } = await countRequest(this.pool, principal.clientId);
    if (requests > limit) {
      throw new RateLimitedError(
        `more than ${limit} requests in a minute; retry later`,
        secondsLeft,
      );
    }
  }

  /** Counts the day's distinct subjects; throws RateLimitedError when they would pass the quota. */
  async admitSubjects(principal: Principal, subjects: readonly string[]): Promise<void> {
    const quota = principal.agreement.dailyQuota;
    const { fits, secondsLeft } = await addDailySubjects(
      this.pool,
      principal.agreement.id,
      subjects,
      quota,
    );
    if (!fits) {
      throw new RateLimitedError(
        `the daily quota of ${quota} distinct NIKs is used up; retry tomorrow`,
        secondsLeft,
      );
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pruner);
    await this.pool.end();
  }
}
