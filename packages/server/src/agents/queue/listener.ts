/**
 * A dedicated PostgreSQL connection that LISTENs on a few channels (a pooled connection cannot:
 * the pool would hand it to someone else). When the connection drops (server restart,
 * pg_terminate_backend, network) it reconnects with backoff and calls `onConnect` again, so its
 * owner can catch up on whatever it missed while deaf.
 */
import pg from 'pg';
import type { Knex } from '../../db/knex.js';
import type { Logger } from '../../logger.js';

export interface ListenerOptions {
  connection: pg.ClientConfig;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** After each successful (re)connection, once every LISTEN is in place. */
  onConnect?(): void;
  logger: Logger;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Connection settings of a Knex instance, for a connection outside its pool. */
export function connectionConfigOf(knex: Knex, applicationName: string): pg.ClientConfig {
  const connection = (knex.client as { config: { connection?: unknown } }).config.connection;
  if (typeof connection === 'string')
    return { connectionString: connection, application_name: applicationName };
  if (connection && typeof connection === 'object') {
    return { ...(connection as pg.ClientConfig), application_name: applicationName };
  }
  throw new Error('The database connection settings are not a string or an object');
}

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = MIN_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readyWaiters: (() => void)[] = [];
  private connected = false;

  constructor(private readonly opts: ListenerOptions) {}

  /** Starts connecting; resolves once listening (retrying in the background until then). */
  start(): Promise<void> {
    void this.connect();
    return this.ready();
  }

  get isListening(): boolean {
    return this.connected;
  }

  ready(): Promise<void> {
    if (this.connected || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.opts.connection);
    this.client = client;
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.connected = false;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.stopped) return;
      this.opts.logger.warn({ err: err?.message }, 'task listener connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (msg) => this.opts.onNotification(msg.channel, msg.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.opts.channels) await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      onLost(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (lost || this.stopped) {
      if (this.stopped) await client.end().catch(() => {});
      return;
    }
    this.connected = true;
    this.retryMs = MIN_RETRY_MS;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    this.opts.onConnect?.();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connected = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => {});
    }
  }
}
