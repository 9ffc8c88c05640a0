/**
 * Reliability with real worker processes (`pnpm worker`'s code path) on a scratch database:
 * exactly-once under competition, SIGKILL mid-task, connections killed under the workers,
 * configured concurrency, and graceful shutdown on SIGTERM; and the worker `pnpm start` runs
 * in-process unless WORKER_IN_PROCESS=false. Leases and delays are short so this stays quick.
 */
import { describe, expect, it } from 'vitest';
import { type EnqueueSpec, enqueueTask, enqueueTasks, type TaskRow } from '../../src/agents/queue/store.js';
import type { Knex } from '../../src/db/knex.js';
import { insertUser } from '../support/factories.js';
import { ensureRunLog, type RunLogRow } from '../support/task-test-agents.js';
import { eventually } from '../support/tasks-factories.js';
import { CLI_WORKER_ENTRY, scratchDb, spawnServer, spawnWorker } from '../support/worker-processes.js';

async function counts(db: Knex): Promise<Record<string, number>> {
  const rows = await db('agent_tasks').select('status').count({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [String((r as { status: string }).status), Number(r.n)]));
}

async function enqueueOne(db: Knex, spec: EnqueueSpec): Promise<TaskRow> {
  return (await enqueueTask(db, spec)).row;
}

function probes(userId: string, n: number, input: object = {}, maxAttempts = 3) {
  return Array.from({ length: n }, () => ({ userId, type: 'test_probe', input, maxAttempts }));
}

describe('worker processes', () => {
  it('1,000 tasks, 2 worker processes: every task runs exactly once, to success', async () => {
    await using scratch = await scratchDb('exactly_once');
    const { db } = scratch;
    await ensureRunLog(db);
    const user = await insertUser(db);
    await using a = await spawnWorker(scratch);
    await using b = await spawnWorker(scratch);
    // Enqueue while both are running, in batches, so they compete for every batch.
    for (let i = 0; i < 10; i++) await enqueueTasks(db, probes(user.id, 100));
    await eventually(async () => (await counts(db)).succeeded === 1_000, {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: '1,000 tasks to succeed',
    });
    expect(await counts(db)).toEqual({ succeeded: 1_000 });
    const runs = await db<RunLogRow>('test_task_runs');
    expect(runs).toHaveLength(1_000);
    expect(new Set(runs.map((r) => r.task_id)).size).toBe(1_000);
    expect(runs.every((r) => r.outcome === 'ok' && r.attempt === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.pid))).toEqual(new Set([a.pid, b.pid]));
    const attempts = await db('agent_tasks').max({ max: 'attempts' }).min({ min: 'attempts' }).first();
    expect(attempts).toEqual({ max: 1, min: 1 });
  });

  it('SIGKILL mid-task: the task is claimed again after its lease, completes, and stores one result', async () => {
    await using scratch = await scratchDb('sigkill');
    const { db } = scratch;
    await ensureRunLog(db);
    const user = await insertUser(db);
    const doomed = await spawnWorker(scratch);
    const task = await enqueueOne(db, probes(user.id, 1, { sleepMs: 2_000 })[0]!);
    await eventually(async () => (await db('test_task_runs').where({ task_id: task.id })).length === 1, {
      what: 'the handler to start',
    });
    const held = await db<TaskRow>('agent_tasks').where({ id: task.id }).first();
    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(held?.status).toBe('running');

    await using survivor = await spawnWorker(scratch);
    const done = await eventually(
      async () => {
        const row = await db<TaskRow>('agent_tasks').where({ id: task.id }).first();
        return row?.status === 'succeeded' ? row : undefined;
      },
      { what: 'the task to be taken over' },
    );
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ attempt: 2, pid: survivor.pid });
    const runs = await db<RunLogRow>('test_task_runs').where({ task_id: task.id }).orderBy('seq');
    expect(runs.map((r) => [r.pid, r.attempt, r.outcome])).toEqual([
      [doomed.pid, 1, null],
      [survivor.pid, 2, 'ok'],
    ]);
    // Nobody took the task over while the dead worker's lease still held.
    expect(runs[1]!.started_at.getTime()).toBeGreaterThanOrEqual(held!.locked_until!.getTime());
  });

  it('connections killed under the workers: they reconnect, nothing is lost or run twice at once', async () => {
    await using scratch = await scratchDb('terminate');
    const { db } = scratch;
    await ensureRunLog(db);
    const user = await insertUser(db);
    const env = { TASK_LEASE_MS: '2000', TASK_HEARTBEAT_MS: '250' };
    await using _a = await spawnWorker(scratch, env);
    await using _b = await spawnWorker(scratch, env);
    await enqueueTasks(db, probes(user.id, 60, { sleepMs: 150 }, 10));
    const terminate = () =>
      db.raw(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name LIKE 'fo-worker%'`,
      );
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await terminate();
    }
    await eventually(async () => (await counts(db)).succeeded === 60, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'every task to succeed',
    });
    // The listening connections came back too.
    await eventually(async () => {
      const { rows } = await db.raw<{ rows: unknown[] }>(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fo-worker-listen'`,
      );
      return rows.length === 2;
    });
    const runs = await db<RunLogRow>('test_task_runs').orderBy(['task_id', 'started_at']);
    const byTask = new Map<string, RunLogRow[]>();
    for (const r of runs) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r]);
    expect(byTask.size).toBe(60);
    for (const [, taskRuns] of byTask) {
      expect(taskRuns.filter((r) => r.outcome === 'ok')).toHaveLength(1);
      for (let i = 1; i < taskRuns.length; i++) {
        const previous = taskRuns[i - 1]!;
        expect(previous.finished_at).not.toBeNull();
        expect(taskRuns[i]!.started_at.getTime()).toBeGreaterThanOrEqual(previous.finished_at!.getTime());
      }
    }
    // And they carry on with new work.
    const later = await enqueueOne(db, probes(user.id, 1)[0]!);
    await eventually(
      async () => (await db('agent_tasks').where({ id: later.id }).first())?.status === 'succeeded',
    );
  });

  it('runs at most WORKER_CONCURRENCY tasks at once, and that many', async () => {
    await using scratch = await scratchDb('concurrency');
    const { db } = scratch;
    await ensureRunLog(db);
    const user = await insertUser(db);
    await using _w = await spawnWorker(scratch, { WORKER_CONCURRENCY: '2' });
    await enqueueTasks(db, probes(user.id, 6, { sleepMs: 1_000 }));
    await eventually(async () => (await counts(db)).succeeded === 6, { what: 'the six tasks to succeed' });
    const runs = await db<RunLogRow>('test_task_runs');
    expect(runs).toHaveLength(6);
    // The most runs in progress at any moment: sweep over the start and finish times.
    const edges = runs.flatMap((r) => [
      { at: r.started_at.getTime(), delta: 1 },
      { at: r.finished_at!.getTime(), delta: -1 },
    ]);
    edges.sort((x, y) => x.at - y.at || x.delta - y.delta);
    let inFlight = 0;
    let most = 0;
    for (const e of edges) {
      inFlight += e.delta;
      most = Math.max(most, inFlight);
    }
    expect(most).toBe(2);
  }, 120_000);

  it('pnpm start runs a worker in-process by default, and none with WORKER_IN_PROCESS=false', async () => {
    await using scratch = await scratchDb('in_process');
    const { db } = scratch;
    const user = await insertUser(db);
    // Unset (an empty value means unset): the default applies.
    const server = await spawnServer(scratch, { WORKER_IN_PROCESS: '', WORKER_CONCURRENCY: '3' });
    const registered = await db('agent_workers').where({ pid: server.pid, stopped_at: null }).first();
    expect(registered).toMatchObject({ concurrency: 3 });
    const task = await enqueueOne(db, { userId: user.id, type: 'noop', input: { note: 'in-process' } });
    const done = await eventually(async () => {
      const row = await db<TaskRow>('agent_tasks').where({ id: task.id }).first();
      return row?.status === 'succeeded' ? row : undefined;
    });
    expect(done.locked_by).toBe(registered.id);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect((await db('agent_workers').where({ id: registered.id }).first()).stopped_at).toBeInstanceOf(Date);

    await using apiOnly = await spawnServer(scratch, { WORKER_IN_PROCESS: 'false' });
    const health = await fetch(`${apiOnly.url}/healthz`);
    expect(health.status).toBe(200);
    // The in-process worker registers before the server listens: none did.
    expect(await db('agent_workers').where({ pid: apiOnly.pid })).toEqual([]);
    apiOnly.child.kill('SIGTERM');
    expect(await apiOnly.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('pnpm worker runs tasks and stops cleanly on SIGTERM, releasing what it could not finish', async () => {
    await using scratch = await scratchDb('sigterm');
    const { db } = scratch;
    await ensureRunLog(db);
    const user = await insertUser(db);
    const cli = await spawnWorker(scratch, { WORKER_CONCURRENCY: '2' }, CLI_WORKER_ENTRY);
    const noop = await enqueueOne(db, { userId: user.id, type: 'noop', input: {} });
    await eventually(
      async () => (await db('agent_tasks').where({ id: noop.id }).first())?.status === 'succeeded',
    );
    const registered = await db('agent_workers').where({ pid: cli.pid }).first();
    expect(registered).toMatchObject({ concurrency: 2, stopped_at: null });
    expect(registered.task_types).not.toContain('test_probe');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect((await db('agent_workers').where({ pid: cli.pid }).first()).stopped_at).toBeInstanceOf(Date);

    const probe = await spawnWorker(scratch, { SHUTDOWN_TIMEOUT_S: '2' });
    const slow = await enqueueOne(db, probes(user.id, 1, { sleepMs: 60_000 })[0]!);
    await eventually(async () => (await db('test_task_runs').where({ task_id: slow.id })).length === 1);
    probe.child.kill('SIGTERM');
    expect(await probe.exited).toEqual({ code: 0, signal: null });
    const released = await db<TaskRow>('agent_tasks').where({ id: slow.id }).first();
    expect(released).toMatchObject({ status: 'queued', attempts: 0 });
  });
});
