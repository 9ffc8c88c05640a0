/**
 * `pnpm start`: opens the database (embedded PostgreSQL unless DATABASE_URL is set), applies
 * pending migrations, serves HTTP and runs a task worker in the same process (WORKER_IN_PROCESS)
 * until SIGINT/SIGTERM/SIGHUP. Shutdown stops accepting connections, lets in-flight requests
 * finish, drains the worker (finishing or releasing its tasks), closes the pool, then stops the
 * embedded server.
 */
import { drainDeadlineMs, workerFromEnv } from '../agents/runtime.js';
import { ensureKeyring } from '../crypto/dev-key.js';
import { describeConnectError, openDatabase } from '../db/database.js';
import { migrateLatest } from '../db/migrations.js';
import { ConfigError, getEnv } from '../env.js';
import { buildServer } from '../http/server.js';
import { configuredSecrets, createLogger } from '../logger.js';
import { closeAnalyticsHost } from '../services/analytics/host.js';
import { handleShutdownSignals } from './shutdown.js';

async function main(): Promise<void> {
  const startedAt = performance.now();
  const env = getEnv();
  // Secrets at rest need a key: the configured one, a generated development key, or (production) a stop.
  ensureKeyring(env);
  const logger = createLogger({ level: env.LOG_LEVEL, secrets: configuredSecrets(env) });
  // Installed before anything starts, so a signal during startup (initdb, migrations) still stops
  // whatever is already running.
  const shutdown = handleShutdownSignals(logger, env.SHUTDOWN_TIMEOUT_S * 1000);
  try {
    const database = await openDatabase(env, {
      applicationName: 'fo-server',
      onLog: (message) => logger.debug({ component: 'postgres' }, message),
    });
    shutdown.add('database', () => database.close());
    logger.info({ database: database.target, kind: database.kind }, 'database open');
    if (env.MIGRATE_ON_START) {
      const applied = await migrateLatest(database.knex);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    // Stops after the HTTP server has drained (steps run in reverse), before the pool closes.
    shutdown.add('analytics workers', () => closeAnalyticsHost());
    if (env.WORKER_IN_PROCESS) {
      const worker = workerFromEnv({ db: database.knex, env, logger });
      await worker.start();
      // Registered before the HTTP server, so it stops after it (steps run in reverse).
      shutdown.add('worker', () => worker.stop(drainDeadlineMs(env)));
    }
    const app = await buildServer({ db: database.knex, databaseKind: database.kind, logger });
    shutdown.add('http', () => app.close());
    const address = await app.listen({ host: env.HOST, port: env.PORT });
    logger.info(
      { url: address, startupMs: Math.round(performance.now() - startedAt) },
      `Family Office Platform listening on ${address}`,
    );
  } catch (err) {
    // A signal during startup makes the step in progress fail; the shutdown handler exits.
    if (shutdown.stopping) return;
    await shutdown.run('startup failed').catch(() => {});
    throw err;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    const env = (() => {
      try {
        return getEnv();
      } catch {
        return null;
      }
    })();
    const readable = describeConnectError(err, env?.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL');
    console.error(readable ?? err);
  }
  process.exit(1);
});
