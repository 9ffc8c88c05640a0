/**
 * Opens the platform's database: DATABASE_URL when set, else the embedded PostgreSQL.
 */
import type { Env } from '../env.js';
import { startEmbeddedPostgres } from './embedded.js';
import { createKnex, describeConnection, type Knex } from './knex.js';

export type DatabaseKind = 'embedded' | 'external';

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /** host:port/database, safe to log. */
  target: string;
  /** Full connection string: carries credentials, never log it. */
  connectionString: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  applicationName?: string;
  poolMax?: number;
  onLog?: (message: string) => void;
  knexLog?: Knex.Logger;
}

export async function openDatabase(env: Env, options: OpenDatabaseOptions = {}): Promise<Database> {
  const poolMax = options.poolMax ?? env.DB_POOL_MAX;
  if (env.DATABASE_URL) {
    const knex = createKnex({
      connectionString: env.DATABASE_URL,
      poolMax,
      applicationName: options.applicationName,
      log: options.knexLog,
    });
    return {
      knex,
      kind: 'external',
      target: describeConnection(env.DATABASE_URL),
      connectionString: env.DATABASE_URL,
      close: () => knex.destroy(),
    };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_PG_DIR,
    port: env.EMBEDDED_PG_PORT,
    database: env.EMBEDDED_PG_DATABASE,
    onLog: options.onLog,
  });
  const knex = createKnex({
    connectionString: embedded.url,
    poolMax,
    applicationName: options.applicationName,
    log: options.knexLog,
  });
  return {
    knex,
    kind: 'embedded',
    target: describeConnection(embedded.url),
    connectionString: embedded.url,
    async close() {
      await knex.destroy();
      await embedded.stop();
    },
  };
}

/** A readable error for an unreachable server: host and port, never the password. */
export function describeConnectError(err: unknown, target: string): string | null {
  if ((err as { name?: string } | null)?.name === 'KnexTimeoutError') {
    return `Timed out connecting to PostgreSQL at ${target}. Is the server running and reachable, and is DATABASE_URL right?`;
  }
  // Node reports a failed connection to every address of a host as an AggregateError.
  const first = err instanceof AggregateError ? err.errors[0] : undefined;
  const code = (err as { code?: string } | null)?.code ?? (first as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return `Cannot reach PostgreSQL at ${target} (${code}). Is the server running, and is DATABASE_URL right?`;
  }
  if (code === '28P01' || code === '28000')
    return `PostgreSQL at ${target} rejected the credentials (${code}).`;
  if (code === '3D000') return `Database does not exist at ${target} (${code}).`;
  return null;
}
