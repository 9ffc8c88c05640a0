/**
 * Net worth and the account list under load.
 *
 * 1. portfolio.netWorth for a user with 200 accounts, 5,000 holdings, 50 properties with 70
 *    mortgages and 3 currencies: p50/p99 over HTTP (the SDK, sequential calls) and the queries
 *    each call runs (session validation included). Target: p50 ≤ 20 ms.
 * 2. accounts.list (a page of 50) in requests/s (autocannon, 10 connections), next to a
 *    hand-written node:http + pg handler running the same query in the same run. Target ratio ≥ 0.6.
 *
 * The servers run in a child process so the load generator does not share their event loop. The
 * database is a scratch one on BENCH_DATABASE_URL / DATABASE_URL / TEST_DATABASE_URL's server
 * (created and dropped here), else an embedded PostgreSQL in .data/postgres-bench.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@fo/sdk';
import autocannon from 'autocannon';
import { createKnex } from '../../packages/server/src/db/knex.js';
import { migrateLatest } from '../../packages/server/src/db/migrations.js';
import { SEED, seedNetWorthUser } from '../lib/net-worth-seed.js';
import { scratchDatabase } from '../lib/scratch-db.js';
import type { BenchSuite } from '../run.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function send<T>(child: ChildProcess, message: object, kind: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (msg: { kind: string }) => {
      if (msg.kind !== kind) return;
      child.off('message', onMessage);
      resolve(msg as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

interface Count {
  queries: number;
  cpuMicros: number;
}

/** Requests/s under autocannon, and the server process's CPU time per request. */
async function load(child: ChildProcess, url: string, headers: Record<string, string>, seconds: number) {
  const before = await send<Count>(child, { kind: 'count' }, 'count');
  const result = await autocannon({ url, headers, connections: 10, duration: seconds });
  const after = await send<Count>(child, { kind: 'count' }, 'count');
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    rps: result.requests.average,
    cpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / result.requests.total,
  };
}

export const suite: BenchSuite = {
  name: 'net-worth',
  async run() {
    const scratch = await scratchDatabase('networth');
    const url = scratch.url;
    let child: ChildProcess | null = null;
    try {
      const db = createKnex({ connectionString: url, poolMax: 4 });
      const seeded = Date.now();
      await migrateLatest(db);
      const { userId, token } = await seedNetWorthUser(db);
      const counts = await db.raw(
        `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM assets) AS holdings,
                (SELECT count(*) FROM real_estate) AS properties, (SELECT count(*) FROM mortgages) AS mortgages,
                (SELECT count(*) FROM prices) AS prices`,
      );
      await db.destroy();
      const c = counts.rows[0];
      console.log(
        `seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s: ${c.accounts} accounts, ${c.holdings} holdings, ` +
          `${c.properties} properties, ${c.mortgages} mortgages, ${c.prices} daily prices, ${SEED.currencies} currencies`,
      );

      child = fork(path.join(here, '../lib/net-worth-server.ts'), [url, userId], {
        // BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the server process.
        execArgv: [
          '--import',
          'tsx',
          ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        ],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const { apiUrl, rawUrl } = await new Promise<{ apiUrl: string; rawUrl: string }>((resolve) =>
        child!.once('message', (m) => resolve(m as { apiUrl: string; rawUrl: string })),
      );

      // 1. portfolio.netWorth over HTTP through the SDK.
      const fo = createClient({ url: apiUrl, token });
      for (let i = 0; i < 20; i++) await fo.portfolio.netWorth.query();
      const start = await send<Count>(child, { kind: 'count' }, 'count');
      const samples: number[] = [];
      const calls = 200;
      let last = await fo.portfolio.netWorth.query();
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        last = await fo.portfolio.netWorth.query();
        samples.push(performance.now() - t0);
      }
      const end = await send<Count>(child, { kind: 'count' }, 'count');
      samples.sort((a, b) => a - b);
      console.log(
        `portfolio.netWorth over HTTP (${calls} calls): p50 ${percentile(samples, 50).toFixed(1)} ms, ` +
          `p99 ${percentile(samples, 99).toFixed(1)} ms (target p50 ≤ 20 ms); ` +
          `${(end.queries / (calls + 1)).toFixed(1)} queries and ` +
          `${((end.cpuMicros - start.cpuMicros) / 1000 / (calls + 1)).toFixed(1)} ms of server CPU per call, session check included`,
      );
      console.log(
        `  net worth ${last.netWorth.toFixed(2)} ${last.baseCurrency}: ${last.items.length} items, ` +
          `${last.byCurrency.length} currencies, complete: ${last.complete}`,
      );

      // 2. accounts.list (50 rows): the API next to the hand-written handler, interleaved.
      const listUrl = `${apiUrl}/trpc/accounts.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 50 } }))}`;
      const auth = { authorization: `Bearer ${token}` };
      await load(child, listUrl, auth, 2);
      await load(child, rawUrl, {}, 2);
      const api: { rps: number; cpuMsPerRequest: number }[] = [];
      const raw: { rps: number; cpuMsPerRequest: number }[] = [];
      for (let round = 0; round < 2; round++) {
        raw.push(await load(child, rawUrl, {}, 5));
        api.push(await load(child, listUrl, auth, 5));
      }
      const mean = (xs: { rps: number; cpuMsPerRequest: number }[], k: 'rps' | 'cpuMsPerRequest') =>
        xs.reduce((a, b) => a + b[k], 0) / xs.length;
      console.log(
        `accounts.list (50 rows, 10 connections): ${mean(api, 'rps').toFixed(0)} req/s; node:http + pg, same query: ` +
          `${mean(raw, 'rps').toFixed(0)} req/s; ratio ${(mean(api, 'rps') / mean(raw, 'rps')).toFixed(2)} (target ≥ 0.6)`,
      );
      console.log(
        `  server CPU per request: ${mean(api, 'cpuMsPerRequest').toFixed(2)} ms (API, session check included) vs ` +
          `${mean(raw, 'cpuMsPerRequest').toFixed(2)} ms (node:http + pg); ratio ` +
          `${(mean(raw, 'cpuMsPerRequest') / mean(api, 'cpuMsPerRequest')).toFixed(2)}`,
      );
    } finally {
      if (child) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.send({ kind: 'stop' });
        await exited;
      }
      await scratch.drop();
    }
  },
};
