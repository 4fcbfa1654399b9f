import { NotificationListener } from '../db/notification-listener.js';
import { CHANGE_EVENTS_CHANNEL } from '../db/scoped/webhook-store.js';
import type { Logger } from '../logger.js';

/**
 * Runs `work` whenever new change events are committed (the outbox writers notify
 * CHANGE_EVENTS_CHANNEL at their commit), on (re)connecting the listener (for notifications
 * missed), and every `everyMs` in case one was missed anyway. One run at a time; asked while one
 * runs, it runs once more after it, since the events whose commit woke it may have become visible
 * only after the running one read the outbox. Used by webhook deliveries and DCI notifications.
 */
export class ChangeEventRunner {
  private timer: NodeJS.Timeout | null = null;
  private listener: NotificationListener | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: {
      /** The database URL to listen on (none: the interval only). */
      url?: string;
      everyMs: number;
      logger: Logger;
      /** The log message of a failed run (the run is tried again at the next wake-up). */
      failure: string;
    },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.run(), this.options.everyMs);
    this.timer.unref();
    if (this.options.url) {
      this.listener = new NotificationListener(
        this.options.url,
        () => void this.run(),
        this.options.logger,
        CHANGE_EVENTS_CHANNEL,
      );
      await this.listener.start();
    }
  }

  /** Stops waking up and waits for the run under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.listener?.close();
    this.listener = null;
    await this.running;
  }

  /** Runs the work now, or once more after the run under way. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work().catch((error: unknown) =>
          this.options.logger.warn({ reason: (error as Error).message }, this.options.failure),
        );
      } while (this.again && this.timer);
    })().finally(() => (this.running = null));
    return this.running;
  }
}
