/**
 * The metrics stored on each holding (return over the last year and since inception; volatility,
 * beta and alpha over the last year, or since inception for younger holdings), for every position
 * of a book at once. Same definitions as analytics.performance/.risk on a holding scope (the
 * tests compare them), computed without per-position allocation: a book with a thousand
 * positions over ten years is a few million array steps, not a thousand full analyses.
 *
 * A position's metrics depend only on its own events, its price and FX series, the calendar, the
 * benchmark and the risk-free rate, and a write to a ledger (a deposit, one trade) leaves almost
 * every position's inputs as they were. So they are memoized: under a context naming the market
 * data, settings and calendar exactly (built by the session), per position by its symbol,
 * currencies and every event as stored (day, kind, quantity, cash). A cold run after a write
 * recomputes only the positions whose events changed.
 */
import { Lru } from '../lru.js';
import type { MarketAnalysis } from './analyze.js';
import type { PreparedModel } from './prepare.js';
import { resolveRange } from './ranges.js';
import { dailyReturnsInto, type ReturnSeries, Step } from './returns.js';
import { TRADING_DAYS_PER_YEAR } from './stats.js';
import { walkPosition } from './valuation.js';

export interface HoldingMetrics {
  position: number;
  return1y: number | null;
  returnTotal: number | null;
  volatility: number | null;
  beta: number | null;
  alpha: number | null;
}

interface WindowStats {
  volatility: number | null;
  beta: number | null;
  alpha: number | null;
}

/** Volatility (sample, √252), beta (slope on the benchmark) and Jensen's alpha (× 252) over (a, b]. */
function windowStats(ret: ReturnSeries, market: MarketAnalysis, a: number, b: number): WindowStats {
  const bench = market.benchmark;
  let n = 0;
  let sx = 0;
  let np = 0;
  let px = 0;
  let py = 0;
  let pf = 0;
  for (let i = a + 1; i <= b; i++) {
    if (ret.step[i] !== Step.Observed) continue;
    const x = ret.r[i] as number;
    n++;
    sx += x;
    if (bench && bench.step[i] === Step.Observed) {
      np++;
      px += x;
      py += bench.r[i] as number;
      pf += market.riskFree[i] as number;
    }
  }
  let volatility: number | null = null;
  if (n >= 2) {
    // Second pass around the mean, as STDEV.S (no cancellation from Σx²).
    const mean = sx / n;
    let ss = 0;
    for (let i = a + 1; i <= b; i++) {
      if (ret.step[i] !== Step.Observed) continue;
      const d = (ret.r[i] as number) - mean;
      ss += d * d;
    }
    volatility = Math.sqrt(ss / (n - 1)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
  }
  let beta: number | null = null;
  let alpha: number | null = null;
  if (bench && np >= 2) {
    const mx = px / np;
    const my = py / np;
    let sxy = 0;
    let syy = 0;
    for (let i = a + 1; i <= b; i++) {
      if (ret.step[i] !== Step.Observed || bench.step[i] !== Step.Observed) continue;
      const dx = (ret.r[i] as number) - mx;
      const dy = (bench.r[i] as number) - my;
      sxy += dx * dy;
      syy += dy * dy;
    }
    if (syy !== 0) {
      beta = sxy / syy;
      const mf = pf / np;
      alpha = (mx - (mf + beta * (my - mf))) * TRADING_DAYS_PER_YEAR;
    }
  }
  return { volatility, beta, alpha };
}

type Metrics = Omit<HoldingMetrics, 'position'>;

/** Bound on memoized positions per context; past it the context starts afresh. */
const MAX_MEMO_POSITIONS = 50_000;
const memo = new Lru<string, Map<string, Metrics>>(8);

/** Everything about position p that its metrics read, besides the context: exact, not a hash. */
function positionKey(m: PreparedModel, p: number): string {
  const { book, market } = m.input;
  const ev = book.events;
  const sym = book.positionSymbol[p] as number;
  const acctCurrency = book.accountCurrency[book.positionAccount[p] as number] as number;
  let key = `${market.symbols[sym]}\u0000${market.currencies[market.symbolCurrency[sym] as number]}\u0000${market.currencies[acctCurrency]}`;
  for (let k = m.posStart[p] as number; k < (m.posStart[p + 1] as number); k++) {
    const e = m.byPosition[k] as number;
    key += `\u0000${ev.day[e]},${ev.kind[e]},${ev.quantity[e]},${ev.cash[e]}`;
  }
  return key;
}

/**
 * The metrics of each position; `context` (or null: no memo) must change whenever the calendar,
 * any price or FX series, the benchmark, the risk-free rate or the price-gap setting may differ.
 */
export function holdingMetrics(
  m: PreparedModel,
  market: MarketAnalysis,
  positions: readonly number[],
  endDay: number,
  context: string | null = null,
): HoldingMetrics[] {
  let known: Map<string, Metrics> | undefined;
  if (context !== null) {
    const key = `${endDay}\u0000${context}`;
    known = memo.get(key);
    if (!known || known.size > MAX_MEMO_POSITIONS) {
      known = new Map();
      memo.set(key, known);
    }
  }
  if (!known) return computeMetrics(m, market, positions, endDay);
  const store = known;
  const keys = positions.map((p) => positionKey(m, p));
  const todo = positions.filter((_, i) => !store.has(keys[i] as string));
  const fresh = computeMetrics(m, market, todo, endDay);
  fresh.forEach((r, i) => {
    const { position: _p, ...metrics } = r;
    store.set(positionKey(m, todo[i] as number), metrics);
  });
  return positions.map((position, i) => ({ position, ...(store.get(keys[i] as string) as Metrics) }));
}

function computeMetrics(
  m: PreparedModel,
  market: MarketAnalysis,
  positions: readonly number[],
  endDay: number,
): HoldingMetrics[] {
  const n = m.days.length;
  const value = new Float64Array(n);
  const flow = new Float64Array(n);
  const ret: ReturnSeries = {
    r: new Float64Array(n),
    step: new Uint8Array(n),
    growth: new Float64Array(n),
    brokenBefore: new Int32Array(n),
  };
  return positions.map((position) => {
    const none = { position, return1y: null, returnTotal: null, volatility: null, beta: null, alpha: null };
    const k = m.posStart[position] as number;
    if (k >= (m.posStart[position + 1] as number)) return none;
    const first = m.eventSlot[m.byPosition[k] as number] as number;
    if (first >= n) return none;
    const from = Math.max(first - 1, 0);
    value.fill(0, from);
    flow.fill(0, from);
    walkPosition(m, position, value, flow, null, true, null);
    dailyReturnsInto(value, flow, ret, Math.max(first, 1));
    const inception = from;
    const y1 = resolveRange(m.days, inception, endDay, { key: '1Y' });
    const itd = resolveRange(m.days, inception, endDay, { key: 'ITD' });
    const twr = (a: number, b: number) => (ret.growth[b] as number) / (ret.growth[a] as number) - 1;
    const window = y1.status === 'ok' ? y1 : itd;
    const stats = window.status === 'ok' ? windowStats(ret, market, window.a, window.b) : null;
    return {
      position,
      return1y: y1.status === 'ok' ? twr(y1.a, y1.b) : null,
      returnTotal: itd.status === 'ok' ? twr(itd.a, itd.b) : null,
      volatility: stats?.volatility ?? null,
      beta: stats?.beta ?? null,
      alpha: stats?.alpha ?? null,
    };
  });
}
