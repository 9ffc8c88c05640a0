/**
 * Tasks as users see them: create (idempotent), schedule, list, read, cancel, retry, watch, and the
 * workers' roster. The queue mechanics live in agents/queue; this is the owner-scoped surface.
 */
import {
  type CreateTaskInput,
  isTerminalTaskStatus,
  type Task,
  type TaskSchedule,
  type TaskSummary,
  type TaskUpdate,
  type TaskWorker,
  zCreateTaskInput,
  type zScheduleTaskInput,
  zTask,
  type zTaskListInput,
  type zTaskScheduleListInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../actor.js';
import { type TaskEvent, TaskEventHub } from '../agents/queue/events.js';
import { InvalidCronError, nextCronRun } from '../agents/queue/schedules.js';
import { enqueueTask, type TaskRow } from '../agents/queue/store.js';
import type { Db } from '../db/transaction.js';
import { AgentSchedule, AgentTask, AgentWorker } from '../models/index.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';

export interface TaskServiceContext {
  db: Db;
  actor: Actor;
}

type CreateTask = z.output<typeof zCreateTaskInput>;
type ScheduleTask = z.output<typeof zScheduleTaskInput>;
type TaskListInput = z.output<typeof zTaskListInput>;
type ScheduleListInput = z.output<typeof zTaskScheduleListInput>;

/** Validated input to the JSON the queue stores (Decimals become strings, and so on). */
function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}));
}

function taskFields(row: TaskRow) {
  return {
    id: row.id,
    status: row.status,
    priority: row.priority,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    lastError: row.last_error,
    workerId: row.locked_by,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    scheduleId: row.schedule_id,
    cron: row.cron,
    timezone: row.timezone,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A stored task with its input and result parsed by its type's schemas. */
export function toTask(row: TaskRow): Task {
  return zTask.parse({ ...taskFields(row), type: row.type, input: row.input, result: row.result });
}

function toSummary(row: TaskRow): TaskSummary {
  return { ...taskFields(row), type: row.type };
}

function toUpdate(row: TaskRow): TaskUpdate {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    attempts: row.attempts,
    lastError: row.last_error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

function toSchedule(row: AgentSchedule): TaskSchedule {
  return {
    id: row.id,
    type: row.type,
    input: row.input,
    cron: row.cron,
    timezone: row.timezone,
    priority: row.priority,
    maxAttempts: row.max_attempts,
    paused: row.paused,
    isDefault: row.is_default,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Keyset cursors over (created_at, id), newest first. created_at keeps microseconds, which a JS
// Date would drop, so the cursor carries them as an integer.
function encodeCursor(createdUs: number | string, id: string): string {
  return Buffer.from(`${createdUs}.${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdUs: string; id: string } {
  const match = /^(\d{1,20})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new ValidationError(['cursor'], 'Invalid cursor');
  return { createdUs: match[1]!, id: match[2]! };
}

const CREATED_US = `(extract(epoch FROM created_at) * 1000000)::bigint AS created_us`;
const BEFORE_CURSOR = `(created_at, id) < (timestamptz 'epoch' + ? * interval '1 microsecond', ?)`;

async function findTask(ctx: TaskServiceContext, id: string): Promise<TaskRow> {
  const row = await AgentTask.query(ctx.db).modify('visibleTo', ctx.actor).findById(id);
  if (!row) throw new NotFoundError('Task', id);
  return row;
}

export async function createTask(ctx: TaskServiceContext, input: CreateTask): Promise<Task> {
  const { row } = await enqueueTask(ctx.db, {
    userId: ctx.actor.userId,
    type: input.type,
    input: toJson(input.input),
    runAt: input.runAt,
    priority: input.priority,
    maxAttempts: input.maxAttempts,
    idempotencyKey: input.idempotencyKey ?? null,
  });
  return toTask(row);
}

/** Parses a create input from code that is not behind a router (scripts, other services). */
export function parseCreateTaskInput(input: CreateTaskInput): CreateTask {
  return zCreateTaskInput.parse(input);
}

export async function getTask(ctx: TaskServiceContext, input: { id: string }): Promise<Task> {
  return toTask(await findTask(ctx, input.id));
}

export async function listTasks(
  ctx: TaskServiceContext,
  input: TaskListInput,
): Promise<{ items: TaskSummary[]; nextCursor: string | null }> {
  const query = AgentTask.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .select('agent_tasks.*', AgentTask.raw(CREATED_US))
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(input.limit + 1);
  if (input.status) query.whereIn('status', Array.isArray(input.status) ? input.status : [input.status]);
  if (input.type) query.where('type', input.type);
  if (input.scheduleId) query.where('schedule_id', input.scheduleId);
  if (input.createdFrom) query.where('created_at', '>=', input.createdFrom);
  if (input.createdTo) query.where('created_at', '<', input.createdTo);
  if (input.cursor) {
    const c = decodeCursor(input.cursor);
    query.whereRaw(BEFORE_CURSOR, [c.createdUs, c.id]);
  }
  const rows = (await query) as (AgentTask & { created_us: number })[];
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toSummary),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.created_us, last.id) : null,
  };
}

/** Queued: it will never run. Running: the handler's signal fires; no result is kept. */
export async function cancelTask(ctx: TaskServiceContext, input: { id: string }): Promise<Task> {
  const [row] = await AgentTask.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .where('id', input.id)
    .whereIn('status', ['queued', 'running'])
    .patch({ status: 'cancelled', finished_at: AgentTask.raw('now()'), locked_until: null } as never)
    .returning('*');
  if (row) return toTask(row);
  const existing = await findTask(ctx, input.id);
  throw new ConflictError(
    `The task has already ${existing.status === 'cancelled' ? 'been cancelled' : existing.status}`,
    'status',
  );
}

/** A failed (or cancelled) task runs again now, with a fresh allowance of attempts. */
export async function retryTask(ctx: TaskServiceContext, input: { id: string }): Promise<Task> {
  const [row] = await AgentTask.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .where('id', input.id)
    .whereIn('status', ['failed', 'cancelled'])
    .patch({
      status: 'queued',
      run_at: AgentTask.raw('now()'),
      attempts: 0,
      finished_at: null,
      started_at: null,
      result: null,
      progress: '0',
      progress_message: null,
      locked_until: null,
    } as never)
    .returning('*');
  if (row) return toTask(row);
  const existing = await findTask(ctx, input.id);
  throw new ConflictError(
    `Only failed or cancelled tasks can be retried; this one is ${existing.status}`,
    'status',
  );
}

function nextRunOrThrow(cron: string, timezone: string, after: Date): Date {
  try {
    return nextCronRun(cron, timezone, after);
  } catch (err) {
    if (err instanceof InvalidCronError) throw new ValidationError(['cron'], err.message);
    throw err;
  }
}

export async function scheduleTask(ctx: TaskServiceContext, input: ScheduleTask): Promise<TaskSchedule> {
  const nextRunAt = nextRunOrThrow(input.cron, input.timezone, new Date());
  const row = await AgentSchedule.query(ctx.db).insertAndFetch({
    user_id: ctx.actor.userId,
    type: input.type,
    input: toJson(input.input),
    cron: input.cron,
    timezone: input.timezone,
    priority: input.priority,
    max_attempts: input.maxAttempts,
    next_run_at: nextRunAt,
  });
  return toSchedule(row);
}

export async function listSchedules(
  ctx: TaskServiceContext,
  input: ScheduleListInput,
): Promise<{ items: TaskSchedule[]; nextCursor: string | null }> {
  const query = AgentSchedule.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .select('agent_schedules.*', AgentSchedule.raw(CREATED_US))
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(input.limit + 1);
  if (input.type) query.where('type', input.type);
  if (input.cursor) {
    const c = decodeCursor(input.cursor);
    query.whereRaw(BEFORE_CURSOR, [c.createdUs, c.id]);
  }
  const rows = (await query) as (AgentSchedule & { created_us: number })[];
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toSchedule),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.created_us, last.id) : null,
  };
}

async function findSchedule(ctx: TaskServiceContext, id: string): Promise<AgentSchedule> {
  const row = await AgentSchedule.query(ctx.db).modify('visibleTo', ctx.actor).findById(id);
  if (!row) throw new NotFoundError('Schedule', id);
  return row;
}

export async function pauseSchedule(ctx: TaskServiceContext, input: { id: string }): Promise<TaskSchedule> {
  const schedule = await findSchedule(ctx, input.id);
  const row = await schedule.$query(ctx.db).patchAndFetch({ paused: true });
  return toSchedule(row);
}

/** Resumes from the next slot after now: runs missed while paused are not made up. */
export async function resumeSchedule(ctx: TaskServiceContext, input: { id: string }): Promise<TaskSchedule> {
  const schedule = await findSchedule(ctx, input.id);
  const row = await schedule.$query(ctx.db).patchAndFetch({
    paused: false,
    next_run_at: nextRunOrThrow(schedule.cron, schedule.timezone, new Date()),
  });
  return toSchedule(row);
}

/** Deletes a schedule; the tasks it already enqueued stay. Default schedules are paused instead. */
export async function deleteSchedule(ctx: TaskServiceContext, input: { id: string }): Promise<TaskSchedule> {
  const schedule = await findSchedule(ctx, input.id);
  if (schedule.is_default) {
    throw new ConflictError('Default schedules cannot be deleted; pause it instead', 'isDefault');
  }
  await AgentSchedule.query(ctx.db).modify('visibleTo', ctx.actor).deleteById(schedule.id);
  return toSchedule(schedule);
}

/** Workers seen in the last hour: infrastructure, the same for every user; no task details. */
export async function listWorkers(ctx: TaskServiceContext): Promise<{ items: TaskWorker[] }> {
  const rows = (await AgentWorker.query(ctx.db)
    .select(
      'agent_workers.*',
      AgentWorker.raw(
        `CASE WHEN stopped_at IS NOT NULL THEN 'stopped'
              WHEN last_heartbeat_at < now() - 3 * heartbeat_ms * interval '1 millisecond' THEN 'stale'
              ELSE 'active' END AS state`,
      ),
    )
    .where((q) =>
      q.whereNull('stopped_at').orWhere('stopped_at', '>', AgentWorker.raw(`now() - interval '1 hour'`)),
    )
    .where('last_heartbeat_at', '>', AgentWorker.raw(`now() - interval '1 day'`))
    .orderBy('started_at', 'desc')
    .limit(500)) as (AgentWorker & { state: TaskWorker['state'] })[];
  return {
    items: rows.map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      concurrency: w.concurrency,
      taskTypes: w.task_types,
      startedAt: w.started_at,
      lastHeartbeatAt: w.last_heartbeat_at,
      stoppedAt: w.stopped_at,
      state: w.state,
    })),
  };
}

async function loadUpdates(ctx: TaskServiceContext, ids: readonly string[]): Promise<TaskUpdate[]> {
  if (ids.length === 0) return [];
  const rows = await AgentTask.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .whereIn('id', ids)
    .orderBy('updated_at');
  return rows.map(toUpdate);
}

const UNREAD_STREAM_TIMEOUT_MS = 10_000;

/**
 * Status and progress as they change: of one task (starting with its current state, ending once
 * it has finished), or of every task of the caller's. Throws NOT_FOUND before streaming for a
 * task that is not the caller's.
 */
export async function watchTasks(
  ctx: TaskServiceContext,
  input: { taskId?: string | undefined },
  signal?: AbortSignal,
): Promise<AsyncGenerator<TaskUpdate, void, unknown>> {
  const taskId = input.taskId;
  if (taskId) await findTask(ctx, taskId);
  const userId = ctx.actor.userId;

  // Listening starts before this returns, so every change after the call is delivered. Changes
  // after `since` are also found by the resync query if the listening connection drops.
  let since = new Date();
  const pending = new Set<string>();
  let resync = false;
  let notify: (() => void) | null = null;
  const poke = () => {
    const n = notify;
    notify = null;
    n?.();
  };
  const subscriber = {
    onEvent(event: TaskEvent) {
      if (event.userId !== userId || (taskId && event.id !== taskId)) return;
      pending.add(event.id);
      poke();
    },
    onResync() {
      resync = true;
      poke();
    },
  };
  let unsubscribe: (() => void) | null = await TaskEventHub.for(ctx.db).subscribe(userId, subscriber);
  // A stream nobody starts reading (an in-process caller that drops it) must not hold the
  // listening connection forever.
  const abandoned = setTimeout(() => {
    unsubscribe?.();
    unsubscribe = null;
  }, UNREAD_STREAM_TIMEOUT_MS);
  abandoned.unref();

  async function* stream(): AsyncGenerator<TaskUpdate, void, unknown> {
    clearTimeout(abandoned);
    unsubscribe ??= await TaskEventHub.for(ctx.db).subscribe(userId, subscriber);
    signal?.addEventListener('abort', poke, { once: true });
    // The same row state is sent once, however many events pointed at it.
    const sent = new Map<string, string>();
    const fresh = (u: TaskUpdate) => {
      const state = [u.status, u.progress, u.progressMessage, u.attempts, u.updatedAt.getTime()].join('|');
      if (sent.get(u.id) === state) return false;
      sent.set(u.id, state);
      return true;
    };
    try {
      if (taskId) {
        const [current] = await loadUpdates(ctx, [taskId]);
        if (!current) return;
        fresh(current);
        yield current;
        if (isTerminalTaskStatus(current.status)) return;
      }
      while (!signal?.aborted) {
        if (pending.size === 0 && !resync) {
          await new Promise<void>((resolve) => {
            notify = resolve;
          });
          continue;
        }
        if (resync) {
          resync = false;
          if (taskId) pending.add(taskId);
          else {
            const changed = await AgentTask.query(ctx.db)
              .modify('visibleTo', ctx.actor)
              .where('updated_at', '>=', since)
              .select('id');
            for (const r of changed) pending.add(r.id);
          }
        }
        const ids = [...pending];
        pending.clear();
        for (const update of await loadUpdates(ctx, ids)) {
          if (update.updatedAt > since) since = update.updatedAt;
          if (!fresh(update)) continue;
          yield update;
          if (taskId && isTerminalTaskStatus(update.status)) return;
        }
      }
    } finally {
      signal?.removeEventListener('abort', poke);
      unsubscribe?.();
      unsubscribe = null;
    }
  }
  return stream();
}
