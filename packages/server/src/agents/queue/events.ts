/**
 * Live task updates for `tasks.onUpdate`: one LISTEN connection per database per process, shared
 * by every open subscription and closed when the last one goes. The database raises task events
 * only for users registered in `agent_task_watchers` (NOTIFY serialises commits, so the queue
 * does not pay for it when nobody watches): the hub registers each user it streams for, refreshes
 * the registration while streams are open, and removes it after the last one.
 *
 * Events carry only ids; subscribers read the rows through the actor, so an event can never leak
 * another user's data. After a reconnection, subscribers are told to resynchronise (events may
 * have been missed meanwhile).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import { getEnv } from '../../env.js';
import { createLogger, type Logger } from '../../logger.js';
import { connectionConfigOf, PgListener } from './listener.js';

export interface TaskEvent {
  id: string;
  userId: string | null;
  status: string;
}

export interface TaskEventSubscriber {
  onEvent(event: TaskEvent): void;
  onResync(): void;
}

/** A registration lives this long without refresh (a crashed server's stops costing anything). */
const WATCH_TTL_S = 60;
const WATCH_REFRESH_MS = 20_000;

function parseEvent(payload: string): TaskEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<TaskEvent>;
    return typeof value.id === 'string' && typeof value.status === 'string'
      ? { id: value.id, userId: value.userId ?? null, status: value.status }
      : null;
  } catch {
    return null;
  }
}

export class TaskEventHub {
  private static readonly hubs = new WeakMap<object, TaskEventHub>();
  private readonly watcherId = `hub-${randomBytes(6).toString('hex')}`;
  private readonly subscribers = new Map<TaskEventSubscriber, string>();
  private readonly watched = new Map<string, number>();
  private listener: PgListener | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private connections = 0;

  private constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
  ) {}

  /** The hub of this database (transactions share their Knex's hub). */
  static for(db: Db): TaskEventHub {
    const key = db.client as object;
    let hub = TaskEventHub.hubs.get(key);
    if (!hub) {
      hub = new TaskEventHub(db as Knex, createLogger({ level: getEnv().LOG_LEVEL }));
      TaskEventHub.hubs.set(key, hub);
    }
    return hub;
  }

  private async register(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.db.raw(
      `INSERT INTO agent_task_watchers (user_id, watcher_id, expires_at)
       SELECT u, ?, now() + ? * interval '1 second' FROM unnest(?::uuid[]) AS u
       ON CONFLICT (user_id, watcher_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [this.watcherId, WATCH_TTL_S, [...userIds]],
    );
  }

  private async unregister(userId: string): Promise<void> {
    await this.db('agent_task_watchers').where({ user_id: userId, watcher_id: this.watcherId }).delete();
  }

  /**
   * Starts delivering `userId`'s task events to `subscriber`. Resolves once the user is registered
   * and LISTEN is in place, so no change committed after this returns is missed.
   */
  async subscribe(userId: string, subscriber: TaskEventSubscriber): Promise<() => void> {
    this.subscribers.set(subscriber, userId);
    this.watched.set(userId, (this.watched.get(userId) ?? 0) + 1);
    if (!this.listener) {
      this.connections = 0;
      this.listener = new PgListener({
        connection: connectionConfigOf(this.db, 'fo-task-events'),
        channels: ['fo_task_events'],
        logger: this.logger,
        onNotification: (_channel, payload) => {
          const event = parseEvent(payload);
          if (!event) return;
          for (const [s, uid] of this.subscribers) if (uid === event.userId) s.onEvent(event);
        },
        onConnect: () => {
          this.connections += 1;
          if (this.connections > 1) for (const s of this.subscribers.keys()) s.onResync();
        },
      });
      void this.listener.start();
      this.refreshTimer = setInterval(() => {
        this.register([...this.watched.keys()]).catch((err: unknown) =>
          this.logger.warn({ err }, 'could not refresh task watchers'),
        );
      }, WATCH_REFRESH_MS);
      this.refreshTimer.unref();
    }
    try {
      await this.register([userId]);
      await this.listener.ready();
    } catch (err) {
      this.release(subscriber);
      throw err;
    }
    return () => this.release(subscriber);
  }

  private release(subscriber: TaskEventSubscriber): void {
    const userId = this.subscribers.get(subscriber);
    if (userId === undefined) return;
    this.subscribers.delete(subscriber);
    const left = (this.watched.get(userId) ?? 1) - 1;
    if (left > 0) this.watched.set(userId, left);
    else {
      this.watched.delete(userId);
      this.unregister(userId).catch((err: unknown) =>
        this.logger.warn({ err }, 'could not remove a task watcher'),
      );
    }
    if (this.subscribers.size === 0 && this.listener) {
      const listener = this.listener;
      this.listener = null;
      if (this.refreshTimer) clearInterval(this.refreshTimer);
      this.refreshTimer = null;
      void listener.stop();
    }
  }
}
