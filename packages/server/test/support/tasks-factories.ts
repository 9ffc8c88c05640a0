/**
 * Queue fixtures: an in-process worker with short leases and delays (disposed with `await using`),
 * tasks enqueued straight into the queue, and a helper that waits for a condition on the database.
 */
import pino from 'pino';
import { builtinAgents } from '../../src/agents/index.js';
import type { Agent } from '../../src/agents/queue/definition.js';
import { type EnqueueSpec, enqueueTasks, type TaskRow } from '../../src/agents/queue/store.js';
import { Worker, type WorkerOptions } from '../../src/agents/queue/worker.js';
import type { Knex } from '../../src/db/knex.js';
import { testAgents } from './task-test-agents.js';

export const FAST_QUEUE = {
  leaseMs: 1_500,
  heartbeatMs: 300,
  pollMs: 1_000,
  retryBaseMs: 200,
  retryMaxMs: 2_000,
} as const;

export interface TestWorker extends AsyncDisposable {
  worker: Worker;
}

export async function startTestWorker(
  db: Knex,
  overrides: Partial<WorkerOptions> & { agents?: readonly Agent[] } = {},
): Promise<TestWorker> {
  const worker = new Worker({
    db,
    agents: [...builtinAgents, ...testAgents],
    logger: pino({ level: 'silent' }),
    concurrency: 4,
    ...FAST_QUEUE,
    ...overrides,
  });
  await worker.start();
  return {
    worker,
    async [Symbol.asyncDispose]() {
      await worker.stop(2_000);
    },
  };
}

export async function enqueue(
  db: Knex,
  user: { id: string },
  spec: Partial<EnqueueSpec> & { type: string },
): Promise<TaskRow> {
  const [first] = await enqueueTasks(db, [{ userId: user.id, input: {}, ...spec }]);
  return first!.row;
}

export async function taskRow(db: Knex, id: string): Promise<TaskRow> {
  const row = await db<TaskRow>('agent_tasks').where({ id }).first();
  if (!row) throw new Error(`task ${id} not found`);
  return row;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function waitForStatus(
  db: Knex,
  id: string,
  status: TaskRow['status'] | TaskRow['status'][],
  timeoutMs = 20_000,
): Promise<TaskRow> {
  const wanted = Array.isArray(status) ? status : [status];
  return eventually(
    async () => {
      const row = await taskRow(db, id);
      return wanted.includes(row.status) ? row : undefined;
    },
    { timeoutMs, what: `task ${id} to be ${wanted.join('/')}` },
  );
}
