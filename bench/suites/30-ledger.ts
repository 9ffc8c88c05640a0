/**
 * The ledger: replay, import and listing, on synthetic investor statements (bench/lib/ledger-data.ts).
 *
 * 1. Full replay of 1,000,000 transactions in-process through the pure engine, in a child process
 *    of its own (bench/lib/ledger-replay.ts): as an IRA (lots and realized gains with terms) and as
 *    a taxable account (plus wash sales), partition by partition and keeping every result: time
 *    and memory, next to one bigint multiply per event and a naive decimal.js FIFO loop on the same
 *    rows. 1,000 symbols keep the import's 1,000 rows per symbol. Target ≤ 1 s.
 * 2. Import of 100,000 transactions over 100 symbols (a broker CSV) through the SDK's importCsv →
 *    transactions.import, 10,000 rows per call, into a taxable account (then the same file again:
 *    every row a duplicate) and into an IRA of another user (partitions span a user's accounts):
 *    rows/s end to end and the server's peak RSS, next to a raw COPY of the same CSV into a
 *    scratch table in the same run, with the ratio. Target ≥ 20,000 rows/s.
 * 3. The database replay of the taxable account from scratch (rebuildAccountLedger, what a
 *    cost-basis method change runs): load, replay, rewrite lots and allocations.
 * 4. transactions.list, pages of 100 over the 100,000-transaction account, every page in turn
 *    (keyset cursor): p50/p99 over HTTP through the SDK, next to the same keyset query sent with
 *    pg, and the query's plan.
 *
 * The API server runs in a child process (bench/lib/analytics-server.ts) so the client never shares
 * its event loop. The database is a scratch one on BENCH_DATABASE_URL / DATABASE_URL /
 * TEST_DATABASE_URL's server (created and dropped here), else an embedded PostgreSQL in
 * .data/postgres-bench. LEDGER_REPLAY_ROWS, LEDGER_REPLAY_SYMBOLS and LEDGER_IMPORT_ROWS change
 * the sizes.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createClient, importCsv } from '@fo/sdk';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { systemActor } from '../../packages/server/src/actor.js';
import { createSession } from '../../packages/server/src/auth/sessions.js';
import { createKnex } from '../../packages/server/src/db/knex.js';
import { migrateLatest } from '../../packages/server/src/db/migrations.js';
import { TRANSACTION_COLUMNS } from '../../packages/server/src/services/ledger/views.js';
import { rebuildAccountLedger } from '../../packages/server/src/services/ledger/writes.js';
import { type SyntheticRow, syntheticHistory } from '../lib/ledger-data.js';
import { scratchDatabase } from '../lib/scratch-db.js';
import type { BenchSuite } from '../run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPLAY_ROWS = Number(process.env.LEDGER_REPLAY_ROWS ?? 1_000_000);
/** 1,000 symbols keep 1,000 rows per symbol over the ten years, as the import's 100,000 over 100 do. */
const REPLAY_SYMBOLS = Number(process.env.LEDGER_REPLAY_SYMBOLS ?? 1_000);
const IMPORT_ROWS = Number(process.env.LEDGER_IMPORT_ROWS ?? 100_000);
const BATCH = 10_000;
const PAGE = 100;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

const median = (xs: number[]) => percentile(xs, 50);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (x: number) => `${Math.round(x).toLocaleString('en-US')} MB`;

/** Resident set size now and at its peak (VmHWM), in MB, from /proc. */
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Resets a process's peak RSS to its current RSS (Linux clear_refs); false when not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function machine(): string {
  return `${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1/5/15 min)`;
}

// ── 1. in-process replay ─────────────────────────────────────────────────────────────────────────

interface ReplayReport {
  rows: number;
  events: number;
  symbols: number;
  years: number;
  decodeFirstMs: number;
  decodeMs: number;
  timings: { label: string; runsMs: number[]; cpuMs: number[] }[];
  rssBeforeMb: number;
  peakRssMb: number;
  ira: Census;
  taxable: Census;
  floorMs: number;
  naiveMs: number;
}

interface Census {
  lots: number;
  movements: number;
  sales: number;
  matches: number;
  heapMb: number;
}

async function replayInProcess(): Promise<void> {
  const child = fork(
    path.join(here, '../lib/ledger-replay.ts'),
    [String(REPLAY_ROWS), String(REPLAY_SYMBOLS)],
    {
      execArgv: ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', '--conditions=@fo/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const report = await new Promise<ReplayReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ReplayReport));
    child.once('exit', (code) => reject(new Error(`replay child exited with ${code}`)));
  });
  console.log(
    `replay of ${int(report.rows)} transactions (${int(report.events)} of them in a symbol; ${int(report.symbols)} symbols, ` +
      `${report.years} years, one account), in-process, pure engine; wall (CPU) time, machine: ${machine()}:`,
  );
  report.timings.forEach((t) => {
    const best = t.runsMs.indexOf(Math.min(...t.runsMs));
    console.log(
      `  ${t.label.padEnd(46)} median ${ms(median(t.runsMs))} (${ms(median(t.cpuMs))} CPU), best ${ms(t.runsMs[best] as number)} ` +
        `(${ms(t.cpuMs[best] as number)} CPU), ${t.runsMs.length} runs${t.label.startsWith('fifo, tax-advantaged') ? '  (target ≤ 1 s)' : ''}`,
    );
  });
  const line = (label: string, c: Census) =>
    console.log(
      `  ${label}: ${int(c.lots)} lots, ${int(c.movements)} lot movements (${int(c.sales)} realized-gain lines), ` +
        `${int(c.matches)} wash-sale matches; the result holds ${mb(c.heapMb)} of heap`,
    );
  line('tax-advantaged', report.ira);
  line('taxable', report.taxable);
  console.log(
    `  process RSS ${mb(report.rssBeforeMb)} with the rows and events loaded, peak ${mb(report.peakRssMb)}; ` +
      `rows → engine events (numeric strings as PostgreSQL returns them) ${ms(report.decodeMs)} (first pass ${ms(report.decodeFirstMs)})`,
  );
  console.log(
    `  baselines on the same rows: one bigint quantity × price per event ${ms(report.floorMs)}; ` +
      `naive FIFO loop in decimal.js (no wash sales, terms or allocations) ${ms(report.naiveMs)}`,
  );
}

// ── 2–4. through the API ─────────────────────────────────────────────────────────────────────────

const CSV_HEADER = 'Date,Action,Symbol,Quantity,Price,Fees,Amount,Split Ratio,Transaction ID';

function csvOf(rows: readonly SyntheticRow[]): string {
  const lines = [CSV_HEADER];
  for (const r of rows) {
    const action = r.type === 'dividend' && r.reinvested ? 'Reinvest' : r.type;
    const ratio = r.type === 'split' ? `${r.splitTo}:${r.splitFrom}` : '';
    lines.push(
      [
        r.tradeDate,
        action,
        r.symbol ?? '',
        r.quantity ?? '',
        r.price ?? '',
        r.fees,
        r.amount ?? '',
        ratio,
        r.externalId,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const MAPPING = {
  date: 'Date',
  type: 'Action',
  symbol: 'Symbol',
  quantity: 'Quantity',
  price: 'Price',
  fees: 'Fees',
  amount: 'Amount',
  splitRatio: 'Split Ratio',
  externalId: 'Transaction ID',
  types: { Reinvest: { type: 'dividend' as const, reinvested: true } },
};

/** The same CSV, raw: COPY into a scratch table with the file's columns. */
async function copyBaseline(url: string, csv: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE bench_ledger_copy (trade_date date, action text, symbol text, quantity numeric,
      price numeric, fees numeric, amount numeric, split_ratio text, external_id text)`);
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      await client.query('TRUNCATE bench_ledger_copy');
      const t0 = performance.now();
      const stream = client.query(
        copyFrom('COPY bench_ledger_copy FROM STDIN WITH (FORMAT csv, HEADER true)'),
      );
      await pipeline([csv], stream);
      times.push(performance.now() - t0);
    }
    await client.query('DROP TABLE bench_ledger_copy');
    return times;
  } finally {
    await client.end();
  }
}

export const suite: BenchSuite = {
  name: 'ledger',
  async run() {
    await replayInProcess();

    const scratch = await scratchDatabase('ledger');
    const url = scratch.url;
    const db = createKnex({ connectionString: url, poolMax: 4 });
    let child: ChildProcess | null = null;
    try {
      await migrateLatest(db);
      /** A user of its own (partitions span a user's accounts: wash sales cross them). */
      const newUser = async (label: string) => {
        const [user] = await db('users')
          .insert({ email: `bench-ledger-${label}-${process.pid}@example.com`, password_hash: '$unusable$' })
          .returning('id');
        const { token } = await createSession(db, user.id, { ip: '127.0.0.1', userAgent: 'bench' });
        return { userId: user.id as string, token };
      };
      const main = await newUser('taxable');
      const userId = main.userId;
      const iraUser = await newUser('ira');
      const warmUser = await newUser('warm-up');

      child = fork(path.join(here, '../lib/analytics-server.ts'), [url], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const serverPid = child.pid as number;
      const { apiUrl } = await new Promise<{ apiUrl: string }>((resolve) =>
        child!.once('message', (m) => resolve(m as { apiUrl: string })),
      );
      const fo = createClient({ url: apiUrl, token: main.token });
      const foIra = createClient({ url: apiUrl, token: iraUser.token });
      const foWarm = createClient({ url: apiUrl, token: warmUser.token });
      const brokerage = (
        client: typeof fo,
        name: string,
        extra: { type: 'brokerage' | 'retirement'; subtype?: 'ira' },
      ) => client.accounts.create.mutate({ name, trackingMode: 'transactions', currency: 'USD', ...extra });
      const account = await brokerage(fo, 'Bench brokerage', { type: 'brokerage' });
      const ira = await brokerage(foIra, 'Bench IRA', { type: 'retirement', subtype: 'ira' });

      // 2. Import.
      const history = syntheticHistory({ rows: IMPORT_ROWS, symbols: 100, years: 10 });
      const csv = csvOf(history);
      // Warm-up: a small account of its own (JIT, pools, plans), not counted.
      const warm = await brokerage(foWarm, 'Warm-up', { type: 'brokerage' });
      await importCsv(foWarm, { accountId: warm.id, csv: csvOf(history.slice(0, 2000)), mapping: MAPPING });

      /** Imports the CSV into an account: wall time, each call's time, and what the ledger stored. */
      const importInto = async (client: typeof fo, accountId: string) => {
        const callMs: number[] = [];
        let last = performance.now();
        const start = last;
        const summary = await importCsv(client, {
          accountId,
          csv,
          mapping: MAPPING,
          batchSize: BATCH,
          onProgress: () => {
            const now = performance.now();
            callMs.push(now - last);
            last = now;
          },
        });
        const wallMs = performance.now() - start;
        if (summary.errors.length || summary.created !== IMPORT_ROWS) {
          throw new Error(
            `import: ${summary.created} created, ${JSON.stringify(summary.errors.slice(0, 3))}`,
          );
        }
        const stored = (
          await db.raw(
            `SELECT (SELECT count(*) FROM tax_lots WHERE account_id = ?)::int AS lots,
                    (SELECT count(*) FROM lot_allocations WHERE account_id = ?)::int AS movements,
                    (SELECT count(*) FROM wash_sale_matches w JOIN lot_allocations a ON a.id = w.loss_allocation_id
                      WHERE a.account_id = ?)::int AS matches`,
            [accountId, accountId, accountId],
          )
        ).rows[0] as { lots: number; movements: number; matches: number };
        return { wallMs, callMs, rate: IMPORT_ROWS / (wallMs / 1000), stored };
      };

      const before = rss(serverPid);
      const peakReset = resetPeakRss(serverPid);
      const taxable = await importInto(fo, account.id);
      const after = rss(serverPid);
      const t1 = performance.now();
      const again = await importCsv(fo, { accountId: account.id, csv, mapping: MAPPING, batchSize: BATCH });
      const againMs = performance.now() - t1;
      if (again.created !== 0 || again.skippedDuplicates !== IMPORT_ROWS) {
        throw new Error(`re-import: ${again.created} created, ${again.skippedDuplicates} skipped`);
      }
      const inIra = await importInto(foIra, ira.id);
      const copyMs = await copyBaseline(url, csv);
      const copyRate = IMPORT_ROWS / (median(copyMs) / 1000);
      const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;
      const stored = (x: { lots: number; movements: number; matches: number }) =>
        `stored ${int(x.lots)} lots, ${int(x.movements)} lot movements, ${int(x.matches)} wash-sale matches`;
      console.log(
        `import of ${int(IMPORT_ROWS)} transactions (100 symbols, 10 years; CSV → SDK importCsv → transactions.import, ` +
          `${int(BATCH)} rows per call), machine: ${machine()}:`,
      );
      console.log(
        `  taxable brokerage account: ${secs(taxable.wallMs)}, ${int(taxable.rate)} rows/s end to end (target ≥ 20,000); ` +
          `calls took ${taxable.callMs.map((x) => (x / 1000).toFixed(1)).join(', ')} s; ${stored(taxable.stored)}`,
      );
      console.log(
        `    server RSS ${mb(before.now)} before, ${mb(after.now)} after, peak ${mb(after.peak)}` +
          `${peakReset ? ' during the import' : ' since the server started (clear_refs not permitted)'}`,
      );
      console.log(
        `    the same file again (every row a duplicate, nothing written): ${secs(againMs)}, ${int(IMPORT_ROWS / (againMs / 1000))} rows/s`,
      );
      console.log(
        `  IRA (tax-advantaged: no wash-sale pieces): ${secs(inIra.wallMs)}, ${int(inIra.rate)} rows/s; ` +
          `calls took ${inIra.callMs.map((x) => (x / 1000).toFixed(1)).join(', ')} s; ${stored(inIra.stored)}`,
      );
      console.log(
        `  raw COPY of the same CSV into a scratch table: median ${ms(median(copyMs))} of 3, ${int(copyRate)} rows/s; ` +
          `import / COPY = ${(taxable.rate / copyRate).toFixed(4)} (taxable), ${(inIra.rate / copyRate).toFixed(4)} (IRA)`,
      );

      // 3. Database replay from scratch.
      await db.raw('VACUUM ANALYZE');
      const t2 = performance.now();
      await rebuildAccountLedger({ db, actor: systemActor(userId) }, account.id);
      const rebuildMs = performance.now() - t2;
      console.log(
        `database replay from scratch of the ${int(IMPORT_ROWS)}-transaction account (rebuildAccountLedger: load, ` +
          `replay, rewrite lots and allocations, one transaction): ${(rebuildMs / 1000).toFixed(1)} s`,
      );

      // 4. transactions.list: every page in turn, through the SDK and as a plain keyset query.
      await db.raw('VACUUM ANALYZE');
      const walkApi = async (): Promise<number[]> => {
        const out: number[] = [];
        let cursor: string | undefined;
        do {
          const s = performance.now();
          const page = await fo.transactions.list.query({ accountId: account.id, limit: PAGE, cursor });
          out.push(performance.now() - s);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return out;
      };
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const columns = TRANSACTION_COLUMNS.join(', ');
      const firstSql = `SELECT ${columns} FROM transactions WHERE user_id = $1 AND account_id = $2
        ORDER BY trade_date DESC, seq DESC LIMIT ${PAGE + 1}`;
      const nextSql = `SELECT ${columns} FROM transactions WHERE user_id = $1 AND account_id = $2
        AND (trade_date, seq) < ($3::date, $4::bigint) ORDER BY trade_date DESC, seq DESC LIMIT ${PAGE + 1}`;
      const walkSql = async (): Promise<number[]> => {
        const out: number[] = [];
        let key: [string, number] | null = null;
        for (;;) {
          const s = performance.now();
          const result: pg.QueryResult<{ trade_date: string; seq: string }> = key
            ? await pool.query(nextSql, [userId, account.id, ...key])
            : await pool.query(firstSql, [userId, account.id]);
          out.push(performance.now() - s);
          const rows = result.rows;
          if (rows.length <= PAGE) break;
          const lastRow = rows[PAGE - 1] as { trade_date: string; seq: string };
          key = [lastRow.trade_date, Number(lastRow.seq)];
        }
        return out;
      };
      await walkApi();
      await walkSql();
      const api = await walkApi();
      const sql = await walkSql();
      const plan = (
        await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) ${nextSql}`, [
          userId,
          account.id,
          '2020-01-01',
          Number.MAX_SAFE_INTEGER,
        ])
      ).rows.map((r) => r['QUERY PLAN'] as string);
      await pool.end();
      console.log(
        `transactions.list, ${PAGE} per page, all ${int(api.length)} pages of the ${int(IMPORT_ROWS)}-transaction account in turn:`,
      );
      console.log(
        `  API over HTTP (SDK, session check included): p50 ${ms(percentile(api, 50))}, p99 ${ms(percentile(api, 99))}`,
      );
      console.log(
        `  the same keyset query with pg: p50 ${ms(percentile(sql, 50))}, p99 ${ms(percentile(sql, 99))} ` +
          `(API / query at p50: ${(percentile(api, 50) / percentile(sql, 50)).toFixed(1)}x)`,
      );
      console.log(`  plan of a page in the middle:\n${plan.map((l) => `    ${l}`).join('\n')}`);
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
