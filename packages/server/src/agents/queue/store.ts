/**
 * The queue's SQL. Every state change a worker makes is fenced: it applies only while the task is
 * still `running` under the claim that started the run (a token drawn by each claim), so a worker
 * that lost its lease, or whose task was cancelled (and perhaps retried and claimed again since),
 * can never overwrite what happened since.
 */
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import { newId } from '../../models/BaseModel.js';

export interface TaskRow {
  id: string;
  user_id: string | null;
  type: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  priority: number;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: Date | null;
  heartbeat_at: Date | null;
  claim_token: string | null;
  progress: string;
  progress_message: string | null;
  input: unknown;
  result: unknown;
  last_error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  cron: string | null;
  timezone: string | null;
  idempotency_key: string | null;
  schedule_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface EnqueueSpec {
  userId: string;
  type: string;
  /** JSON-ready input (already validated by the type's schema). */
  input: unknown;
  runAt?: Date | undefined;
  priority?: number | undefined;
  maxAttempts?: number | undefined;
  idempotencyKey?: string | null | undefined;
  scheduleId?: string | null | undefined;
  cron?: string | null | undefined;
  timezone?: string | null | undefined;
}

function insertValues(spec: EnqueueSpec) {
  return {
    id: newId(),
    user_id: spec.userId,
    type: spec.type,
    input: JSON.stringify(spec.input ?? {}),
    // Without a runAt the database's clock decides, like every other timestamp of the queue.
    run_at: spec.runAt ?? null,
    priority: spec.priority ?? 0,
    max_attempts: spec.maxAttempts ?? 3,
    idempotency_key: spec.idempotencyKey ?? null,
    schedule_id: spec.scheduleId ?? null,
    cron: spec.cron ?? null,
    timezone: spec.timezone ?? null,
  };
}

const INSERT_COLUMNS =
  'id, user_id, type, input, run_at, priority, max_attempts, idempotency_key, schedule_id, cron, timezone';

/**
 * Inserts tasks in one statement. Rows whose (user, idempotency key) already exists are skipped;
 * the existing tasks are returned in their place, with `created: false`.
 */
export async function enqueueTasks(
  db: Db,
  specs: readonly EnqueueSpec[],
): Promise<{ row: TaskRow; created: boolean }[]> {
  if (specs.length === 0) return [];
  const values = specs.map(insertValues);
  const placeholders = values.map(
    () => '(?, ?, ?, ?::jsonb, coalesce(?::timestamptz, now()), ?, ?, ?, ?, ?, ?)',
  );
  const bindings = values.flatMap((v) => [
    v.id,
    v.user_id,
    v.type,
    v.input,
    v.run_at,
    v.priority,
    v.max_attempts,
    v.idempotency_key,
    v.schedule_id,
    v.cron,
    v.timezone,
  ]);
  const { rows } = await db.raw<{ rows: TaskRow[] }>(
    `INSERT INTO agent_tasks (${INSERT_COLUMNS}) VALUES ${placeholders.join(', ')}
     ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING *`,
    bindings,
  );
  const inserted = new Map(rows.map((r) => [r.id, r]));
  const out: { row: TaskRow; created: boolean }[] = [];
  for (const v of values) {
    const row = inserted.get(v.id);
    if (row) {
      out.push({ row, created: true });
      continue;
    }
    const existing = await db<TaskRow>('agent_tasks')
      .where({ user_id: v.user_id, idempotency_key: v.idempotency_key })
      .first();
    if (!existing) throw new Error(`Task with idempotency key ${v.idempotency_key} vanished`);
    out.push({ row: existing, created: false });
  }
  return out;
}

export async function enqueueTask(db: Db, spec: EnqueueSpec): Promise<{ row: TaskRow; created: boolean }> {
  const [first] = await enqueueTasks(db, [spec]);
  return first!;
}

export interface ClaimedTask {
  id: string;
  /** Names this claim in every later write (see Fence). */
  claim_token: string;
  user_id: string | null;
  type: string;
  input: unknown;
  attempts: number;
  max_attempts: number;
  schedule_id: string | null;
  priority: number;
  run_at: Date;
}

/**
 * Claims up to `limit` due tasks of the given types: highest priority first, then oldest run_at.
 * SKIP LOCKED lets concurrent workers claim different rows without waiting on each other.
 */
export async function claimTasks(
  db: Knex,
  opts: { workerId: string; types: readonly string[]; limit: number; leaseMs: number },
): Promise<ClaimedTask[]> {
  const { rows } = await db.raw<{ rows: ClaimedTask[] }>(
    `WITH next AS (
       SELECT id FROM agent_tasks
       WHERE status = 'queued' AND run_at <= now() AND type = ANY(?::text[])
       ORDER BY priority DESC, run_at
       LIMIT ?
       FOR UPDATE SKIP LOCKED
     )
     UPDATE agent_tasks t
     SET status = 'running', attempts = t.attempts + 1, locked_by = ?, claim_token = gen_random_uuid(),
         locked_until = now() + ? * interval '1 millisecond', heartbeat_at = now(),
         started_at = now(), finished_at = NULL
     FROM next WHERE t.id = next.id
     RETURNING t.id, t.claim_token, t.user_id, t.type, t.input, t.attempts, t.max_attempts, t.schedule_id,
               t.priority, t.run_at`,
    [[...opts.types], opts.limit, opts.workerId, opts.leaseMs],
  );
  return rows.sort((a, b) => b.priority - a.priority || a.run_at.getTime() - b.run_at.getTime());
}

/** Earliest future moment a queued task of these types, or a schedule, comes due. */
export async function nextDueTimes(
  db: Knex,
  types: readonly string[],
): Promise<{ taskAt: Date | null; scheduleAt: Date | null }> {
  const { rows } = await db.raw<{ rows: { task_at: Date | null; schedule_at: Date | null }[] }>(
    `SELECT
       (SELECT min(run_at) FROM agent_tasks WHERE status = 'queued' AND run_at > now() AND type = ANY(?::text[])) AS task_at,
       (SELECT min(next_run_at) FROM agent_schedules WHERE NOT paused) AS schedule_at`,
    [[...types]],
  );
  return { taskAt: rows[0]?.task_at ?? null, scheduleAt: rows[0]?.schedule_at ?? null };
}

/** One claim of one task: the task id and the token that claim drew. */
export interface Fence {
  id: string;
  claimToken: string;
}

const FENCE_SQL = `id = ? AND claim_token = ? AND status = 'running'`;
const fenceBindings = (f: Fence) => [f.id, f.claimToken];

/** Extends the leases of the worker's running claims; returns the claim tokens still held. */
export async function renewLeases(
  db: Knex,
  opts: { workerId: string; claims: readonly Fence[]; leaseMs: number },
): Promise<Set<string>> {
  const { rows } = await db.raw<{ rows: { claim_token: string }[] }>(
    `WITH worker AS (UPDATE agent_workers SET last_heartbeat_at = now() WHERE id = ?)
     UPDATE agent_tasks SET locked_until = now() + ? * interval '1 millisecond', heartbeat_at = now()
     WHERE id = ANY(?::uuid[]) AND claim_token = ANY(?::uuid[]) AND status = 'running'
     RETURNING claim_token`,
    [opts.workerId, opts.leaseMs, opts.claims.map((c) => c.id), opts.claims.map((c) => c.claimToken)],
  );
  return new Set(rows.map((r) => r.claim_token));
}

export async function reportProgress(
  db: Knex,
  fence: Fence,
  fraction: number,
  message: string | null,
): Promise<boolean> {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const result = await db.raw<{ rowCount: number }>(
    `UPDATE agent_tasks SET progress = ?, progress_message = ? WHERE ${FENCE_SQL}`,
    [clamped.toFixed(4), message, ...fenceBindings(fence)],
  );
  return result.rowCount > 0;
}

/** Stores the result; false when the worker no longer holds the task (nothing written). */
export async function completeTask(db: Knex, fence: Fence, result: unknown): Promise<boolean> {
  const outcome = await db.raw<{ rowCount: number }>(
    `UPDATE agent_tasks
     SET status = 'succeeded', result = ?::jsonb, progress = 1, finished_at = now(), locked_until = NULL
     WHERE ${FENCE_SQL}`,
    [JSON.stringify(result), ...fenceBindings(fence)],
  );
  return outcome.rowCount > 0;
}

/**
 * Records a failed attempt: queued again after `retryInMs`, or failed for good when the attempts
 * are used up or the error is permanent. Returns the new status, or null when not held.
 */
export async function failTask(
  db: Knex,
  fence: Fence,
  opts: { error: string; permanent: boolean; retryInMs: number },
): Promise<'queued' | 'failed' | null> {
  const { rows } = await db.raw<{ rows: { status: 'queued' | 'failed' }[] }>(
    `UPDATE agent_tasks
     SET status = CASE WHEN ? OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         run_at = CASE WHEN ? OR attempts >= max_attempts THEN run_at ELSE now() + ? * interval '1 millisecond' END,
         finished_at = CASE WHEN ? OR attempts >= max_attempts THEN now() END,
         last_error = ?, locked_until = NULL
     WHERE ${FENCE_SQL}
     RETURNING status`,
    [opts.permanent, opts.permanent, opts.retryInMs, opts.permanent, opts.error, ...fenceBindings(fence)],
  );
  return rows[0]?.status ?? null;
}

/** Gives a task back untried (graceful shutdown): queued now, the claim not counted. */
export async function releaseTask(db: Knex, fence: Fence): Promise<boolean> {
  const outcome = await db.raw<{ rowCount: number }>(
    `UPDATE agent_tasks
     SET status = 'queued', attempts = greatest(attempts - 1, 0), run_at = now(), locked_until = NULL,
         started_at = NULL
     WHERE ${FENCE_SQL}`,
    fenceBindings(fence),
  );
  return outcome.rowCount > 0;
}

/**
 * Tasks whose worker stopped heartbeating: queued again at once, or failed when that claim was
 * their last attempt.
 */
export async function requeueExpiredLeases(db: Knex, limit = 100): Promise<number> {
  const result = await db.raw<{ rowCount: number }>(
    `UPDATE agent_tasks t
     SET status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed' ELSE 'queued' END,
         finished_at = CASE WHEN t.attempts >= t.max_attempts THEN now() END,
         run_at = now(), locked_until = NULL,
         last_error = 'Lease expired: worker ' || coalesce(t.locked_by, 'unknown') || ' stopped renewing it'
     WHERE t.id IN (
       SELECT id FROM agent_tasks
       WHERE status = 'running' AND locked_until < now()
       ORDER BY locked_until
       LIMIT ?
       FOR UPDATE SKIP LOCKED
     )`,
    [limit],
  );
  return result.rowCount;
}

export interface WorkerRegistration {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  heartbeatMs: number;
  taskTypes: readonly string[];
}

export async function registerWorker(db: Knex, w: WorkerRegistration): Promise<void> {
  await db.raw(
    `INSERT INTO agent_workers (id, host, pid, concurrency, heartbeat_ms, task_types)
     VALUES (?, ?, ?, ?, ?, ?::text[])
     ON CONFLICT (id) DO UPDATE SET last_heartbeat_at = now(), stopped_at = NULL`,
    [w.id, w.host, w.pid, w.concurrency, w.heartbeatMs, [...w.taskTypes]],
  );
}

export async function markWorkerStopped(db: Knex, workerId: string): Promise<void> {
  await db('agent_workers').where({ id: workerId }).update({ stopped_at: db.fn.now() });
}

/** Forgets workers stopped or silent for more than a day. */
export async function pruneWorkers(db: Knex): Promise<number> {
  return db('agent_workers').where('last_heartbeat_at', '<', db.raw(`now() - interval '1 day'`)).delete();
}
