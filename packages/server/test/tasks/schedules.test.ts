/**
 * Recurring tasks at run time: due schedules enqueue one task each, missed slots collapse into one
 * run, and agents that recur by default get a schedule per user.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinAgents, defineAgent } from '../../src/agents/index.js';
import { nextCronRun } from '../../src/agents/queue/schedules.js';
import type { Knex } from '../../src/db/knex.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { actorFor, insertUser } from '../support/factories.js';
import { eventually, startTestWorker } from '../support/tasks-factories.js';

let db: Knex;
let user: { id: string };

beforeEach(async () => {
  db = await getTestDb();
  user = await insertUser(db);
});

describe('nextCronRun', () => {
  it('evaluates the expression in the given time zone, across DST changes', () => {
    // Paris is UTC+1 in winter and UTC+2 in summer (EU rules: the change is on the last Sunday
    // of March, 01:00 UTC).
    expect(nextCronRun('30 6 * * *', 'Europe/Paris', new Date('2026-01-15T12:00:00Z')).toISOString()).toBe(
      '2026-01-16T05:30:00.000Z',
    );
    expect(nextCronRun('30 6 * * *', 'Europe/Paris', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe(
      '2026-03-29T04:30:00.000Z',
    );
    expect(nextCronRun('0 9 * * 1', 'America/New_York', new Date('2026-11-24T12:00:00Z')).toISOString()).toBe(
      '2026-11-30T14:00:00.000Z',
    );
  });
});

describe('schedules at run time', () => {
  it('runs a schedule missed during downtime once, then moves to the next slot after now', async () => {
    const caller = await callerAs(actorFor(user));
    const schedule = await caller.tasks.schedule({
      type: 'noop',
      input: { note: 'hourly' },
      cron: '0 * * * *',
    });
    // The workers were down for three days: 72 hourly slots went by.
    await db('agent_schedules')
      .where({ id: schedule.id })
      .update({ next_run_at: new Date(Date.now() - 3 * 24 * 3_600_000) });
    await using _w = await startTestWorker(db);
    const [task] = await eventually(async () => {
      const rows = await db('agent_tasks').where({ schedule_id: schedule.id, status: 'succeeded' });
      return rows.length ? rows : undefined;
    });
    expect(task).toMatchObject({
      type: 'noop',
      cron: '0 * * * *',
      timezone: 'UTC',
      result: { ok: true, note: 'hourly' },
    });
    const after = (await caller.tasks.schedules.list({ type: 'noop' })).items[0]!;
    expect(after.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(after.lastRunAt).toBeInstanceOf(Date);
    expect(await db('agent_tasks').where({ schedule_id: schedule.id }).count({ n: '*' }).first()).toEqual({
      n: 1,
    });
    const listed = await caller.tasks.list({ scheduleId: schedule.id });
    expect(listed.items.map((t) => t.id)).toEqual([task.id]);
  });

  it('keeps enqueuing on every slot, and not while paused', async () => {
    const caller = await callerAs(actorFor(user));
    const schedule = await caller.tasks.schedule({ type: 'noop', input: {}, cron: '* * * * * *' });
    await using _w = await startTestWorker(db);
    await eventually(async () => {
      const n = await db('agent_tasks')
        .where({ schedule_id: schedule.id, status: 'succeeded' })
        .count({ n: '*' })
        .first();
      return Number(n?.n) >= 2;
    });
    await caller.tasks.schedules.pause({ id: schedule.id });
    // Let a slot that was already being enqueued settle, then nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const settled = await db('agent_tasks').where({ schedule_id: schedule.id }).count({ n: '*' }).first();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await db('agent_tasks').where({ schedule_id: schedule.id }).count({ n: '*' }).first()).toEqual(
      settled,
    );
  });

  it('gives every user the default schedule of an agent that recurs by default', async () => {
    const daily = defineAgent({
      type: 'test_daily',
      input: z.object({}),
      result: z.object({}),
      defaultSchedule: { cron: '0 2 * * *', timezone: 'UTC' },
      handler: async () => ({}),
    });
    const second = await insertUser(db);
    await using _w = await startTestWorker(db, { agents: [...builtinAgents, daily] });
    const rows = await eventually(async () => {
      const r = await db('agent_schedules').where({ type: 'test_daily' }).orderBy('user_id');
      return r.length === 2 ? r : undefined;
    });
    expect(rows.map((r) => r.user_id).sort()).toEqual([user.id, second.id].sort());
    expect(rows.every((r) => r.is_default && r.cron === '0 2 * * *' && !r.paused)).toBe(true);
  });
});
