/**
 * The tasks procedures through the tRPC caller: create (idempotent), read, list, cancel, retry,
 * schedules, workers and scopes.
 */
import os from 'node:os';
import { TRPCError } from '@trpc/server';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { actorFor, insertUser } from '../support/factories.js';
import { eventually, startTestWorker, taskRow, waitForStatus } from '../support/tasks-factories.js';

let db: Knex;
let user: { id: string };
let caller: Awaited<ReturnType<typeof callerAs>>;

beforeEach(async () => {
  db = await getTestDb();
  user = await insertUser(db);
  caller = await callerAs(actorFor(user));
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('tasks.create / byId', () => {
  it('creates a queued task with its input validated and typed', async () => {
    const task = await caller.tasks.create({ type: 'noop', input: { note: 'x' }, priority: 3 });
    expect(task).toMatchObject({
      type: 'noop',
      status: 'queued',
      priority: 3,
      attempts: 0,
      maxAttempts: 3,
      progress: 0,
      input: { note: 'x' },
      result: null,
    });
    expect(task.createdAt).toBeInstanceOf(Date);
    const fetched = await caller.tasks.byId({ id: task.id });
    expect(fetched).toEqual(task);
    if (fetched.type === 'noop')
      expectTypeOf(fetched.result).toEqualTypeOf<{ ok: true; note: string | null } | null>();
  });

  it('returns the existing task for a repeated idempotency key', async () => {
    const first = await caller.tasks.create({
      type: 'noop',
      input: {},
      idempotencyKey: 'nightly-2026-11-24',
    });
    const again = await caller.tasks.create({
      type: 'noop',
      input: { note: 'different' },
      idempotencyKey: 'nightly-2026-11-24',
    });
    expect(again.id).toBe(first.id);
    expect(await db('agent_tasks').count({ n: '*' }).first()).toEqual({ n: 1 });
    // Keys are per user: another user's identical key makes another task.
    const other = await callerAs(actorFor(await insertUser(db)));
    const theirs = await other.tasks.create({
      type: 'noop',
      input: {},
      idempotencyKey: 'nightly-2026-11-24',
    });
    expect(theirs.id).not.toBe(first.id);
  });

  it('answers simultaneous creates with the same key with one task, and no error', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      caller.tasks.create({ type: 'noop', input: { note: `try ${i}` }, idempotencyKey: 'import-batch-7' }),
    );
    const settled = await Promise.allSettled(attempts);
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ids = new Set(settled.map((s) => (s as PromiseFulfilledResult<{ id: string }>).value.id));
    expect(ids.size).toBe(1);
    const rows = await db('agent_tasks').where({ idempotency_key: 'import-batch-7' });
    expect(rows.map((r) => r.id)).toEqual([...ids]);
  });

  it('does not run a task before its runAt', async () => {
    const runAt = new Date(Date.now() + 3_600_000);
    const later = await caller.tasks.create({ type: 'noop', input: {}, runAt, priority: 10 });
    expect(later.runAt).toEqual(runAt);
    const now = await caller.tasks.create({ type: 'noop', input: {} });
    await using _w = await startTestWorker(db);
    await waitForStatus(db, now.id, 'succeeded');
    expect(await taskRow(db, later.id)).toMatchObject({ status: 'queued', attempts: 0, started_at: null });
  });

  it('rejects unknown types and invalid input with BAD_REQUEST, writing nothing', async () => {
    const bad = { type: 'nope', input: {} } as unknown as Parameters<typeof caller.tasks.create>[0];
    expect(await codeOf(caller.tasks.create(bad))).toBe('BAD_REQUEST');
    const badInput = { type: 'noop', input: { note: 42 } } as unknown as Parameters<
      typeof caller.tasks.create
    >[0];
    expect(await codeOf(caller.tasks.create(badInput))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.tasks.create({ type: 'noop', input: {}, maxAttempts: 0 }))).toBe(
      'BAD_REQUEST',
    );
    expect(await db('agent_tasks').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('needs the tasks scope to create, and read to look', async () => {
    const readOnly = await callerAs(actorFor(user, new Set(['read', 'write'])));
    expect(await codeOf(readOnly.tasks.create({ type: 'noop', input: {} }))).toBe('FORBIDDEN');
    const task = await caller.tasks.create({ type: 'noop', input: {} });
    expect((await readOnly.tasks.byId({ id: task.id })).id).toBe(task.id);
    expect(await codeOf(readOnly.tasks.cancel({ id: task.id }))).toBe('FORBIDDEN');
    const tasksOnly = await callerAs(actorFor(user, new Set(['tasks'])));
    expect(await codeOf(tasksOnly.tasks.list({}))).toBe('FORBIDDEN');
    expect((await tasksOnly.tasks.cancel({ id: task.id })).status).toBe('cancelled');
  });

  it('requires authentication', async () => {
    const anonymous = await callerAs(null);
    expect(await codeOf(anonymous.tasks.list({}))).toBe('UNAUTHORIZED');
  });

  it('answers NOT_FOUND for a missing task', async () => {
    expect(await codeOf(caller.tasks.byId({ id: '01900000-0000-7000-8000-000000000000' }))).toBe('NOT_FOUND');
  });
});

describe('tasks.list', () => {
  it('filters by status, type and date, newest first, in pages', async () => {
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await caller.tasks.create({ type: 'noop', input: { note: `${i}` } }));
    await caller.tasks.cancel({ id: created[1]!.id });
    const page1 = await caller.tasks.list({ limit: 2 });
    expect(page1.items.map((t) => t.id)).toEqual([created[4]!.id, created[3]!.id]);
    const page2 = await caller.tasks.list({ limit: 2, cursor: page1.nextCursor! });
    const page3 = await caller.tasks.list({ limit: 2, cursor: page2.nextCursor! });
    expect([...page2.items, ...page3.items].map((t) => t.id)).toEqual(
      [created[2], created[1], created[0]].map((t) => t!.id),
    );
    expect(page3.nextCursor).toBeNull();

    const cancelled = await caller.tasks.list({ status: 'cancelled' });
    expect(cancelled.items.map((t) => t.id)).toEqual([created[1]!.id]);
    expect((await caller.tasks.list({ status: ['queued', 'cancelled'] })).items).toHaveLength(5);
    expect((await caller.tasks.list({ type: 'portfolio_analysis' })).items).toHaveLength(0);
    expect((await caller.tasks.list({ createdFrom: new Date(Date.now() + 60_000) })).items).toHaveLength(0);
    expect((await caller.tasks.list({ createdTo: new Date(Date.now() + 60_000) })).items).toHaveLength(5);
    expect(await codeOf(caller.tasks.list({ cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });

  it('lists dead tasks with their last error', async () => {
    const task = await caller.tasks.create({ type: 'noop', input: {} });
    await db('agent_tasks')
      .where({ id: task.id })
      .update({ status: 'failed', last_error: 'boom', attempts: 3 });
    const [dead] = (await caller.tasks.list({ status: 'failed' })).items;
    expect(dead).toMatchObject({ id: task.id, lastError: 'boom', attempts: 3 });
  });
});

describe('tasks.cancel / retry', () => {
  it('cancels a queued task so it never runs', async () => {
    const task = await caller.tasks.create({ type: 'noop', input: {} });
    const cancelled = await caller.tasks.cancel({ id: task.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
    const later = await caller.tasks.create({ type: 'noop', input: {} });
    await using _w = await startTestWorker(db);
    await waitForStatus(db, later.id, 'succeeded');
    const row = await taskRow(db, task.id);
    expect(row.status).toBe('cancelled');
    expect(row.attempts).toBe(0);
    expect(await codeOf(caller.tasks.cancel({ id: task.id }))).toBe('CONFLICT');
  });

  it('retries a failed task now, with a fresh allowance of attempts', async () => {
    const task = await caller.tasks.create({ type: 'noop', input: {} });
    expect(await codeOf(caller.tasks.retry({ id: task.id }))).toBe('CONFLICT');
    await db('agent_tasks')
      .where({ id: task.id })
      .update({ status: 'failed', attempts: 3, last_error: 'boom', finished_at: db.fn.now() });
    const retried = await caller.tasks.retry({ id: task.id });
    expect(retried).toMatchObject({ status: 'queued', attempts: 0, finishedAt: null, lastError: 'boom' });
    await using _w = await startTestWorker(db);
    const done = await waitForStatus(db, task.id, 'succeeded');
    expect(done.attempts).toBe(1);
    expect((await caller.tasks.byId({ id: task.id })).result).toEqual({ ok: true, note: null });
  });
});

describe('tasks.schedule and tasks.schedules.*', () => {
  it('creates a schedule whose next run follows the cron in its time zone', async () => {
    const schedule = await caller.tasks.schedule({
      type: 'noop',
      input: {},
      cron: '30 6 * * *',
      timezone: 'Europe/Paris',
    });
    expect(schedule).toMatchObject({ type: 'noop', paused: false, isDefault: false, lastRunAt: null });
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
    }).format(schedule.nextRunAt);
    expect(local).toBe('06:30');
    expect(schedule.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(schedule.nextRunAt.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
  });

  it('rejects a bad cron expression or time zone', async () => {
    expect(await codeOf(caller.tasks.schedule({ type: 'noop', input: {}, cron: '61 * * * *' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(caller.tasks.schedule({ type: 'noop', input: {}, cron: 'every day' }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(
        caller.tasks.schedule({ type: 'noop', input: {}, cron: '0 6 * * *', timezone: 'Mars/Olympus' }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('lists, pauses, resumes and deletes schedules', async () => {
    const a = await caller.tasks.schedule({ type: 'noop', input: {}, cron: '0 6 * * *' });
    const b = await caller.tasks.schedule({ type: 'noop', input: { note: 'b' }, cron: '0 7 * * 1' });
    expect((await caller.tasks.schedules.list({})).items.map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await caller.tasks.schedules.pause({ id: a.id })).paused).toBe(true);
    await db('agent_schedules')
      .where({ id: a.id })
      .update({ next_run_at: new Date('2020-01-01T06:00:00Z') });
    const resumed = await caller.tasks.schedules.resume({ id: a.id });
    expect(resumed.paused).toBe(false);
    expect(resumed.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    await caller.tasks.schedules.delete({ id: b.id });
    expect((await caller.tasks.schedules.list({})).items.map((s) => s.id)).toEqual([a.id]);
    expect(await codeOf(caller.tasks.schedules.delete({ id: b.id }))).toBe('NOT_FOUND');
  });

  it('refuses to delete a default schedule (pause it instead)', async () => {
    const [row] = await db('agent_schedules')
      .insert({
        user_id: user.id,
        type: 'noop',
        cron: '0 2 * * *',
        timezone: 'UTC',
        next_run_at: new Date(Date.now() + 3_600_000),
        is_default: true,
      })
      .returning('id');
    expect(await codeOf(caller.tasks.schedules.delete({ id: row.id }))).toBe('CONFLICT');
    expect((await caller.tasks.schedules.pause({ id: row.id })).paused).toBe(true);
  });
});

describe('tasks.workers', () => {
  it('shows running workers with identity, start time and heartbeat, and stopped ones as stopped', async () => {
    const w = await startTestWorker(db, { concurrency: 2 });
    const { items } = await caller.tasks.workers();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: w.worker.id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: 2,
      state: 'active',
      stoppedAt: null,
    });
    expect(items[0]!.taskTypes).toContain('noop');
    expect(items[0]!.startedAt).toBeInstanceOf(Date);
    const firstBeat = items[0]!.lastHeartbeatAt;
    expect(firstBeat.getTime()).toBeGreaterThanOrEqual(items[0]!.startedAt.getTime());
    // The heartbeat moves while the worker runs.
    await eventually(async () => (await caller.tasks.workers()).items[0]!.lastHeartbeatAt > firstBeat, {
      what: 'a newer heartbeat',
    });
    await w.worker.stop(1_000);
    expect((await caller.tasks.workers()).items[0]!.state).toBe('stopped');
    await db('agent_workers').update({
      stopped_at: null,
      last_heartbeat_at: db.raw(`now() - interval '10 minutes'`),
    });
    expect((await caller.tasks.workers()).items[0]!.state).toBe('stale');
  });
});
