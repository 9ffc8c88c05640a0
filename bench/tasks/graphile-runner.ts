/**
 * The graphile-worker side of the tasks benchmark, in its own process like our `pnpm worker`:
 * a runner with the given concurrency and two tasks, `noop` (throughput) and `probe` (records the
 * job's created_at and locked_at, the same enqueue→claim interval our queue stores). Default,
 * unbatched settings (no local queue, no batched completion). Prints READY; stops on SIGTERM.
 */
import { Logger, run } from 'graphile-worker';

const connectionString = process.env.BENCH_QUEUE_URL;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '10');
if (!connectionString) throw new Error('BENCH_QUEUE_URL is required');

const runner = await run({
  connectionString,
  concurrency,
  maxPoolSize: concurrency + 3,
  pollInterval: 2_000,
  noHandleSignals: true,
  logger: new Logger(() => () => {}),
  taskList: {
    noop: async () => {},
    probe: async (_payload, helpers) => {
      await helpers.query('INSERT INTO bench_samples (queue, created_at, started_at) VALUES ($1, $2, $3)', [
        'graphile-worker',
        helpers.job.created_at,
        helpers.job.locked_at,
      ]);
    },
  },
});
console.log('READY');
process.on('SIGTERM', () => {
  void runner.stop().then(() => process.exit(0));
});
