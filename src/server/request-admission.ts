import type { ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-errors.js';

/** SERVICE_UNAVAILABLE (HTTP 503) for a request that waited its whole turn, with `Retry-After`. */
export class OverloadedError extends GatewayError {
  constructor(readonly retryAfter: number) {
    super('SERVICE_UNAVAILABLE', 'the gateway is busy; try again');
  }
}

export interface AdmissionOptions {
  /** Requests worked on at once; the rest wait their turn in arrival order. */
  concurrency: number;
  /** A request that waited this long for its turn is answered 503 with `Retry-After`. */
  maxWaitMs: number;
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

/**
 * Lets a bounded number of authenticated requests do their database work at once, first come
 * first served, one turn per request.
 *
 * Without it, every statement of every request waits in the connection pool's queue: a request
 * of six statements queues six times behind everything that arrived meanwhile, so under overload
 * its latency is many times the average and the pool's connect timeout answers it 503 halfway
 * through (bench/results/soak.md). With a turn per request, a request that has started finishes
 * with short pool waits, the wait is spent once and in order, and the pool's timeout is not
 * reached. Refusals that need no database work (rate limits, bad tokens) are answered before a
 * request queues here, so a client over its limit never holds up the others.
 */
export class RequestAdmission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private head = 0;

  constructor(
    private readonly options: AdmissionOptions,
    /** Told how long each admitted request waited, in seconds (the metrics). */
    private readonly onAdmitted?: (waitSeconds: number) => void,
  ) {
    if (!(options.concurrency >= 1)) throw new Error('concurrency must be at least 1');
  }

  /** Requests being worked on, and waiting for their turn. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length - this.head };
  }

  /**
   * Waits for the request's turn; the turn ends when its answer has been sent or its connection
   * has closed. Rejects with {@link OverloadedError} after `maxWaitMs` without a turn.
   */
  async enter(res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (this.running < this.options.concurrency && this.head === this.waiting.length) {
      this.running++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          admit: () => {
            clearTimeout(waiter.timer);
            resolve();
          },
          timer: setTimeout(() => {
            const at = this.waiting.indexOf(waiter, this.head);
            if (at >= 0) this.waiting.splice(at, 1);
            reject(new OverloadedError(Math.max(1, Math.ceil(this.options.maxWaitMs / 1000))));
          }, this.options.maxWaitMs),
        };
        this.waiting.push(waiter);
      });
    }
    this.onAdmitted?.((performance.now() - started) / 1000);
    // The answer may already be gone (the client hung up while waiting): the turn ends at once.
    if (res.writableFinished || res.destroyed) return this.leave();
    res.once('close', () => this.leave());
  }

  private leave(): void {
    const next = this.waiting[this.head];
    if (next === undefined) {
      this.running--;
      return;
    }
    // The turn passes straight to the longest waiting request.
    this.waiting[this.head++] = undefined as unknown as Waiter;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    next.admit();
  }
}
