/**
 * Figures for one scope over many ranges, from one valuation: the scope's daily series is computed
 * once and every range is a slice of it (growth-index ratios for TWR, a pass over the slice for
 * the statistics).
 */
import type { PreparedModel } from './prepare.js';
import { type RangeRequest, type ResolvedRange, resolveRange } from './ranges.js';
import { annualize, dailyFromAnnual, dailyReturns, type ReturnSeries, Step, twrBetween } from './returns.js';
import {
  annualizedVolatility,
  correlation,
  jensensAlpha,
  maxDrawdown,
  mean,
  sharpeRatio,
  slope,
  sortinoRatio,
  TRADING_DAYS_PER_YEAR,
} from './stats.js';
import { type MissingRun, type Scope, type ScopeSeries, valueScope } from './valuation.js';
import { xirr } from './xirr.js';

export interface ScopeAnalysis {
  series: ScopeSeries;
  returns: ReturnSeries;
  /** Base slot of the scope's history (the slot before its first event); -1 when it has none. */
  inception: number;
}

export interface MarketAnalysis {
  /** Benchmark returns on the calendar, or null when no benchmark is loaded. */
  benchmark: ReturnSeries | null;
  /** Daily risk-free rate per slot. */
  riskFree: Float64Array;
  /** Slots where the risk-free series had no one-day return and the annual rate was used. */
  riskFreeFallback: Uint8Array;
}

export function analyzeMarket(m: PreparedModel): MarketAnalysis {
  const n = m.days.length;
  const { benchmark, riskFree } = m.input;
  const loaded = benchmark >= 0 && (m.input.market.prices[benchmark]?.days.length ?? 0) > 0;
  const bench = loaded ? dailyReturns(m.prices[benchmark] as Float64Array) : null;
  const rf = new Float64Array(n).fill(dailyFromAnnual(riskFree.annualRate));
  const fallback = new Uint8Array(n);
  if (riskFree.symbol >= 0) {
    const s = dailyReturns(m.prices[riskFree.symbol] as Float64Array);
    for (let i = 1; i < n; i++) {
      if (s.step[i] === Step.Observed) rf[i] = s.r[i] as number;
      else fallback[i] = 1;
    }
  }
  return { benchmark: bench, riskFree: rf, riskFreeFallback: fallback };
}

export function analyzeScope(m: PreparedModel, scope: Scope): ScopeAnalysis {
  const series = valueScope(m, scope);
  const returns = dailyReturns(series.value, series.flow);
  const inception = series.firstSlot < 0 ? -1 : Math.max(series.firstSlot - 1, 0);
  return { series, returns, inception };
}

const EPS = 1e-6;

export interface PerformanceFigures {
  startValue: number | null;
  endValue: number | null;
  netFlows: number | null;
  inflows: number;
  outflows: number;
  profit: number | null;
  simpleReturn: number | null;
  twr: number | null;
  twrAnnualized: number | null;
  xirr: number | null;
  mwr: number | null;
  benchmarkReturn: number | null;
  /** Steps inside the range whose return could not be computed (linked as 0), by slot. */
  brokenSlots: number[];
}

export interface DrawdownFigures {
  depth: number;
  peak: number;
  trough: number;
  recovery: number | null;
}

export interface RiskFigures {
  observations: number;
  volatility: number | null;
  maxDrawdown: DrawdownFigures | null;
  sharpe: number | null;
  sortino: number | null;
  beta: number | null;
  alpha: number | null;
  correlation: number | null;
  pairedObservations: number;
  riskFreeAnnual: number | null;
  riskFreeFallbackDays: number;
}

export interface RangeFigures {
  range: ResolvedRange;
  /** Calendar days from the base day to the end day. */
  calendarDays: number;
  performance: PerformanceFigures | null;
  risk: RiskFigures | null;
  missing: MissingRun[];
  /** Why a figure is null, by figure name. */
  unavailable: Record<string, string>;
}

function performanceFor(
  m: PreparedModel,
  s: ScopeAnalysis,
  market: MarketAnalysis,
  a: number,
  b: number,
  unavailable: Record<string, string>,
  moneyWeighted: boolean,
): PerformanceFigures {
  const { value, flow, flowDays, flowAmounts } = s.series;
  const va = value[a] as number;
  const vb = value[b] as number;
  let net = 0;
  for (let i = a + 1; i <= b; i++) net += flow[i] as number;
  const dayA = m.days[a] as number;
  const dayB = m.days[b] as number;
  let inflows = 0;
  let outflows = 0;
  const xDays: number[] = [];
  const xAmounts: number[] = [];
  if (Number.isFinite(va) && va > EPS) {
    xDays.push(dayA);
    xAmounts.push(-va);
  }
  for (let k = 0; k < flowDays.length; k++) {
    const d = flowDays[k] as number;
    if (d <= dayA || d > dayB) continue;
    const f = flowAmounts[k] as number;
    if (f > 0) inflows += f;
    else outflows -= f;
    xDays.push(d);
    xAmounts.push(-f);
  }
  const valuesKnown = Number.isFinite(va) && Number.isFinite(vb);
  if (!valuesKnown) {
    const reason = `value unknown on ${!Number.isFinite(va) ? 'the start' : 'the end'} day (see missing)`;
    for (const k of ['startValue', 'endValue', 'profit', 'simpleReturn', 'xirr', 'mwr'])
      unavailable[k] = reason;
  }
  const flowsKnown = Number.isFinite(net);
  if (!flowsKnown) {
    unavailable['netFlows'] = 'a transfer of securities could not be valued (see missing)';
    unavailable['profit'] = unavailable['netFlows'];
  }
  const profit = valuesKnown && flowsKnown ? vb - va - net : null;
  const capital = (Number.isFinite(va) ? va : 0) + inflows;
  let simpleReturn: number | null = null;
  if (profit !== null) {
    if (capital > EPS) simpleReturn = profit / capital;
    else unavailable['simpleReturn'] = 'no capital was invested in the range';
  }
  let irr: number | null = null;
  let mwr: number | null = null;
  if (!moneyWeighted) {
    unavailable['xirr'] = 'not requested';
    unavailable['mwr'] = 'not requested';
  } else if (valuesKnown && flowsKnown) {
    if (Math.abs(vb) > EPS) {
      xDays.push(dayB);
      xAmounts.push(vb);
    }
    const result = xirr(xDays, xAmounts);
    if (result.rate === null) unavailable['xirr'] = result.reason;
    else {
      irr = result.rate;
      let first = dayB;
      for (const d of xDays) if (d < first) first = d;
      mwr = (1 + irr) ** ((dayB - first) / 365) - 1;
    }
    if (mwr === null) unavailable['mwr'] = unavailable['xirr'] ?? 'no cash flows';
  }
  const twr = twrBetween(s.returns, a, b);
  const calendarDays = dayB - dayA;
  const twrAnnualized = annualize(twr.value, calendarDays);
  if (twrAnnualized === null) unavailable['twrAnnualized'] = 'the range is one year or shorter';
  let benchmarkReturn: number | null = null;
  if (market.benchmark) benchmarkReturn = twrBetween(market.benchmark, a, b).value;
  else unavailable['benchmarkReturn'] = 'no benchmark prices';
  const brokenSlots: number[] = [];
  if (twr.brokenSteps > 0) {
    for (let i = a + 1; i <= b; i++) if (s.returns.step[i] === Step.Broken) brokenSlots.push(i);
  }
  return {
    startValue: Number.isFinite(va) ? va : null,
    endValue: Number.isFinite(vb) ? vb : null,
    netFlows: flowsKnown ? net : null,
    inflows,
    outflows,
    profit,
    simpleReturn,
    twr: twr.value,
    twrAnnualized,
    xirr: irr,
    mwr,
    benchmarkReturn,
    brokenSlots,
  };
}

function riskFor(
  s: ScopeAnalysis,
  market: MarketAnalysis,
  a: number,
  b: number,
  unavailable: Record<string, string>,
): RiskFigures {
  const { r, step, growth } = s.returns;
  const bench = market.benchmark;
  // Two passes over the slice: count, then fill preallocated arrays (no garbage per range).
  let n = 0;
  let paired = 0;
  for (let i = a + 1; i <= b; i++) {
    if (step[i] !== Step.Observed) continue;
    n++;
    if (bench && bench.step[i] === Step.Observed) paired++;
  }
  const rets = new Float64Array(n);
  const rfs = new Float64Array(n);
  const pr = new Float64Array(paired);
  const pb = new Float64Array(paired);
  const prf = new Float64Array(paired);
  let fallbackDays = 0;
  let k = 0;
  let j = 0;
  for (let i = a + 1; i <= b; i++) {
    if (step[i] !== Step.Observed) continue;
    const rf = market.riskFree[i] as number;
    rets[k] = r[i] as number;
    rfs[k++] = rf;
    if (market.riskFreeFallback[i]) fallbackDays++;
    if (bench && bench.step[i] === Step.Observed) {
      pr[j] = r[i] as number;
      pb[j] = bench.r[i] as number;
      prf[j++] = rf;
    }
  }
  const volatility = annualizedVolatility(rets);
  const sharpe = sharpeRatio(rets, rfs);
  const sortino = sortinoRatio(rets, rfs);
  const beta = slope(pr, pb);
  const corr = correlation(pr, pb);
  let alpha: number | null = null;
  if (beta !== null) {
    // Jensen's alpha from daily means (portfolio, risk-free, benchmark over the paired days),
    // annualized arithmetically (× 252).
    alpha =
      jensensAlpha(mean(pr) as number, mean(prf) as number, beta, mean(pb) as number) * TRADING_DAYS_PER_YEAR;
  }
  const few = `needs at least two daily returns (has ${n})`;
  if (volatility === null) unavailable['volatility'] = few;
  if (sharpe === null) unavailable['sharpe'] = n < 2 ? few : 'returns have no variance';
  if (sortino === null) unavailable['sortino'] = n < 2 ? few : 'no return fell below the risk-free rate';
  const noPairs = bench
    ? `needs two days with both portfolio and benchmark returns (has ${paired})`
    : 'no benchmark prices';
  if (beta === null) {
    unavailable['beta'] = paired < 2 || !bench ? noPairs : 'benchmark returns have no variance';
    unavailable['alpha'] = unavailable['beta'];
  }
  if (corr === null) unavailable['correlation'] = paired < 2 || !bench ? noPairs : 'a series has no variance';
  const dd = maxDrawdown(growth, a, b);
  const rfMean = mean(rfs);
  return {
    observations: n,
    volatility,
    maxDrawdown: dd,
    sharpe,
    sortino,
    beta,
    alpha,
    correlation: corr,
    pairedObservations: paired,
    riskFreeAnnual: rfMean === null ? null : (1 + rfMean) ** TRADING_DAYS_PER_YEAR - 1,
    riskFreeFallbackDays: fallbackDays,
  };
}

/** Missing runs overlapping slots [a, b], cut to them. */
export function clipRuns(runs: MissingRun[], a: number, b: number): MissingRun[] {
  return runs
    .filter((run) => run.to >= a && run.from <= b)
    .map((run) => ({ ...run, from: Math.max(run.from, a), to: Math.min(run.to, b) }));
}

export interface AnalyzeOptions {
  performance: boolean;
  risk: boolean;
  /** Compute the money-weighted return (XIRR) with the performance figures; default true. */
  moneyWeighted?: boolean;
}

export function analyzeRanges(
  m: PreparedModel,
  s: ScopeAnalysis,
  market: MarketAnalysis,
  requests: RangeRequest[],
  opts: AnalyzeOptions,
  endDay = m.input.endDay,
): RangeFigures[] {
  return requests.map((req) => {
    const range = resolveRange(m.days, s.inception, endDay, req);
    const unavailable: Record<string, string> = {};
    const calendarDays = (m.days[range.b] as number) - (m.days[range.a] as number);
    if (range.status !== 'ok') {
      return { range, calendarDays, performance: null, risk: null, missing: [], unavailable };
    }
    const { a, b } = range;
    const missing = clipRuns(s.series.missing, a, b);
    return {
      range,
      calendarDays,
      performance: opts.performance
        ? performanceFor(m, s, market, a, b, unavailable, opts.moneyWeighted ?? true)
        : null,
      risk: opts.risk ? riskFor(s, market, a, b, unavailable) : null,
      missing,
      unavailable,
    };
  });
}
