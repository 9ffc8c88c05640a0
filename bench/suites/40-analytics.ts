/**
 * Analytics under load.
 *
 * A synthetic user with 10,000 ledger transactions over 100 symbols and 10 years of daily prices,
 * and one with 100,000: analytics.performance + analytics.risk for all standard ranges over HTTP
 * through the SDK, p50/p99, in three states:
 * - warm: the user's prepared book and results are cached (the steady state between writes);
 * - cold after a write: a new transaction bumps the data version, so the call reloads the book
 *   from PostgreSQL and recomputes everything (in the worker thread), holdings' metrics included;
 * - the first call after the server starts (worker thread start-up included).
 * Then /healthz p99 while 4 such calls run at once (cold, 100,000-transaction user), next to
 * /healthz p99 on an idle server in the same run. Targets: p50 ≤ 100 ms at 10k, ≤ 1 s at 100k,
 * /healthz p99 ≤ 50 ms.
 *
 * The server runs in a child process. The database is a scratch one on BENCH_DATABASE_URL /
 * DATABASE_URL / TEST_DATABASE_URL's server (created and dropped here), else an embedded PostgreSQL
 * in .data/postgres-bench.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@fo/sdk';
import { createKnex, type Knex } from '../../packages/server/src/db/knex.js';
import { migrateLatest } from '../../packages/server/src/db/migrations.js';
import { ANALYTICS_SEED, seedAnalyticsPrices, seedAnalyticsUser } from '../lib/analytics-seed.js';
import { scratchDatabase } from '../lib/scratch-db.js';
import type { BenchSuite } from '../run.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** performance + risk for every standard range; the time of each and of the pair. */
async function pair(fo: Client): Promise<{ performance: number; risk: number; total: number }> {
  const t0 = performance.now();
  const perf = await fo.analytics.performance.query({});
  const t1 = performance.now();
  const risk = await fo.analytics.risk.query({});
  const t2 = performance.now();
  if (perf.ranges.length !== 8 || risk.ranges.length !== 8) throw new Error('expected 8 ranges');
  return { performance: t1 - t0, risk: t2 - t1, total: t2 - t0 };
}

function summary(
  label: string,
  samples: { performance: number; risk: number; total: number }[],
  target?: string,
) {
  const col = (k: 'performance' | 'risk' | 'total') => samples.map((s) => s[k]);
  console.log(
    `  ${label} (${samples.length} calls): performance p50 ${ms(percentile(col('performance'), 50))} p99 ${ms(percentile(col('performance'), 99))}; ` +
      `risk p50 ${ms(percentile(col('risk'), 50))} p99 ${ms(percentile(col('risk'), 99))}; ` +
      `both p50 ${ms(percentile(col('total'), 50))} p99 ${ms(percentile(col('total'), 99))}${target ? ` (target ${target})` : ''}`,
  );
}

/** A write that changes the user's data version: a small deposit ten years back. */
async function bump(db: Knex, userId: string): Promise<void> {
  const account = await db('accounts').where('user_id', userId).first('id');
  const cashEffect = (await db.schema.hasColumn('transactions', 'cash_effect')) ? { cash_effect: '1' } : {};
  await db('transactions').insert({
    account_id: account.id,
    user_id: userId,
    type: 'deposit',
    trade_date: db.raw(`current_date - interval '${ANALYTICS_SEED.years} years' + interval '3 days'`),
    amount: '1',
    currency: 'USD',
    ...cashEffect,
  });
}

async function healthz(apiUrl: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${apiUrl}/healthz`);
  await res.arrayBuffer();
  return performance.now() - t0;
}

/** /healthz latencies, sampled back to back until `until` resolves. */
async function sampleHealth(apiUrl: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const out: number[] = [];
  while (!done) {
    out.push(await healthz(apiUrl));
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

export const suite: BenchSuite = {
  name: 'analytics',
  async run() {
    const scratch = await scratchDatabase('analytics');
    const url = scratch.url;
    const db = createKnex({ connectionString: url, poolMax: 4 });
    let child: ChildProcess | null = null;
    try {
      const seeded = Date.now();
      await migrateLatest(db);
      const prices = await seedAnalyticsPrices(db);
      const small = await seedAnalyticsUser(db, '10k', 10_000);
      const large = await seedAnalyticsUser(db, '100k', 100_000);
      await db.raw('VACUUM ANALYZE');
      console.log(
        `seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s: ${prices} daily prices ` +
          `(${ANALYTICS_SEED.symbols} symbols + SPY, ${ANALYTICS_SEED.years} years), users with 10,000 and 100,000 transactions ` +
          `in ${ANALYTICS_SEED.accounts} accounts`,
      );

      child = fork(path.join(here, '../lib/analytics-server.ts'), [url], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const { apiUrl } = await new Promise<{ apiUrl: string }>((resolve) =>
        child!.once('message', (m) => resolve(m as { apiUrl: string })),
      );

      const idle: number[] = [];
      for (let i = 0; i < 200; i++) idle.push(await healthz(apiUrl));

      for (const [label, user, target, warmCalls, coldCalls] of [
        ['10,000 transactions', small, '≤ 100 ms', 100, 10],
        ['100,000 transactions', large, '≤ 1 s', 50, 5],
      ] as const) {
        const fo = createClient({ url: apiUrl, token: user.token });
        console.log(`${label}:`);
        const first = await pair(fo);
        console.log(
          `  first call after start: both ${ms(first.total)} (performance ${ms(first.performance)}, risk ${ms(first.risk)})`,
        );
        const warm: Awaited<ReturnType<typeof pair>>[] = [];
        for (let i = 0; i < warmCalls; i++) warm.push(await pair(fo));
        summary('warm', warm, target);
        const cold: Awaited<ReturnType<typeof pair>>[] = [];
        for (let i = 0; i < coldCalls; i++) {
          await bump(db, user.userId);
          cold.push(await pair(fo));
        }
        summary('cold after a write', cold, target);
      }

      // /healthz while 4 cold performance + risk calls (100,000 transactions) run at once.
      const fo = createClient({ url: apiUrl, token: large.token });
      const rounds = 3;
      const busy = (async () => {
        for (let r = 0; r < rounds; r++) {
          await bump(db, large.userId);
          await Promise.all(Array.from({ length: 4 }, () => pair(fo)));
          // Four distinct versions: each call its own reload and recomputation.
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              await bump(db, large.userId);
              await pair(fo);
            }),
          );
        }
      })();
      const underLoad = await sampleHealth(apiUrl, busy);
      await busy;
      console.log(
        `/healthz while 4 analytics calls run at once (100,000 transactions, cold): p50 ${ms(percentile(underLoad, 50))}, ` +
          `p99 ${ms(percentile(underLoad, 99))}, max ${ms(Math.max(...underLoad))} over ${underLoad.length} probes (target p99 ≤ 50 ms); ` +
          `idle server: p50 ${ms(percentile(idle, 50))}, p99 ${ms(percentile(idle, 99))}`,
      );
    } finally {
      if (child) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.send({ kind: 'stop' });
        await exited;
      }
      await db.destroy();
      await scratch.drop();
    }
  },
};
