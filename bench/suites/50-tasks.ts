/**
 * Task queue: no-op tasks per second with ONE worker process, and enqueue→start latency (p50/p99),
 * for our queue and graphile-worker side by side, on the same PostgreSQL, the same concurrency and
 * the same kind of process (a worker started with tsx). Targets: ≥ 0.5× graphile-worker's
 * unbatched throughput, p50 start latency ≤ 10 ms.
 *
 * Throughput: N tasks inserted in one statement while the worker idles; time from that commit to
 * the last completion (polled every 10 ms). Latency: tasks inserted one at a time, 10 ms apart, to
 * an idle worker; the interval is measured by the database clock on both sides: insert's now() to
 * claim's now() (our `started_at`, graphile-worker's `locked_at`).
 *
 * PostgreSQL: BENCH_DATABASE_URL, DATABASE_URL or TEST_DATABASE_URL (a scratch database is
 * created and dropped), else an embedded server in .data/postgres-bench.
 * Knobs: BENCH_TASKS (default 5000), BENCH_LATENCY_SAMPLES (300), BENCH_CONCURRENCY (10).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMigrations } from 'graphile-worker';
import { createKnex, type Knex } from '../../packages/server/src/db/knex.js';
import { migrateLatest } from '../../packages/server/src/db/migrations.js';
import { scratchDatabase } from '../lib/scratch-db.js';
import type { BenchSuite } from '../run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const SERVER_DIR = path.join(ROOT, 'packages/server');
const OUR_WORKER = path.join(SERVER_DIR, 'src/cli/worker.ts');
const GRAPHILE_RUNNER = path.join(ROOT, 'bench/tasks/graphile-runner.ts');

const TASKS = Number(process.env.BENCH_TASKS ?? '5000');
const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? '300');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '10');
const SPACING_MS = 10;

interface Figures {
  tasksPerSecond: number;
  p50: number;
  p99: number;
}

interface QueueUnderTest {
  name: string;
  start(): Promise<ChildProcess>;
  /** Inserts n no-op tasks in one statement. */
  enqueueBatch(n: number): Promise<void>;
  remaining(): Promise<number>;
  enqueueProbe(): Promise<void>;
  /** Enqueue→claim intervals in ms, once `n` probes have started. */
  latencies(n: number): Promise<number[] | null>;
  reset(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function waitFor<T>(
  check: () => Promise<T | null | false>,
  what: string,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function spawnTsx(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

function ours(db: Knex, url: string, userId: string): QueueUnderTest {
  return {
    name: 'fo queue',
    async start() {
      const child = spawnTsx(OUR_WORKER, {
        DATABASE_URL: url,
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'warn',
        WORKER_CONCURRENCY: String(CONCURRENCY),
      });
      await waitFor(
        async () => (await db('agent_workers').where({ pid: child.pid }).first()) ?? null,
        'our worker to register',
      );
      return child;
    },
    async enqueueBatch(n) {
      await db.raw(
        `INSERT INTO agent_tasks (id, user_id, type, input)
         SELECT gen_random_uuid(), ?, 'noop', '{}'::jsonb FROM generate_series(1, ?)`,
        [userId, n],
      );
    },
    async remaining() {
      const row = await db('agent_tasks').whereNot({ status: 'succeeded' }).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },
    async enqueueProbe() {
      await db.raw(
        `INSERT INTO agent_tasks (id, user_id, type, input) VALUES (gen_random_uuid(), ?, 'noop', '{}')`,
        [userId],
      );
    },
    async latencies(n) {
      const rows = await db('agent_tasks')
        .whereNotNull('started_at')
        .select(db.raw('extract(epoch FROM started_at - created_at) * 1000 AS ms'));
      return rows.length >= n ? rows.map((r) => Number(r.ms)) : null;
    },
    async reset() {
      await db.raw('TRUNCATE agent_tasks');
    },
  };
}

function graphile(db: Knex, url: string): QueueUnderTest {
  return {
    name: 'graphile-worker',
    async start() {
      const child = spawnTsx(GRAPHILE_RUNNER, {
        BENCH_QUEUE_URL: url,
        BENCH_CONCURRENCY: String(CONCURRENCY),
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('READY')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`graphile runner exited (${code})`)));
      });
      return child;
    },
    async enqueueBatch(n) {
      await db.raw(
        `SELECT graphile_worker.add_jobs(array(
           SELECT ROW('noop', '{}'::json, NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec
           FROM generate_series(1, ?)))`,
        [n],
      );
    },
    async remaining() {
      const row = await db.raw<{ rows: { n: string }[] }>(
        'SELECT count(*) AS n FROM graphile_worker._private_jobs',
      );
      return Number(row.rows[0]?.n ?? 0);
    },
    async enqueueProbe() {
      await db.raw(`SELECT graphile_worker.add_job('probe', '{}'::json)`);
    },
    async latencies(n) {
      const rows = await db('bench_samples')
        .where({ queue: 'graphile-worker' })
        .select(db.raw('extract(epoch FROM started_at - created_at) * 1000 AS ms'));
      return rows.length >= n ? rows.map((r) => Number(r.ms)) : null;
    },
    async reset() {
      await db.raw('DELETE FROM graphile_worker._private_jobs');
      await db.raw('TRUNCATE bench_samples');
    },
  };
}

async function measure(queue: QueueUnderTest): Promise<Figures> {
  const child = await queue.start();
  try {
    // Warm-up: JIT, prepared statements, pool connections.
    await queue.enqueueBatch(500);
    await waitFor(async () => (await queue.remaining()) === 0, `${queue.name} warm-up`);
    await queue.reset();

    const started = performance.now();
    await queue.enqueueBatch(TASKS);
    await waitFor(async () => (await queue.remaining()) === 0, `${queue.name} to drain ${TASKS} tasks`);
    const seconds = (performance.now() - started) / 1000;
    await queue.reset();

    for (let i = 0; i < SAMPLES; i++) {
      await queue.enqueueProbe();
      await sleep(SPACING_MS);
    }
    const samples = await waitFor(() => queue.latencies(SAMPLES), `${queue.name} latency probes`);
    samples.sort((a, b) => a - b);
    await queue.reset();
    return { tasksPerSecond: TASKS / seconds, p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    await stop(child);
  }
}

export const suite: BenchSuite = {
  name: 'tasks',
  async run() {
    const scratch = await scratchDatabase('tasks');
    const url = scratch.url;
    const db = createKnex({ connectionString: url, poolMax: 4, applicationName: 'fo-bench' });
    try {
      await migrateLatest(db);
      await runMigrations({ connectionString: url, logger: undefined });
      await db.raw(
        'CREATE TABLE bench_samples (queue text NOT NULL, created_at timestamptz NOT NULL, started_at timestamptz NOT NULL)',
      );
      const [user] = await db('users')
        .insert({ email: 'bench@example.com', password_hash: '$unusable$' })
        .returning('id');
      console.log(
        `${TASKS} no-op tasks, ${SAMPLES} latency probes ${SPACING_MS} ms apart, concurrency ${CONCURRENCY}, one worker process each`,
      );
      const results: [string, Figures][] = [];
      for (const queue of [ours(db, url, user.id), graphile(db, url)]) {
        results.push([queue.name, await measure(queue)]);
      }
      const [[, a], [, b]] = results as [[string, Figures], [string, Figures]];
      const row = (label: string, x: string, y: string, ratio: string) =>
        console.log(`${label.padEnd(28)}${x.padStart(14)}${y.padStart(18)}${ratio.padStart(10)}`);
      row('', 'fo queue', 'graphile-worker', 'ratio');
      row(
        'throughput (tasks/s)',
        a.tasksPerSecond.toFixed(0),
        b.tasksPerSecond.toFixed(0),
        `${(a.tasksPerSecond / b.tasksPerSecond).toFixed(2)}×`,
      );
      row('enqueue→start p50 (ms)', a.p50.toFixed(2), b.p50.toFixed(2), `${(a.p50 / b.p50).toFixed(2)}×`);
      row('enqueue→start p99 (ms)', a.p99.toFixed(2), b.p99.toFixed(2), `${(a.p99 / b.p99).toFixed(2)}×`);
      console.log(
        `targets: throughput ≥ 0.5× graphile-worker: ${a.tasksPerSecond >= 0.5 * b.tasksPerSecond ? 'met' : 'MISSED'}; p50 ≤ 10 ms: ${a.p50 <= 10 ? 'met' : 'MISSED'}`,
      );
    } finally {
      await db.destroy();
      await scratch.drop();
    }
  },
};
