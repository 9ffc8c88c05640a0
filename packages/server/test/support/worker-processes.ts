/**
 * Spawns worker processes for the reliability tests, each on its own scratch database cloned from
 * the migrated template. Processes still running when a test ends are killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKnex, type Knex } from '../../src/db/knex.js';
import { createDatabaseFromTemplate, scratchDatabaseName } from './db.js';
import { eventually } from './tasks-factories.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_DIR = path.resolve(here, '../..');
export const TEST_WORKER_ENTRY = path.join(here, 'worker-process.ts');
export const CLI_WORKER_ENTRY = path.join(SERVER_DIR, 'src/cli/worker.ts');

export interface ScratchDb extends AsyncDisposable {
  url: string;
  db: Knex;
}

export async function scratchDb(suffix: string): Promise<ScratchDb> {
  const url = await createDatabaseFromTemplate(scratchDatabaseName(suffix));
  const db = createKnex({ connectionString: url, poolMax: 5, applicationName: 'fo-test' });
  return {
    url,
    db,
    async [Symbol.asyncDispose]() {
      await db.destroy();
    },
  };
}

export interface WorkerProcess extends AsyncDisposable {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnWorker(
  database: ScratchDb,
  env: Record<string, string> = {},
  entry = TEST_WORKER_ENTRY,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      TEST_DATABASE_URL: '',
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '4',
      TASK_LEASE_MS: '1500',
      TASK_HEARTBEAT_MS: '300',
      TASK_POLL_MS: '1000',
      TASK_RETRY_BASE_MS: '100',
      TASK_RETRY_MAX_MS: '1000',
      SHUTDOWN_TIMEOUT_S: '5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (!pid) throw new Error('worker process did not start');
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await eventually(
    async () => {
      if (gone) throw new Error(`worker process exited before registering:\n${output}`);
      return (await database.db('agent_workers').where({ pid }).first()) !== undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `worker process ${pid} to register` },
  );
  return {
    child,
    pid,
    output: () => output,
    exited,
    async [Symbol.asyncDispose]() {
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
