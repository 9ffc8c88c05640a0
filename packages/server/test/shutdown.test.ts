/**
 * Graceful shutdown of the real `pnpm start` process on the embedded PostgreSQL: on SIGTERM it
 * stops accepting connections, lets the request in flight finish, closes the pool, stops
 * PostgreSQL, and exits 0.
 *
 * The request is held in flight by a lock the test takes on the migrations table, which
 * `system.info` reads; releasing the lock lets it finish.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface LogLine {
  msg?: string;
  url?: string;
  [key: string]: unknown;
}

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
    cwd: SERVER_DIR,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.trim()) continue;
      const line = JSON.parse(part) as LogLine;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    waitFor(test: (l: LogLine) => boolean): Promise<LogLine> {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        void exited.then((code) => reject(new Error(`server exited (${code}) first:\n${stderr}`)));
      });
    },
  };
}

let running: ChildProcess | null = null;
let scratch: string | null = null;

afterEach(async () => {
  if (running && running.exitCode === null) {
    running.kill('SIGKILL');
  }
  running = null;
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = null;
});

describe('pnpm start shutdown', () => {
  it('drains the request in flight, then stops the pool and the embedded PostgreSQL', async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'fo-shutdown-'));
    // PostgreSQL may run as its own OS user (when the tests run as root): let it reach its directory.
    await chmod(scratch, 0o755);
    const dataDir = path.join(scratch, 'pg');
    const pgPort = await freePort();
    const server = startServer({
      PORT: '0',
      HOST: '127.0.0.1',
      EMBEDDED_PG_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_S: '20',
    });
    running = server.child;
    const listening = await server.waitFor((l) => typeof l.url === 'string');
    const url = listening.url as string;

    const locker = new pg.Client({
      connectionString: `postgres://postgres:fo-embedded@127.0.0.1:${pgPort}/family_office`,
    });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE knex_migrations IN ACCESS EXCLUSIVE MODE');

    const inFlight = fetch(`${url}/trpc/system.info`);
    // Wait until the request is really waiting inside PostgreSQL.
    for (;;) {
      const { rows } = await locker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fo-server' AND wait_event_type = 'Lock'`,
      );
      if (rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    server.child.kill('SIGTERM');
    await server.waitFor((l) => l.msg === 'shutting down');
    // No new connections once shutdown has begun.
    for (;;) {
      const refused = await fetch(`${url}/healthz`).then(
        () => false,
        () => true,
      );
      if (refused) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    await locker.query('ROLLBACK');
    await locker.end();
    const response = await inFlight;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { json: { name: string } } } };
    expect(body.result.data.json.name).toBe('Family Office Platform');

    const code = await server.exited;
    expect(code).toBe(0);
    expect(server.lines.map((l) => l.msg)).toContain('stopped');
    // PostgreSQL removes its pid file only on a clean shutdown.
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);
});
