import { setTimeout as sleep } from 'node:timers/promises';
import { formatSeconds } from '../cli/progress.js';

/** How the client retries transient failures (network errors, HTTP 429, 502, 503, 504). */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Longest single wait (seconds) the client accepts; a longer `Retry-After` stops the run. */
  maxWaitSeconds: number;
  /** First backoff (milliseconds); it doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 8,
  maxWaitSeconds: 300,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
});

/** A failure worth retrying, as seen on one attempt. */
export interface TransientFailure {
  /** What went wrong, for messages: an error code, `HTTP 502`, `network error (ECONNRESET)`. */
  what: string;
  /** The server's `Retry-After`, in seconds, when it sent one. */
  retryAfterSeconds: number | null;
  requestId: string | null;
}

export type RetryDecision = { waitMs: number } | { stop: string };

/**
 * What to do after attempt number `attempt` (1 = the first) failed transiently: wait and retry,
 * or stop with a reason. A `Retry-After` is honoured as a minimum, plus up to 10% jitter so that
 * parallel requests do not return together; without one the wait is an exponential backoff with
 * "equal jitter" (between half and all of `baseDelayMs · 2^(attempt-1)`, capped).
 */
export function decideRetry(
  attempt: number,
  failure: Pick<TransientFailure, 'retryAfterSeconds'>,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  const after = failure.retryAfterSeconds;
  if (after !== null && after > policy.maxWaitSeconds) {
    return {
      stop: `the gateway asks to wait ${formatSeconds(after)}, longer than --max-wait (${formatSeconds(policy.maxWaitSeconds)})`,
    };
  }
  if (attempt >= policy.maxAttempts) {
    return { stop: `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}` };
  }
  if (after !== null && after > 0) {
    const ms = after * 1000;
    return { waitMs: Math.round(ms + random() * ms * 0.1) };
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { waitMs: Math.round(cap / 2 + (random() * cap) / 2) };
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date (RFC 9110 §10.2.3); else null. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The run stopped because a failure did not go away; running the same command again resumes. */
export class GaveUpError extends Error {
  override name = 'GaveUpError';
}

/** One attempt's result: a value, or a transient failure to retry. Other failures are thrown. */
export type Attempt<T> = { ok: T } | { transient: TransientFailure };

/**
 * Runs `attempt` until it succeeds, throws, or the policy stops it (then {@link GaveUpError},
 * naming the last failure). `onRetry` hears of every wait.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<Attempt<T>>,
  policy: RetryPolicy,
  options: {
    signal?: AbortSignal;
    onRetry?: (failure: TransientFailure, waitMs: number, attemptNumber: number) => void;
    random?: () => number;
  } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if ('ok' in result) return result.ok;
    const failure = result.transient;
    const decision = decideRetry(n, failure, policy, options.random);
    if ('stop' in decision) {
      const id = failure.requestId ? `, request id ${failure.requestId}` : '';
      throw new GaveUpError(`${decision.stop} (last: ${failure.what}${id})`);
    }
    options.onRetry?.(failure, decision.waitMs, n);
    await sleep(decision.waitMs, undefined, { signal: options.signal });
  }
}
