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
export const CLI_START_ENTRY = path.join(SERVER_DIR, 'src/cli/start.ts');

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

/** A tsx entry point as a child process: its output collected, killed at dispose if still running. */
function spawnEntry(
  entry: string,
  env: NodeJS.ProcessEnv,
  onStdoutLine?: (line: string) => void,
): WorkerProcess & { gone(): boolean } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: SERVER_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!onStdoutLine) return;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onStdoutLine(line);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (!pid) throw new Error(`${path.basename(entry)} did not start`);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    child,
    pid,
    output: () => output,
    exited,
    gone: () => gone,
    async [Symbol.asyncDispose]() {
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export async function spawnWorker(
  database: ScratchDb,
  env: Record<string, string> = {},
  entry = TEST_WORKER_ENTRY,
): Promise<WorkerProcess> {
  const proc = spawnEntry(entry, {
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
  });
  await eventually(
    async () => {
      if (proc.gone()) throw new Error(`worker process exited before registering:\n${proc.output()}`);
      return (await database.db('agent_workers').where({ pid: proc.pid }).first()) !== undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `worker process ${proc.pid} to register` },
  );
  return proc;
}

export interface ServerProcess extends WorkerProcess {
  /** Where it listens, from its log. */
  url: string;
}

/**
 * `pnpm start` (src/cli/start.ts) on a scratch database, waited for until it logs the address it
 * listens on. The worker it may run in-process has registered by then (it starts first).
 */
export async function spawnServer(
  database: ScratchDb,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  let url: string | null = null;
  const proc = spawnEntry(
    CLI_START_ENTRY,
    {
      ...process.env,
      DATABASE_URL: database.url,
      TEST_DATABASE_URL: '',
      MIGRATE_ON_START: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_S: '5',
      ...env,
    },
    (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: unknown };
        if (typeof parsed.url === 'string') url ??= parsed.url;
      } catch {
        // not a log line
      }
    },
  );
  const listening = await eventually(
    async () => {
      if (proc.gone()) throw new Error(`server process exited before listening:\n${proc.output()}`);
      return url ?? undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50, what: `server process ${proc.pid} to listen` },
  );
  return Object.assign(proc, { url: listening });
}
