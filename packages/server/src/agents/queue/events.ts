/**
 * Live task updates for `tasks.onUpdate`: one LISTEN connection per database per process, shared
 * by every open subscription and closed when the last one goes. Events carry only ids; subscribers
 * read the rows through the actor, so an event can never leak another user's data. After a
 * reconnection, subscribers are told to resynchronise (events may have been missed meanwhile).
 */
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
  private readonly subscribers = new Set<TaskEventSubscriber>();
  private listener: PgListener | null = null;
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

  /** Resolves once LISTEN is in place, so no event committed after this returns is missed. */
  async subscribe(subscriber: TaskEventSubscriber): Promise<() => void> {
    this.subscribers.add(subscriber);
    if (!this.listener) {
      this.connections = 0;
      this.listener = new PgListener({
        connection: connectionConfigOf(this.db, 'fo-task-events'),
        channels: ['fo_task_events'],
        logger: this.logger,
        onNotification: (_channel, payload) => {
          const event = parseEvent(payload);
          if (event) for (const s of this.subscribers) s.onEvent(event);
        },
        onConnect: () => {
          this.connections += 1;
          if (this.connections > 1) for (const s of this.subscribers) s.onResync();
        },
      });
      void this.listener.start();
    }
    await this.listener.ready();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.listener) {
        const listener = this.listener;
        this.listener = null;
        void listener.stop();
      }
    };
  }
}
