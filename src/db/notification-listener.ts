import pg from 'pg';
import type { Logger } from '../logger.js';
import { POLICY_CHANNEL } from './queries/client-queries.js';

/**
 * Listens on one PostgreSQL notification channel, reconnecting with backoff. By default the
 * policy channel (client created, replaced or revoked, by any process on the same database):
 * while it is connected, callers may cache policy; when the connection drops, `connected` turns
 * false (callers must stop caching). The webhook dispatcher listens on the change-event channel
 * (src/changes/webhook-deliveries.ts). `onChange(null)` on (re)connect means "look now":
 * notifications sent meanwhile were missed.
 */
export class NotificationListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 250;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly onChange: (clientId: string | null) => void,
    private readonly logger: Logger,
    private readonly channel: string = POLICY_CHANNEL,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => this.onChange(message.payload ?? null));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.client = client;
      this.connected = true;
      this.retryMs = 250;
      this.onChange(null); // anything cached while disconnected is suspect
    } catch (error) {
      this.logger.warn(
        { err: error, channel: this.channel },
        'listener could not connect; retrying',
      );
      this.lost(client);
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== null && this.client !== client) return;
    this.client = null;
    if (this.connected)
      this.logger.warn(
        { channel: this.channel },
        'listener disconnected; caching off (or polling only) until it reconnects',
      );
    this.connected = false;
    this.onChange(null);
    client.end().catch(() => {});
    if (this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => void this.start(), delay).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
