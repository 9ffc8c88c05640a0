/**
 * `pnpm worker`: a standalone task worker (no HTTP). Concurrency, lease, polling and retry delays
 * come from the environment (WORKER_CONCURRENCY, TASK_*); stops gracefully on SIGINT/SIGTERM.
 */
import { runStandaloneWorker } from '../agents/runtime.js';

await runStandaloneWorker();
