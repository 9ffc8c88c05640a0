/**
 * Starting workers from configuration: the standalone `pnpm worker` process and the in-process
 * worker of `pnpm start` share these.
 */
import { handleShutdownSignals } from '../cli/shutdown.js';
import { ensureKeyring } from '../crypto/dev-key.js';
import { describeConnectError, openDatabase } from '../db/database.js';
import type { Knex } from '../db/knex.js';
import { migrateLatest } from '../db/migrations.js';
import { ConfigError, type Env, getEnv } from '../env.js';
import { configuredSecrets, createLogger, type Logger } from '../logger.js';
import { builtinAgents } from './index.js';
import type { Agent } from './queue/definition.js';
import { Worker } from './queue/worker.js';

export function workerFromEnv(opts: {
  db: Knex;
  env: Env;
  logger: Logger;
  agents?: readonly Agent[] | undefined;
}): Worker {
  const { env } = opts;
  return new Worker({
    db: opts.db,
    agents: opts.agents ?? builtinAgents,
    logger: opts.logger,
    concurrency: env.WORKER_CONCURRENCY,
    leaseMs: env.TASK_LEASE_MS,
    heartbeatMs: env.TASK_HEARTBEAT_MS,
    pollMs: env.TASK_POLL_MS,
    retryBaseMs: env.TASK_RETRY_BASE_MS,
    retryMaxMs: env.TASK_RETRY_MAX_MS,
  });
}

/** Time a worker gets to drain at shutdown: most of SHUTDOWN_TIMEOUT_S, leaving a second to close. */
export function drainDeadlineMs(env: Env): number {
  return Math.max(500, env.SHUTDOWN_TIMEOUT_S * 1000 - 1000);
}

/** `pnpm worker`: a process that only runs tasks, until SIGINT/SIGTERM/SIGHUP. */
export async function runStandaloneWorker(opts: { agents?: readonly Agent[] } = {}): Promise<void> {
  let env: Env;
  try {
    env = getEnv();
    // Agents open secrets at rest (plaid_sync decrypts access tokens): the same key as the server.
    ensureKeyring(env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
  const logger = createLogger({ level: env.LOG_LEVEL, secrets: configuredSecrets(env) });
  const shutdown = handleShutdownSignals(logger, env.SHUTDOWN_TIMEOUT_S * 1000);
  try {
    // Handlers, claims, heartbeats and progress each hold a connection for a moment.
    const database = await openDatabase(env, {
      applicationName: 'fo-worker',
      poolMax: Math.max(env.DB_POOL_MAX, env.WORKER_CONCURRENCY + 3),
      onLog: (message) => logger.debug({ component: 'postgres' }, message),
    });
    shutdown.add('database', () => database.close());
    if (env.MIGRATE_ON_START) {
      const applied = await migrateLatest(database.knex);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const worker = workerFromEnv({ db: database.knex, env, logger, agents: opts.agents });
    await worker.start();
    shutdown.add('worker', () => worker.stop(drainDeadlineMs(env)));
  } catch (err) {
    if (shutdown.stopping) return;
    await shutdown.run('startup failed').catch(() => {});
    console.error(
      describeConnectError(err, env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL') ?? err,
    );
    process.exit(1);
  }
}
