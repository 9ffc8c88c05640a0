/**
 * Recurring tasks. Cron expressions are evaluated with cron-parser in the schedule's time zone
 * (DST transitions included). When a schedule comes due, one task is enqueued and `next_run_at`
 * moves to the first slot after *now*, so a worker that was down for three days runs a daily
 * schedule once, not three times.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Knex } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { Agent } from './definition.js';
import { enqueueTask } from './store.js';

export class InvalidCronError extends Error {
  override name = 'InvalidCronError';
}

/** The first run strictly after `after`, in `timezone`. Throws InvalidCronError for a bad expression. */
export function nextCronRun(cron: string, timezone: string, after: Date): Date {
  let next: Date;
  try {
    next = CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
  } catch (err) {
    throw new InvalidCronError(err instanceof Error ? err.message : String(err));
  }
  if (Number.isNaN(next.getTime())) throw new InvalidCronError(`'${cron}' never runs`);
  return next;
}

interface DueScheduleRow {
  id: string;
  user_id: string;
  type: string;
  input: unknown;
  cron: string;
  timezone: string;
  priority: number;
  max_attempts: number;
  next_run_at: Date;
  db_now: Date;
}

/**
 * Enqueues one task per due schedule and advances each. Schedules are locked with SKIP LOCKED, and
 * the task's idempotency key names the slot, so two workers never enqueue the same run.
 */
export async function enqueueDueSchedules(db: Knex, logger: Logger, limit = 100): Promise<number> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: DueScheduleRow[] }>(
      `SELECT id, user_id, type, input, cron, timezone, priority, max_attempts, next_run_at, now() AS db_now
       FROM agent_schedules
       WHERE NOT paused AND next_run_at <= now()
       ORDER BY next_run_at
       LIMIT ?
       FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    for (const s of rows) {
      let next: Date;
      try {
        next = nextCronRun(s.cron, s.timezone, s.db_now);
      } catch (err) {
        // Validated on creation; only a cron-parser upgrade could get here. Stop it rather than spin.
        logger.error({ err, scheduleId: s.id, cron: s.cron }, 'unparseable schedule paused');
        await trx('agent_schedules').where({ id: s.id }).update({ paused: true });
        continue;
      }
      await enqueueTask(trx, {
        userId: s.user_id,
        type: s.type,
        input: s.input,
        priority: s.priority,
        maxAttempts: s.max_attempts,
        scheduleId: s.id,
        cron: s.cron,
        timezone: s.timezone,
        idempotencyKey: `schedule:${s.id}:${s.next_run_at.toISOString()}`,
      });
      await trx('agent_schedules').where({ id: s.id }).update({ next_run_at: next, last_run_at: s.db_now });
    }
    return rows.length;
  });
}

/** Gives every user the default schedule of each agent that recurs by default, unless they have one. */
export async function ensureDefaultSchedules(db: Knex, agents: readonly Agent[]): Promise<number> {
  let created = 0;
  for (const agent of agents) {
    if (!agent.defaultSchedule) continue;
    const { cron, timezone } = agent.defaultSchedule;
    const next = nextCronRun(cron, timezone, new Date());
    const result = await db.raw<{ rowCount: number }>(
      `INSERT INTO agent_schedules (user_id, type, input, cron, timezone, next_run_at, is_default)
       SELECT u.id, ?, '{}'::jsonb, ?, ?, ?, true FROM users u
       WHERE NOT EXISTS (
         SELECT 1 FROM agent_schedules s WHERE s.user_id = u.id AND s.type = ? AND s.is_default
       )
       ON CONFLICT DO NOTHING`,
      [agent.type, cron, timezone, next, agent.type],
    );
    created += result.rowCount;
  }
  return created;
}
