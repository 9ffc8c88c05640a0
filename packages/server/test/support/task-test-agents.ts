/**
 * Task types used only by the queue's tests. `test_probe` does whatever its input says (sleep,
 * fail N times, fail permanently, ignore its abort signal) and logs every execution to the
 * `test_task_runs` table, so tests can count runs across worker processes: one row per call of
 * the handler (keyed by a token drawn for that call), so even a task run twice by the same
 * process under the same attempt number shows up as two rows.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineAgent, PermanentError } from '../../src/agents/index.js';
import type { Knex } from '../../src/db/knex.js';
import { NotFoundError } from '../../src/services/errors.js';

export const zProbeInput = z.object({
  sleepMs: z.number().int().min(0).default(0),
  /** Attempts up to this number throw a (retryable) error. */
  failTimes: z.number().int().min(0).default(0),
  permanent: z.boolean().default(false),
  /** Fail as a service does when a record the task needs is gone. */
  missingAccountId: z.string().optional(),
  /** Keep sleeping when the signal fires (a badly written handler). */
  ignoreAbort: z.boolean().default(false),
  progress: z.boolean().default(false),
});

export async function ensureRunLog(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS test_task_runs (
    seq bigserial PRIMARY KEY,
    run_token uuid NOT NULL UNIQUE,
    task_id uuid NOT NULL,
    attempt int NOT NULL,
    pid int NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    outcome text
  )`);
}

export interface RunLogRow {
  seq: number;
  task_id: string;
  attempt: number;
  pid: number;
  started_at: Date;
  finished_at: Date | null;
  outcome: string | null;
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The log must survive the connection kills some tests inflict on the worker. */
async function persistently<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export const probeAgent = defineAgent({
  type: 'test_probe',
  input: zProbeInput,
  result: z.object({ attempt: z.number().int(), pid: z.number().int() }),
  async handler({ input, db, signal, task, progress }) {
    // Idempotent: a retried insert whose first try committed unseen (connection killed) is one run.
    const runToken = randomUUID();
    const [run] = await persistently(() =>
      db('test_task_runs')
        .insert({ run_token: runToken, task_id: task.id, attempt: task.attempt, pid: process.pid })
        .onConflict('run_token')
        .merge(['attempt'])
        .returning('seq'),
    );
    const finish = (outcome: string) =>
      persistently(() =>
        db('test_task_runs')
          .where({ seq: run.seq })
          .update({ finished_at: db.raw('clock_timestamp()'), outcome }),
      );
    try {
      if (input.progress) await progress(0.5, 'halfway');
      if (input.sleepMs) await sleep(input.sleepMs, input.ignoreAbort ? null : signal);
      if (input.permanent) throw new PermanentError('probe: permanent failure');
      if (input.missingAccountId) throw new NotFoundError('Account', input.missingAccountId, 'accountId');
      if (task.attempt <= input.failTimes) throw new Error(`probe: failure ${task.attempt}`);
    } catch (err) {
      await finish(signal.aborted ? 'aborted' : 'error');
      throw err;
    }
    await finish('ok');
    return { attempt: task.attempt, pid: process.pid };
  },
});

export const testAgents = [probeAgent];
