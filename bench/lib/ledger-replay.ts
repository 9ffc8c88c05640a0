/**
 * Child process of the ledger bench (run with --expose-gc, so memory figures are not garbage):
 * the full in-process replay of N synthetic transactions (bench/lib/ledger-data.ts) through the
 * pure ledger engine, one partition per symbol, in two accounts' treatment of the same rows:
 *
 * - tax-advantaged (an IRA): lots and realized gains with holding periods, no wash-sale
 *   bookkeeping of its own losses;
 * - taxable: the same plus wash sales (IRS Publication 550), whose replacement pieces are lots too.
 *
 * Each is timed partition by partition, each result dropped once counted (what a caller that
 * persists each partition as it goes holds), and keeping every partition's result until all are
 * done (what one database transaction replaying them all holds, and what the memory figures
 * describe): the difference is the collector's cost of a large live result.
 *
 * Next to two baselines on the same rows in the same process:
 * - floor: one pass over the decoded events doing a bigint quantity × price each (the least any
 *   replay must do: read every event once);
 * - naive loop: FIFO lots kept as decimal.js values, sells taking lots from the front pro rata —
 *   what a straightforward implementation would write — without wash sales, holding periods,
 *   allocations or the other methods.
 *
 * Rows are shaped as PostgreSQL returns them (numeric columns as strings) and decoded with the
 * code the database replay uses (services/ledger/codec.ts), timed separately. Sends one
 * { kind: 'replay', ... } message to the parent (or prints it when run alone) and exits.
 *
 *   node --expose-gc --import tsx --conditions=@fo/source bench/lib/ledger-replay.ts 1000000 1000
 */
import { readFileSync } from 'node:fs';
import { Decimal } from '@fo/schema';
import { type EventRow, toEvents } from '../../packages/server/src/services/ledger/codec.js';
import {
  type AccountPolicy,
  extend,
  type LedgerEvent,
  type PartitionResult,
  replayPartition,
} from '../../packages/server/src/services/ledger/engine/index.js';
import { type SyntheticRow, syntheticHistory } from './ledger-data.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const SYMBOLS = Number(process.argv[3] ?? 1_000);
const YEARS = 10;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function toRow(r: SyntheticRow, i: number): EventRow {
  return {
    id: `tx-${i}`,
    account_id: 'A',
    symbol: r.symbol as string,
    type: r.type as EventRow['type'],
    trade_date: r.tradeDate,
    seq: i + 1,
    quantity: r.quantity,
    price: r.price,
    fees: r.fees,
    amount: r.amount,
    split_to: r.splitTo,
    split_from: r.splitFrom,
    reinvested: r.reinvested,
    counterpart_account_id: null,
    transfer_id: null,
    lot_selection: null,
    realized_gain: null,
    cost_basis: null,
    wash_sale_disallowed: '0',
  };
}

// Cash rows (no symbol) never reach a partition replay.
const history = syntheticHistory({ rows: ROWS, symbols: SYMBOLS, years: YEARS });
const bySymbol = new Map<string, EventRow[]>();
let events = 0;
history.forEach((r, i) => {
  if (!r.symbol) return;
  events++;
  const list = bySymbol.get(r.symbol);
  if (list) list.push(toRow(r, i));
  else bySymbol.set(r.symbol, [toRow(r, i)]);
});
const rowPartitions = [...bySymbol.values()];

function decodeAll(): LedgerEvent[][] {
  return rowPartitions.map((rows) => toEvents(rows));
}

let t0 = performance.now();
const partitions = decodeAll();
const decodeFirstMs = performance.now() - t0;
gc();
t0 = performance.now();
decodeAll();
const decodeMs = performance.now() - t0;

function replayAll(method: AccountPolicy['method'], taxAdvantaged: boolean): PartitionResult[] {
  const policies = new Map<string, AccountPolicy>([['A', { method, allowShort: false, taxAdvantaged }]]);
  return partitions.map((evs, i) => replayPartition({ symbol: `S${i}`, policies, events: evs }));
}

/** Partition by partition, each result dropped once counted (what a caller persisting per partition holds). */
function replayEach(method: AccountPolicy['method'], taxAdvantaged: boolean): number {
  const policies = new Map<string, AccountPolicy>([['A', { method, allowShort: false, taxAdvantaged }]]);
  let movements = 0;
  partitions.forEach((evs, i) => {
    movements += replayPartition({ symbol: `S${i}`, policies, events: evs }).movements.length;
  });
  return movements;
}

interface Timing {
  label: string;
  runsMs: number[];
  cpuMs: number[];
}

function time(
  label: string,
  method: AccountPolicy['method'],
  taxAdvantaged: boolean,
  runs: number,
  keep = true,
): Timing {
  const runsMs: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    gc();
    const c = cpuMs();
    const start = performance.now();
    if (keep) replayAll(method, taxAdvantaged);
    else replayEach(method, taxAdvantaged);
    runsMs.push(performance.now() - start);
    cpu.push(cpuMs() - c);
  }
  return { label, runsMs, cpuMs: cpu };
}

function census(results: PartitionResult[]) {
  let lots = 0;
  let movements = 0;
  let sales = 0;
  let matches = 0;
  for (const r of results) {
    lots += r.lots.length;
    movements += r.movements.length;
    for (const mv of r.movements) if (mv.kind === 'sale') sales++;
    matches += r.matches.length;
  }
  return { lots, movements, sales, matches };
}

const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
const heapBeforeMb = heapMb();

// Partition by partition first: once V8 has seen a replay's results survive, it allocates them in
// the old generation from the start (pretenuring), which makes every later replay in this process
// pay for survivors whether it keeps its results or not.
const timings = [
  time('fifo, tax-advantaged, partition by partition', 'fifo', true, 5, false),
  time('fifo, taxable, partition by partition', 'fifo', false, 2, false),
  time('fifo, tax-advantaged, all results kept', 'fifo', true, 5),
  time('average, tax-advantaged, all results kept', 'average', true, 3),
  time('hifo, tax-advantaged, all results kept', 'hifo', true, 3),
  time('fifo, taxable, all results kept', 'fifo', false, 2),
];

// What one replay's result holds (lots, allocations, matches), measured after collection.
let kept: PartitionResult[] | null = replayAll('fifo', true);
const ira = { ...census(kept), heapMb: heapMb() - heapBeforeMb };
kept = null;
heapMb();
kept = replayAll('fifo', false);
const taxable = { ...census(kept), heapMb: heapMb() - heapBeforeMb };
kept = null;

// Floor: read every event once.
function floor(): bigint {
  let total = 0n;
  for (const evs of partitions) for (const e of evs) total += extend(e.quantity, e.price);
  return total;
}
floor();
t0 = performance.now();
floor();
const floorMs = performance.now() - t0;

// Naive loop: FIFO lots in decimal.js.
interface NaiveLot {
  qty: Decimal;
  cost: Decimal;
}
function naive(): Decimal {
  let realized = new Decimal(0);
  for (const rows of rowPartitions) {
    const open: NaiveLot[] = [];
    for (const r of rows) {
      if (r.type === 'buy' || (r.type === 'dividend' && r.reinvested)) {
        const qty = new Decimal(r.quantity as string);
        open.push({ qty, cost: qty.mul(r.price as string).add(r.fees) });
      } else if (r.type === 'sell') {
        let left = new Decimal(r.quantity as string);
        const proceeds = left.mul(r.price as string).sub(r.fees);
        let basis = new Decimal(0);
        while (left.gt(0)) {
          const lot = open[0];
          if (!lot) throw new Error(`naive loop: ${r.symbol} sold more than it held`);
          if (lot.qty.lte(left)) {
            basis = basis.add(lot.cost);
            left = left.sub(lot.qty);
            open.shift();
          } else {
            const part = lot.cost.mul(left).div(lot.qty).toDecimalPlaces(8);
            basis = basis.add(part);
            lot.cost = lot.cost.sub(part);
            lot.qty = lot.qty.sub(left);
            left = new Decimal(0);
          }
        }
        realized = realized.add(proceeds.sub(basis));
      } else if (r.type === 'split') {
        const ratio = new Decimal(r.split_to as string).div(r.split_from as string);
        for (const lot of open) lot.qty = lot.qty.mul(ratio).toDecimalPlaces(10);
      }
    }
  }
  return realized;
}
gc();
t0 = performance.now();
naive();
const naiveMs = performance.now() - t0;

const peakRssKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const message = {
  kind: 'replay',
  rows: ROWS,
  events,
  symbols: SYMBOLS,
  years: YEARS,
  decodeFirstMs,
  decodeMs,
  timings,
  rssBeforeMb,
  peakRssMb: peakRssKb / 1024,
  ira,
  taxable,
  floorMs,
  naiveMs,
};
if (process.send) process.send(message);
else console.log(JSON.stringify(message, null, 1));
