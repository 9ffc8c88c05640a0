/**
 * The queue with an in-process worker against real PostgreSQL: claiming, retries with backoff,
 * permanent failures, cancellation, leases (renewed, expired), polling without LISTEN, progress
 * and graceful shutdown.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/agents/queue/definition.js';
import { claimTasks, requeueExpiredLeases } from '../../src/agents/queue/store.js';
import { createKnex, type Knex } from '../../src/db/knex.js';
import { getTestDb } from '../support/db.js';
import { insertUser } from '../support/factories.js';
import { ensureRunLog, type RunLogRow } from '../support/task-test-agents.js';
import {
  enqueue,
  eventually,
  FAST_QUEUE,
  startTestWorker,
  taskRow,
  waitForStatus,
} from '../support/tasks-factories.js';
import { scratchDb } from '../support/worker-processes.js';

let db: Knex;
let user: { id: string };

async function runs(taskId?: string): Promise<RunLogRow[]> {
  const q = db<RunLogRow>('test_task_runs').orderBy('seq');
  return taskId ? q.where({ task_id: taskId }) : q;
}

beforeEach(async () => {
  db = await getTestDb();
  await ensureRunLog(db);
  await db.raw('TRUNCATE test_task_runs');
  user = await insertUser(db);
});

describe('retryDelayMs', () => {
  it('doubles per attempt with equal jitter: half the step, plus up to half again, capped', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1_000, 60_000, low))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1_000, 60_000, high))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(retryDelayMs(3, 1_000, 60_000, () => 0.5)).toBe(3_000);
    // The cap applies to the step: never more than the maximum.
    expect(retryDelayMs(20, 1_000, 60_000, high)).toBe(60_000);
    expect(retryDelayMs(20, 1_000, 60_000, low)).toBe(30_000);
    // With Math.random the delays spread over the whole band.
    const delays = Array.from({ length: 200 }, () => retryDelayMs(2, 1_000, 60_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2_000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});

describe('task queue', () => {
  it('runs a task once and stores its result', async () => {
    const task = await enqueue(db, user, { type: 'noop', input: { note: 'hello' } });
    await using _w = await startTestWorker(db);
    const done = await waitForStatus(db, task.id, 'succeeded');
    expect(done.result).toEqual({ ok: true, note: 'hello' });
    expect(done.attempts).toBe(1);
    expect(done.progress).toBe('1.0000');
    expect(done.locked_until).toBeNull();
    expect(done.started_at).toBeInstanceOf(Date);
    expect(done.finished_at!.getTime()).toBeGreaterThanOrEqual(done.started_at!.getTime());
  });

  it('claims by priority, then by run_at', async () => {
    const past = (s: number) => new Date(Date.now() - s * 1000);
    const low = await enqueue(db, user, { type: 'noop', priority: 0, runAt: past(30) });
    const high = await enqueue(db, user, { type: 'noop', priority: 5, runAt: past(1) });
    const highOlder = await enqueue(db, user, { type: 'noop', priority: 5, runAt: past(10) });
    const future = await enqueue(db, user, {
      type: 'noop',
      priority: 9,
      runAt: new Date(Date.now() + 3_600_000),
    });
    const claimed = await claimTasks(db, { workerId: 'w', types: ['noop'], limit: 10, leaseMs: 10_000 });
    expect(claimed.map((t) => t.id)).toEqual([highOlder.id, high.id, low.id]);
    expect(claimed.every((t) => t.attempts === 1)).toBe(true);
    expect((await taskRow(db, future.id)).status).toBe('queued');
  });

  it('claims only the task types the worker knows', async () => {
    const unknown = await enqueue(db, user, { type: 'someone_elses_type' });
    const known = await enqueue(db, user, { type: 'noop' });
    const claimed = await claimTasks(db, { workerId: 'w', types: ['noop'], limit: 10, leaseMs: 10_000 });
    expect(claimed.map((t) => t.id)).toEqual([known.id]);
    expect((await taskRow(db, unknown.id)).status).toBe('queued');
  });

  it('retries a failing handler with backoff: fails twice, then succeeds on attempt 3', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { failTimes: 2 }, maxAttempts: 5 });
    await using _w = await startTestWorker(db, { retryBaseMs: 300, retryMaxMs: 5_000 });
    const done = await waitForStatus(db, task.id, 'succeeded');
    expect(done.attempts).toBe(3);
    expect(done.result).toEqual({ attempt: 3, pid: process.pid });
    expect(done.last_error).toBe('probe: failure 2');
    const log = await runs(task.id);
    expect(log.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'ok'],
    ]);
    // Equal jitter: the n-th retry waits at least half of base * 2^(n-1).
    const gap = (a: RunLogRow, b: RunLogRow) => b.started_at.getTime() - a.finished_at!.getTime();
    expect(gap(log[0]!, log[1]!)).toBeGreaterThanOrEqual(150);
    expect(gap(log[1]!, log[2]!)).toBeGreaterThanOrEqual(300);
  });

  it('marks a task failed with its last error once the attempts are used up', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { failTimes: 10 }, maxAttempts: 2 });
    await using _w = await startTestWorker(db, { retryBaseMs: 10 });
    const failed = await waitForStatus(db, task.id, 'failed');
    expect(failed.attempts).toBe(2);
    expect(failed.last_error).toBe('probe: failure 2');
    expect(failed.result).toBeNull();
    expect(failed.finished_at).toBeInstanceOf(Date);
  });

  it('fails permanently without retrying', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { permanent: true }, maxAttempts: 5 });
    await using _w = await startTestWorker(db);
    const failed = await waitForStatus(db, task.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toBe('probe: permanent failure');
    expect(await runs(task.id)).toHaveLength(1);
  });

  it('fails permanently without retrying when data the task needs is missing', async () => {
    const task = await enqueue(db, user, {
      type: 'test_probe',
      input: { missingAccountId: '01900000-0000-7000-8000-00000000abcd' },
      maxAttempts: 5,
    });
    await using _w = await startTestWorker(db);
    const failed = await waitForStatus(db, task.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toBe('Account 01900000-0000-7000-8000-00000000abcd not found');
    expect(await runs(task.id)).toHaveLength(1);
  });

  it('fails a task with invalid input permanently, naming the field', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { sleepMs: 'long' }, maxAttempts: 5 });
    await using _w = await startTestWorker(db);
    const failed = await waitForStatus(db, task.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/^Invalid input for test_probe: sleepMs: /);
    expect(await runs(task.id)).toHaveLength(0);
  });

  it('cancels a running task: the handler is aborted, the status is cancelled, no result is kept', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { sleepMs: 30_000 } });
    await using _w = await startTestWorker(db);
    await eventually(async () => (await runs(task.id)).length === 1, { what: 'the handler to start' });
    // What tasks.cancel writes (api.test.ts cancels through the caller; its output cannot name a test type).
    await db('agent_tasks')
      .where({ id: task.id })
      .update({ status: 'cancelled', finished_at: db.fn.now(), locked_until: null });
    const log = await eventually(
      async () => {
        const r = await runs(task.id);
        return r[0]?.outcome ? r : undefined;
      },
      { what: 'the handler to be aborted' },
    );
    expect(log[0]!.outcome).toBe('aborted');
    const row = await taskRow(db, task.id);
    expect(row.status).toBe('cancelled');
    expect(row.result).toBeNull();
    expect(row.attempts).toBe(1);
  });

  it('reports progress while running', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', input: { progress: true, sleepMs: 400 } });
    await using _w = await startTestWorker(db);
    const midway = await eventually(async () => {
      const row = await taskRow(db, task.id);
      return row.progress === '0.5000' ? row : undefined;
    });
    expect(midway.progress_message).toBe('halfway');
    expect(midway.status).toBe('running');
    await waitForStatus(db, task.id, 'succeeded');
  });

  it('keeps a long task leased through heartbeats: no other worker takes it over', async () => {
    // Three lease periods long, with a second worker waiting for the lease to lapse.
    const task = await enqueue(db, user, { type: 'test_probe', input: { sleepMs: 3 * FAST_QUEUE.leaseMs } });
    await using holder = await startTestWorker(db, { concurrency: 1 });
    const claimed = await waitForStatus(db, task.id, 'running');
    await using _rival = await startTestWorker(db, { concurrency: 1 });
    const renewed = await eventually(async () => {
      const row = await taskRow(db, task.id);
      const sameClaim = row.status === 'running' && row.locked_by === holder.worker.id && row.attempts === 1;
      return sameClaim && row.locked_until! > claimed.locked_until! ? row : undefined;
    });
    expect(renewed.heartbeat_at!.getTime()).toBeGreaterThan(claimed.heartbeat_at!.getTime());
    const done = await waitForStatus(db, task.id, 'succeeded');
    expect(done).toMatchObject({ attempts: 1, last_error: null, locked_by: holder.worker.id });
    expect((await runs(task.id)).map((r) => [r.attempt, r.outcome])).toEqual([[1, 'ok']]);
  });

  it('takes over a task whose worker died once its lease expires, counting the attempt', async () => {
    const task = await enqueue(db, user, { type: 'test_probe' });
    // A worker claims it and dies: nobody renews the lease.
    await claimTasks(db, { workerId: 'dead-worker', types: ['test_probe'], limit: 1, leaseMs: 300 });
    expect((await taskRow(db, task.id)).locked_by).toBe('dead-worker');
    await using w = await startTestWorker(db);
    const done = await waitForStatus(db, task.id, 'succeeded');
    expect(done.attempts).toBe(2);
    expect(done.locked_by).toBe(w.worker.id);
    expect(done.last_error).toMatch(/Lease expired: worker dead-worker/);
  });

  it('fails an expired task that has no attempts left', async () => {
    const task = await enqueue(db, user, { type: 'test_probe', maxAttempts: 1 });
    await claimTasks(db, { workerId: 'dead-worker', types: ['test_probe'], limit: 1, leaseMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await requeueExpiredLeases(db)).toBe(1);
    const row = await taskRow(db, task.id);
    expect(row.status).toBe('failed');
    expect(row.finished_at).toBeInstanceOf(Date);
  });

  it('a task retried while its cancelled run goes on: only the new run finishes it, in the same worker', async () => {
    // A handler that ignores its signal keeps running after the cancel; the retry is claimed at
    // once by the same worker, under the same attempt number (retry starts the count again).
    const task = await enqueue(db, user, {
      type: 'test_probe',
      input: { sleepMs: 1_000, ignoreAbort: true },
    });
    await using w = await startTestWorker(db, { concurrency: 2 });
    await eventually(async () => (await runs(task.id)).length === 1, { what: 'the first run to start' });
    // What tasks.cancel and tasks.retry write (api.test.ts goes through the caller). The cancel's
    // notification is lost (triggers off, as when the worker's LISTEN connection is down).
    await db.transaction(async (trx) => {
      await trx.raw('SET LOCAL session_replication_role = replica');
      await trx('agent_tasks')
        .where({ id: task.id })
        .update({ status: 'cancelled', finished_at: trx.fn.now(), locked_until: null });
    });
    await db('agent_tasks').where({ id: task.id }).update({
      status: 'queued',
      run_at: db.fn.now(),
      attempts: 0,
      finished_at: null,
      started_at: null,
      result: null,
      progress: '0',
      progress_message: null,
      locked_until: null,
    });
    const done = await waitForStatus(db, task.id, 'succeeded');
    const [first, second] = await runs(task.id);
    expect([first?.attempt, second?.attempt]).toEqual([1, 1]);
    // Succeeded only once the new run had finished, which it has, successfully.
    expect(second?.outcome).toBe('ok');
    expect(done).toMatchObject({ attempts: 1, locked_by: w.worker.id });
    // The old run finished first, but the task was done only when the new one was.
    expect(first!.finished_at!.getTime()).toBeLessThan(second!.finished_at!.getTime());
    expect(done.finished_at!.getTime()).toBeGreaterThanOrEqual(second!.finished_at!.getTime());
    // Both runs left the worker: its slots are free again.
    await eventually(async () => w.worker.inFlight === 0, { what: 'the worker to be idle' });
  });

  it('a stale worker cannot overwrite a task another worker now holds', async () => {
    const task = await enqueue(db, user, {
      type: 'test_probe',
      input: { sleepMs: 1_500, ignoreAbort: true },
    });
    await using first = await startTestWorker(db, { concurrency: 1 });
    await eventually(async () => (await runs(task.id)).length === 1);
    // Simulate the first worker losing its lease: the row moves on without it.
    await db('agent_tasks')
      .where({ id: task.id })
      .update({
        locked_by: 'other-worker',
        claim_token: randomUUID(),
        attempts: 2,
        locked_until: new Date(Date.now() + 3_600_000),
      });
    const log = await eventually(async () => {
      const r = await runs(task.id);
      return r[0]?.outcome ? r : undefined;
    });
    expect(log[0]!.outcome).toBe('ok');
    await first.worker.stop(1_000);
    const row = await taskRow(db, task.id);
    expect(row.status).toBe('running');
    expect(row.result).toBeNull();
  });

  it('graceful shutdown lets short tasks finish and releases the rest untried', async () => {
    const quick = await enqueue(db, user, { type: 'test_probe', input: { sleepMs: 100 } });
    const slow = await enqueue(db, user, { type: 'test_probe', input: { sleepMs: 60_000 } });
    const w = await startTestWorker(db);
    await eventually(async () => (await runs()).length === 2, { what: 'both handlers to start' });
    await w.worker.stop(600);
    expect((await taskRow(db, quick.id)).status).toBe('succeeded');
    const released = await taskRow(db, slow.id);
    expect(released.status).toBe('queued');
    expect(released.attempts).toBe(0);
    expect((await runs(slow.id))[0]!.outcome).toBe('aborted');
    const worker = await db('agent_workers').where({ id: w.worker.id }).first();
    expect(worker.stopped_at).toBeInstanceOf(Date);
  });

  it('releases a task whose handler ignores the abort signal when the deadline passes', async () => {
    const stubborn = await enqueue(db, user, {
      type: 'test_probe',
      input: { sleepMs: 3_000, ignoreAbort: true },
    });
    const w = await startTestWorker(db);
    await eventually(async () => (await runs()).length === 1);
    await w.worker.stop(300);
    const row = await taskRow(db, stubborn.id);
    expect(row.status).toBe('queued');
    expect(row.attempts).toBe(0);
  });

  it('finds due tasks by polling while its LISTEN connection is gone', async () => {
    await using scratch = await scratchDb('deaf_worker');
    const deafDb = createKnex({ connectionString: scratch.url, poolMax: 8, applicationName: 'fo-test-deaf' });
    const listening = async () => {
      const { rows } = await deafDb.raw<{ rows: unknown[] }>(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fo-worker-listen'`,
      );
      return rows.length;
    };
    try {
      const owner = await insertUser(deafDb);
      const logged: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
      await using w = await startTestWorker(deafDb, { concurrency: 1, pollMs: 500, logger });
      await eventually(async () => (await listening()) === 1, { what: 'the worker to listen' });
      // Open every pooled connection now: once the database refuses new ones, these are all there is.
      await Promise.all(Array.from({ length: 8 }, () => deafDb.raw('SELECT pg_sleep(0.05)')));
      const { rows } = await deafDb.raw<{ rows: { name: string }[] }>('SELECT current_database() AS name');
      const name = rows[0]!.name;
      // From another database: PostgreSQL refuses to shut out the database a session is in.
      await db.raw(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      try {
        await deafDb.raw(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'fo-worker-listen'`,
        );
        await eventually(async () => logged.some((l) => l.includes('task listener connection lost')), {
          what: 'the worker to notice its listener is gone',
        });
        expect(await listening()).toBe(0);
        // Due a little later, so only a worker that keeps polling while deaf can find it.
        const task = await enqueue(deafDb, owner, {
          type: 'noop',
          input: { note: 'polled' },
          runAt: new Date(Date.now() + 1_000),
        });
        const done = await waitForStatus(deafDb, task.id, 'succeeded');
        expect(done.locked_by).toBe(w.worker.id);
        // Nobody could have told it: its listener is still shut out.
        expect(await listening()).toBe(0);
      } finally {
        await db.raw(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      }
      // And it listens again once it can.
      await eventually(async () => (await listening()) === 1, { what: 'the listener to reconnect' });
    } finally {
      await deafDb.destroy();
    }
  });

  it('registers the worker and keeps its heartbeat fresh', async () => {
    await using w = await startTestWorker(db, { concurrency: 3 });
    const first = await db('agent_workers').where({ id: w.worker.id }).first();
    expect(first).toMatchObject({ pid: process.pid, concurrency: 3, heartbeat_ms: 300, stopped_at: null });
    expect(first.task_types).toEqual(expect.arrayContaining(['noop', 'test_probe']));
    await eventually(async () => {
      const now = await db('agent_workers').where({ id: w.worker.id }).first();
      return now.last_heartbeat_at > first.last_heartbeat_at;
    });
  });
});
