/**
 * Cost of authentication:
 *
 * 1. argon2id hash and verify time at the configured parameters (m=19456 KiB, t=2, p=1).
 * 2. 20 concurrent sign-ins against an in-process server: sign-ins per second, and the event-loop
 *    delay (perf_hooks.monitorEventLoopDelay) while they run next to the idle delay — with the
 *    default ARGON2_MAX_CONCURRENCY (CPUs - 1) and with every libuv pool thread hashing at once.
 *    argon2 runs on the pool, not the loop, but hashing threads compete with it for the CPUs. The
 *    server runs in this process because the event loop measured is the server's; the 20 clients
 *    add little to it.
 * 3. Session validation cost: req/s of an authenticated query (auth.me with a session, and with an
 *    API token) next to the unauthenticated system.info and a raw node:http JSON handler, each
 *    server in its own process, load from autocannon here.
 *
 * Database: DATABASE_URL when set, else an embedded PostgreSQL in .data/postgres-bench.
 * BENCH_DURATION (s, default 10) and BENCH_CONNECTIONS (default 50) tune the load runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createClient } from '@fo/sdk';
import autocannon from 'autocannon';
import {
  configuredParams,
  hashPassword,
  setArgon2MaxConcurrency,
  verifyPassword,
} from '../../packages/server/src/auth/passwords.js';
import { ensureKeyring } from '../../packages/server/src/crypto/dev-key.js';
import { startEmbeddedPostgres } from '../../packages/server/src/db/embedded.js';
import { createKnex, type Knex } from '../../packages/server/src/db/knex.js';
import { migrateLatest } from '../../packages/server/src/db/migrations.js';
import { getEnv } from '../../packages/server/src/env.js';
import { buildServer } from '../../packages/server/src/http/server.js';
import { createLogger } from '../../packages/server/src/logger.js';
import type { BenchSuite } from '../run.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CONCURRENT_LOGINS = 20;
const LOGIN_ROUNDS = 5;
const PASSWORD = 'bench passphrase 2026';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface BenchDatabase {
  url: string;
  kind: 'embedded' | 'external';
  stop(): Promise<void>;
}

async function openBenchDatabase(): Promise<BenchDatabase> {
  const external = getEnv().DATABASE_URL;
  if (external) return { url: external, kind: 'external', stop: async () => {} };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(REPO_ROOT, '.data/postgres-bench'),
    port: await freePort(),
    database: 'family_office',
  });
  return { url: embedded.url, kind: 'embedded', stop: () => embedded.stop() };
}

/** A child process serving HTTP, stopped with SIGTERM to its process group. */
async function spawnServer(
  args: string[],
  env: Record<string, string>,
  probe: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: path.join(REPO_ROOT, 'packages/server'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(probe)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready at ${probe}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

const RAW_SERVER = `
import http from 'node:http';
http.createServer((req, res) => {
  const body = JSON.stringify({ result: { data: { json: { name: 'Family Office Platform', time: new Date() } } } });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface Load {
  title: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Server process CPU (user + system) per request, µs: steadier than req/s on a shared machine. */
  cpuUs: number | null;
}

/** CPU time a process has used, ms, from /proc (Linux; USER_HZ = 100). */
function cpuTimeMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function load(
  title: string,
  url: string,
  pid: number | undefined,
  headers: Record<string, string> = {},
): Promise<Load> {
  const run = (duration: number) => autocannon({ url, headers, connections: CONNECTIONS, duration });
  await run(2);
  const before = cpuTimeMs(pid);
  const r = await run(DURATION_S);
  const after = cpuTimeMs(pid);
  return {
    title,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors,
    cpuUs:
      before !== null && after !== null && r.requests.total > 0
        ? ((after - before) * 1000) / r.requests.total
        : null,
  };
}

async function argon2Times(): Promise<void> {
  const params = configuredParams();
  const hashes: number[] = [];
  const verifies: number[] = [];
  let hash = '';
  for (let i = 0; i < 12; i += 1) {
    const t0 = performance.now();
    hash = await hashPassword(`${PASSWORD} ${i}`);
    hashes.push(performance.now() - t0);
    const t1 = performance.now();
    await verifyPassword(hash, `${PASSWORD} ${i}`);
    verifies.push(performance.now() - t1);
  }
  // The first of each warms up the native module; it is left out.
  const h = hashes.slice(1).sort((a, b) => a - b);
  const v = verifies.slice(1).sort((a, b) => a - b);
  console.log(
    `argon2id m=${params.memoryCost} KiB t=${params.timeCost} p=${params.parallelism} (${h.length} runs, sequential)`,
  );
  console.log(`  hash    p50 ${quantile(h, 0.5).toFixed(1)} ms   max ${h.at(-1)!.toFixed(1)} ms`);
  console.log(`  verify  p50 ${quantile(v, 0.5).toFixed(1)} ms   max ${v.at(-1)!.toFixed(1)} ms`);
}

async function concurrentLogins(db: Knex, maxConcurrency: number): Promise<void> {
  setArgon2MaxConcurrency(maxConcurrency);
  const app = await buildServer({ db, databaseKind: 'external', logger: createLogger({ level: 'silent' }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const client = createClient({ url });
    const emails = Array.from({ length: CONCURRENT_LOGINS }, () => `bench-${randomUUID()}@example.com`);
    for (const email of emails) await client.auth.signup.mutate({ email, password: PASSWORD });

    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    histogram.disable();
    const idleP99 = histogram.percentile(99) / 1e6;
    histogram.reset();

    histogram.enable();
    const started = performance.now();
    const latencies: number[] = [];
    for (let round = 0; round < LOGIN_ROUNDS; round += 1) {
      await Promise.all(
        emails.map(async (email) => {
          const t0 = performance.now();
          await client.auth.login.mutate({ email, password: PASSWORD });
          latencies.push(performance.now() - t0);
        }),
      );
    }
    const elapsed = (performance.now() - started) / 1000;
    histogram.disable();
    latencies.sort((a, b) => a - b);
    const logins = CONCURRENT_LOGINS * LOGIN_ROUNDS;
    console.log(
      `\n${CONCURRENT_LOGINS} concurrent sign-ins × ${LOGIN_ROUNDS} rounds, ARGON2_MAX_CONCURRENCY=${maxConcurrency} (${availableParallelism()} CPUs, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4})`,
    );
    console.log(
      `  throughput        ${(logins / elapsed).toFixed(1)} sign-ins/s (${logins} in ${elapsed.toFixed(2)} s)`,
    );
    console.log(
      `  sign-in latency   p50 ${quantile(latencies, 0.5).toFixed(0)} ms   p99 ${quantile(latencies, 0.99).toFixed(0)} ms`,
    );
    console.log(
      `  event-loop delay  p99 ${(histogram.percentile(99) / 1e6).toFixed(2)} ms   max ${(histogram.max / 1e6).toFixed(2)} ms   (idle p99 ${idleP99.toFixed(2)} ms)`,
    );
  } finally {
    setArgon2MaxConcurrency(undefined);
    await app.close();
  }
}

async function sessionValidationCost(databaseUrl: string, kind: string): Promise<void> {
  const results: Load[] = [];
  const rawPort = await freePort();
  const raw = await spawnServer(
    ['--input-type=module', '-e', RAW_SERVER],
    { PORT: String(rawPort) },
    `http://127.0.0.1:${rawPort}/`,
  );
  try {
    results.push(await load('node:http JSON (baseline)', `http://127.0.0.1:${rawPort}/`, raw.pid));
  } finally {
    await stopServer(raw);
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = await spawnServer(
    ['--import', 'tsx', 'src/cli/start.ts'],
    {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'false',
    },
    `${base}/readyz`,
  );
  try {
    const anon = createClient({ url: base });
    const email = `bench-${randomUUID()}@example.com`;
    await anon.auth.signup.mutate({ email, password: PASSWORD });
    const { token } = await anon.auth.login.mutate({ email, password: PASSWORD });
    const { token: apiToken } = await createClient({ url: base, token }).apiTokens.create.mutate({
      name: 'bench',
      scopes: ['read'],
    });
    // Warm the authenticated code paths (JIT, the pool's connections) before the first of them is
    // measured: without it, whichever comes first pays for the warm-up.
    for (const headers of [{ authorization: `Bearer ${token}` }, { authorization: `Bearer ${apiToken}` }]) {
      await autocannon({ url: `${base}/trpc/auth.me`, headers, connections: CONNECTIONS, duration: 4 });
    }
    results.push(await load('system.info (no credential)', `${base}/trpc/system.info`, api.pid));
    results.push(
      await load('auth.me, session Bearer', `${base}/trpc/auth.me`, api.pid, {
        authorization: `Bearer ${token}`,
      }),
    );
    results.push(
      await load('auth.me, API token Bearer', `${base}/trpc/auth.me`, api.pid, {
        authorization: `Bearer ${apiToken}`,
      }),
    );
    results.push(
      await load('auth.me, session cookie', `${base}/trpc/auth.me`, api.pid, {
        cookie: `fo_session=${token}`,
      }),
    );
  } finally {
    await stopServer(api);
  }

  const rawRate = results[0]!.reqPerSec;
  console.log(
    `\nauthenticated query vs unauthenticated (database ${kind}; ${CONNECTIONS} connections, ${DURATION_S} s each after 2 s warm-up)`,
  );
  console.log(
    `  ${'request'.padEnd(30)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'/raw'.padStart(6)} ${'non-2xx'.padStart(8)} ${'CPU µs/req'.padStart(11)}`,
  );
  for (const r of results) {
    console.log(
      `  ${r.title.padEnd(30)} ${r.reqPerSec.toFixed(0).padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${(r.reqPerSec / rawRate).toFixed(3).padStart(6)} ${String(r.non2xx).padStart(8)} ${(r.cpuUs === null ? '-' : r.cpuUs.toFixed(0)).padStart(11)}`,
    );
  }
  const info = results[1]!;
  const session = results[2]!;
  console.log(
    `  auth.me (session) / system.info = ${(session.reqPerSec / info.reqPerSec).toFixed(3)} req/s` +
      (session.cpuUs !== null && info.cpuUs !== null
        ? `, +${(session.cpuUs - info.cpuUs).toFixed(0)} µs server CPU per request`
        : '') +
      ': session lookup + SHA-256 + the user row (two indexed reads; PostgreSQL CPU not counted)',
  );
}

export const suite: BenchSuite = {
  name: 'auth',
  async run() {
    ensureKeyring(getEnv());
    await argon2Times();
    const database = await openBenchDatabase();
    const db = createKnex({ connectionString: database.url, poolMax: 10, applicationName: 'fo-bench' });
    try {
      await migrateLatest(db);
      // The default (CPUs - 1) against letting every libuv pool thread hash at once.
      await concurrentLogins(db, getEnv().ARGON2_MAX_CONCURRENCY);
      await concurrentLogins(db, Number(process.env.UV_THREADPOOL_SIZE ?? 4));
      await sessionValidationCost(database.url, database.kind);
    } finally {
      await db.destroy();
      await database.stop();
    }
  },
};
