/**
 * HTTP cost of the API stack: `system.info` over fastify + tRPC against a raw `node:http` JSON
 * handler in the same run, with a ladder in between (plain fastify route, tRPC without and with
 * the superjson transformer) so the figures say which layer costs what. Then how long
 * `pnpm start` takes to become ready, cold (initdb + migrations) and warm.
 *
 * Two figures per row: req/s (what the target is stated in; it drops when other work
 * shares the machine's cores) and the server's CPU time per request from /proc (steadier on a
 * busy machine). system.info keeps its schema snapshot for a few seconds, so under load it
 * measures the stack, not PostgreSQL.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRawBaseline } from '../lib/baseline.js';
import { cpuRatio, type LoadResult, measure, printResults, ratio } from '../lib/load.js';
import { freePort, REPO_ROOT, spawnUntilReady } from '../lib/process.js';
import { startApiServer } from '../lib/server.js';
import { RUNGS, startStackServer } from '../lib/stack.js';
import type { BenchSuite } from '../run.js';

const TARGET_RATIO = 0.25;
const BATCH_OF_3 = `/trpc/system.info,system.info,system.info?batch=1&input=${encodeURIComponent('{}')}`;

async function throughput(): Promise<void> {
  const results: LoadResult[] = [];

  const baseline = await startRawBaseline();
  let raw: LoadResult;
  try {
    raw = await measure('node:http JSON (baseline)', { url: baseline.url, pid: baseline.pid });
    results.push(raw);
  } finally {
    await baseline.stop();
  }

  for (const rung of RUNGS) {
    const server = await startStackServer(rung);
    try {
      results.push(
        await measure(`ladder: ${rung}`, { url: `${server.url}/trpc/system.info`, pid: server.pid }),
      );
    } finally {
      await server.stop();
    }
  }

  const api = await startApiServer();
  let info: LoadResult;
  try {
    results.push(await measure('API GET /healthz', { url: `${api.url}/healthz`, pid: api.pid }));
    info = await measure('API system.info', { url: `${api.url}/trpc/system.info`, pid: api.pid });
    results.push(info);
    const batch = await measure('API 3 x system.info, one batch', {
      url: `${api.url}${BATCH_OF_3}`,
      pid: api.pid,
    });
    results.push(batch);
  } finally {
    await api.stop();
  }

  const logging = await startApiServer({ logLevel: 'info' });
  try {
    results.push(
      await measure('API system.info, LOG_LEVEL=info', {
        url: `${logging.url}/trpc/system.info`,
        pid: logging.pid,
      }),
    );
  } finally {
    await logging.stop();
  }

  console.log(
    `database: ${api.kind}; ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)}`,
  );
  printResults(results);
  const byThroughput = ratio(info, raw);
  const byCpu = cpuRatio(info, raw);
  console.log(
    `\n  system.info / node:http: ${byThroughput.toFixed(3)} by req/s` +
      (byCpu === null ? '' : `, ${byCpu.toFixed(3)} by CPU per request`) +
      `  (target >= ${TARGET_RATIO}: ${byThroughput >= TARGET_RATIO ? 'met' : 'not met'})`,
  );
}

async function startTimes(): Promise<void> {
  // A fresh directory: cold = initdb + create database + every migration + listen.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'fo-bench-start-'));
  // PostgreSQL may run as its own OS user (when run as root): it must reach its directory.
  await chmod(scratch, 0o755);
  const embedded = { DATABASE_URL: '', EMBEDDED_PG_DIR: path.join(scratch, 'pg') };
  const pnpmStart = { command: 'pnpm', args: ['start'], cwd: REPO_ROOT };
  // What `pnpm start` runs, without pnpm in front (the production recipe in the README).
  const nodeStart = {
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/start.ts'],
    cwd: path.join(REPO_ROOT, 'packages/server'),
  };
  const runs = [
    { label: 'cold (fresh EMBEDDED_PG_DIR)', env: embedded, ...pnpmStart },
    { label: 'warm (existing EMBEDDED_PG_DIR)', env: embedded, ...pnpmStart },
    { label: 'warm, node without pnpm', env: embedded, ...nodeStart },
  ];
  if (process.env.DATABASE_URL) {
    runs.push({
      label: 'DATABASE_URL',
      env: { DATABASE_URL: process.env.DATABASE_URL, EMBEDDED_PG_DIR: '' },
      ...pnpmStart,
    });
  }
  const timings: [string, number][] = [];
  try {
    for (const run of runs) {
      const port = await freePort();
      const server = await spawnUntilReady({
        command: run.command,
        args: run.args,
        cwd: run.cwd,
        env: {
          ...run.env,
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(port),
          EMBEDDED_PG_PORT: String(await freePort()),
        },
        probe: `http://127.0.0.1:${port}/readyz`,
      });
      timings.push([run.label, server.readyMs]);
      await server.stop();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  console.log('\nStart until /readyz answers 200 (embedded PostgreSQL unless noted):');
  for (const [label, ms] of timings) console.log(`  ${label.padEnd(32)} ${(ms / 1000).toFixed(2)} s`);
}

export const suite: BenchSuite = {
  name: 'http',
  async run() {
    await throughput();
    await startTimes();
  },
};
